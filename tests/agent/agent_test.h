// Helpers: a temporary instance, bundles written on the fly, an agent to run events.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>

#include <fstream>
#include <sstream>

#include "fake_services/codedeploy_agent/agent.h"

namespace deploysim::fake::agent::testing {

namespace fs = std::filesystem;

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream b;
  b << in.rdbuf();
  return b.str();
}

inline void write_file(const fs::path& p, const std::string& text, bool executable = false) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
  if (executable) {
    fs::permissions(p, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add);
  }
}

class AgentFixture : public ::testing::Test {
 protected:
  AgentFixture() {
    // Parameterised tests are named "Name/0": the '/' would leave an empty parent folder behind.
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_');
    dir =
        fs::temp_directory_path() / ("deploysim-agent-" + std::to_string(::getpid()) + "-" + name);
    fs::remove_all(dir);
    fs::create_directories(dir / "instance");
  }
  ~AgentFixture() override {
    agent.reset();
    fs::remove_all(dir);
  }
  Agent& the_agent() {
    if (!agent) {
      agent = std::make_unique<Agent>(
          AgentOptions{dir / "instance", dir / "sandbox", 5, true, false,
                       [] { return std::string("2026-01-01 00:00:00"); }, nullptr, nullptr});
    }
    return *agent;
  }
  // A bundle folder `name` with an appspec and scripts (path -> body; scripts are executable).
  fs::path bundle(const std::string& name, const std::string& appspec,
                  const std::map<std::string, std::string>& files = {}) {
    fs::path b = dir / "bundles" / name;
    write_file(b / "appspec.yml", appspec);
    for (const auto& [path, body] : files) {
      write_file(b / path, body, path.rfind("scripts/", 0) == 0);
    }
    return b;
  }
  DeploymentSpec deployment(const std::string& id, const fs::path& bundle_dir) {
    DeploymentSpec d;
    d.deployment_id = id;
    d.group_id = "dg-1";
    d.group_name = "prod";
    d.application_name = "web";
    d.revision.kind = Revision::Kind::LocalDirectory;
    d.revision.local_path = bundle_dir;
    return d;
  }
  // Runs the events in order until one fails; returns every result.
  std::vector<EventResult> deploy(const DeploymentSpec& d,
                                  std::vector<std::string> events = {
                                      "ApplicationStop", "DownloadBundle", "BeforeInstall",
                                      "Install", "AfterInstall", "ApplicationStart",
                                      "ValidateService"}) {
    std::vector<EventResult> out;
    for (const auto& e : events) {
      out.push_back(the_agent().run_event(d, e));
      if (!out.back().succeeded) break;
    }
    the_agent().end_deployment();
    return out;
  }
  fs::path inst(const std::string& inside) {
    return dir / "instance" / fs::path(inside).relative_path();
  }

  fs::path dir;
  std::unique_ptr<Agent> agent;
};

}  // namespace deploysim::fake::agent::testing
