// What happened to each instance over a scenario's simulated time: the data behind
// `deploysim run --report FILE.html` and the summary table printed after a scenario.
#pragma once

#include <string>
#include <vector>

#include "simulator/core/json.h"
#include "simulator/core/sim_time.h"

namespace deploysim::world {
class World;
}

namespace deploysim::scenario {

struct ScenarioOutcome;

// Read after the scenario ran: lifecycle states from the journal, deployments and their lifecycle
// events from CodeDeploy, scaling activities from Auto Scaling (through the dispatcher, as
// observations that leave no journal entry). Times are seconds since `start`.
//   {lanes: [{id, group, spans: [{from, to, state}]}],
//    deployments: [{id, revision, application, group, status, creator, from, to, error,
//                   instances: [{id, status}]}],
//    events: [{lane, deployment, name, from, to, status, errorCode, scriptName, message, logTail}],
//    activities: [{group, from, to, status, description, cause}], end}
json::object collect_timeline(world::World& w, sim::SimTime start);

// One line per instance: its group, where its lifecycle ended and what its last deployment did.
std::string summary_table(const json::object& timeline);

// One self-contained page (no network, no external scripts) drawing each scenario's timeline.
std::string html_report(const std::vector<ScenarioOutcome>& outcomes);

}  // namespace deploysim::scenario
