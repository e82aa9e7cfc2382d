#include "simulator/sandbox/session.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <fstream>
#include <iostream>

#include "simulator/sandbox/runner.h"

namespace deploysim::sandbox {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kInsideIo = "/run/deploysim/io";
constexpr const char* kInsideBin = "/run/deploysim/bin";
const char* kInstanceDirs[] = {"var", "opt", "etc", "srv", "home", "root", "tmp"};

void write_file(const fs::path& p, std::string_view text,
                fs::perms perms = fs::perms::owner_read | fs::perms::owner_write) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  fs::permissions(p, perms);
}

std::string nul_joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) {
    out += i;
    out += '\0';
  }
  return out;
}

pid_t spawn(const std::vector<std::string>& argv, const fs::path& log, const fs::path& cwd,
            const std::vector<std::string>& extra_env) {
  pid_t pid = fork();
  if (pid != 0) {
    // Both sides set the group, so a kill(-pid) right after start cannot miss it.
    if (pid > 0) setpgid(pid, pid);
    return pid;
  }
  setpgid(0, 0);
  int null_fd = open("/dev/null", O_RDONLY);
  int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  dup2(null_fd, 0);
  dup2(log_fd, 1);
  dup2(log_fd, 2);
  close_range(3, ~0U, 0);  // nothing of ours leaks into the sandbox
  if (chdir(cwd.c_str()) != 0) _exit(127);
  for (const auto& e : extra_env) putenv(const_cast<char*>(e.c_str()));
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  _exit(127);
}

std::vector<std::string> bwrap_argv(const SessionOptions& o, const fs::path& io,
                                    const fs::path& bin, const fs::path& runner) {
  std::vector<std::string> a = {
      "bwrap",         "--die-with-parent", "--unshare-pid", "--unshare-net", "--unshare-ipc",
      "--unshare-uts", "--hostname",        "instance",      "--ro-bind",     "/usr",
      "/usr"};
  for (const char* d : {"bin", "lib", "lib64", "sbin"}) {
    fs::path host = fs::path("/") / d;
    if (fs::is_symlink(host)) {
      a.insert(a.end(), {"--symlink", fs::read_symlink(host).string(), host.string()});
    } else if (fs::exists(host)) {
      a.insert(a.end(), {"--ro-bind", host.string(), host.string()});
    }
  }
  for (const char* d : kInstanceDirs) {
    a.insert(a.end(), {"--bind", (o.instance_root / d).string(), std::string("/") + d});
  }
  // Debian's /usr/bin/awk and others are links through /etc/alternatives: that part of /etc
  // belongs with the read-only /usr, so the instance sees the host's, read-only.
  if (fs::is_directory("/etc/alternatives")) {
    a.insert(a.end(), {"--ro-bind", "/etc/alternatives", "/etc/alternatives"});
  }
  a.insert(a.end(),
           {"--proc", "/proc", "--dev", "/dev", "--bind", io.string(), kInsideIo, "--ro-bind",
            bin.string(), kInsideBin, "--ro-bind", runner.string(), "/run/deploysim/runner",
            "--chdir", "/", "/bin/bash", "/run/deploysim/runner", kInsideIo});
  return a;
}

// Alive and not a zombie: a zombie init has already ended everything in its pid namespace.
bool running(int pid) {
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string text;
  if (!std::getline(stat, text)) return false;
  std::size_t paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] != 'Z';
}

int open_fifo(const fs::path& p, int flags) {
  mkfifo(p.c_str(), 0600);
  return open(p.c_str(), flags | O_CLOEXEC);
}

}  // namespace

namespace {
// Whether a bubblewrap session has ever failed to start in this process: then every later
// session uses the fallback, and the reason is printed once.
bool& bubblewrap_failed() {
  static bool failed = false;
  return failed;
}
}  // namespace

bool bubblewrap_usable() {
  return !bubblewrap_failed();
}

