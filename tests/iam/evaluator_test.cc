// Evaluation: every operator family, the missing-key and set-operator rules, variables, and the
// rules iam.md §9 lists as the ones evaluators most often get wrong.
#include <gtest/gtest.h>

#include "fake_services/iam/evaluator.h"

namespace deploysim::fake::iam {
namespace {

const std::string kUserArn = "arn:aws:iam::123456789012:user/alice";

struct Policies {
  std::vector<std::pair<std::string, PolicyType>> docs;
  Policies& identity(const std::string& d) {
    docs.emplace_back(d, PolicyType::Identity);
    return *this;
  }
  Policies& boundary(const std::string& d) {
    docs.emplace_back(d, PolicyType::Boundary);
    return *this;
  }
  Policies& resource(const std::string& d) {
    docs.emplace_back(d, PolicyType::Resource);
    return *this;
  }
  Policies& trust(const std::string& d) {
    docs.emplace_back(d, PolicyType::Trust);
    return *this;
  }
};

Request request(std::string action, std::string resource, ContextKeys ctx = {}) {
  Request r;
  r.action = std::move(action);
  r.resource = std::move(resource);
  r.principal = {RequestPrincipal::Type::User, kUserArn, "", "123456789012", ""};
  r.context = std::move(ctx);
  return r;
}

Evaluation run(const Policies& p, const Request& req) {
  std::vector<Policy> parsed;
  parsed.reserve(p.docs.size());
  std::vector<PolicySource> sources;
  for (const auto& [d, type] : p.docs) {
    PolicyKind kind = type == PolicyType::Trust      ? PolicyKind::Trust
                      : type == PolicyType::Resource ? PolicyKind::Resource
                                                     : PolicyKind::Identity;
    auto r = parse_policy(d, {kind, false});
    EXPECT_TRUE(r.ok()) << d << ": " << (r.ok() ? "" : r.error().message);
    if (!r.ok()) return {};
    parsed.push_back(std::move(r).value());
  }
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    sources.push_back({&parsed[i], p.docs[i].second, "p" + std::to_string(i), "user"});
  }
  return evaluate(req, sources);
}

Decision decide(const Policies& p, const Request& req) {
  return run(p, req).decision;
}

// One statement, version 2012-10-17.
std::string stmt(const std::string& body, const std::string& version = "2012-10-17") {
  return R"({"Version":")" + version + R"(","Statement":)" + body + "}";
}

std::string allow_if(const std::string& condition, const std::string& action = "s3:GetObject",
                     const std::string& resource = "*") {
  return stmt(R"({"Effect":"Allow","Action":")" + action + R"(","Resource":")" + resource +
              R"(","Condition":)" + condition + "}");
}

ContextKeys ctx(std::initializer_list<std::pair<std::string, std::vector<std::string>>> kv,
                bool multi = false) {
  ContextKeys out;
  for (const auto& [k, v] : kv) out[ascii_lower(k)] = ContextValue{v, multi};
  return out;
}

constexpr auto A = Decision::Allowed;
constexpr auto I = Decision::ImplicitDeny;
constexpr auto E = Decision::ExplicitDeny;

TEST(Evaluation, NoPolicyIsAnImplicitDeny) {
  EXPECT_EQ(decide({}, request("s3:GetObject", "*")), I);
}

TEST(Evaluation, ActionsIgnoreCaseAndSupportBothWildcards) {
  Policies p;
  p.identity(stmt(R"({"Effect":"Allow","Action":"IAM:listaccess?eys","Resource":"*"})"));
  EXPECT_EQ(decide(p, request("iam:ListAccessKeys", "*")), A);
  EXPECT_EQ(decide(p, request("iam:ListAccessKeyss", "*")), I);
  Policies vendor;
  vendor.identity(stmt(R"({"Effect":"Allow","Action":"s3:*","Resource":"*"})"));
  EXPECT_EQ(decide(vendor, request("s3express:CreateSession", "*")), I);
}

