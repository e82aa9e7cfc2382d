#include "fake_services/iam/evaluator.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace deploysim::fake::iam {
namespace {

enum class PrincipalMatch { None, Direct, Role, Account };

// Splits at the first five colons: arn, partition, service, region, account, resource.
struct ArnParts {
  std::array<std::string_view, 6> part;
  std::size_t size = 0;
};

ArnParts arn_parts(std::string_view s) {
  ArnParts out;
  for (int n = 0; n < 5; ++n) {
    std::size_t p = s.find(':');
    if (p == std::string_view::npos) break;
    out.part[out.size++] = s.substr(0, p);
    s.remove_prefix(p + 1);
  }
  out.part[out.size++] = s;
  return out;
}

// The Resource element: partition, service, region and account compared per segment without
// case; the resource part case-sensitively, where '*' crosses '/' and ':'.
bool resource_matches(std::string_view pattern, const Request& req, bool variables) {
  if (pattern == "*") return true;
  if (req.resource == "*") return false;
  ArnParts p = arn_parts(pattern);
  if (p.size < 6) return glob_match(pattern, req.resource);
  ArnParts a = arn_parts(req.resource);
  if (a.size < 6) return false;
  for (std::size_t i = 0; i < 5; ++i) {
    if (!glob_match_icase(p.part[i], a.part[i])) return false;
  }
  if (variables && p.part[5].find("${") != std::string_view::npos) {
    auto s = substitute(p.part[5], req.context, true);
    return s && glob_match(*s, a.part[5], true);
  }
  return glob_match(p.part[5], a.part[5]);
}

PrincipalMatch principal_matches(const PrincipalSpec& spec, const RequestPrincipal& who) {
  if (spec.any) return PrincipalMatch::Direct;
  PrincipalMatch best = PrincipalMatch::None;
  auto better = [&](PrincipalMatch m) {
    if (m == PrincipalMatch::None) return;
    if (best == PrincipalMatch::None || static_cast<int>(m) < static_cast<int>(best)) best = m;
  };
  for (const auto& [type, values] : spec.by_type) {
    for (const auto& v : values) {
      if (type == "Service") {
        if (who.type == RequestPrincipal::Type::Service && ascii_lower(v) == who.service)
          better(PrincipalMatch::Direct);
      } else if (type == "AWS") {
        if (who.type == RequestPrincipal::Type::Service) continue;
        if (v == "*") {
          better(PrincipalMatch::Direct);
        } else if (v == who.arn) {
          better(PrincipalMatch::Direct);
        } else if (!who.role_arn.empty() && v == who.role_arn) {
          better(PrincipalMatch::Role);
        } else if (v == who.account || v == fmt::format("arn:aws:iam::{}:root", who.account)) {
          better(who.type == RequestPrincipal::Type::Root ? PrincipalMatch::Direct
                                                          : PrincipalMatch::Account);
        }
      }
    }
  }
  return best;
}

const char* article_name(PolicyType t) {
  switch (t) {
    case PolicyType::Identity:
      return "an identity-based policy";
    case PolicyType::Boundary:
      return "a permissions boundary";
    case PolicyType::Resource:
      return "a resource-based policy";
    case PolicyType::Trust:
      return "the role trust policy";
  }
  return "";
}

const char* bare_name(PolicyType t) {
  switch (t) {
    case PolicyType::Identity:
      return "identity-based policy";
    case PolicyType::Boundary:
      return "permissions boundary";
    case PolicyType::Resource:
      return "resource-based policy";
    case PolicyType::Trust:
      return "role trust policy";
  }
  return "";
}

}  // namespace

bool statement_applies(const Statement& s, const Policy& p, const Request& req,
                       const std::string& lower_action, std::vector<std::string>* missing) {
  bool action = false;
  for (std::size_t i = 0; i < s.actions.size() && !action; ++i) {
    const std::string& a = s.actions[i];
    switch (s.action_shapes[i]) {
      case 0:
        action = a == lower_action;
        break;
      case 1:
        action =
            std::string_view(lower_action).starts_with(std::string_view(a).substr(0, a.size() - 1));
        break;
      default:
        action = glob_match(a, lower_action);
    }
  }
  if (action == s.not_action) return false;
  if (s.has_resource) {
    bool res = false;
    for (const auto& r : s.resources) {
      if (resource_matches(r, req, p.variables)) {
        res = true;
        break;
      }
    }
    if (res == s.not_resource) return false;
  }
  if (s.has_principal) {
    bool m = principal_matches(s.principals, req.principal) != PrincipalMatch::None;
    if (m == s.not_principal) return false;
  }
  for (const auto& c : s.conditions) {
    ConditionResult r = evaluate_condition(c, req.context, p.variables);
    if (r.missing && missing &&
        std::find(missing->begin(), missing->end(), c.key_as_written) == missing->end()) {
      missing->push_back(c.key_as_written);
    }
    if (!r.matched) return false;
  }
  return true;
}

