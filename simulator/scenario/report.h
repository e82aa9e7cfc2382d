// Machine-readable results: --json FILE and --junit FILE.
#pragma once

#include <string>
#include <vector>

#include "simulator/scenario/runner.h"

namespace deploysim::scenario {

std::string json_report(const std::vector<ScenarioOutcome>& outcomes);
std::string junit_report(const std::vector<ScenarioOutcome>& outcomes);

}  // namespace deploysim::scenario
