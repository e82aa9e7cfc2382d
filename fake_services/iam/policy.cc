#include "fake_services/iam/policy.h"

#include <fmt/format.h>
#include <boost/json/parse.hpp>

#include <array>
#include <charconv>
#include <optional>
#include <set>

#include "fake_services/iam/conditions.h"
#include "simulator/core/json.h"

namespace deploysim::fake::iam {
namespace {

constexpr std::array<std::pair<std::string_view, CondOp>, 27> kOperators = {{
    {"StringEquals", CondOp::StringEquals},
    {"StringNotEquals", CondOp::StringNotEquals},
    {"StringEqualsIgnoreCase", CondOp::StringEqualsIgnoreCase},
    {"StringNotEqualsIgnoreCase", CondOp::StringNotEqualsIgnoreCase},
    {"StringLike", CondOp::StringLike},
    {"StringNotLike", CondOp::StringNotLike},
    {"NumericEquals", CondOp::NumericEquals},
    {"NumericNotEquals", CondOp::NumericNotEquals},
    {"NumericLessThan", CondOp::NumericLessThan},
    {"NumericLessThanEquals", CondOp::NumericLessThanEquals},
    {"NumericGreaterThan", CondOp::NumericGreaterThan},
    {"NumericGreaterThanEquals", CondOp::NumericGreaterThanEquals},
    {"DateEquals", CondOp::DateEquals},
    {"DateNotEquals", CondOp::DateNotEquals},
    {"DateLessThan", CondOp::DateLessThan},
    {"DateLessThanEquals", CondOp::DateLessThanEquals},
    {"DateGreaterThan", CondOp::DateGreaterThan},
    {"DateGreaterThanEquals", CondOp::DateGreaterThanEquals},
    {"Bool", CondOp::Bool},
    {"BinaryEquals", CondOp::BinaryEquals},
    {"IpAddress", CondOp::IpAddress},
    {"NotIpAddress", CondOp::NotIpAddress},
    {"ArnEquals", CondOp::ArnEquals},
    {"ArnLike", CondOp::ArnLike},
    {"ArnNotEquals", CondOp::ArnNotEquals},
    {"ArnNotLike", CondOp::ArnNotLike},
    {"Null", CondOp::Null},
}};

struct Malformed {
  std::string message;
};

sim::AwsError malformed(std::string message) {
  return {"MalformedPolicyDocument", std::move(message), 400};
}

const std::string kSyntax = "Syntax errors in policy.";

// Walks the (already valid) JSON text once: refuses duplicate keys, which AWS rejects in new
// policies and Boost.JSON would silently merge, and records where each statement starts and ends.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text) {}

  bool scan() {
    skip_ws();
    return value(0, false);
  }
  std::vector<std::pair<Position, Position>> statements;

 private:
  Position here() const { return {line_, col_}; }
  void advance() {
    if (s_[i_] == '\n') {
      ++line_;
      col_ = 1;
    } else {
      ++col_;
    }
    ++i_;
  }
  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      advance();
  }
  std::string string() {
    std::string out;
    advance();  // opening quote
    while (i_ < s_.size() && s_[i_] != '"') {
      if (s_[i_] == '\\') {
        out += s_[i_];
        advance();
      }
      out += s_[i_];
      advance();
    }
    advance();
    return out;
  }
  // depth 0: the document; `statement_list`: this value is the top-level Statement.
  bool value(int depth, bool statement_value) {
    if (i_ >= s_.size()) return true;
    char c = s_[i_];
    if (c == '{') {
      Position start = here();
      advance();
      std::set<std::string> keys;
      skip_ws();
      while (i_ < s_.size() && s_[i_] != '}') {
        std::string key = string();
        if (!keys.insert(key).second) return false;
        skip_ws();
        advance();  // ':'
        skip_ws();
        if (!value(depth + 1, depth == 0 && key == "Statement")) return false;
        skip_ws();
        if (i_ < s_.size() && s_[i_] == ',') advance();
        skip_ws();
      }
      advance();
      if (statement_value) statements.push_back({start, here()});
      return true;
    }
    if (c == '[') {
      advance();
      skip_ws();
      while (i_ < s_.size() && s_[i_] != ']') {
        if (!value(depth + 1, statement_value && s_[i_] == '{')) return false;
        skip_ws();
        if (i_ < s_.size() && s_[i_] == ',') advance();
        skip_ws();
      }
      advance();
      return true;
    }
    if (c == '"') {
      string();
      return true;
    }
    while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != ']' && s_[i_] != ' ' &&
           s_[i_] != '\n' && s_[i_] != '\t' && s_[i_] != '\r')
      advance();
    return true;
  }

  std::string_view s_;
  std::size_t i_ = 0;
  int line_ = 1;
  int col_ = 1;
};

