// Running hook scripts for one instance: one bubblewrap sandbox per deployment, in which the
// instance's folder is /var, /opt, /etc, /srv, /home, /root and /tmp and the host's /usr is
// read-only. A small runner inside takes one script at a time; each script gets its own process
// group and a deadline (SIGTERM to the group, SIGKILL 5 s later); background processes live on
// until the session ends, which tears down the sandbox's pid namespace: nothing is left behind.
//
// Scripts run in real time: their timeouts are measured on the host's monotonic clock. This is
// the one place below simulator/ that reads a real clock (architecture.md, "Time").
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deploysim::sandbox {

enum class Stream { Stdout, Stderr };

struct ScriptRun {
  std::vector<std::string> argv;     // inside the sandbox: argv[0] is an absolute path
  std::vector<std::string> env;      // KEY=VALUE, the whole environment of the script
  std::optional<std::string> runas;  // a user of the instance's /etc/passwd
  std::chrono::seconds timeout{3600};
  std::function<void(Stream, std::string_view line)> on_line;  // each output line, as it comes
};

struct ScriptOutcome {
  enum class Status { Exited, TimedOut, OutputsLeftOpen, Failed };
  Status status = Status::Failed;
  int exit_code = -1;
  bool stdout_open = false;  // OutputsLeftOpen: which stream was still held open
  std::string error;         // Failed: why the script could not be run at all
  double seconds = 0;        // real run time
};

struct SessionOptions {
  std::filesystem::path instance_root;  // the instance's file system on the host
  std::filesystem::path work_dir;       // host folder for the runner and its FIFOs
  bool allow_bubblewrap = true;         // false: always the documented fallback
};

class Session {
 public:
  // Starts the runner; nullptr and `error` set when even the fallback cannot start.
  static std::unique_ptr<Session> start(const SessionOptions& options, std::string& error);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  ScriptOutcome run(const ScriptRun& script);
  // True under bubblewrap; false in the fallback (hooks run on the host with the instance
  // folder as working directory and DEPLOYSIM_INSTANCE_ROOT set).
  bool sandboxed() const { return sandboxed_; }
  // How a path of the instance is seen by scripts ("/var/www" or "<root>/var/www").
  std::string script_path(const std::string& instance_path) const;

 private:
  Session() = default;
  bool launch(const std::filesystem::path& runner, std::string& error);
  bool answers();
  bool send(const std::string& line);
  std::optional<std::string> read_status(std::chrono::steady_clock::time_point deadline);

  SessionOptions options_;
  bool sandboxed_ = false;
  int pid_ = -1;        // bwrap (or bash in the fallback), leader of its own process group
  int ctl_fd_ = -1;     // requests to the runner
  int status_fd_ = -1;  // replies from the runner
  std::string status_buf_;
  int next_id_ = 1;
  std::vector<int> job_groups_;
};

// False once a bubblewrap session failed to start in this process (the reason was printed once
// on stderr); later sessions then use the fallback directly.
bool bubblewrap_usable();

}  // namespace deploysim::sandbox