TEST(Evaluation, ResourcesAreCaseSensitiveAndStarCrossesSlashes) {
  Policies p;
  p.identity(
      stmt(R"({"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"})"));
  EXPECT_EQ(decide(p, request("s3:GetObject", "arn:aws:s3:::bucket/a/b/c")), A);
  EXPECT_EQ(decide(p, request("s3:GetObject", "arn:aws:s3:::Bucket/a")), I);
  // bucket/* does not cover the bucket itself (ListBucket on arn:aws:s3:::bucket).
  EXPECT_EQ(decide(p, request("s3:GetObject", "arn:aws:s3:::bucket")), I);
  Policies q;
  q.identity(
      stmt(R"({"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/file-?.txt"})"));
  EXPECT_EQ(decide(q, request("s3:GetObject", "arn:aws:s3:::b/file-1.txt")), A);
  EXPECT_EQ(decide(q, request("s3:GetObject", "arn:aws:s3:::b/file-10.txt")), I);
  Policies tail;
  tail.identity(stmt(R"({"Effect":"Allow","Action":"ec2:*","Resource":"arn:aws:ec2:*"})"));
  EXPECT_EQ(decide(tail, request("ec2:StartInstances",
                                 "arn:aws:ec2:us-east-1:123456789012:instance/i-1")),
            A);
}

TEST(Evaluation, ExplicitDenyWinsInAnyOrder) {
  Policies p;
  p.identity(stmt(R"({"Effect":"Deny","Action":"s3:*","Resource":"*"})"));
  p.identity(stmt(R"({"Effect":"Allow","Action":"*","Resource":"*"})"));
  Evaluation ev = run(p, request("s3:GetObject", "arn:aws:s3:::b/k"));
  EXPECT_EQ(ev.decision, E);
  EXPECT_EQ(ev.because, PolicyType::Identity);
  ASSERT_EQ(ev.matched.size(), 1u);
  EXPECT_EQ(ev.matched[0].source_id, "p0");
}

TEST(Evaluation, AFailedConditionOnAnAllowIsNoAllowNotADeny) {
  Policies p;
  p.identity(allow_if(R"({"StringEquals":{"aws:username":"bob"}})"));
  p.identity(stmt(R"({"Effect":"Allow","Action":"s3:GetObject","Resource":"*"})"));
  EXPECT_EQ(decide(p, request("s3:GetObject", "*", ctx({{"aws:username", {"alice"}}}))), A);
}

TEST(Evaluation, NotActionAllowsOnlyOnTheNamedResources) {
  Policies p;
  p.identity(
      stmt(R"({"Effect":"Allow","NotAction":"s3:DeleteBucket","Resource":"arn:aws:s3:::*"})"));
  EXPECT_EQ(decide(p, request("s3:GetObject", "arn:aws:s3:::b/k")), A);
  EXPECT_EQ(decide(p, request("s3:DeleteBucket", "arn:aws:s3:::b")), I);
  EXPECT_EQ(decide(p, request("ec2:RunInstances", "arn:aws:ec2:us-east-1:1:instance/*")), I);
  Policies deny;
  deny.identity(stmt(R"({"Effect":"Deny","NotAction":"iam:*","Resource":"*"})"));
  EXPECT_EQ(decide(deny, request("iam:GetUser", "*")),
            I);  // denies nothing it names, grants nothing
}

