// Runs a loaded scenario in a fresh world (or one kept in a state file) and reports each step.
#pragma once

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "simulator/scenario/scenario.h"

namespace deploysim::scenario {

// Registers the fake services with a new world (simulator/ does not know them by name).
using ServiceInstaller = std::function<void(world::World&)>;

struct RunOptions {
  std::optional<std::uint64_t> seed;  // overrides the scenario's
  std::string state_path;             // empty: the world lives in memory
  std::ostream* progress = nullptr;   // one line per step (stderr in the CLI)
  bool timeline = false;              // collect ScenarioOutcome::timeline (for --report)
  bool summary = false;               // print a table of the instances after the scenario
  bool story = false;                 // under each step, what happened in the world meanwhile
};

struct StepOutcome {
  std::string label;
  Location where;
  bool passed = false;
  sim::SimTime time;     // simulated time when the step finished
  json::value response;  // the last response: the body, or {"Error": {"Code", "Message"}}
  std::string failure;   // the failure report (empty when passed)
  // What the world warned about while the step ran (journal entries of kind "warning"): what a
  // blue/green deployment left pointing at a deleted Auto Scaling group, for instance.
  std::vector<std::string> warnings;
};

struct ScenarioOutcome {
  std::string file;
  std::string name;
  std::uint64_t seed = 0;
  bool passed = false;
  bool load_failed = false;  // the file could not be read or is not a valid scenario
  std::string load_error;
  std::vector<StepOutcome> steps;
  std::string journal;  // rendered, one line per entry
  sim::SimTime started;  // the world's clock when the scenario began
  sim::SimDuration simulated{0};
  std::uint64_t events = 0;  // simulated events the scenario ran (the scheduler's count)
  json::object timeline;  // collect_timeline's answer, when RunOptions::timeline asks for it
  double wall_seconds = 0;  // filled in by the CLI, which may read the wall clock
  std::string failure_summary() const;
};

ScenarioOutcome run_scenario(const Scenario& scenario, const api::ModelRegistry& models,
                             const ServiceInstaller& install, const RunOptions& options);

}  // namespace deploysim::scenario
