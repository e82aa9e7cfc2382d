// deploysim validate PATH: an AppSpec file, a bundle folder or a bundle archive. Exit 0 valid,
// 1 invalid (or warnings with --strict), 2 unreadable.
#include <fmt/format.h>
#include <unistd.h>
#include <boost/json.hpp>

#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include "fake_services/codedeploy_agent/appspec.h"
#include "fake_services/codedeploy_agent/bundle.h"
#include "tools/deploysim/commands.h"

namespace deploysim::cli {
namespace fs = std::filesystem;
using fake::agent::Diagnostic;

namespace {

struct Unreadable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw Unreadable(fmt::format("{}: cannot read the file", p.string()));
  std::stringstream b;
  b << in.rdbuf();
  return b.str();
}

void warn(std::vector<Diagnostic>& out, fake::agent::Place where, std::string rule,
          std::string message) {
  out.push_back({Diagnostic::Severity::Warning, where, std::move(message), std::move(rule)});
}

// Users of the base image (fake::agent::ensure_base_system) and their shells.
std::optional<std::string> base_user_shell(const std::string& user) {
  static const std::map<std::string, std::string> kUsers = {{"root", "/bin/bash"},
                                                            {"ec2-user", "/bin/bash"},
                                                            {"bin", "/sbin/nologin"},
                                                            {"daemon", "/sbin/nologin"},
                                                            {"nobody", "/sbin/nologin"}};
  auto it = kUsers.find(user);
  if (it == kUsers.end()) return std::nullopt;
  return it->second;
}

// What the agent accepts and then gets wrong at deployment time, checked against the bundle.
void lint_bundle(const fs::path& root, const fake::agent::AppSpec& spec, bool only_yaml,
                 std::vector<Diagnostic>& out) {
  if (only_yaml) {
    warn(out, {}, "appspec-yaml",
         "the bundle has appspec.yaml but no appspec.yml: agents before 2.0 find it at Install "
         "and then fail every hook (\"did not find an AppSpec file ... appspec.yml\")");
  }
  static const std::regex kBackground(R"((^|[^&])&\s*$)");
  for (const auto& hook : spec.hooks) {
    for (const auto& s : hook.scripts) {
      fs::path script = root / fs::path(s.location).relative_path();
      if (!fs::is_regular_file(script)) {
        warn(out, s.where, "script-missing",
             fmt::format("{} is not in the bundle: the {} event will fail (\"Script does not "
                         "exist at specified location\")",
                         s.location, hook.event));
        continue;
      }
      if (access(script.c_str(), X_OK) != 0) {
        warn(out, s.where, "script-not-executable",
             fmt::format("{} is not executable: the agent warns and runs chmod +x on it",
                         s.location));
      }
      std::ifstream in(script);
      std::string line;
      int number = 0;
      while (std::getline(in, line)) {
        ++number;
        std::string code = line.substr(0, line.find('#'));
        if (std::regex_search(code, kBackground) && code.find('>') == std::string::npos) {
          warn(out, s.where, "background-output",
               fmt::format("{}:{} starts a background process without redirecting its output; "
                           "the event then fails after {} s with \"failed to close STDOUT\"",
                           s.location, number, s.timeout_s));
        }
      }
      if (s.runas) {
        auto shell = base_user_shell(*s.runas);
        if (!shell) {
          warn(out, s.where, "runas-user",
               fmt::format("runas {}: no such user on the base image; su fails unless an earlier "
                           "hook creates it",
                           *s.runas));
        } else if (shell->ends_with("nologin") || shell->ends_with("false")) {
          warn(out, s.where, "runas-shell",
               fmt::format("runas {}: the user has no login shell ({}), so su prints \"This "
                           "account is currently not available.\" and the script fails",
                           *s.runas, *shell));
        }
      }
    }
  }
  for (const auto& f : spec.files) {
    fs::path src = root / fs::path(f.source).relative_path();
    if (!fs::exists(src)) {
      warn(out, f.where, "source-missing",
           fmt::format("source {} is not in the bundle: Install will fail", f.source));
    }
  }
}

std::string severity_name(Diagnostic::Severity s) {
  return s == Diagnostic::Severity::Error     ? "error"
         : s == Diagnostic::Severity::Warning ? "warning"
                                              : "note";
}

}  // namespace