std::unique_ptr<Session> Session::start(const SessionOptions& options, std::string& error) {
  std::unique_ptr<Session> s(new Session());
  s->options_ = options;
  std::error_code ec;
  fs::path io = options.work_dir / "io", bin = options.work_dir / "bin";
  fs::create_directories(io, ec);
  fs::create_directories(bin, ec);
  for (const char* d : kInstanceDirs) fs::create_directories(options.instance_root / d, ec);
  if (ec) {
    error = fmt::format("cannot prepare the sandbox folders: {}", ec.message());
    return nullptr;
  }
  fs::path runner = options.work_dir / "runner";
  write_file(runner, kRunnerScript, fs::perms::owner_all);
  for (const char* name : kStandIns) {
    write_file(bin / name, kStandInScript,
               fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                   fs::perms::others_read | fs::perms::others_exec);
  }
  // Read-write: we hold a writer too, so poll never reports a hang-up before the runner opens it.
  s->status_fd_ = open_fifo(io / "status", O_RDWR | O_NONBLOCK);
  s->ctl_fd_ = open_fifo(io / "ctl", O_RDWR);  // read-write: never blocks, never sees EOF early
  s->sandboxed_ = options.allow_bubblewrap && bubblewrap_usable();
  if (!s->launch(runner, error)) return nullptr;
  if (s->sandboxed_ && !s->answers()) {
    // bubblewrap cannot run here (no user namespaces, a locked-down container, ...).
    if (!bubblewrap_failed()) {
      std::cerr << "deploysim: bubblewrap cannot run here (see "
                << (options.work_dir / "runner.log").string()
                << "); hook scripts run on the host instead, with the instance folder as working "
                   "directory and DEPLOYSIM_INSTANCE_ROOT set\n";
    }
    bubblewrap_failed() = true;
    if (s->pid_ > 0) {  // read_status reaps a runner that died, and clears pid_
      kill(-s->pid_, SIGKILL);
      waitpid(s->pid_, nullptr, 0);
    }
    s->sandboxed_ = false;
    // Fresh channels: the dead runner never read its ping.
    close(s->ctl_fd_);
    close(s->status_fd_);
    s->status_buf_.clear();
    fs::remove(io / "ctl", ec);
    fs::remove(io / "status", ec);
    s->status_fd_ = open_fifo(io / "status", O_RDWR | O_NONBLOCK);
    s->ctl_fd_ = open_fifo(io / "ctl", O_RDWR);
    if (!s->launch(runner, error)) return nullptr;
  }
  return s;
}

