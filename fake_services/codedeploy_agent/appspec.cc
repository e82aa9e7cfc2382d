#include "fake_services/codedeploy_agent/appspec.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

namespace deploysim::fake::agent {
namespace {

// A YAML scalar as Ruby's Psych (YAML 1.1) types it: the agent's rules depend on that typing.
struct RubyScalar {
  enum class Kind { Nil, Bool, Int, Float, String };
  Kind kind = Kind::Nil;
  std::string text;  // Ruby's to_s of the value
  long long integer = 0;
  double number = 0;
  bool octal_literal = false;  // plain 0644: YAML 1.1 octal
};

std::string strip_underscores(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
  return s;
}

std::string ruby_float_text(double d) {
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (std::isnan(d)) return "NaN";
  if (d == std::floor(d) && std::fabs(d) < 1e16) return fmt::format("{:.1f}", d);
  return fmt::format("{}", d);
}

RubyScalar ruby_scalar(const YAML::Node& node) {
  RubyScalar r;
  if (!node || node.IsNull()) return r;
  const std::string& s = node.Scalar();
  if (node.Tag() == "!") {  // quoted: always a string
    r.kind = RubyScalar::Kind::String;
    r.text = s;
    return r;
  }
  static const std::set<std::string> kTrue = {"true", "True", "TRUE", "yes", "Yes",
                                              "YES",  "on",   "On",   "ON"};
  static const std::set<std::string> kFalse = {"false", "False", "FALSE", "no", "No",
                                               "NO",    "off",   "Off",   "OFF"};
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return r;
  if (kTrue.count(s) || kFalse.count(s)) {
    r.kind = RubyScalar::Kind::Bool;
    r.text = kTrue.count(s) ? "true" : "false";
    return r;
  }
  std::string digits = strip_underscores(s);
  std::string body = digits;
  bool negative = false;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    negative = body[0] == '-';
    body = body.substr(1);
  }
  auto parse_base = [&](std::string_view text, int base) -> bool {
    long long v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
    if (ec != std::errc{} || p != text.data() + text.size() || text.empty()) return false;
    r.kind = RubyScalar::Kind::Int;
    r.integer = negative ? -v : v;
    r.text = std::to_string(r.integer);
    return true;
  };
  if (body.size() > 1 && body[0] == '0' &&
      body.find_first_not_of("01234567") == std::string::npos) {
    r.octal_literal = true;
    if (parse_base(body.substr(1), 8)) return r;
  }
  if (body.rfind("0x", 0) == 0 && parse_base(std::string_view(body).substr(2), 16)) return r;
  if (body.rfind("0b", 0) == 0 && parse_base(std::string_view(body).substr(2), 2)) return r;
  r.octal_literal = false;
  if (parse_base(body, 10)) return r;
  double d = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), d);
  bool floaty = digits.find_first_of(".eE") != std::string::npos;
  if (ec == std::errc{} && p == digits.data() + digits.size() && floaty) {
    r.kind = RubyScalar::Kind::Float;
    r.number = d;
    r.text = ruby_float_text(d);
    return r;
  }
  if (s == ".inf" || s == ".Inf" || s == "+.inf" || s == "-.inf" || s == ".nan" || s == ".NaN") {
    r.kind = RubyScalar::Kind::Float;
    r.number = s == ".nan" || s == ".NaN" ? NAN : (s[0] == '-' ? -INFINITY : INFINITY);
    r.text = ruby_float_text(r.number);
    return r;
  }
  r.kind = RubyScalar::Kind::String;
  r.text = s;
  return r;
}

// Ruby's to_s of any node (hashes and arrays as Ruby 3.1 inspects them).
std::string ruby_text(const YAML::Node& node);
std::string ruby_inspect(const YAML::Node& node) {
  if (node.IsScalar()) {
    RubyScalar r = ruby_scalar(node);
    return r.kind == RubyScalar::Kind::String ? fmt::format("\"{}\"", r.text) : r.text;
  }
  if (!node || node.IsNull()) return "nil";
  std::string out;
  if (node.IsSequence()) {
    for (const auto& item : node) out += (out.empty() ? "" : ", ") + ruby_inspect(item);
    return "[" + out + "]";
  }
  for (const auto& kv : node) {
    out += (out.empty() ? "" : ", ") + ruby_inspect(kv.first) + "=>" + ruby_inspect(kv.second);
  }
  return "{" + out + "}";
}
std::string ruby_text(const YAML::Node& node) {
  if (!node || node.IsNull()) return "";
  if (node.IsScalar()) return ruby_scalar(node).text;
  return ruby_inspect(node);
}