void add_validate_command(CLI::App& app, ValidateFlags& f) {
  CLI::App* v = app.add_subcommand(
      "validate",
      "Check an AppSpec file, a bundle folder or a bundle archive (exit 0 valid, 1 "
      "invalid, 2 unreadable)");
  v->add_option("path", f.path, "appspec.yml, a bundle folder, or a .tar/.tgz/.zip bundle")
      ->required();
  v->add_option("-A,--appspec-filename", f.appspec_filename, "The AppSpec file's name in a bundle");
  v->add_flag("--strict", f.strict, "Treat warnings as errors");
  v->add_flag("--json", f.json, "Print the result as JSON");
}

int validate_command(const ValidateFlags& f) {
  fs::path path = f.path;
  std::string label = f.path;
  std::vector<Diagnostic> diagnostics;
  std::optional<fs::path> temp;
  try {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Unreadable(fmt::format("{}: no such file or folder", f.path));
    fs::path root;
    fs::path appspec_file;
    bool bundle = true;
    if (fs::is_directory(path)) {
      root = path;
    } else if (auto type = fake::agent::guess_bundle_type(path)) {
      temp = fs::temp_directory_path() / fmt::format("deploysim-validate-{}", getpid());
      fs::remove_all(*temp, ec);
      if (auto error = fake::agent::unpack_bundle(path, *type, *temp)) {
        diagnostics.push_back({Diagnostic::Severity::Error, {}, *error, ""});
      }
      root = *temp;
    } else {
      bundle = false;
      appspec_file = path;
      root = path.parent_path().empty() ? "." : path.parent_path();
    }
    bool only_yaml = false;
    if (bundle && diagnostics.empty()) {
      auto found = fake::agent::find_appspec(root, f.appspec_filename);
      if (!found) {
        diagnostics.push_back({Diagnostic::Severity::Error,
                               {},
                               fmt::format("the bundle has no {} (nor appspec.yaml or "
                                           "appspec.yml) at its root",
                                           f.appspec_filename),
                               ""});
      } else {
        appspec_file = *found;
        only_yaml = found->filename() == "appspec.yaml" && !fs::exists(root / "appspec.yml");
        label = fs::is_directory(path) ? (fs::path(f.path) / found->filename()).string()
                                       : f.path + ":" + found->filename().string();
      }
    }
    if (!appspec_file.empty()) {
      auto result = fake::agent::parse_appspec(read_text(appspec_file));
      diagnostics.insert(diagnostics.end(), result.diagnostics.begin(), result.diagnostics.end());
      if (result.spec) lint_bundle(root, *result.spec, only_yaml, diagnostics);
    }
  } catch (const Unreadable& e) {
    if (temp) fs::remove_all(*temp);
    std::cerr << "deploysim validate: " << e.what() << "\n";
    return 2;
  }
  if (temp) fs::remove_all(*temp);
  int errors = 0, warnings = 0;
  for (const auto& d : diagnostics) {
    errors += d.severity == Diagnostic::Severity::Error;
    warnings += d.severity == Diagnostic::Severity::Warning;
  }
  bool valid = errors == 0 && !(f.strict && warnings > 0);
  if (f.json) {
    boost::json::array list;
    for (const auto& d : diagnostics) {
      list.push_back({{"severity", severity_name(d.severity)},
                      {"line", d.where.line},
                      {"column", d.where.col},
                      {"message", d.message},
                      {"rule", d.rule}});
    }
    boost::json::object out{{"file", label},
                            {"valid", valid},
                            {"errors", errors},
                            {"warnings", warnings},
                            {"diagnostics", list}};
    std::cout << boost::json::serialize(out) << "\n";
  } else {
    for (const auto& d : diagnostics) {
      std::cout << fake::agent::format_diagnostic(label, d) << "\n";
    }
    std::cout << fmt::format("{}: {} ({} error{}, {} warning{})\n", label,
                             valid ? "valid" : "invalid", errors, errors == 1 ? "" : "s", warnings,
                             warnings == 1 ? "" : "s");
  }
  return valid ? 0 : 1;
}

}  // namespace deploysim::cli