TEST(Evaluation, NotResourceScopesOnlyTheStatementsActions) {
  Policies p;
  p.identity(stmt(R"({"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::public/*"})"));
  p.identity(stmt(R"({"Effect":"Allow","Action":"*","Resource":"*"})"));
  EXPECT_EQ(decide(p, request("s3:GetObject", "arn:aws:s3:::private/k")), E);
  EXPECT_EQ(decide(p, request("s3:GetObject", "arn:aws:s3:::public/k")), A);
  EXPECT_EQ(decide(p, request("ec2:DescribeInstances", "*")), A);
}

TEST(Evaluation, BoundariesIntersectAndTheirDenyIsExplicit) {
  std::string admin = stmt(R"({"Effect":"Allow","Action":"*","Resource":"*"})");
  Policies p;
  p.identity(admin).boundary(stmt(R"({"Effect":"Allow","Action":"s3:*","Resource":"*"})"));
  EXPECT_EQ(decide(p, request("s3:GetObject", "*")), A);
  Evaluation ev = run(p, request("ec2:RunInstances", "*"));
  EXPECT_EQ(ev.decision, I);
  EXPECT_EQ(ev.because, PolicyType::Boundary);
  EXPECT_FALSE(ev.boundary_allows);
  // A boundary alone grants nothing.
  Policies only;
  only.boundary(admin);
  EXPECT_EQ(run(only, request("s3:GetObject", "*")).because, PolicyType::Identity);
  Policies deny;
  deny.identity(admin).boundary(stmt(
      R"([{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}])"));
  Evaluation d = run(deny, request("s3:DeleteObject", "*"));
  EXPECT_EQ(d.decision, E);
  EXPECT_EQ(d.because, PolicyType::Boundary);
}

TEST(Evaluation, ResourcePolicyNamingTheUserIsNotLimitedByTheBoundary) {
  std::string bucket_policy = stmt(
      R"({"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"})");
  Policies p;
  p.resource(bucket_policy).boundary(stmt(R"({"Effect":"Allow","Action":"ec2:*","Resource":"*"})"));
  EXPECT_EQ(decide(p, request("s3:GetObject", "arn:aws:s3:::b/k")), A);
  // Naming only the account hands the decision to identity policies.
  Policies account;
  account.resource(stmt(
      R"({"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"})"));
  EXPECT_EQ(decide(account, request("s3:GetObject", "arn:aws:s3:::b/k")), I);
}

TEST(Evaluation, TrustPolicies) {
  std::string service_trust = stmt(
      R"({"Effect":"Allow","Principal":{"Service":"codedeploy.amazonaws.com"},"Action":"sts:AssumeRole"})");
  Request svc = request("sts:AssumeRole", "arn:aws:iam::123456789012:role/r");
  svc.principal = {RequestPrincipal::Type::Service, "codedeploy.amazonaws.com", "", "123456789012",
                   "codedeploy.amazonaws.com"};
  Policies p;
  p.trust(service_trust);
  EXPECT_EQ(decide(p, svc), A);
  svc.principal.service = "ec2.amazonaws.com";
  Evaluation ev = run(p, svc);
  EXPECT_EQ(ev.decision, I);
  EXPECT_EQ(ev.because, PolicyType::Trust);

  // A user named directly needs nothing else; an account principal needs the identity allow.
  Request user = request("sts:AssumeRole", "arn:aws:iam::123456789012:role/r");
  Policies direct;
  direct.trust(stmt(
      R"({"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":"sts:AssumeRole"})"));
  EXPECT_EQ(decide(direct, user), A);
  Policies account;
  account.trust(stmt(
      R"({"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"})"));
  EXPECT_EQ(run(account, user).because, PolicyType::Identity);
  account.identity(stmt(R"({"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"})"));
  EXPECT_EQ(decide(account, user), A);
  // An identity allow without the trust policy naming the caller is not enough.
  Policies none;
  none.trust(service_trust)
      .identity(stmt(R"({"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"})"));
  EXPECT_EQ(run(none, user).because, PolicyType::Trust);
}

TEST(Conditions, StringFamily) {
  auto c = ctx({{"aws:username", {"Alice"}}});
  EXPECT_EQ(decide(Policies().identity(allow_if(R"({"StringEquals":{"aws:username":"Alice"}})")),
                   request("s3:GetObject", "*", c)),
            A);
  EXPECT_EQ(decide(Policies().identity(allow_if(R"({"StringEquals":{"aws:username":"alice"}})")),
                   request("s3:GetObject", "*", c)),
            I);
  EXPECT_EQ(decide(Policies().identity(
                       allow_if(R"({"StringEqualsIgnoreCase":{"aws:username":"alice"}})")),
                   request("s3:GetObject", "*", c)),
            A);
  EXPECT_EQ(decide(Policies().identity(
                       allow_if(R"({"StringNotEqualsIgnoreCase":{"aws:username":"ALICE"}})")),
                   request("s3:GetObject", "*", c)),
            I);
  EXPECT_EQ(decide(Policies().identity(allow_if(R"({"StringLike":{"aws:username":"A?i*"}})")),
                   request("s3:GetObject", "*", c)),
            A);
  EXPECT_EQ(decide(Policies().identity(allow_if(R"({"StringLike":{"aws:username":"a*"}})")),
                   request("s3:GetObject", "*", c)),
            I);  // Like is case-sensitive
  EXPECT_EQ(decide(Policies().identity(allow_if(R"({"StringNotLike":{"aws:username":"B*"}})")),
                   request("s3:GetObject", "*", c)),
            A);
  // Condition key names ignore case.
  EXPECT_EQ(decide(Policies().identity(allow_if(R"({"StringEquals":{"AWS:UserName":"Alice"}})")),
                   request("s3:GetObject", "*", c)),
            A);
}

TEST(Conditions, NegatedOperatorsWithSeveralValuesAreNor) {
  std::string p =
      allow_if(R"({"StringNotEquals":{"aws:PrincipalAccount":["111111111111","222222222222"]}})");
  EXPECT_EQ(decide(Policies().identity(p),
                   request("s3:GetObject", "*", ctx({{"aws:PrincipalAccount", {"111111111111"}}}))),
            I);
  EXPECT_EQ(decide(Policies().identity(p),
                   request("s3:GetObject", "*", ctx({{"aws:PrincipalAccount", {"333333333333"}}}))),
            A);
}

TEST(Conditions, MissingKeys) {
  Request bare = request("s3:GetObject", "*");
  EXPECT_EQ(decide(Policies().identity(allow_if(R"({"StringEquals":{"aws:username":"a"}})")), bare),
            I);
  EXPECT_EQ(
      decide(Policies().identity(allow_if(R"({"StringNotEquals":{"aws:username":"a"}})")), bare),
      A);
  EXPECT_EQ(
      decide(Policies().identity(allow_if(R"({"StringEqualsIfExists":{"aws:username":"a"}})")),
             bare),
      A);
  EXPECT_EQ(
      decide(Policies().identity(allow_if(R"({"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}})")),
             bare),
      A);
  EXPECT_EQ(decide(Policies().identity(
                       allow_if(R"({"ArnNotEquals":{"aws:SourceArn":"arn:aws:s3:::x"}})")),
                   bare),
            A);
  EXPECT_EQ(
      decide(Policies().identity(allow_if(R"({"NumericLessThan":{"s3:max-keys":"10"}})")), bare),
      I);
  // Deny + StringNotEqualsIfExists still denies untagged requests.
  Policies deny;
  deny.identity(stmt(R"({"Effect":"Allow","Action":"*","Resource":"*"})"));
  deny.identity(stmt(
      R"({"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:RequestTag/team":"web"}}})"));
  EXPECT_EQ(decide(deny, bare), E);
  // Deny + NotIpAddress denies requests without aws:SourceIp.
  Policies ip;
  ip.identity(stmt(R"({"Effect":"Allow","Action":"*","Resource":"*"})"));
  ip.identity(stmt(
      R"({"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}})"));
  EXPECT_EQ(decide(ip, bare), E);
  // The simulator reports what was missing.
  Evaluation ev =
      run(Policies().identity(allow_if(R"({"StringEquals":{"aws:username":"a"}})")), bare);
  ASSERT_EQ(ev.missing_context.size(), 1u);
  EXPECT_EQ(ev.missing_context[0], "aws:username");
}

TEST(Conditions, NullTestsPresence) {
  std::string absent = allow_if(R"({"Null":{"aws:TokenIssueTime":"true"}})");
  EXPECT_EQ(decide(Policies().identity(absent), request("s3:GetObject", "*")), A);
  EXPECT_EQ(
      decide(Policies().identity(absent),
             request("s3:GetObject", "*", ctx({{"aws:TokenIssueTime", {"2024-01-01T00:00:00Z"}}}))),
      I);
  std::string present = allow_if(R"({"Null":{"aws:TokenIssueTime":"false"}})");
  EXPECT_EQ(decide(Policies().identity(present), request("s3:GetObject", "*")), I);
}

TEST(Conditions, NumericFamily) {
  auto c = ctx({{"s3:max-keys", {"10"}}});
  auto d = [&](const std::string& cond) {
    return decide(Policies().identity(allow_if(cond)), request("s3:GetObject", "*", c));
  };
  EXPECT_EQ(d(R"({"NumericEquals":{"s3:max-keys":"10"}})"), A);
  EXPECT_EQ(d(R"({"NumericEquals":{"s3:max-keys":"10.0"}})"), A);
  EXPECT_EQ(d(R"({"NumericNotEquals":{"s3:max-keys":"10"}})"), I);
  EXPECT_EQ(d(R"({"NumericLessThan":{"s3:max-keys":"10"}})"), I);
  EXPECT_EQ(d(R"({"NumericLessThanEquals":{"s3:max-keys":"10"}})"), A);
  EXPECT_EQ(d(R"({"NumericGreaterThan":{"s3:max-keys":"9.5"}})"), A);
  EXPECT_EQ(d(R"({"NumericGreaterThanEquals":{"s3:max-keys":"11"}})"), I);
  EXPECT_EQ(d(R"({"NumericEquals":{"s3:max-keys":"ten"}})"), I);
}

TEST(Conditions, DateFamily) {
  auto c = ctx({{"aws:CurrentTime", {"2026-11-26T12:00:00Z"}}});
  auto d = [&](const std::string& cond) {
    return decide(Policies().identity(allow_if(cond)), request("s3:GetObject", "*", c));
  };
  EXPECT_EQ(d(R"({"DateGreaterThan":{"aws:CurrentTime":"2026-11-26T11:59:59Z"}})"), A);
  EXPECT_EQ(d(R"({"DateLessThan":{"aws:CurrentTime":"2026-11-26"}})"), I);
  EXPECT_EQ(d(R"({"DateEquals":{"aws:CurrentTime":"2026-11-26T14:00:00+02:00"}})"), A);
  EXPECT_EQ(d(R"({"DateNotEquals":{"aws:CurrentTime":"2026-11-26T12:00:00Z"}})"), I);
  EXPECT_EQ(d(R"({"DateLessThanEquals":{"aws:CurrentTime":"1795694400"}})"), A);  // epoch seconds
  EXPECT_EQ(d(R"({"DateGreaterThanEquals":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}})"), I);
  EXPECT_EQ(parse_date("2026-11-26T12:00:00.500Z").value() % 1000, 500);
  EXPECT_FALSE(parse_date("2026-02-30T25:00:00Z").has_value());
}

TEST(Conditions, BoolBinaryAndIp) {
  auto d = [&](const std::string& cond, ContextKeys c) {
    return decide(Policies().identity(allow_if(cond)), request("s3:GetObject", "*", std::move(c)));
  };
  EXPECT_EQ(
      d(R"({"Bool":{"aws:SecureTransport":"true"}})", ctx({{"aws:SecureTransport", {"true"}}})), A);
  EXPECT_EQ(
      d(R"({"Bool":{"aws:SecureTransport":true}})", ctx({{"aws:SecureTransport", {"false"}}})), I);
  // BoolIfExists false in a Deny catches long-term keys (no MFA key at all).
  Policies mfa;
  mfa.identity(stmt(R"({"Effect":"Allow","Action":"*","Resource":"*"})"));
  mfa.identity(stmt(
      R"({"Effect":"Deny","Action":"*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}})"));
  EXPECT_EQ(decide(mfa, request("s3:GetObject", "*")), E);
  EXPECT_EQ(d(R"({"BinaryEquals":{"s3:x":"QmluYXJ5"}})", ctx({{"s3:x", {"QmluYXJ5"}}})), A);
  EXPECT_EQ(d(R"({"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}})",
              ctx({{"aws:SourceIp", {"203.0.113.7"}}})),
            A);
  EXPECT_EQ(d(R"({"IpAddress":{"aws:SourceIp":"203.0.113.7"}})",
              ctx({{"aws:SourceIp", {"203.0.113.8"}}})),
            I);
  EXPECT_EQ(d(R"({"IpAddress":{"aws:SourceIp":"2001:db8::/32"}})",
              ctx({{"aws:SourceIp", {"2001:db8:1::5"}}})),
            A);
  EXPECT_EQ(
      d(R"({"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}})", ctx({{"aws:SourceIp", {"10.1.2.3"}}})),
      I);
}

TEST(Conditions, ArnMatchesPerSegmentUnlikeStringLike) {
  std::string arn = "arn:aws:iam::123456789012:role/a:b";
  auto c = ctx({{"aws:PrincipalArn", {arn}}});
  auto d = [&](const std::string& cond) {
    return decide(Policies().identity(allow_if(cond)), request("s3:GetObject", "*", c));
  };
  EXPECT_EQ(d(R"({"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/*"}})"), A);
  EXPECT_EQ(d(R"({"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::*:role/*"}})"), A);
  // '*' in the account segment may not swallow the following colon under ArnLike...
  EXPECT_EQ(d(R"({"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*"}})"), I);
  // ...but StringLike matches the whole text.
  EXPECT_EQ(d(R"({"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*"}})"), A);
  EXPECT_EQ(d(R"({"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/*"}})"), A);
  EXPECT_EQ(d(R"({"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/a:b"}})"), I);
}

TEST(Conditions, SetOperators) {
  ContextKeys tags = ctx({{"aws:TagKeys", {"key1a", "key1b"}}}, true);
  ContextKeys mixed = ctx({{"aws:TagKeys", {"key1a", "key2"}}}, true);
  ContextKeys other = ctx({{"aws:TagKeys", {"key2"}}}, true);
  auto d = [&](const std::string& cond, ContextKeys c) {
    return decide(Policies().identity(allow_if(cond)), request("s3:GetObject", "*", std::move(c)));
  };
  std::string all = R"({"ForAllValues:StringLike":{"aws:TagKeys":"key1*"}})";
  EXPECT_EQ(d(all, tags), A);
  EXPECT_EQ(d(all, mixed), I);
  EXPECT_EQ(d(all, {}), A);  // true when missing: pair it with Null
  std::string any = R"({"ForAnyValue:StringEquals":{"aws:TagKeys":["key2","key3"]}})";
  EXPECT_EQ(d(any, mixed), A);
  EXPECT_EQ(d(any, tags), I);
  EXPECT_EQ(d(any, {}), I);  // false when missing
  // The documentation's table for ForAllValues:StringNotLike "key1*".
  std::string not_like = R"({"ForAllValues:StringNotLike":{"aws:TagKeys":"key1*"}})";
  EXPECT_EQ(d(not_like, tags), I);
  EXPECT_EQ(d(not_like, other), A);
  EXPECT_EQ(d(not_like, {}), A);
  // ForAnyValue with a negated operator tests each value with the NOR rule.
  std::string any_not = R"({"ForAnyValue:StringNotEquals":{"aws:TagKeys":["key1a","key1b"]}})";
  EXPECT_EQ(d(any_not, tags), I);
  EXPECT_EQ(d(any_not, mixed), A);
}

TEST(Variables, SubstitutedInResourcesUnder2012Only) {
  auto c = ctx({{"aws:username", {"alice"}}});
  std::string res =
      R"({"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"})";
  EXPECT_EQ(decide(Policies().identity(stmt(res)),
                   request("s3:GetObject", "arn:aws:s3:::home/alice/x", c)),
            A);
  EXPECT_EQ(
      decide(Policies().identity(stmt(res)), request("s3:GetObject", "arn:aws:s3:::home/bob/x", c)),
      I);
  // Under 2008-10-17 the text is literal.
  EXPECT_EQ(decide(Policies().identity(stmt(res, "2008-10-17")),
                   request("s3:GetObject", "arn:aws:s3:::home/alice/x", c)),
            I);
  EXPECT_EQ(decide(Policies().identity(stmt(res, "2008-10-17")),
                   request("s3:GetObject", "arn:aws:s3:::home/${aws:username}/x", c)),
            A);
  // Unresolved: the entry matches nothing.
  EXPECT_EQ(decide(Policies().identity(stmt(res)), request("s3:GetObject", "arn:aws:s3:::home//x")),
            I);
}

TEST(Variables, DefaultsLiteralsAndSpecialCharacters) {
  std::string res =
      R"({"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:PrincipalTag/team, 'shared'}/*"})";
  EXPECT_EQ(
      decide(Policies().identity(stmt(res)), request("s3:GetObject", "arn:aws:s3:::b/shared/x")),
      A);
  EXPECT_EQ(
      decide(Policies().identity(stmt(res)), request("s3:GetObject", "arn:aws:s3:::b/web/x",
                                                     ctx({{"aws:PrincipalTag/team", {"web"}}}))),
      A);
  // Substituted text is literal, not a pattern.
  std::string like = allow_if(R"({"StringLike":{"s3:prefix":"${aws:username}/*"}})");
  EXPECT_EQ(decide(Policies().identity(like),
                   request("s3:GetObject", "*",
                           ctx({{"aws:username", {"*"}}, {"s3:prefix", {"bob/x"}}}))),
            I);
  EXPECT_EQ(
      decide(Policies().identity(like),
             request("s3:GetObject", "*", ctx({{"aws:username", {"*"}}, {"s3:prefix", {"*/x"}}}))),
      A);
  // ${*} is a literal star.
  std::string star =
      R"({"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${*}"})";
  EXPECT_EQ(decide(Policies().identity(stmt(star)), request("s3:GetObject", "arn:aws:s3:::b/*")),
            A);
  EXPECT_EQ(decide(Policies().identity(stmt(star)), request("s3:GetObject", "arn:aws:s3:::b/x")),
            I);
}

TEST(Variables, UnresolvedInAConditionIsNull) {
  // The documented Deny StringNotEquals example denies callers without the tag.
  Policies p;
  p.identity(stmt(R"({"Effect":"Allow","Action":"*","Resource":"*"})"));
  p.identity(stmt(
      R"({"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"StringNotEquals":{"s3:ExistingObjectTag/Team":"${aws:PrincipalTag/Team}"}}})"));
  auto tagged = ctx({{"s3:ExistingObjectTag/Team", {"web"}}});
  EXPECT_EQ(decide(p, request("s3:GetObject", "*", tagged)), E);
  tagged["aws:principaltag/team"] = {{"web"}, false};
  EXPECT_EQ(decide(p, request("s3:GetObject", "*", tagged)), A);
}

TEST(Messages, AwsForms) {
  Request req = request("s3:GetObject", "arn:aws:s3:::b/k");
  Evaluation implicit;
  implicit.decision = I;
  EXPECT_EQ(denial_message(req, implicit),
            "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: "
            "s3:GetObject on resource: arn:aws:s3:::b/k because no identity-based policy allows "
            "the s3:GetObject action");
  Evaluation boundary = implicit;
  boundary.because = PolicyType::Boundary;
  EXPECT_NE(denial_message(req, boundary).find("because no permissions boundary allows"),
            std::string::npos);
  Evaluation deny;
  deny.decision = E;
  EXPECT_EQ(denial_message(request("ec2:DescribeInstances", "*"), deny),
            "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: "
            "ec2:DescribeInstances with an explicit deny in an identity-based policy");
}

}  // namespace
}  // namespace deploysim::fake::iam