// Ruby's String#to_i: leading whitespace, sign and digits; 0 when there are none.
long long ruby_to_i(const YAML::Node& node) {
  RubyScalar r = ruby_scalar(node);
  switch (r.kind) {
    case RubyScalar::Kind::Int:
      return r.integer;
    case RubyScalar::Kind::Float:
      return static_cast<long long>(r.number);
    case RubyScalar::Kind::String: {
      std::string_view s = r.text;
      while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
      long long v = 0;
      std::from_chars(s.data() + (s.size() && s[0] == '+' ? 1 : 0), s.data() + s.size(), v);
      return v;
    }
    default:
      return 0;
  }
}

std::string strip(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

Place place_of(const YAML::Node& node) {
  YAML::Mark m = node.Mark();
  if (m.is_null()) return {};
  return {m.line + 1, m.column + 1};
}

const char* kPermSuffix =
    " Update the permissions section of the AppSpec file, and then try again.";
const char* kAclPrefix =
    "The deployment failed because of a problem with the acls permission settings in the "
    "application specification file.";

class Parser {
 public:
  AppSpecResult result;
  AppSpec spec;

  void run(const YAML::Node& root) {
    YAML::Node doc = root.IsMap() ? root : YAML::Node(YAML::NodeType::Map);
    version(doc["version"], root);
    os(doc["os"], root);
    hooks(doc["hooks"]);
    files(doc["files"]);
    permissions(doc["permissions"]);
    file_exists_behavior(doc["file_exists_behavior"]);
    lint_top_level(doc);
  }

 private:
  void error(Place where, std::string message) {
    result.diagnostics.push_back({Diagnostic::Severity::Error, where, std::move(message), ""});
  }
  void warn(Place where, std::string rule, std::string message) {
    result.diagnostics.push_back(
        {Diagnostic::Severity::Warning, where, std::move(message), std::move(rule)});
  }
  void note(Place where, std::string message) {
    result.diagnostics.push_back({Diagnostic::Severity::Note, where, std::move(message), ""});
  }

  void version(const YAML::Node& v, const YAML::Node& root) {
    RubyScalar r = v ? ruby_scalar(v) : RubyScalar{};
    bool numeric = r.kind == RubyScalar::Kind::Int || r.kind == RubyScalar::Kind::Float;
    bool zero = (r.kind == RubyScalar::Kind::Int && r.integer == 0) ||
                (r.kind == RubyScalar::Kind::Float && r.number == 0.0);
    if (numeric && zero) {
      spec.version = "0.0";
      return;
    }
    Place where = v ? place_of(v) : place_of(root);
    error(where, fmt::format("The deployment failed because an invalid version value ({}) was "
                             "entered in the application specification file. Make sure your "
                             "AppSpec file specifies \"0.0\" as the version, and then try again.",
                             v && v.IsScalar() ? r.text : ruby_text(v)));
    if (r.kind == RubyScalar::Kind::String && r.text == "0.0") {
      note(where,
           "version is quoted, so YAML reads the string \"0.0\", which the agent refuses; "
           "write version: 0.0 without quotes");
    }
  }

  void os(const YAML::Node& v, const YAML::Node& root) {
    RubyScalar r = v ? ruby_scalar(v) : RubyScalar{};
    if (r.kind == RubyScalar::Kind::String && r.text == "linux") {
      spec.os = "linux";
      return;
    }
    error(v ? place_of(v) : place_of(root),
          fmt::format("The deployment failed because the application specification file "
                      "specifies an unsupported operating system ({}). Specify either \"linux\" "
                      "or \"windows\" in the os section of the AppSpec file, and then try again.",
                      v && v.IsScalar() ? r.text : ruby_text(v)));
    if (r.kind == RubyScalar::Kind::String && r.text == "windows") {
      note(place_of(v),
           "deploysim simulates Linux instances: an os: windows AppSpec fails on them "
           "exactly as it would on a real Linux instance");
    }
  }

  void hooks(const YAML::Node& node) {
    if (!node || node.IsNull()) return;
    if (!node.IsMap()) {
      error(place_of(node), "hooks must be a mapping of lifecycle event names to lists of scripts");
      return;
    }
    for (const auto& kv : node) {
      HookSpec hook{kv.first.Scalar(), {}, place_of(kv.first)};
      const YAML::Node& scripts = kv.second;
      if (scripts && !scripts.IsNull()) {
        if (!scripts.IsSequence()) {
          error(place_of(scripts),
                fmt::format("hooks.{} must be a list of scripts (- location: ...)", hook.event));
          continue;
        }
        for (const auto& s : scripts) script(s, hook);
      }
      lint_hook(hook);
      spec.hooks.push_back(std::move(hook));
    }
  }

  void script(const YAML::Node& s, HookSpec& hook) {
    static const char* kNoLocation =
        "The deployment failed because the application specification file specifies a script "
        "with no location value. Specify the location in the hooks section of the AppSpec file, "
        "and then try again.";
    if (!s.IsMap() || !s["location"] || s["location"].IsNull()) {
      error(place_of(s), kNoLocation);
      return;
    }
    ScriptSpec sc;
    sc.where = place_of(s);
    sc.location = strip(ruby_text(s["location"]));
    if (sc.location.empty()) {
      error(place_of(s["location"]), kNoLocation);
      return;
    }
    if (s["runas"] && !s["runas"].IsNull()) sc.runas = strip(ruby_text(s["runas"]));
    if (s["sudo"]) {
      RubyScalar sudo = ruby_scalar(s["sudo"]);
      sc.sudo = !(sudo.kind == RubyScalar::Kind::Nil ||
                  (sudo.kind == RubyScalar::Kind::Bool && sudo.text == "false"));
    }
    const YAML::Node t = s["timeout"];
    bool falsy = !t || t.IsNull() ||
                 (ruby_scalar(t).kind == RubyScalar::Kind::Bool && ruby_scalar(t).text == "false");
    long long timeout = falsy ? 3600 : ruby_to_i(t);
    if (timeout <= 0) {
      error(place_of(t),
            "The deployment failed because an invalid timeout value was provided for a script in "
            "the application specification file. Make corrections in the hooks section of the "
            "AppSpec file, and then try again.");
      return;
    }
    if (!falsy && ruby_scalar(t).kind == RubyScalar::Kind::String &&
        std::to_string(timeout) != strip(ruby_scalar(t).text)) {
      warn(place_of(t), "timeout-text",
           fmt::format("timeout '{}' is read as {} seconds (Ruby's to_i)", ruby_scalar(t).text,
                       timeout));
    }
    sc.timeout_s = static_cast<int>(std::min<long long>(timeout, 1'000'000'000));
    hook.scripts.push_back(std::move(sc));
  }

  void files(const YAML::Node& node) {
    if (!node || node.IsNull()) return;
    if (!node.IsSequence()) {
      error(place_of(node), "files must be a list of {source, destination} mappings");
      return;
    }
    for (const auto& f : node) {
      const YAML::Node src = f.IsMap() ? f["source"] : YAML::Node();
      const YAML::Node dst = f.IsMap() ? f["destination"] : YAML::Node();
      if (!src || src.IsNull()) {
        error(place_of(f),
              "The deployment failed because the application specification file specifies a "
              "destination file, but no source file. Update the files section of the AppSpec "
              "file, and then try again.");
      } else if (!dst || dst.IsNull()) {
        error(place_of(f),
              fmt::format("The deployment failed because the application specification file "
                          "specifies only a source file ({}). Add the name of the destination "
                          "file to the files section of the AppSpec file, and then try again.",
                          ruby_text(src)));
      } else {
        spec.files.push_back({ruby_text(src), ruby_text(dst), place_of(f)});
      }
    }
  }

  void permissions(const YAML::Node& node) {
    if (!node || node.IsNull()) return;
    if (!node.IsSequence()) {
      error(place_of(node), "permissions must be a list of mappings with an object");
      return;
    }
    for (const auto& p : node) permission(p);
  }

  void permission(const YAML::Node& p) {
    static const char* kNoObject =
        "The deployment failed because a permission listed in the application specification "
        "file has no object value. Update the permissions section of the AppSpec file, and then "
        "try again.";
    if (!p.IsMap() || !p["object"] || p["object"].IsNull() ||
        strip(ruby_text(p["object"])).empty()) {
      error(place_of(p), kNoObject);
      return;
    }
    if (spec.os != "linux") return;  // the agent checks permissions only after a valid os
    PermissionSpec perm;
    perm.where = place_of(p);
    perm.object = strip(ruby_text(p["object"]));
    std::size_t errors_before = count_errors();
    if (p["pattern"] && !p["pattern"].IsNull()) perm.pattern = ruby_text(p["pattern"]);
    if (const YAML::Node ex = p["except"]; ex && ex.IsSequence()) {
      for (const auto& e : ex) perm.except.push_back(ruby_text(e));
    }
    if (const YAML::Node types = p["type"]; types && !types.IsNull()) {
      perm.types.clear();
      for (const auto& t : types) {
        std::string type = ruby_text(t);
        if (type != "file" && type != "directory") {
          error(place_of(t),
                fmt::format("The deployment failed because the application specification file "
                            "specifies a permission for an object type not supported for "
                            "permissions ({}).{}",
                            type, kPermSuffix));
        }
        perm.types.push_back(type);
      }
    }
    if (p["owner"] && !p["owner"].IsNull()) perm.owner = ruby_text(p["owner"]);
    if (p["group"] && !p["group"].IsNull()) perm.group = ruby_text(p["group"]);
    if (const YAML::Node mode = p["mode"]; mode && !mode.IsNull()) perm.mode = parse_mode(mode);
    if (const YAML::Node acls = p["acls"]; acls && !acls.IsNull()) {
      for (const auto& a : acls) perm.default_acl |= parse_ace(a);
      for (const auto& a : acls) perm.acls.push_back(ruby_text(a));
    }
    if (const YAML::Node ctx = p["context"]; ctx && !ctx.IsNull()) {
      perm.has_context = true;
      parse_context(ctx);
    }
    // Checked by the agent at Install; deterministic, so reported here already.
    if (perm.applies_to_files()) {
      if (perm.pattern != "**") {
        error(place_of(p["pattern"]),
              fmt::format("The deployment failed because the application specification file "
                          "includes an object ({}) with an invalid pattern ({}), such as a pattern "
                          "for a file applied to a directory. Correct the permissions section of "
                          "the AppSpec file, and then try again.",
                          perm.object, perm.pattern));
      }
      if (!perm.except.empty()) {
        error(place_of(p["except"]),
              fmt::format("The deployment failed because the except parameter for a pattern in "
                          "the permissions section ({}) for the object named {} contains an "
                          "invalid format. Update the AppSpec file, and then try again.",
                          ruby_inspect(p["except"]), perm.object));
      }
    }
    if (perm.pattern != "**" && !perm.applies_to_files()) {
      warn(place_of(p["pattern"]), "pattern-depth",
           fmt::format("pattern '{}' matches only direct children of {}, never anything in its "
                       "subfolders",
                       perm.pattern, perm.object));
    }
    if (count_errors() == errors_before) spec.permissions.push_back(std::move(perm));
  }

  std::optional<std::string> parse_mode(const YAML::Node& node) {
    RubyScalar r = ruby_scalar(node);
    std::string mode = ruby_text(node);
    if (r.kind == RubyScalar::Kind::Int && r.octal_literal) {
      warn(
          place_of(node), "octal-mode",
          fmt::format("mode {} is unquoted, so YAML 1.1 reads it as the octal number {}; the "
                      "agent then uses \"{}\" as the mode; quote it (\"{}\") or drop the leading 0",
                      node.Scalar(), r.integer, mode, node.Scalar()));
    }
    while (mode.size() < 3) mode = "0" + mode;
    if (mode.size() > 4) {
      error(place_of(node),
            fmt::format("The deployment failed because the length of a permissions mode ({}) in "
                        "the application specification file is invalid. Permissions modes must "
                        "be between one and four characters long.{}",
                        mode, kPermSuffix));
      return std::nullopt;
    }
    for (char c : mode) {
      if (c < '0' || c > '7') {
        error(place_of(node),
              fmt::format("The deployment failed because the permissions mode ({}) in the "
                          "application specification file contains an invalid character ({}).{}",
                          mode, c, kPermSuffix));
        return std::nullopt;
      }
    }
    return mode;
  }

  // Returns whether the entry is a default ACL entry.
  bool parse_ace(const YAML::Node& node) {
    std::string ace = ruby_text(node);
    auto invalid = [&] {
      error(place_of(node), fmt::format("{} Invalid acl entry ({}).", kAclPrefix, ace));
      return false;
    };
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
      std::size_t c = ace.find(':', start);
      parts.push_back(ace.substr(start, c == std::string::npos ? std::string::npos : c - start));
      if (c == std::string::npos) break;
      start = c + 1;
    }
    std::reverse(parts.begin(), parts.end());
    if (parts.size() < 2 || parts.size() > 4) return invalid();
    bool is_default = false;
    std::string type, name;
    auto one_of = [](const std::string& s, const char* a, const char* b) {
      return s == a || s == b;
    };
    if (parts.size() == 4) {
      if (!one_of(parts[3], "d", "default")) return invalid();
      is_default = true;
    }
    if (parts.size() >= 3) {
      if (one_of(parts[2], "d", "default")) {
        if (is_default) return invalid();
        is_default = true;
      } else if (one_of(parts[2], "m", "mask")) {
        type = "mask";
      } else if (one_of(parts[2], "o", "other")) {
        type = "other";
      } else if (one_of(parts[2], "g", "group")) {
        type = "group";
      } else if (one_of(parts[2], "u", "user")) {
        type = "user";
      } else {
        return invalid();
      }
    }
    if (one_of(parts[1], "m", "mask") || one_of(parts[1], "o", "other")) {
      std::string word = parts[1].size() == 1 ? (parts[1] == "m" ? "mask" : "other") : parts[1];
      if (type.empty())
        type = word;
      else
        name = word;
    } else {
      if (type.empty()) type = "user";
      name = parts[1];
    }
    if ((type == "mask" || type == "other") && !name.empty()) return invalid();
    if (!is_default && type != "mask" && name.empty()) {
      error(place_of(node), fmt::format("{} Use mode to set the base acl entry ({}).{}", kAclPrefix,
                                        ace, kPermSuffix));
      return false;
    }
    const std::string& perm = parts[0];
    if (!(perm.size() == 1 && perm[0] >= '0' && perm[0] <= '7')) {
      for (char c : perm) {
        if (c != 'r' && c != 'w' && c != 'x' && c != '-') {
          error(place_of(node),
                fmt::format("The deployment failed because the access control list (ACL) named {} "
                            "in the application specification file contains an invalid character "
                            "({}). Correct the ACL in the hooks section of the AppSpec file, and "
                            "then try again.",
                            ace, c));
          return false;
        }
      }
    }
    return is_default;
  }

  void parse_context(const YAML::Node& ctx) {
    if (!ctx.IsMap() || !ctx["type"] || ctx["type"].IsNull()) {
      error(place_of(ctx),
            fmt::format("The deployment failed because the application specification file "
                        "specifies an invalid context type ({}).{}",
                        ruby_inspect(ctx), kPermSuffix));
      return;
    }
    if (ctx["range"] && !ctx["range"].IsNull()) {
      if (auto problem = range_problem(ruby_text(ctx["range"])))
        error(place_of(ctx["range"]), *problem);
    }
  }

  static std::optional<std::string> range_problem(const std::string& range);

  void file_exists_behavior(const YAML::Node& node) {
    if (!node || node.IsNull()) return;
    std::string v = ruby_text(node);
    if (v == "DISALLOW" || v == "OVERWRITE" || v == "RETAIN") {
      spec.file_exists_behavior = v;
      return;
    }
    error(place_of(node),
          fmt::format("The deployment failed because an invalid file_exists_behavior value ({}) "
                      "was entered in the application specification file. Make sure your AppSpec "
                      "file specifies one of DISALLOW,OVERWRITE,RETAIN as the "
                      "file_exists_behavior, and then try again.",
                      v));
  }

  void lint_hook(const HookSpec& hook) {
    if (!is_known_event(hook.event)) {
      std::string close;
      for (const auto& e : scriptable_events()) {
        std::string a = e, b = hook.event;
        std::transform(a.begin(), a.end(), a.begin(), ::tolower);
        std::transform(b.begin(), b.end(), b.begin(), ::tolower);
        std::size_t common = 0;
        while (common < a.size() && common < b.size() && a[common] == b[common]) ++common;
        if (common + 2 >= std::max(a.size(), b.size())) close = e;
      }
      warn(hook.where, "unknown-hook",
           fmt::format("unknown lifecycle event '{}'{}: the CodeDeploy agent never runs it "
                       "(codedeploy-local refuses it)",
                       hook.event, close.empty() ? "" : fmt::format(" (did you mean {}?)", close)));
    }
    long long total = 0;
    for (const auto& s : hook.scripts) total += s.timeout_s;
    if (total > 3600) {
      warn(hook.where, "event-timeout",
           fmt::format("the scripts of {} may take {} s in all; CodeDeploy fails a lifecycle "
                       "event after 3600 s",
                       hook.event, total));
    }
  }

  void lint_top_level(const YAML::Node& doc) {
    static const std::set<std::string> kKeys = {"version",     "os",    "files",
                                                "permissions", "hooks", "file_exists_behavior"};
    for (const auto& kv : doc) {
      if (kv.first.IsScalar() && !kKeys.count(kv.first.Scalar())) {
        warn(place_of(kv.first), "unknown-key",
             fmt::format("unknown top-level key '{}': the agent ignores it", kv.first.Scalar()));
      }
    }
  }

  std::size_t count_errors() const {
    return static_cast<std::size_t>(
        std::count_if(result.diagnostics.begin(), result.diagnostics.end(),
                      [](const auto& d) { return d.severity == Diagnostic::Severity::Error; }));
  }
};

std::optional<std::string> Parser::range_problem(const std::string& range) {
  auto split2 = [](const std::string& input, char on,
                   std::vector<std::string>& parts) -> std::optional<std::string> {
    parts.clear();
    std::size_t c = input.find(on);
    if (c == std::string::npos) {
      parts.push_back(input);
    } else {
      parts.push_back(input.substr(0, c));
      parts.push_back(input.substr(c + 1));
    }
    for (const auto& p : parts) {
      if (p.empty()) return "invalid range part " + input;
    }
    return std::nullopt;
  };
  auto number = [](const std::string& s, char letter, const char* what,
                   long long& out) -> std::optional<std::string> {
    if (s.size() < 2 || s[0] != letter) return fmt::format("invalid {} {}", what, s);
    std::string digits = s;
    digits.erase(digits.find(letter), 1);  // Ruby's sub: the first occurrence
    for (char c : digits) {
      if (c < '0' || c > '9') return fmt::format("invalid {} {}", what, s);
    }
    out = std::stoll(digits.substr(0, 18));
    return std::nullopt;
  };
  std::vector<std::string> parts, sens;
  if (auto e = split2(range, ':', parts)) return e;
  if (auto e = split2(parts[0], '-', sens)) return e;
  long long low = 0, high = 0;
  if (auto e = number(sens[0], 's', "sensitivity", low)) return e;
  if (sens.size() == 2) {
    if (auto e = number(sens[1], 's', "sensitivity", high)) return e;
    if (high < low) {
      return fmt::format(
          "The deployment failed because of a problem with the SELinux range "
          "specified ({}) for the context parameter in the permissions section of "
          "the application specification file. Make corrections in the "
          "permissions section of the AppSpec file, and then try again.",
          range);
    }
  }
  if (parts.size() == 2) {
    std::vector<long long> cats;
    std::string rest = parts[1];
    std::size_t start = 0;
    while (start <= rest.size()) {
      std::size_t c = rest.find(',', start);
      std::string part = rest.substr(start, c == std::string::npos ? std::string::npos : c - start);
      auto category = [&](const std::string& s, long long& v) -> std::optional<std::string> {
        if (auto e = number(s, 'c', "category", v)) return e;
        if (v > 1023) return "invalid category " + s;
        return std::nullopt;
      };
      if (part.find('.') != std::string::npos) {
        std::vector<std::string> ends;
        if (auto e = split2(part, '.', ends)) return e;
        long long a = 0, b = 0;
        if (auto e = category(ends[0], a)) return e;
        if (auto e = category(ends[1], b)) return e;
        if (b < a) return fmt::format("invalid category range {}.{}", ends[0], ends[1]);
        for (long long i = a; i <= b; ++i) cats.push_back(i);
      } else {
        long long v = 0;
        if (auto e = category(part, v)) return e;
        cats.push_back(v);
      }
      if (c == std::string::npos) break;
      start = c + 1;
    }
    std::sort(cats.begin(), cats.end());
    if (std::adjacent_find(cats.begin(), cats.end()) != cats.end()) return "duplicate categories";
  }
  return std::nullopt;
}

}  // namespace

bool PermissionSpec::applies_to_files() const {
  return std::find(types.begin(), types.end(), "file") != types.end();
}
bool PermissionSpec::applies_to_directories() const {
  return std::find(types.begin(), types.end(), "directory") != types.end();
}

const HookSpec* AppSpec::hook(std::string_view event) const {
  for (const auto& h : hooks) {
    if (h.event == event) return &h;
  }
  return nullptr;
}

bool AppSpecResult::has_errors() const {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const auto& d) { return d.severity == Diagnostic::Severity::Error; });
}

