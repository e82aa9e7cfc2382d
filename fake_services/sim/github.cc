// sim.RegisterGitHubRepository: a local git repository stands in for a GitHub repository, so a
// gitHubLocation {repository, commitId} revision resolves offline (the seed has agents pull the
// project from its code repository). The commit's tree is read with `git archive`.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <array>

#include "fake_services/sim/service.h"
#include "simulator/api/params.h"

namespace deploysim::fake::sim_service {
namespace {

using namespace api::params;

// Runs git with these arguments (no shell); stdout is the result, or the exit status is the
// error.
sim::Result<std::string> run_git(const std::vector<std::string>& args) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    return sim::AwsError{"ValidationException", "cannot run git: no pipe", 400};
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(out[0]);
    close(out[1]);
    return sim::AwsError{"ValidationException", "cannot run git: fork failed", 400};
  }
  if (pid == 0) {
    dup2(out[1], 1);
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, 2);
    std::vector<char*> argv;
    std::string git = "git";
    argv.push_back(git.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp("git", argv.data());
    _exit(127);
  }
  close(out[1]);
  std::string bytes;
  std::array<char, 65536> buf;
  ssize_t n;
  while ((n = read(out[0], buf.data(), buf.size())) > 0)
    bytes.append(buf.data(), static_cast<std::size_t>(n));
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return sim::AwsError{
        "ValidationException",
        code == 127 ? "git is not installed"
                    : fmt::format("git {} failed (exit {})", args.size() > 2 ? args[2] : "", code),
        400};
  }
  return bytes;
}

}  // namespace

sim::Result<json::object> Service::register_github_repository(const api::Call& c) {
  std::string repo = str(c.params, "Repository");
  if (repo.find('/') == std::string::npos) {
    return sim::AwsError{"ValidationException",
                         fmt::format("Repository '{}' must be written owner/name", repo), 400};
  }
  std::filesystem::path path = str(c.params, "Path");
  if (path.is_relative()) path = std::filesystem::path(c.base_dir) / path;
  path = std::filesystem::absolute(path).lexically_normal();
  auto head = run_git({"-C", path.string(), "rev-parse", "--verify", "HEAD"});
  if (!head.ok()) {
    return sim::AwsError{"ValidationException",
                         fmt::format("{} is not a git repository with a commit ({})", path.string(),
                                     head.error().message),
                         400};
  }
  std::string commit = head.value();
  while (!commit.empty() && (commit.back() == '\n' || commit.back() == '\r')) commit.pop_back();
  github_[repo] = path;
  world_.record("sim", repo,
                fmt::format("GitHub repository served from {} (HEAD {})", path.string(), commit));
  return json::object{{"Repository", repo}, {"Path", path.string()}, {"Head", commit}};
}

sim::Result<std::string> Service::github_archive(const std::string& repository,
                                                 const std::string& commit) const {
  auto it = github_.find(repository);
  if (it == github_.end()) {
    return sim::AwsError{"RepositoryNotFound",
                         fmt::format("The GitHub repository {} is not registered "
                                     "(sim.RegisterGitHubRepository)",
                                     repository),
                         404};
  }
  if (commit.empty() || commit.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
    return sim::AwsError{"InvalidCommit", fmt::format("{} is not a commit ID", commit), 400};
  }
  auto tar = run_git({"-C", it->second.string(), "archive", "--format=tar", commit});
  if (!tar.ok()) {
    return sim::AwsError{"CommitNotFound", fmt::format("No commit {} in {}", commit, repository),
                         404};
  }
  return tar;
}

json::value Service::save_state(api::BlobSink&) const {
  // Always an object: a fault that fired must be gone from the file too.
  json::object repos;
  for (const auto& [name, path] : github_) repos[name] = path.string();
  return json::object{{"github", std::move(repos)}, {"faults", save_faults()}};
}

void Service::load_state(const json::value& state, const api::BlobSource&) {
  if (state.is_null()) return;
  for (const auto& kv : state.at("github").as_object()) {
    github_[std::string(kv.key())] = std::string(kv.value().as_string());
  }
  if (const json::value* f = state.as_object().if_contains("faults")) load_faults(f->as_array());
}

}  // namespace deploysim::fake::sim_service