bool string_or_strings(const json::value& v) {
  if (v.is_string()) return true;
  if (!v.is_array()) return false;
  for (const auto& e : v.as_array()) {
    if (!e.is_string()) return false;
  }
  return true;
}

std::vector<std::string> as_strings(const json::value& v) {
  std::vector<std::string> out;
  if (v.is_string()) {
    out.emplace_back(v.as_string());
  } else {
    for (const auto& e : v.as_array()) out.emplace_back(e.as_string());
  }
  return out;
}

bool scalar(const json::value& v) {
  return v.is_string() || v.is_bool() || v.is_number();
}

std::string scalar_text(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_bool()) return v.as_bool() ? "true" : "false";
  return sim::compact_json(v);
}

// "ForAnyValue:StringLikeIfExists" -> parts; nullopt for an operator IAM does not know.
std::optional<Condition> parse_operator(std::string_view name) {
  Condition c;
  c.op_name = std::string(name);
  std::string_view rest = name;
  if (rest.starts_with("ForAnyValue:")) {
    c.set = SetOp::ForAnyValue;
    rest.remove_prefix(12);
  } else if (rest.starts_with("ForAllValues:")) {
    c.set = SetOp::ForAllValues;
    rest.remove_prefix(13);
  }
  if (rest.ends_with("IfExists") && rest != "IfExists") {
    c.if_exists = true;
    rest.remove_suffix(8);
  }
  for (const auto& [n, op] : kOperators) {
    if (n == rest) {
      if (op == CondOp::Null && c.if_exists) return std::nullopt;
      c.op = op;
      return c;
    }
  }
  return std::nullopt;
}

bool is_date_op(CondOp op) {
  return op >= CondOp::DateEquals && op <= CondOp::DateGreaterThanEquals;
}

bool syntax_ok(const json::object& doc, PolicyKind kind) {
  static const std::set<std::string_view> kTop = {"Version", "Id", "Statement"};
  static const std::set<std::string_view> kElements = {"Sid",       "Effect",       "Action",
                                                       "NotAction", "Resource",     "NotResource",
                                                       "Principal", "NotPrincipal", "Condition"};
  for (const auto& kv : doc) {
    if (!kTop.count(kv.key())) return false;
  }
  if (auto* v = doc.if_contains("Version")) {
    if (!v->is_string() || (v->as_string() != "2012-10-17" && v->as_string() != "2008-10-17"))
      return false;
  }
  if (auto* id = doc.if_contains("Id"); id && !id->is_string()) return false;
  const json::value* st = doc.if_contains("Statement");
  if (!st || !(st->is_object() || st->is_array())) return false;
  if (st->is_array() && st->as_array().empty()) return false;
  std::vector<const json::value*> statements;
  if (st->is_object()) {
    statements.push_back(st);
  } else {
    for (const auto& e : st->as_array()) statements.push_back(&e);
  }
  for (const json::value* sv : statements) {
    if (!sv->is_object()) return false;
    const json::object& s = sv->as_object();
    for (const auto& kv : s) {
      if (!kElements.count(kv.key())) return false;
    }
    if (s.contains("Action") && s.contains("NotAction")) return false;
    if (s.contains("Resource") && s.contains("NotResource")) return false;
    if (s.contains("Principal") && s.contains("NotPrincipal")) return false;
    const json::value* effect = s.if_contains("Effect");
    if (!effect || !effect->is_string()) return false;
    std::string e = ascii_lower(effect->as_string());
    if (e != "allow" && e != "deny") return false;
    for (const char* key : {"Action", "NotAction", "Resource", "NotResource"}) {
      if (auto* v = s.if_contains(key); v && !string_or_strings(*v)) return false;
    }
    if (auto* sid = s.if_contains("Sid"); sid && !sid->is_string()) return false;
    for (const char* key : {"Principal", "NotPrincipal"}) {
      const json::value* p = s.if_contains(key);
      if (!p) continue;
      if (p->is_string()) {
        if (p->as_string() != "*") return false;
      } else if (p->is_object()) {
        for (const auto& kv : p->as_object()) {
          if (kv.key() != "AWS" && kv.key() != "Service" && kv.key() != "Federated" &&
              kv.key() != "CanonicalUser")
            return false;
          if (!string_or_strings(kv.value())) return false;
        }
      } else {
        return false;
      }
    }
    if (auto* cond = s.if_contains("Condition")) {
      if (!cond->is_object()) return false;
      for (const auto& block : cond->as_object()) {
        if (!block.value().is_object()) return false;
        for (const auto& kv : block.value().as_object()) {
          const json::value& v = kv.value();
          if (v.is_array()) {
            for (const auto& e : v.as_array()) {
              if (!scalar(e)) return false;
            }
          } else if (!scalar(v)) {
            return false;
          }
        }
        if (!parse_operator(block.key()) && !block.value().as_object().empty()) return false;
      }
    }
  }
  (void)kind;
  return true;
}

