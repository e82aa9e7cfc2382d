// Every fake service and model this build has, for whoever builds worlds (the CLI, tests).
#pragma once

#include "simulator/api/model.h"
#include "simulator/world/world.h"

namespace deploysim::fake {

// The AWS models (botocore + overlays) and the sim model, embedded at build time.
const api::ModelRegistry& models();
// Registers every fake service with a new world.
void install_services(world::World& world);

}  // namespace deploysim::fake