Evaluation evaluate(const Request& req, const std::vector<PolicySource>& policies) {
  Evaluation ev;
  std::string action = ascii_lower(req.action);
  auto record = [&](const PolicySource& src, const Statement& s) {
    ev.matched.push_back({src.id, src.source_type, s.start, s.end});
  };

  // 1. Explicit deny anywhere (the boundary included).
  for (const auto& src : policies) {
    for (const auto& s : src.policy->statements) {
      if (s.allow) continue;
      if (statement_applies(s, *src.policy, req, action, &ev.missing_context)) {
        if (ev.decision != Decision::ExplicitDeny) ev.because = src.type;
        ev.decision = Decision::ExplicitDeny;
        record(src, s);
      }
    }
  }
  if (ev.decision == Decision::ExplicitDeny) return ev;

  // 2. Allows, by policy type.
  bool identity = false, has_boundary = false, boundary = false, has_trust = false;
  PrincipalMatch resource = PrincipalMatch::None;
  std::vector<MatchedStatement> identity_matches, resource_matches_;
  for (const auto& src : policies) {
    if (src.type == PolicyType::Boundary) has_boundary = true;
    if (src.type == PolicyType::Trust) has_trust = true;
    for (const auto& s : src.policy->statements) {
      if (!s.allow) continue;
      if (!statement_applies(s, *src.policy, req, action, &ev.missing_context)) continue;
      switch (src.type) {
        case PolicyType::Identity:
          identity = true;
          identity_matches.push_back({src.id, src.source_type, s.start, s.end});
          break;
        case PolicyType::Boundary:
          boundary = true;
          break;
        case PolicyType::Resource:
        case PolicyType::Trust: {
          PrincipalMatch m = s.not_principal ? PrincipalMatch::Direct
                                             : principal_matches(s.principals, req.principal);
          if (resource == PrincipalMatch::None || static_cast<int>(m) < static_cast<int>(resource))
            resource = m;
          resource_matches_.push_back({src.id, src.source_type, s.start, s.end});
          break;
        }
      }
    }
  }
  ev.boundary_allows = !has_boundary || boundary;
  bool service = req.principal.type == RequestPrincipal::Type::Service;
  // A resource policy grants by itself only when it names the principal; naming the account
  // hands the decision to the identity policies.
  bool resource_grants = resource == PrincipalMatch::Direct || resource == PrincipalMatch::Role;
  if (has_trust && resource == PrincipalMatch::None) {
    ev.decision = Decision::ImplicitDeny;
    ev.because = PolicyType::Trust;
    return ev;
  }
  if (service) {
    ev.decision = resource_grants ? Decision::Allowed : Decision::ImplicitDeny;
    ev.because = has_trust ? PolicyType::Trust : PolicyType::Resource;
    if (resource_grants) ev.matched = resource_matches_;
    return ev;
  }
  if (!identity && !resource_grants) {
    ev.decision = Decision::ImplicitDeny;
    ev.because = PolicyType::Identity;
    return ev;
  }
  // The boundary limits identity grants, and resource grants naming the role; a resource policy
  // naming the user or the session directly is not limited by it (same account).
  if (has_boundary && !boundary && resource != PrincipalMatch::Direct) {
    ev.decision = Decision::ImplicitDeny;
    ev.because = PolicyType::Boundary;
    return ev;
  }
  ev.decision = Decision::Allowed;
  ev.matched = identity_matches;
  ev.matched.insert(ev.matched.end(), resource_matches_.begin(), resource_matches_.end());
  return ev;
}

std::string denial_message(const Request& req, const Evaluation& ev) {
  std::string on = req.resource == "*" || req.resource.empty()
                       ? ""
                       : fmt::format(" on resource: {}", req.resource);
  if (ev.decision == Decision::ExplicitDeny) {
    return fmt::format("User: {} is not authorized to perform: {}{} with an explicit deny in {}",
                       req.principal.arn, req.action, on, article_name(ev.because));
  }
  return fmt::format(
      "User: {} is not authorized to perform: {}{} because no {} allows the {} action",
      req.principal.arn, req.action, on, bare_name(ev.because), req.action);
}

}  // namespace deploysim::fake::iam