std::vector<const json::object*> statement_objects(const json::object& doc) {
  std::vector<const json::object*> out;
  const json::value& st = doc.at("Statement");
  if (st.is_object()) {
    out.push_back(&st.as_object());
  } else {
    for (const auto& e : st.as_array()) out.push_back(&e.as_object());
  }
  return out;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t p = s.find(sep, start);
    out.emplace_back(s.substr(start, p == std::string_view::npos ? s.npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

// The legacy parser's view of a resource: an ARN with "::" needs all its five colons.
bool legacy_resource_ok(const std::string& r) {
  if (r == "*") return true;
  std::size_t colons = static_cast<std::size_t>(std::count(r.begin(), r.end(), ':'));
  if (colons < 5 && r.find("::") != std::string::npos) return false;
  auto parts = split(r, ':');
  return !(parts.size() > 2 && parts[2].empty());
}

// The first format problem of a resource, or "".
std::string resource_error(const std::string& r) {
  if (r == "*") return "";
  std::size_t c1 = r.find(':');
  if (c1 == std::string::npos) return fmt::format("Resource {} must be in ARN format or \"*\".", r);
  std::string rest = r.substr(c1 + 1);
  std::size_t c2 = rest.find(':');
  std::string partition = rest.substr(0, c2);
  std::string after = c2 == std::string::npos ? "" : rest.substr(c2 + 1);
  if (partition != "aws" && partition != "aws-cn" && partition != "aws-us-gov") {
    auto parts = split(after, ':');
    auto part = [&](std::size_t i) {
      if (i == 0) return parts[0].empty() && parts.size() == 1 ? std::string("*") : parts[0];
      return parts.size() > i ? parts[i] : std::string("*");
    };
    std::string tail = "*";
    if (parts.size() > 3) {
      tail.clear();
      for (std::size_t i = 3; i < parts.size(); ++i) tail += (i > 3 ? ":" : "") + parts[i];
    }
    return fmt::format("Partition \"{}\" is not valid for resource \"arn:{}:{}:{}:{}:{}\".",
                       partition, partition, part(0), part(1), part(2), tail);
  }
  if (c2 == std::string::npos) {
    return "Resource vendor must be fully qualified and cannot contain regexes.";
  }
  std::size_t c3 = after.find(':');
  std::string service = after.substr(0, c3);
  std::string region_on = c3 == std::string::npos ? "" : after.substr(c3 + 1);
  if ((service == "iam" || service == "s3") && !region_on.starts_with(":")) {
    return service == "iam" ? fmt::format("IAM resource {} cannot contain region information.", r)
                            : fmt::format("Resource {} can not contain region information.", r);
  }
  if (service == "iam") {
    // region (empty) : account : resource
    auto parts = split(region_on, ':');
    std::string resource;
    for (std::size_t i = 2; i < parts.size(); ++i) resource += (i > 2 ? ":" : "") + parts[i];
    static const std::array<std::string_view, 13> kStarts = {"user/",
                                                             "federated-user/",
                                                             "role/",
                                                             "group/",
                                                             "instance-profile/",
                                                             "mfa/",
                                                             "server-certificate/",
                                                             "policy/",
                                                             "sms-mfa/",
                                                             "saml-provider/",
                                                             "oidc-provider/",
                                                             "report/",
                                                             "access-report/"};
    bool ok = resource == "*";
    for (auto s : kStarts) ok = ok || resource.starts_with(s);
    if (!ok) {
      return "IAM resource path must either be \"*\" or start with user/, federated-user/, role/, "
             "group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, "
             "saml-provider/, oidc-provider/, report/, access-report/.";
    }
  }
  return "";
}

std::string action_error(const std::string& a) {
  auto parts = split(a, ':');
  if (parts.size() == 1 && a != "*") {
    return "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
  }
  if (parts.size() > 2) return "Actions/Condition can contain only one colon.";
  if (a == "*") return "";
  for (char c : parts[0]) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') {
      return fmt::format("Vendor {} is not valid", parts[0]);
    }
  }
  return "";
}

}  // namespace

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

