#include "fake_services/codedeploy_agent/agent.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>

#include "fake_services/codedeploy_agent/installer.h"

namespace deploysim::fake::agent {
namespace fs = std::filesystem;
namespace {

// Every hook event reads its revision's AppSpec again, as the agent does; the parse of a text
// seen before is kept (a fleet deploys the same few revisions thousands of times).
const AppSpecResult& cached_appspec(const std::string& text) {
  static std::map<std::string, AppSpecResult> cache;
  auto it = cache.find(text);
  if (it != cache.end()) return it->second;
  if (cache.size() >= 64) cache.clear();
  return cache.emplace(text, parse_appspec(text)).first->second;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream b;
  b << in.rdbuf();
  return b.str();
}

void write_text(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

// Which deployment's archive a hook's scripts come from (hook_executor.rb's mapping).
enum class HookSource { Current, LastSuccessful, MostRecent };

HookSource hook_source(const DeploymentSpec& d, const std::string& event) {
  bool bg_rollback = d.creator == "codeDeployRollback" && d.deployment_type == "BLUE_GREEN";
  if (event == "BeforeBlockTraffic" || event == "AfterBlockTraffic") {
    return bg_rollback ? HookSource::MostRecent : HookSource::LastSuccessful;
  }
  if (event == "ApplicationStop") return HookSource::LastSuccessful;
  if (bg_rollback && (event == "BeforeAllowTraffic" || event == "AfterAllowTraffic")) {
    return HookSource::LastSuccessful;
  }
  return HookSource::Current;
}

class SandboxRunner : public HookRunner {
 public:
  explicit SandboxRunner(std::unique_ptr<sandbox::Session> s) : session_(std::move(s)) {}
  sandbox::ScriptOutcome run(const sandbox::ScriptRun& script) override {
    return session_->run(script);
  }
  std::string script_path(const std::string& inside) const override {
    return session_->script_path(inside);
  }

 private:
  std::unique_ptr<sandbox::Session> session_;
};

EventResult failure(const std::string& event, int code, std::string message,
                    std::string script = "") {
  EventResult r;
  r.event = event;
  r.error_code = code;
  r.message = std::move(message);
  r.script_name = std::move(script);
  return r;
}

std::string missing_appspec(const std::string& name, const std::string& dir) {
  return fmt::format(
      "The CodeDeploy agent did not find an AppSpec file within the unpacked revision directory "
      "at revision-relative path \"{}\". The revision was unpacked to directory "
      "\"{}/deployment-archive\", and the AppSpec file was expected but not found at path "
      "\"{}/deployment-archive/{}\". Consult the AWS CodeDeploy Appspec documentation for more "
      "information at http://docs.aws.amazon.com/codedeploy/latest/userguide/"
      "reference-appspec-file.html",
      name, dir, dir, name);
}

std::string ruby_array(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "\"" : ", \"") + i + "\"";
  return "[" + out + "]";
}

}  // namespace

sandbox::ScriptOutcome SimulatedRunner::run(const sandbox::ScriptRun&) {
  ++runs_;
  sandbox::ScriptOutcome out;
  out.status = sandbox::ScriptOutcome::Status::Exited;
  out.exit_code = 0;
  return out;
}

void ScriptLog::append(std::string entry) {
  log_.push_back(std::move(entry));
  // The agent's loop, index for index. Its check looks at one entry and subtracts the next
  // older one, so at index 1 it subtracts log[-1], Ruby's last element.
  auto at = [&](long i) -> const std::string& {
    return i >= 0 ? log_[static_cast<std::size_t>(i)]
                  : log_[log_.size() + static_cast<std::size_t>(i)];
  };
  long index = static_cast<long>(log_.size());
  long remaining = 2048;
  while (index > 0 && remaining - static_cast<long>(at(index - 1).size()) > 0) {
    index -= 1;
    remaining -= static_cast<long>(at(index - 1).size());
  }
  if (index > 0) log_.erase(log_.begin(), log_.begin() + index);
}

std::string ScriptLog::text() const {
  std::string out;
  for (const auto& e : log_) out += e;
  return out;
}

void ensure_base_system(const fs::path& root) {
  std::error_code ec;
  if (!fs::exists(root / "etc/passwd", ec)) {
    write_text(root / "etc/passwd",
               "root:x:0:0:root:/root:/bin/bash\n"
               "bin:x:1:1:bin:/bin:/sbin/nologin\n"
               "daemon:x:2:2:daemon:/sbin:/sbin/nologin\n"
               "nobody:x:65534:65534:Kernel Overflow User:/:/sbin/nologin\n"
               "ec2-user:x:1000:1000:EC2 Default User:/home/ec2-user:/bin/bash\n");
  }
  if (!fs::exists(root / "etc/group", ec)) {
    write_text(root / "etc/group",
               "root:x:0:\nbin:x:1:\ndaemon:x:2:\nwheel:x:10:ec2-user\nnobody:x:65534:\n"
               "ec2-user:x:1000:\n");
  }
  fs::create_directories(root / "home/ec2-user", ec);
  // The top-level folders every Linux instance has. An install never creates (and its cleanup
  // never removes) one of them, so a sandbox that bound /var before an install still sees it.
  for (const char* dir : {"var", "opt", "srv", "tmp", "root"})
    fs::create_directories(root / dir, ec);
}

Agent::Agent(AgentOptions options) : options_(std::move(options)) {
  // The caller's clock: simulated time in a world, the host's in `deploysim local`.
  if (!options_.timestamp) throw std::invalid_argument("AgentOptions::timestamp is required");
}

Agent::~Agent() = default;

void Agent::end_deployment() {
  runner_.reset();
}

fs::path Agent::host(const std::string& inside) const {
  return options_.instance_root / fs::path(inside).relative_path();
}

std::string Agent::deployment_dir(const DeploymentSpec& d) const {
  return fmt::format("{}/{}/{}", kRootInside, d.group_id, d.deployment_id);
}

std::optional<std::string> Agent::instruction(const std::string& group_id,
                                              const char* suffix) const {
  fs::path p = host(fmt::format("{}/deployment-instructions/{}{}", kRootInside, group_id, suffix));
  std::error_code ec;
  if (!fs::exists(p, ec)) return std::nullopt;
  return read_text(p);
}

void Agent::write_instruction(const std::string& group_id, const char* suffix,
                              const std::string& value) {
  write_text(host(fmt::format("{}/deployment-instructions/{}{}", kRootInside, group_id, suffix)),
             value);
}

std::optional<std::string> Agent::last_successful_install(const std::string& group_id) const {
  return instruction(group_id, "_last_successful_install");
}

HookRunner* Agent::runner(std::string& error) {
  if (runner_) return runner_.get();
  if (options_.make_runner) {
    runner_ = options_.make_runner(error);
  } else {
    auto session = sandbox::Session::start(
        {options_.instance_root, options_.work_dir, options_.allow_bubblewrap}, error);
    if (session) runner_ = std::make_unique<SandboxRunner>(std::move(session));
  }
  return runner_.get();
}

EventResult Agent::run_event(const DeploymentSpec& d, const std::string& event) {
  // Once per agent: what a hook removes from the base system stays removed, as on an instance.
  if (!base_system_ready_) {
    ensure_base_system(options_.instance_root);
    base_system_ready_ = true;
  }
  EventResult r;
  try {
    if (event == "DownloadBundle") {
      r = download_bundle(d);
    } else if (event == "Install") {
      r = install(d);
    } else {
      r = hooks(d, event);
    }
  } catch (const std::exception& e) {
    r = failure(event, kUnknownError, e.what());
  }
  r.event = event;
  r.succeeded = r.error_code == kSucceeded;
  return r;
}

void Agent::retain_archives(const DeploymentSpec& d) {
  fs::path group = host(fmt::format("{}/{}", kRootInside, d.group_id));
  std::error_code ec;
  if (!fs::is_directory(group, ec)) return;
  std::optional<std::string> keep = last_successful_install(d.group_id);
  std::vector<std::pair<fs::file_time_type, fs::path>> dirs;
  for (const auto& e : fs::directory_iterator(group, ec)) {
    if (e.is_directory() && e.path().filename() != d.deployment_id) {
      dirs.emplace_back(fs::last_write_time(e.path(), ec), e.path());
    }
  }
  std::sort(dirs.begin(), dirs.end());
  // Keep max_revisions counting the new one; never the last successful install's.
  long excess = static_cast<long>(dirs.size()) + 1 - options_.max_revisions;
  for (const auto& [time, path] : dirs) {
    if (excess <= 0) break;
    if (keep && host(*keep) == path) continue;
    fs::remove_all(path, ec);
    --excess;
  }
}

EventResult Agent::download_bundle(const DeploymentSpec& d) {
  retain_archives(d);
  std::string dir = deployment_dir(d);
  fs::path ddir = host(dir);
  fs::path archive = ddir / "deployment-archive";
  std::error_code ec;
  fs::create_directories(ddir, ec);
  fs::remove_all(archive, ec);
  fs::remove(ddir / "bundle.tar", ec);
  std::optional<std::string> error;
  const Revision& rev = d.revision;
  switch (rev.kind) {
    case Revision::Kind::LocalDirectory:
      error = unpack_bundle(rev.local_path, BundleType::Directory, archive);
      break;
    case Revision::Kind::LocalFile:
      fs::create_symlink(fs::absolute(rev.local_path), ddir / "bundle.tar", ec);
      error = unpack_bundle(rev.local_path, rev.bundle_type, archive);
      break;
    default: {
      std::string bytes, why;
      if (!options_.fetch || !options_.fetch(rev, bytes, why)) {
        error = why.empty() ? "no way to fetch this revision" : why;
        break;
      }
      write_text(ddir / "bundle.tar", bytes);
      error = unpack_bundle_bytes(bytes, rev.bundle_type, archive);
    }
  }
  if (error) return failure("DownloadBundle", kUnknownError, *error);
  write_instruction(d.group_id, "_most_recent_install", dir);
  return EventResult{"DownloadBundle", true, kSucceeded, "", "", "", {}, dir, {}};
}

EventResult Agent::install(const DeploymentSpec& d) {
  std::string dir = deployment_dir(d);
  fs::path archive = host(dir) / "deployment-archive";
  auto appspec_path = find_appspec(archive, d.appspec_filename);
  if (!appspec_path) {
    return failure("Install", kUnknownError, missing_appspec(d.appspec_filename, dir));
  }
  const AppSpecResult& parsed = cached_appspec(read_text(*appspec_path));
  if (!parsed.spec) return failure("Install", kUnknownError, parsed.first_error());
  const AppSpec& spec = *parsed.spec;
  if (options_.local_mode) {
    std::vector<std::string> unknown;
    for (const auto& h : spec.hooks) {
      const auto& all = d.all_possible_events;
      if (std::find(all.begin(), all.end(), h.event) == all.end()) unknown.push_back(h.event);
    }
    if (!unknown.empty()) {
      return failure("Install", kUnknownError,
                     fmt::format("appspec.yml file contains unknown lifecycle events: {}",
                                 ruby_array(unknown)));
    }
    // A custom event asked for (--events) must have hooks in the AppSpec.
    for (const auto& event : d.all_possible_events) {
      bool standard = is_known_event(event) || event == "DownloadBundle" || event == "Install";
      if (!standard && !spec.hook(event)) {
        return failure("Install", kUnknownError,
                       "You specified a lifecycle event which is not a default one and doesn't "
                       "exist in your appspec.yml file: " +
                           event);
      }
    }
  }
  std::string behavior = spec.file_exists_behavior.value_or("");
  if (behavior.empty() && d.file_exists_behavior) {
    behavior = *d.file_exists_behavior;
    std::transform(behavior.begin(), behavior.end(), behavior.begin(), ::toupper);
  }
  if (behavior.empty()) behavior = "DISALLOW";
  InstallRequest req{options_.instance_root,
                     archive,
                     dir + "/deployment-archive",
                     host(fmt::format("{}/deployment-instructions", kRootInside)),
                     d.group_id,
                     behavior};
  InstallResult installed = agent::install(req, spec);
  if (installed.error) return failure("Install", kUnknownError, *installed.error);
  write_instruction(d.group_id, "_last_successful_install", dir);
  EventResult r{"Install", true, kSucceeded, "", "", "", {}, dir, installed.notes};
  return r;
}

EventResult Agent::hooks(const DeploymentSpec& d, const std::string& event) {
  std::string current = deployment_dir(d);
  std::string selected = current;
  std::error_code ec;
  HookSource source = hook_source(d, event);
  if (source != HookSource::Current && !fs::exists(host(current) / "deployment-archive", ec)) {
    auto previous =
        instruction(d.group_id, source == HookSource::MostRecent ? "_most_recent_install"
                                                                 : "_last_successful_install");
    if (!previous) return EventResult{event, true, kSucceeded, "", "", "", {}, "", {}};
    selected = *previous;
  }
  fs::path archive = host(selected) / "deployment-archive";
  auto appspec_path = find_appspec(archive, d.appspec_filename);
  if (!appspec_path) {
    return failure(event, kUnknownError, missing_appspec(d.appspec_filename, selected));
  }
  const AppSpecResult& parsed = cached_appspec(read_text(*appspec_path));
  if (!parsed.spec) return failure(event, kUnknownError, parsed.first_error());
  const HookSpec* hook = parsed.spec->hook(event);
  EventResult r{event, true, kSucceeded, "", "", "", {}, selected, {}};
  if (!hook || hook->scripts.empty()) return r;

  // The log is the current deployment's, whichever revision the scripts come from.
  fs::path log_path = host(current) / "logs/scripts.log";
  fs::create_directories(log_path.parent_path(), ec);
  std::ofstream log(log_path, std::ios::app);
  // Every line also goes, prefixed with the deployment ID, to the agent's deployments log.
  fs::path all_path =
      host(std::string(kRootInside) + "/deployment-logs/codedeploy-agent-deployments.log");
  fs::create_directories(all_path.parent_path(), ec);
  std::ofstream all(all_path, std::ios::app);
  ScriptLog tail;
  auto log_line = [&](const std::string& entry) {
    tail.append(entry);
    std::string stamped = options_.timestamp() + ' ' + entry;
    log << stamped << std::flush;
    all << '[' << d.deployment_id << ']' << stamped << std::flush;
  };
  log_line("LifecycleEvent - " + event + "\n");
  auto fail = [&](int code, std::string message, const std::string& script) {
    r.succeeded = false;
    r.error_code = code;
    r.message = std::move(message);
    r.script_name = script;
    r.log_tail = tail.text();
    return r;
  };
  std::vector<std::string> env = {"LIFECYCLE_EVENT=" + event,
                                  "DEPLOYMENT_ID=" + d.deployment_id,
                                  "APPLICATION_NAME=" + d.application_name,
                                  "DEPLOYMENT_GROUP_NAME=" + d.group_name,
                                  "DEPLOYMENT_GROUP_ID=" + d.group_id,
                                  "HOME=/root",
                                  "USER=root",
                                  "LOGNAME=root",
                                  "LANG=C.UTF-8"};
  if (d.revision.kind == Revision::Kind::S3) {
    env.insert(env.end(),
               {"BUNDLE_BUCKET=" + d.revision.bucket, "BUNDLE_KEY=" + d.revision.key,
                "BUNDLE_VERSION=" + d.revision.version, "BUNDLE_ETAG=" + d.revision.etag});
  } else if (d.revision.kind == Revision::Kind::GitHub) {
    env.push_back("BUNDLE_COMMIT=" + d.revision.commit);
  }
  AgentOptions::ScriptFault fault = AgentOptions::ScriptFault::None;
  if (options_.script_fault) fault = options_.script_fault(event);
  for (const ScriptSpec& script : hook->scripts) {
    std::string inside =
        (fs::path(selected) / "deployment-archive" / fs::path(script.location).relative_path())
            .lexically_normal()
            .string();
    fs::path on_host = host(inside);
    if (!fs::exists(on_host, ec)) {
      return fail(kScriptMissing, "Script does not exist at specified location: " + inside,
                  script.location);
    }
    if (access(on_host.c_str(), X_OK) != 0) {
      r.notes.push_back(
          fmt::format("Script at specified location: {} is not executable.  Trying "
                      "to make it executable.",
                      script.location));
      fs::permissions(on_host,
                      fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                      fs::perm_options::add, ec);
      if (ec) {
        return fail(
            kScriptNotExecutable,
            "Unable to set script at specified location: " + script.location + " as executable",
            script.location);
      }
    }
    std::string why;
    HookRunner* run = runner(why);
    if (!run) return fail(kUnknownError, why, script.location);
    log_line("Script - " + script.location + "\n");
    r.scripts.push_back(script.location);
    sandbox::ScriptRun request{
        {run->script_path(inside)},
        env,
        script.runas,
        std::chrono::seconds(script.timeout_s),
        [&](sandbox::Stream s, std::string_view line) {
          log_line(std::string(s == sandbox::Stream::Stdout ? "[stdout]" : "[stderr]") +
                   std::string(line) + "\n");
        }};
    sandbox::ScriptOutcome outcome;
    if (fault == AgentOptions::ScriptFault::None) {
      outcome = run->run(request);
    } else {
      log_line("[stderr]deploysim: fault injected by sim.InjectFault\n");
      outcome.status = fault == AgentOptions::ScriptFault::Fails
                           ? sandbox::ScriptOutcome::Status::Exited
                           : sandbox::ScriptOutcome::Status::TimedOut;
      outcome.exit_code = 1;
      fault = AgentOptions::ScriptFault::None;
    }
    std::string who = script.runas ? " run as user " + *script.runas : "";
    switch (outcome.status) {
      case sandbox::ScriptOutcome::Status::Exited:
        if (outcome.exit_code != 0) {
          return fail(kScriptFailed,
                      fmt::format("Script at specified location: {}{} failed with exit code {}",
                                  script.location, who, outcome.exit_code),
                      script.location);
        }
        break;
      case sandbox::ScriptOutcome::Status::TimedOut:
        r.timed_out_after_s = script.timeout_s;
        return fail(kScriptTimedOut,
                    fmt::format("Script at specified location: {} failed to complete in {} seconds",
                                script.location, script.timeout_s),
                    script.location);
      case sandbox::ScriptOutcome::Status::OutputsLeftOpen:
        return fail(kOutputsLeftOpen,
                    fmt::format("Script at specified location: {} failed to close {}",
                                script.location, outcome.stdout_open ? "STDOUT" : "STDERR"),
                    script.location);
      case sandbox::ScriptOutcome::Status::Failed:
        return fail(kUnknownError, outcome.error, script.location);
    }
  }
  r.log_tail = tail.text();
  return r;
}

}  // namespace deploysim::fake::agent