std::string AppSpecResult::first_error() const {
  for (const auto& d : diagnostics) {
    if (d.severity == Diagnostic::Severity::Error) return d.message;
  }
  return "";
}

const std::vector<std::string>& scriptable_events() {
  static const std::vector<std::string> kEvents = {
      "BeforeBlockTraffic", "AfterBlockTraffic",  "ApplicationStop",
      "BeforeInstall",      "AfterInstall",       "ApplicationStart",
      "ValidateService",    "BeforeAllowTraffic", "AfterAllowTraffic"};
  return kEvents;
}

bool is_known_event(std::string_view event) {
  const auto& e = scriptable_events();
  return std::find(e.begin(), e.end(), event) != e.end();
}

AppSpecResult parse_appspec(std::string_view text) {
  Parser p;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    p.result.diagnostics.push_back({Diagnostic::Severity::Error,
                                    {e.mark.line + 1, e.mark.column + 1},
                                    "the AppSpec file is not valid YAML: " + e.msg,
                                    ""});
    return p.result;
  }
  if (!root || root.IsNull() || (root.IsScalar() && strip(root.Scalar()).empty())) {
    p.result.diagnostics.push_back(
        {Diagnostic::Severity::Error,
         {},
         "The deployment failed because the application specification file was empty. Make sure "
         "your AppSpec file defines at minimum the 'version' and 'os' properties.",
         ""});
    return p.result;
  }
  try {
    p.run(root);
  } catch (const YAML::Exception& e) {
    p.result.diagnostics.push_back({Diagnostic::Severity::Error,
                                    {e.mark.line + 1, e.mark.column + 1},
                                    "the AppSpec file has an unexpected shape: " + e.msg,
                                    ""});
  }
  if (!p.result.has_errors()) p.result.spec = std::move(p.spec);
  return p.result;
}

std::string format_diagnostic(const std::string& file, const Diagnostic& d) {
  const char* severity = d.severity == Diagnostic::Severity::Error     ? "error"
                         : d.severity == Diagnostic::Severity::Warning ? "warning"
                                                                       : "note";
  std::string where =
      d.where.line > 0 ? fmt::format("{}:{}:{}", file, d.where.line, d.where.col) : file;
  std::string rule = d.rule.empty() ? "" : fmt::format(" [{}]", d.rule);
  return fmt::format("{}: {}: {}{}", where, severity, d.message, rule);
}

}  // namespace deploysim::fake::agent
