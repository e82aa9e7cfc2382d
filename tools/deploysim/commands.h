// The CLI's commands: thin (parse flags, call below, print). Exit statuses are documented per
// command in README.md.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace deploysim::cli {

struct RunFlags {
  std::vector<std::string> files;
  std::string json_path;
  std::string junit_path;
  std::string state_path;
  std::optional<std::uint64_t> seed;
  std::string shard;
  std::string report_path;
  bool summary = false;
  bool story = false;
  bool quiet = false;
};
void add_run_command(CLI::App& app, RunFlags& flags);
int run_command(const RunFlags& flags);

struct CallFlags {
  std::string service;
  std::string operation;
  std::string input = "{}";
  std::string state_path;
  std::string as = "root";
};
void add_call_command(CLI::App& app, CallFlags& flags);
int call_command(const CallFlags& flags);

struct ValidateFlags {
  std::string path;
  std::string appspec_filename = "appspec.yml";
  bool strict = false;
  bool json = false;
};
void add_validate_command(CLI::App& app, ValidateFlags& flags);
int validate_command(const ValidateFlags& flags);

void add_operations_command(CLI::App& app);
int operations_command();

struct LocalFlags {
  std::string bundle_location;
  std::string type = "directory";
  std::string file_exists_behavior = "DISALLOW";
  std::string deployment_group = "default-local-deployment-group";
  std::string deployment_group_name = "LocalFleet";
  std::string application_name;
  std::string events;
  std::string appspec_filename;
  std::string instance_root;
  bool json = false;
  bool no_sandbox = false;
};
void add_local_command(CLI::App& app, LocalFlags& flags);
int local_command(const LocalFlags& flags);

}  // namespace deploysim::cli
