// YAML values -> the JSON an AWS operation takes, guided by the operation's input shape, with
// ${name} interpolation. The same walk checks a step at load time (no values yet).
#pragma once

#include <yaml-cpp/node/node.h>

#include <map>
#include <optional>
#include <set>
#include <string>

#include "simulator/api/model.h"
#include "simulator/core/json.h"
#include "simulator/scenario/scenario.h"

namespace deploysim::scenario {

// The names ${...} may refer to, and (at step time) their values.
class Bindings {
 public:
  void set(const std::string& name, json::value v) { values_.insert_or_assign(name, std::move(v)); }
  void declare(const std::string& name) { declared_.insert(name); }
  bool known(const std::string& name) const {
    return values_.count(name) != 0 || declared_.count(name) != 0;
  }
  const json::value* find(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, json::value> values_;
  std::set<std::string> declared_;
};

struct ConvertContext {
  std::string file;
  std::string dir;           // for {file: PATH} blobs
  const Bindings* bindings;  // names and values
  bool load_time = false;    // true: check only; values of saved names are not known yet
};

// Throws LoadError at the offending node.
json::value yaml_to_json(const YAML::Node& node, const api::Shape* shape,
                         const ConvertContext& ctx);
// Untyped conversion (vars, matchers): plain scalars become numbers, booleans or null when they
// look like one; quoted scalars stay strings.
json::value yaml_to_json_untyped(const YAML::Node& node, const ConvertContext& ctx);

// Replaces every ${name} in `text`; a name bound to a non-string is rendered as compact JSON.
// Throws LoadError (at `where`) for an unknown name.
std::string interpolate(const std::string& text, const Bindings& b, const Location& where);
// "${name}" exactly: the name; else nullopt.
std::optional<std::string> whole_reference(const std::string& text);
// Every ${name} in text (for load-time checks).
std::vector<std::string> references(const std::string& text);

bool is_quoted(const YAML::Node& scalar);

}  // namespace deploysim::scenario
