// The AppSpec file of an EC2/on-premises deployment, read as the CodeDeploy agent (v1.8.1) reads
// it — same rules, same messages, word for word — but reporting every problem with its place,
// where the agent stops at the first; plus lint warnings for what the agent accepts and then
// gets wrong.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deploysim::fake::agent {

struct Place {
  int line = 0;  // 1-based; 0 = the file as a whole
  int col = 0;
};

struct Diagnostic {
  enum class Severity { Error, Warning, Note };
  Severity severity = Severity::Error;
  Place where;
  std::string message;
  std::string rule;  // lint rule name ("" for the agent's own errors)
};

struct ScriptSpec {
  std::string location;
  std::optional<std::string> runas;
  bool sudo = false;
  int timeout_s = 3600;
  Place where;
};

struct HookSpec {
  std::string event;
  std::vector<ScriptSpec> scripts;
  Place where;
};

struct FileSpec {
  std::string source;
  std::string destination;
  Place where;
};

struct PermissionSpec {
  std::string object;
  std::string pattern = "**";
  std::vector<std::string> except;
  std::vector<std::string> types = {"file", "directory"};
  std::optional<std::string> owner, group;
  std::optional<std::string> mode;  // normalised: 3 or 4 octal digits
  std::vector<std::string> acls;
  bool default_acl = false;
  bool has_context = false;
  Place where;
  bool applies_to_files() const;
  bool applies_to_directories() const;
};

struct AppSpec {
  std::string version;
  std::string os;
  std::vector<HookSpec> hooks;  // in file order
  std::vector<FileSpec> files;
  std::vector<PermissionSpec> permissions;
  std::optional<std::string> file_exists_behavior;
  const HookSpec* hook(std::string_view event) const;
};

struct AppSpecResult {
  std::optional<AppSpec> spec;  // set when there is no error
  std::vector<Diagnostic> diagnostics;
  bool has_errors() const;
  // The first error's message (what the agent reports), or "".
  std::string first_error() const;
};

AppSpecResult parse_appspec(std::string_view text);

// The lifecycle events whose hooks can run scripts, in-place order with a load balancer.
const std::vector<std::string>& scriptable_events();
bool is_known_event(std::string_view event);

// "appspec.yml:12:7: error: <message>" (":line:col" left out for whole-file diagnostics).
std::string format_diagnostic(const std::string& file, const Diagnostic& d);

}  // namespace deploysim::fake::agent
