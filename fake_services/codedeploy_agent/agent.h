// The CodeDeploy agent on one instance, behind one narrow interface: run this lifecycle event of
// this deployment, and report its status and diagnostics. `deploysim local` drives it directly;
// the CodeDeploy service drives it through the world's scheduler.
//
// Files sit where the real agent keeps them, inside the instance:
//   /opt/codedeploy-agent/deployment-root/<group-id>/<deployment-id>/{bundle.tar,
//       deployment-archive/, logs/scripts.log}
//   /opt/codedeploy-agent/deployment-root/deployment-instructions/<group-id>{_last_successful_install,
//       _most_recent_install, -install.json, -cleanup}
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fake_services/codedeploy_agent/appspec.h"
#include "fake_services/codedeploy_agent/bundle.h"
#include "simulator/sandbox/session.h"

namespace deploysim::fake::agent {

struct Revision {
  enum class Kind { S3, GitHub, LocalFile, LocalDirectory };
  Kind kind = Kind::LocalDirectory;
  BundleType bundle_type = BundleType::Directory;
  std::filesystem::path local_path;        // LocalFile / LocalDirectory
  std::string bucket, key, version, etag;  // S3
  std::string repository, commit;          // GitHub
};

struct DeploymentSpec {
  std::string deployment_id;
  std::string group_id;
  std::string group_name;
  std::string application_name;
  Revision revision;
  std::string creator = "user";  // codeDeployRollback + BLUE_GREEN changes hook dirs
  std::string deployment_type = "IN_PLACE";
  std::string appspec_filename = "appspec.yml";
  std::optional<std::string> file_exists_behavior;  // the deployment's; the AppSpec's wins
  // codedeploy-local only: the events this run may execute (its custom events included).
  std::vector<std::string> all_possible_events;
};

// The agent's error codes (hook_executor.rb).
enum ErrorCode {
  kSucceeded = 0,
  kScriptMissing = 1,
  kScriptNotExecutable = 2,
  kScriptTimedOut = 3,
  kScriptFailed = 4,
  kUnknownError = 5,
  kOutputsLeftOpen = 6,
  kFailedAfterRestart = 7
};

struct EventResult {
  std::string event;
  bool succeeded = false;
  int error_code = kSucceeded;
  std::string script_name;           // the failing script's location
  std::string message;               // the agent's message
  std::string log_tail;              // the newest whole log entries, under 2048 characters
  std::vector<std::string> scripts;  // locations run, in order
  std::string revision_dir;  // the deployment whose archive the hooks came from (inside path)
  std::vector<std::string> notes;
  int timed_out_after_s = 0;  // a script ran into its timeout: the seconds it was given
};

// The hook runner: real processes in a sandbox, or none at all (simulated mode).
class HookRunner {
 public:
  virtual ~HookRunner() = default;
  virtual sandbox::ScriptOutcome run(const sandbox::ScriptRun& script) = 0;
  virtual std::string script_path(const std::string& inside) const = 0;
};

// Simulated mode (scenario-format.md, agent.mode: simulated): no process runs; every script
// succeeds. The world charges each hook its simulated duration.
class SimulatedRunner : public HookRunner {
 public:
  sandbox::ScriptOutcome run(const sandbox::ScriptRun& script) override;
  std::string script_path(const std::string& inside) const override { return inside; }
  int scripts_run() const { return runs_; }

 private:
  int runs_ = 0;
};

struct AgentOptions {
  std::filesystem::path instance_root;  // the instance's "/" on the host
  std::filesystem::path work_dir;       // host folder for the sandbox's own files
  int max_revisions = 5;                // archives kept per deployment group
  bool allow_bubblewrap = true;
  bool local_mode = false;  // codedeploy-local's extra Install checks
  // "YYYY-MM-DD HH:MM:SS" for scripts.log (simulated time in a world, the wall clock locally).
  std::function<std::string()> timestamp;
  // Fetches S3 and GitHub revisions (the service routes this through the dispatcher, as the
  // instance profile's role); returns the bytes or an error message.
  std::function<bool(const Revision&, std::string& bytes, std::string& error)> fetch;
  // Simulated mode: run no process; every script succeeds (the runner decides).
  std::function<std::unique_ptr<HookRunner>(std::string& error)> make_runner;
  // sim.InjectFault for an event with scripts, asked once per event before its first script:
  // Fails (the script is not run; it "exits 1") or TimesOut (it runs into its timeout).
  enum class ScriptFault { None, Fails, TimesOut };
  std::function<ScriptFault(const std::string& event)> script_fault;
};

class Agent {
 public:
  explicit Agent(AgentOptions options);
  ~Agent();

  EventResult run_event(const DeploymentSpec& deployment, const std::string& event);
  // Ends the deployment's sandbox (and whatever its hooks left running).
  void end_deployment();

  static constexpr const char* kRootInside = "/opt/codedeploy-agent/deployment-root";
  std::filesystem::path host(const std::string& inside) const;
  std::string deployment_dir(const DeploymentSpec& d) const;  // inside path
  // The contents of <group>_last_successful_install (an inside path), if any.
  std::optional<std::string> last_successful_install(const std::string& group_id) const;

 private:
  EventResult download_bundle(const DeploymentSpec& d);
  EventResult install(const DeploymentSpec& d);
  EventResult hooks(const DeploymentSpec& d, const std::string& event);
  std::optional<std::string> instruction(const std::string& group_id, const char* suffix) const;
  void write_instruction(const std::string& group_id, const char* suffix, const std::string& value);
  void retain_archives(const DeploymentSpec& d);
  HookRunner* runner(std::string& error);

  AgentOptions options_;
  std::unique_ptr<HookRunner> runner_;
  bool base_system_ready_ = false;  // ensure_base_system ran for this instance
};

// The log tail the agent reports: ScriptLog#append_to_log, quirks included.
class ScriptLog {
 public:
  void append(std::string entry);
  std::string text() const;

 private:
  std::vector<std::string> log_;
};

// A base system's users, written into an instance's /etc when it has none.
void ensure_base_system(const std::filesystem::path& instance_root);

}  // namespace deploysim::fake::agent
