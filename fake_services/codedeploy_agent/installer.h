// The Install lifecycle event, as the agent does it: replay the previous deployment's cleanup
// file, generate every copy/mkdir/permission instruction first (so a conflict fails the event
// with nothing written), write <group>-install.json, then execute while appending each created
// path to <group>-cleanup.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "fake_services/codedeploy_agent/appspec.h"

namespace deploysim::fake::agent {

struct InstallRequest {
  std::filesystem::path instance_root;     // host folder that is the instance's "/"
  std::filesystem::path archive;           // host path of deployment-archive
  std::string archive_inside;              // the same, as the instance sees it
  std::filesystem::path instructions_dir;  // host path of deployment-instructions
  std::string group_id;
  std::string file_exists_behavior;  // resolved: appspec > deployment > DISALLOW
};

struct InstallResult {
  std::optional<std::string> error;  // the agent's message
  int copied = 0;
  int directories = 0;
  int permissions = 0;
  std::vector<std::string> notes;  // what deploysim recorded but did not apply (ACLs, contexts)
};

InstallResult install(const InstallRequest& request, const AppSpec& spec);

}  // namespace deploysim::fake::agent