bool Session::launch(const fs::path& runner, std::string& error) {
  fs::path io = options_.work_dir / "io", bin = options_.work_dir / "bin";
  std::vector<std::string> argv;
  std::vector<std::string> env;
  fs::path cwd = "/";
  if (sandboxed_) {
    argv = bwrap_argv(options_, io, bin, runner);
  } else {
    argv = {"/bin/bash", runner.string(), io.string()};
    env = {"DEPLOYSIM_INSTANCE_ROOT=" + options_.instance_root.string(),
           "PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
    cwd = options_.instance_root;
  }
  pid_ = spawn(argv, options_.work_dir / "runner.log", cwd, env);
  if (pid_ < 0 || ctl_fd_ < 0 || status_fd_ < 0) {
    error = "cannot start the hook runner";
    return false;
  }
  return true;
}

bool Session::answers() {
  if (!send("ping")) return false;
  auto line = read_status(Clock::now() + std::chrono::seconds(10));
  return line && *line == "pong";
}

Session::~Session() {
  if (ctl_fd_ >= 0) close(ctl_fd_);
  for (int group : job_groups_) kill(-group, SIGKILL);
  if (pid_ > 0) {
    // Under bwrap, the sandbox's pid namespace ends when its init (bwrap's child) has reaped
    // everything in it; that can finish a moment after bwrap itself is gone, so wait for it.
    std::vector<int> inits;
    std::ifstream children(fmt::format("/proc/{}/task/{}/children", pid_, pid_));
    for (int child = 0; children >> child;) inits.push_back(child);
    kill(-pid_, SIGKILL);  // the whole runner group; under bwrap, its pid namespace with it
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    auto until = Clock::now() + std::chrono::seconds(5);
    for (int init : inits) {
      while (running(init) && Clock::now() < until) usleep(1000);
    }
  }
  if (status_fd_ >= 0) close(status_fd_);
}

std::string Session::script_path(const std::string& instance_path) const {
  if (sandboxed_) return instance_path;
  return (options_.instance_root / fs::path(instance_path).relative_path()).string();
}

bool Session::send(const std::string& line) {
  std::string text = line + "\n";
  return write(ctl_fd_, text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

std::optional<std::string> Session::read_status(Clock::time_point deadline) {
  while (true) {
    std::size_t nl = status_buf_.find('\n');
    if (nl != std::string::npos) {
      std::string line = status_buf_.substr(0, nl);
      status_buf_.erase(0, nl + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{status_fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000))) > 0) {
      std::array<char, 4096> buf{};
      ssize_t n = read(status_fd_, buf.data(), buf.size());
      if (n > 0) status_buf_.append(buf.data(), static_cast<std::size_t>(n));
    }
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return std::nullopt;  // the runner died
    }
  }
}

ScriptOutcome Session::run(const ScriptRun& script) {
  ScriptOutcome out;
  const auto started = Clock::now();
  if (pid_ <= 0) {
    out.error = "the hook runner is not running";
    return out;
  }
  int id = next_id_++;
  fs::path io = options_.work_dir / "io";
  std::string base = std::to_string(id);
  std::vector<std::string> env = script.env;
  env.push_back(std::string("PATH=") + kInsideBin +
                ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  if (!sandboxed_) {
    env.back() = "PATH=" + (options_.work_dir / "bin").string() + ":/usr/sbin:/usr/bin:/sbin:/bin";
    env.push_back("DEPLOYSIM_INSTANCE_ROOT=" + options_.instance_root.string());
  }
  std::vector<std::string> request = {std::to_string(script.timeout.count()),
                                      script.runas.value_or(""),
                                      std::to_string(script.argv.size())};
  request.insert(request.end(), script.argv.begin(), script.argv.end());
  request.insert(request.end(), env.begin(), env.end());
  write_file(io / (base + ".req"), nul_joined(request));
  std::array<int, 2> fds = {open_fifo(io / (base + ".out"), O_RDONLY | O_NONBLOCK),
                            open_fifo(io / (base + ".err"), O_RDONLY | O_NONBLOCK)};
  std::array<std::string, 2> partial;
  std::array<bool, 2> open_stream = {true, true};
  auto cleanup = [&] {
    for (int fd : fds) {
      if (fd >= 0) close(fd);
    }
    for (const char* ext : {".req", ".out", ".err"}) {
      std::error_code ec;
      fs::remove(io / (base + ext), ec);
    }
  };
  const auto deadline = started + script.timeout;
  // The runner has opened the FIFOs once it reports the pid: only then does EOF mean "closed".
  std::optional<std::string> started_line;
  if (send("run " + base)) started_line = read_status(deadline + std::chrono::seconds(10));
  if (!started_line || started_line->rfind("pid " + base + " ", 0) != 0) {
    out.error = "the hook runner did not answer";
    cleanup();
    return out;
  }
  // Outside a pid namespace (the fallback) the script's group is a host group: remember it so
  // the end of the session can end whatever the script left running.
  if (!sandboxed_)
    job_groups_.push_back(std::stoi(started_line->substr(5 + base.size())));  // "pid N P"
  auto emit = [&](int i, bool flush) {
    std::size_t nl;
    while ((nl = partial[i].find('\n')) != std::string::npos) {
      if (script.on_line)
        script.on_line(i == 0 ? Stream::Stdout : Stream::Stderr, partial[i].substr(0, nl));
      partial[i].erase(0, nl + 1);
    }
    if (flush && !partial[i].empty()) {
      if (script.on_line) script.on_line(i == 0 ? Stream::Stdout : Stream::Stderr, partial[i]);
      partial[i].clear();
    }
  };
  bool exited = false;
  auto take_exit = [&](const std::string& line) {
    if (line.rfind("exit " + base + " ", 0) == 0) {
      exited = true;
      out.exit_code = std::stoi(line.substr(6 + base.size()));
    }
  };
  while (true) {
    // Replies already read (the exit can arrive in the same read as the pid) come first.
    while (!exited && status_buf_.find('\n') != std::string::npos) {
      if (auto line = read_status(Clock::now())) take_exit(*line);
    }
    if (exited && !open_stream[0] && !open_stream[1]) break;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    std::array<pollfd, 3> p = {pollfd{fds[0], POLLIN, 0}, pollfd{fds[1], POLLIN, 0},
                               pollfd{status_fd_, POLLIN, 0}};
    for (int i = 0; i < 2; ++i) {
      if (!open_stream[i]) p[i].fd = -1;
    }
    if (exited) p[2].fd = -1;
    poll(p.data(), p.size(), static_cast<int>(std::min<long long>(left.count(), 1000)));
    for (int i = 0; i < 2; ++i) {
      if (!(p[i].revents & (POLLIN | POLLHUP))) continue;
      std::array<char, 8192> buf{};
      ssize_t n = read(fds[i], buf.data(), buf.size());
      if (n > 0) {
        partial[i].append(buf.data(), static_cast<std::size_t>(n));
        emit(i, false);
      } else if (n == 0) {
        open_stream[i] = false;
        emit(i, true);
      }
    }
    if (!exited && (p[2].revents & POLLIN)) {
      if (auto line = read_status(Clock::now() + std::chrono::milliseconds(100))) take_exit(*line);
    }
  }
  emit(0, true);
  emit(1, true);
  // GNU timeout's own exit (124 after SIGTERM, 137 after SIGKILL) can arrive just before we
  // notice the deadline: at the deadline it is the timeout, not the script's exit code.
  bool killed_by_timeout = exited && (out.exit_code == 124 || out.exit_code == 137) &&
                           Clock::now() >= deadline - std::chrono::milliseconds(100);
  if (killed_by_timeout) {
    out.status = ScriptOutcome::Status::TimedOut;
  } else if (!exited) {
    out.status = ScriptOutcome::Status::TimedOut;
    // The runner's watchdog is sending SIGTERM now and SIGKILL 5 s later; wait for its report.
    while (auto line = read_status(Clock::now() + std::chrono::seconds(8))) {
      if (line->rfind("exit " + base + " ", 0) == 0) break;
    }
  } else if (open_stream[0] || open_stream[1]) {
    out.status = ScriptOutcome::Status::OutputsLeftOpen;
    out.stdout_open = open_stream[0];
  } else {
    out.status = ScriptOutcome::Status::Exited;
  }
  out.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  cleanup();
  return out;
}

}  // namespace deploysim::sandbox
