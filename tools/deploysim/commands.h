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

}  // namespace deploysim::cli
