// Every fake service and model this build has, for whoever builds worlds (the CLI, tests).
#pragma once

#include <set>
#include <string>

#include "simulator/api/model.h"
#include "simulator/world/world.h"

namespace deploysim::fake {

// The AWS models (botocore + overlays) and the sim model, embedded at build time.
const api::ModelRegistry& models();
// Registers every fake service with a new world, but those named in `except` (tests put
// stand-ins of their own there).
void install_services(world::World& world, const std::set<std::string>& except = {});

}  // namespace deploysim::fake
