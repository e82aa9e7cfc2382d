// The single-account evaluation logic (iam.md §1): explicit deny anywhere wins, then an allow is
// needed in the identity policies (or a resource policy naming the principal), and a permissions
// boundary must allow as well. Pure: policies in, decision out.
#pragma once

#include <string>
#include <vector>

#include "fake_services/iam/conditions.h"
#include "fake_services/iam/policy.h"

namespace deploysim::fake::iam {

struct RequestPrincipal {
  enum class Type { Root, User, AssumedRole, Service };
  Type type = Type::Root;
  std::string arn;       // user ARN, session ARN, account root ARN
  std::string role_arn;  // AssumedRole: the role's ARN
  std::string account;
  std::string service;  // Service: "codedeploy.amazonaws.com"
};

struct Request {
  std::string action;    // "s3:GetObject"
  std::string resource;  // an ARN, or "*" for actions without one
  RequestPrincipal principal;
  ContextKeys context;
};

enum class PolicyType { Identity, Boundary, Resource, Trust };

struct PolicySource {
  const Policy* policy = nullptr;
  PolicyType type = PolicyType::Identity;
  std::string id;  // what SimulatePolicy reports as SourcePolicyId
  std::string
      source_type;  // user | group | role | aws-managed | user-managed | resource | IAM Policy
};

enum class Decision { Allowed, ExplicitDeny, ImplicitDeny };

struct MatchedStatement {
  std::string source_id;
  std::string source_type;
  Position start, end;
};

struct Evaluation {
  Decision decision = Decision::ImplicitDeny;
  PolicyType because = PolicyType::Identity;  // which policy type denied (for the message)
  std::vector<MatchedStatement> matched;      // statements that decided
  std::vector<std::string> missing_context;   // condition keys the request lacked
  bool boundary_allows = true;                // no boundary, or one that allows
};

Evaluation evaluate(const Request& request, const std::vector<PolicySource>& policies);

// "User: <arn> is not authorized to perform: <action> [on resource: <arn>] because no
// identity-based policy allows the <action> action" and its explicit-deny forms.
std::string denial_message(const Request& request, const Evaluation& evaluation);

// Whether one statement applies to the request (action, resource, principal, conditions).
bool statement_applies(const Statement& s, const Policy& p, const Request& request,
                       const std::string& lower_action, std::vector<std::string>* missing);

}  // namespace deploysim::fake::iam
