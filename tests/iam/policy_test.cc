// Write-time validation: each MalformedPolicyDocument text of iam.md §4, in AWS's check order.
#include <gtest/gtest.h>

#include "fake_services/iam/policy.h"

namespace deploysim::fake::iam {
namespace {

std::string error_of(const std::string& doc, PolicyKind kind = PolicyKind::Identity,
                     bool managed = false) {
  auto r = parse_policy(doc, {kind, managed});
  if (r.ok()) return "(accepted)";
  EXPECT_EQ(r.error().code, "MalformedPolicyDocument");
  return r.error().message;
}

// A statement around `body`, in a 2012-10-17 document.
std::string doc(const std::string& body) {
  return R"({"Version":"2012-10-17","Statement":)" + body + "}";
}

const std::string kSyntax = "Syntax errors in policy.";

TEST(PolicyGrammar, AValidDocumentParsesWithStatementPositions) {
  auto r = parse_policy(
      "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Sid\": \"A1\", \"Effect\": "
      "\"Allow\", \"Action\": \"S3:Get*\", \"Resource\": \"*\"}\n  ]\n}",
      {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r.value().statements.size(), 1u);
  const Statement& s = r.value().statements[0];
  EXPECT_EQ(s.actions[0], "s3:get*");  // actions compare without case
  EXPECT_EQ(s.start.line, 4);
  EXPECT_EQ(s.start.column, 5);
  EXPECT_EQ(s.end.line, 4);
  EXPECT_TRUE(r.value().variables);
}

TEST(PolicyGrammar, StatementMayBeAnObjectOrAnArray) {
  EXPECT_EQ(error_of(doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"*"})")), "(accepted)");
  EXPECT_EQ(error_of(doc(R"([{"Effect":"Allow","Action":"s3:*","Resource":"*"}])")), "(accepted)");
}

TEST(PolicyGrammar, SyntaxErrors) {
  EXPECT_EQ(error_of("not json"), kSyntax);
  EXPECT_EQ(error_of("[]"), kSyntax);
  EXPECT_EQ(error_of(doc("[]")), kSyntax);
  EXPECT_EQ(error_of(doc(R"("text")")), kSyntax);
  EXPECT_EQ(error_of(R"({"Version":"2012-10-17"})"), kSyntax);
  EXPECT_EQ(
      error_of(
          R"({"Version":"2013-01-01","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}})"),
      kSyntax);
  EXPECT_EQ(
      error_of(
          R"({"Version":"2012-10-17","Extra":1,"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}})"),
      kSyntax);
  EXPECT_EQ(error_of(doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"*","Bogus":1})")),
            kSyntax);
  EXPECT_EQ(error_of(doc(R"({"Effect":"Permit","Action":"s3:*","Resource":"*"})")), kSyntax);
  EXPECT_EQ(error_of(doc(R"({"Action":"s3:*","Resource":"*"})")), kSyntax);
  EXPECT_EQ(
      error_of(doc(R"({"Effect":"Allow","Action":"s3:*","NotAction":"s3:x","Resource":"*"})")),
      kSyntax);
  EXPECT_EQ(error_of(doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"*","NotResource":"*"})")),
            kSyntax);
  EXPECT_EQ(error_of(doc(R"({"Effect":"Allow","Action":[1],"Resource":"*"})")), kSyntax);
  EXPECT_EQ(error_of(doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":"x"})")),
            kSyntax);
  EXPECT_EQ(
      error_of(doc(
          R"({"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":"x"}})")),
      kSyntax);
  EXPECT_EQ(
      error_of(doc(
          R"({"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{"a:b":"x"}}})")),
      kSyntax);
  // An unknown operator with an empty block is tolerated.
  EXPECT_EQ(
      error_of(doc(
          R"({"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{}}})")),
      "(accepted)");
  EXPECT_EQ(error_of(doc(R"({"Sid":1,"Effect":"Allow","Action":"s3:*","Resource":"*"})")), kSyntax);
}

TEST(PolicyGrammar, DuplicateKeysAreRefusedNotMerged) {
  EXPECT_EQ(error_of(doc(R"({"Effect":"Allow","Effect":"Deny","Action":"s3:*","Resource":"*"})")),
            kSyntax);
}

TEST(PolicyGrammar, ManagedPoliciesNeedVersion2012) {
  std::string old =
      R"({"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}})";
  EXPECT_EQ(error_of(old, PolicyKind::Identity, true),
            "Policy document must be version 2012-10-17 or greater.");
  EXPECT_EQ(error_of(old), "(accepted)");
  std::string none = R"({"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}})";
  EXPECT_EQ(error_of(none, PolicyKind::Identity, true),
            "Policy document must be version 2012-10-17 or greater.");
}

TEST(PolicyGrammar, LegacyParsing) {
  const std::string legacy = "The policy failed legacy parsing";
  EXPECT_EQ(error_of(doc(R"({"Effect":"allow","Action":"s3:*","Resource":"*"})")), legacy);
  EXPECT_EQ(
      error_of(doc(
          R"({"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2024-13-01"}}})")),
      legacy);
  EXPECT_EQ(error_of(doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3::bucket"})")),
            legacy);
  EXPECT_EQ(
      error_of(doc(
          R"({"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2024-01-01T10:00:00Z"}}})")),
      "(accepted)");
}

