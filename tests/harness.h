// A world with every fake service, driven directly: what backend and dispatcher tests stand on.
#pragma once

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "fake_services/all/install.h"
#include "simulator/world/world.h"

namespace deploysim::testing {

struct HarnessOptions {
  std::uint64_t seed = 1;
  std::string region = "us-east-1";
  std::set<std::string> except;  // services not to install (a test installs a stand-in)
};

class Harness {
 public:
  explicit Harness(HarnessOptions o = {}) : world_(config(o), fake::models()) {
    fake::install_services(world_, o.except);
  }

  world::World& world() { return world_; }

  // The call must succeed; returns the response body.
  json::object ok(const std::string& service, const std::string& op, json::object params = {}) {
    auto r = world_.call(service, op, std::move(params));
    EXPECT_TRUE(r.ok()) << service << "." << op << ": "
                        << (r.ok() ? "" : r.error().code + ": " + r.error().message);
    return r.ok() ? r.value().body : json::object{};
  }
  // The call must fail; returns the error.
  sim::AwsError fails(const std::string& service, const std::string& op, json::object params = {}) {
    auto r = world_.call(service, op, std::move(params));
    EXPECT_FALSE(r.ok()) << service << "." << op << " succeeded";
    return r.ok() ? sim::AwsError{} : r.error();
  }

 private:
  static world::WorldConfig config(const HarnessOptions& o) {
    world::WorldConfig c;
    c.seed = o.seed;
    c.region = o.region;
    return c;
  }
  world::World world_;
};

}  // namespace deploysim::testing