namespace {
template <bool kIcase>
bool glob_impl(std::string_view p, std::string_view t, bool escapes) {
  auto eq = [](char a, char b) {
    if constexpr (kIcase) {
      return std::tolower(static_cast<unsigned char>(a)) ==
             std::tolower(static_cast<unsigned char>(b));
    } else {
      return a == b;
    }
  };
  std::size_t pi = 0, ti = 0, star_p = std::string_view::npos, star_t = 0;
  while (ti < t.size()) {
    if (pi < p.size()) {
      char c = p[pi];
      if (escapes && c == '\\' && pi + 1 < p.size()) {
        if (eq(p[pi + 1], t[ti])) {
          pi += 2;
          ++ti;
          continue;
        }
      } else if (c == '*') {
        star_p = pi++;
        star_t = ti;
        continue;
      } else if (c == '?' || eq(c, t[ti])) {
        ++pi;
        ++ti;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    pi = star_p + 1;
    ti = ++star_t;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}
}  // namespace

bool glob_match(std::string_view pattern, std::string_view text, bool escapes) {
  return glob_impl<false>(pattern, text, escapes);
}

bool glob_match_icase(std::string_view pattern, std::string_view text) {
  return glob_impl<true>(pattern, text, false);
}

std::size_t policy_size(std::string_view document) {
  std::size_t n = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < document.size(); ++i) {
    char c = document[i];
    if (in_string) {
      ++n;
      if (c == '\\' && i + 1 < document.size()) {
        ++n;
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
      ++n;
    } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      ++n;
    }
  }
  return n;
}

sim::Result<Policy> parse_policy(std::string_view document, const ParseOptions& options) {
  // 1. Syntax.
  boost::system::error_code ec;
  json::value root = boost::json::parse(document, ec);
  if (ec || !root.is_object()) return malformed(kSyntax);
  Scanner scanner(document);
  if (!scanner.scan()) return malformed(kSyntax);
  const json::object& doc = root.as_object();
  if (!syntax_ok(doc, options.kind)) return malformed(kSyntax);

  Policy policy;
  if (auto* v = doc.if_contains("Version")) policy.version = std::string(v->as_string());
  policy.variables = policy.version == "2012-10-17";

  // 2. Version.
  if (options.managed && policy.version != "2012-10-17") {
    return malformed("Policy document must be version 2012-10-17 or greater.");
  }
  auto statements = statement_objects(doc);

  // 3. Legacy parsing: Effect's case, date values, ARNs with "::".
  for (const json::object* s : statements) {
    std::string_view effect = s->at("Effect").as_string();
    if (effect != "Allow" && effect != "Deny") return malformed("The policy failed legacy parsing");
    if (auto* cond = s->if_contains("Condition")) {
      for (const auto& block : cond->as_object()) {
        auto op = parse_operator(block.key());
        if (!op || !is_date_op(op->op)) continue;
        for (const auto& kv : block.value().as_object()) {
          const json::value& v = kv.value();
          std::vector<json::value> values =
              v.is_array() ? std::vector<json::value>(v.as_array().begin(), v.as_array().end())
                           : std::vector<json::value>{v};
          for (const auto& e : values) {
            if (!parse_date(scalar_text(e))) return malformed("The policy failed legacy parsing");
          }
        }
      }
    }
    for (const char* key : {"Resource", "NotResource"}) {
      if (auto* r = s->if_contains(key)) {
        for (const auto& res : as_strings(*r)) {
          if (!legacy_resource_ok(res)) return malformed("The policy failed legacy parsing");
        }
      }
    }
  }

  // 4. Statement IDs.
  std::set<std::string> sids;
  for (const json::object* s : statements) {
    auto* sid = s->if_contains("Sid");
    if (!sid || sid->as_string().empty()) continue;
    if (!sids.insert(std::string(sid->as_string())).second) {
      return malformed("Statement IDs (SID) in a single policy must be unique.");
    }
  }
  for (const auto& sid : sids) {
    for (char c : sid) {
      if (!std::isalnum(static_cast<unsigned char>(c))) {
        return malformed(
            "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the "
            "regular expression [0-9A-Za-z]*");
      }
    }
  }

  // 5. Actions and resources present.
  for (const json::object* s : statements) {
    const json::value* a = s->if_contains("Action");
    if (!a) a = s->if_contains("NotAction");
    if (!a || (a->is_array() && a->as_array().empty())) {
      return malformed("Policy statement must contain actions.");
    }
  }
  for (const json::object* s : statements) {
    const json::value* r = s->if_contains("Resource");
    if (!r) r = s->if_contains("NotResource");
    if (options.kind == PolicyKind::Trust) {
      if (s->contains("Resource")) return malformed("Has prohibited field Resource.");
      if (s->contains("NotResource")) return malformed("Has prohibited field NotResource.");
      continue;
    }
    if (!r || (r->is_array() && r->as_array().empty())) {
      return malformed("Policy statement must contain resources.");
    }
  }

  // 6. Resource formats (the first problem, resources of a list in reverse sorted order).
  for (const json::object* s : statements) {
    for (const char* key : {"Resource", "NotResource"}) {
      const json::value* r = s->if_contains(key);
      if (!r) continue;
      auto list = as_strings(*r);
      std::sort(list.rbegin(), list.rend());
      for (const auto& res : list) {
        if (auto e = resource_error(res); !e.empty()) return malformed(e);
      }
    }
  }

  // 7. Principals where they belong.
  for (const json::object* s : statements) {
    bool has = s->contains("Principal") || s->contains("NotPrincipal");
    if (options.kind == PolicyKind::Identity && has) {
      return malformed("Policy document should not specify a principal.");
    }
    if (options.kind != PolicyKind::Identity && !has) {
      return malformed("Missing required field Principal.");
    }
  }

  // 8. Vendor prefixes.
  for (const json::object* s : statements) {
    for (const char* key : {"Action", "NotAction"}) {
      if (auto* a = s->if_contains(key)) {
        for (const auto& act : as_strings(*a)) {
          if (auto e = action_error(act); !e.empty()) return malformed(e);
        }
      }
    }
  }
  if (options.kind == PolicyKind::Trust) {
    for (const json::object* s : statements) {
      const json::value* a = s->if_contains("Action");
      if (!a) a = s->if_contains("NotAction");
      for (const auto& act : as_strings(*a)) {
        std::string l = ascii_lower(act);
        if (l != "sts:assumerole" && l != "sts:assumerolewithsaml" &&
            l != "sts:assumerolewithwebidentity" && l != "sts:tagsession" &&
            l != "sts:setsourceidentity" && l != "sts:*" && l != "*") {
          return malformed(
              "Trust Policy statement actions can only be sts:AssumeRole, "
              "sts:AssumeRoleWithSAML,  and sts:AssumeRoleWithWebIdentity");
        }
      }
    }
  }

  // The parsed form.
  for (std::size_t i = 0; i < statements.size(); ++i) {
    const json::object& s = *statements[i];
    Statement st;
    if (auto* sid = s.if_contains("Sid")) st.sid = std::string(sid->as_string());
    st.allow = s.at("Effect").as_string() == "Allow";
    st.not_action = s.contains("NotAction");
    for (auto& a : as_strings(s.at(st.not_action ? "NotAction" : "Action"))) {
      st.actions.push_back(ascii_lower(a));
      std::size_t wild = a.find_first_of("*?");
      st.action_shapes.push_back(wild == std::string::npos ? 0 : wild == a.size() - 1 ? 1 : 2);
    }
    st.not_resource = s.contains("NotResource");
    st.has_resource = st.not_resource || s.contains("Resource");
    if (st.has_resource)
      st.resources = as_strings(s.at(st.not_resource ? "NotResource" : "Resource"));
    st.not_principal = s.contains("NotPrincipal");
    st.has_principal = st.not_principal || s.contains("Principal");
    if (st.has_principal) {
      const json::value& p = s.at(st.not_principal ? "NotPrincipal" : "Principal");
      if (p.is_string()) {
        st.principals.any = true;
      } else {
        for (const auto& kv : p.as_object()) {
          st.principals.by_type[std::string(kv.key())] = as_strings(kv.value());
        }
      }
    }
    if (auto* cond = s.if_contains("Condition")) {
      for (const auto& block : cond->as_object()) {
        auto op = parse_operator(block.key());
        if (!op) continue;  // an unknown operator with an empty block
        for (const auto& kv : block.value().as_object()) {
          Condition c = *op;
          c.key_as_written = std::string(kv.key());
          c.key = ascii_lower(kv.key());
          const json::value& v = kv.value();
          if (v.is_array()) {
            for (const auto& e : v.as_array()) c.values.push_back(scalar_text(e));
          } else {
            c.values.push_back(scalar_text(v));
          }
          for (const auto& v : c.values) {
            c.has_variables = c.has_variables || v.find("${") != std::string::npos;
          }
          prepare_numbers(c);
          st.conditions.push_back(std::move(c));
        }
      }
    }
    if (i < scanner.statements.size()) {
      st.start = scanner.statements[i].first;
      st.end = scanner.statements[i].second;
    }
    policy.statements.push_back(std::move(st));
  }
  return policy;
}

}  // namespace deploysim::fake::iam
