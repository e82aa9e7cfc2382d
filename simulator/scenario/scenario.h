// A scenario file (../shared/spec/scenario-format.md, format 1) after loading: every step checked
// against the AWS models, every place remembered so errors can say file:line:col.
#pragma once

#include <yaml-cpp/node/node.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "simulator/api/model.h"
#include "simulator/core/json.h"
#include "simulator/core/sim_time.h"
#include "simulator/world/world.h"

namespace deploysim::scenario {

struct Location {
  std::string file;
  int line = 0;  // 1-based
  int col = 0;   // 1-based
  std::string str() const;
};

// Bad input: "file:line:col: error: message" (exit status 2).
struct LoadError : std::runtime_error {
  LoadError(Location where, const std::string& message);
  Location where;
  std::string bare_message;
};

Location location_of(const std::string& file, const YAML::Node& node);

class Matcher;

struct CallSpec {
  std::string service;
  std::string operation;
  YAML::Node params;  // converted to JSON at step time, with the input shape and saved values
  Location where;
  std::string label() const { return service + "." + operation; }
};

struct Step {
  enum class Kind { Call, Expect, Wait, Advance };
  Kind kind = Kind::Call;
  Location where;
  CallSpec call;
  std::shared_ptr<const Matcher> match;  // expect / wait (null: the call must only succeed)
  YAML::Node match_yaml;
  sim::SimDuration timeout = std::chrono::hours(1);  // wait
  sim::SimDuration advance{0};
  std::vector<std::pair<std::string, std::string>> save;  // name <- dotted response path
  std::optional<std::string> as;
  std::optional<std::string> expect_error;
  std::string label() const;
};

struct Scenario {
  std::string file;  // as given on the command line
  std::string dir;   // its folder: relative paths in steps resolve here
  std::string name;
  std::string description;
  world::WorldConfig config;
  json::object vars;
  std::vector<Step> steps;
};

// Reads and checks a scenario file; throws LoadError.
Scenario load_scenario(const std::string& path, const api::ModelRegistry& models);
// The same from text (the fuzz target and tests use this).
Scenario parse_scenario(std::string_view text, const std::string& file, const std::string& dir,
                        const api::ModelRegistry& models);

}  // namespace deploysim::scenario