TEST(PolicyGrammar, StatementIds) {
  EXPECT_EQ(
      error_of(doc(
          R"([{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}])")),
      "Statement IDs (SID) in a single policy must be unique.");
  EXPECT_EQ(error_of(doc(R"({"Sid":"not-alnum","Effect":"Allow","Action":"s3:*","Resource":"*"})")),
            "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the "
            "regular expression [0-9A-Za-z]*");
}

TEST(PolicyGrammar, ActionsAndResourcesMustBePresent) {
  EXPECT_EQ(error_of(doc(R"({"Effect":"Allow","Resource":"*"})")),
            "Policy statement must contain actions.");
  EXPECT_EQ(error_of(doc(R"({"Effect":"Allow","Action":[],"Resource":"*"})")),
            "Policy statement must contain actions.");
  EXPECT_EQ(error_of(doc(R"({"Effect":"Allow","Action":"s3:*"})")),
            "Policy statement must contain resources.");
  EXPECT_EQ(error_of(doc(R"({"Effect":"Allow","Action":"s3:*","Resource":[]})")),
            "Policy statement must contain resources.");
}

TEST(PolicyGrammar, ResourceFormats) {
  EXPECT_EQ(error_of(doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"bucket"})")),
            "Resource bucket must be in ARN format or \"*\".");
  EXPECT_EQ(error_of(doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"arn:aws-x:s3:::b"})")),
            "Partition \"aws-x\" is not valid for resource \"arn:aws-x:s3:::b\".");
  EXPECT_EQ(
      error_of(doc(
          R"({"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam:us-east-1:123456789012:user/x"})")),
      "IAM resource arn:aws:iam:us-east-1:123456789012:user/x cannot contain region "
      "information.");
  EXPECT_EQ(
      error_of(doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:us-east-1::b"})")),
      "Resource arn:aws:s3:us-east-1::b can not contain region information.");
  EXPECT_EQ(
      error_of(doc(
          R"({"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::123456789012:thing/x"})")),
      "IAM resource path must either be \"*\" or start with user/, federated-user/, role/, "
      "group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, "
      "saml-provider/, oidc-provider/, report/, access-report/.");
}

TEST(PolicyGrammar, VendorPrefixes) {
  EXPECT_EQ(error_of(doc(R"({"Effect":"Allow","Action":"GetObject","Resource":"*"})")),
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
  EXPECT_EQ(error_of(doc(R"({"Effect":"Allow","Action":"s3:Get:Object","Resource":"*"})")),
            "Actions/Condition can contain only one colon.");
  EXPECT_EQ(error_of(doc(R"({"Effect":"Allow","Action":"s_3:GetObject","Resource":"*"})")),
            "Vendor s_3 is not valid");
  EXPECT_EQ(error_of(doc(R"({"Effect":"Allow","Action":"*","Resource":"*"})")), "(accepted)");
}

TEST(PolicyGrammar, PrincipalOnlyWhereAllowed) {
  EXPECT_EQ(error_of(doc(R"({"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"})")),
            "Policy document should not specify a principal.");
  std::string trust = doc(
      R"({"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"})");
  EXPECT_EQ(error_of(trust, PolicyKind::Trust), "(accepted)");
  EXPECT_EQ(
      error_of(
          doc(R"({"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"})"),
          PolicyKind::Trust),
      "Has prohibited field Resource.");
  EXPECT_EQ(
      error_of(
          doc(R"({"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"s3:GetObject"})"),
          PolicyKind::Trust),
      "Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  "
      "and sts:AssumeRoleWithWebIdentity");
  EXPECT_EQ(
      error_of(doc(R"({"Effect":"Allow","Principal":{"Robot":"x"},"Action":"sts:AssumeRole"})"),
               PolicyKind::Trust),
      kSyntax);
}

TEST(PolicyGrammar, SizeCountsNoWhitespaceOutsideStrings) {
  EXPECT_EQ(policy_size("{ \"a b\" : [ 1 , 2 ] }"), std::string("{\"a b\":[1,2]}").size());
}

TEST(Glob, StarQuestionMarkAndEscapes) {
  EXPECT_TRUE(glob_match("a*c", "abbbc"));
  EXPECT_TRUE(glob_match("a*", "a/b:c"));
  EXPECT_TRUE(glob_match("a?c", "abc"));
  EXPECT_FALSE(glob_match("a?c", "ac"));
  EXPECT_FALSE(glob_match("a.c", "abc"));  // '.' is literal, not a regex
  EXPECT_TRUE(glob_match("a\\*c", "a*c", true));
  EXPECT_FALSE(glob_match("a\\*c", "abc", true));
  EXPECT_TRUE(glob_match_icase("S3:GET*", "s3:getobject"));
}

}  // namespace
}  // namespace deploysim::fake::iam
