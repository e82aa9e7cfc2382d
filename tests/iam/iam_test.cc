// The iam service: entities with AWS's errors, and IAM deciding calls through the dispatcher.
#include <gtest/gtest.h>

#include "tests/harness.h"

namespace deploysim {
namespace {

const std::string kTrustEc2 =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]})";
const std::string kS3Read =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]})";

class IamTest : public ::testing::Test {
 protected:
  testing::Harness h;

  api::Principal as(const std::string& spec) {
    auto p = h.world().dispatcher().resolve_principal(spec, h.world().config().account);
    EXPECT_TRUE(p.ok()) << spec;
    return p.ok() ? p.value() : api::Principal{};
  }
  sim::Result<api::Response> call_as(const std::string& spec, const std::string& service,
                                     const std::string& op, json::object params = {}) {
    api::Call c{service, op, std::move(params), as(spec)};
    return h.world().dispatcher().call(c);
  }
  void user(const std::string& name) { h.ok("iam", "CreateUser", {{"UserName", name}}); }
};

TEST_F(IamTest, UsersHaveArnsIdsAndCaseInsensitiveNames) {
  auto u = h.ok("iam", "CreateUser", {{"UserName", "Deployer"}, {"Path", "/ci/"}});
  const auto& user = u.at("User").as_object();
  EXPECT_EQ(user.at("Arn").as_string(), "arn:aws:iam::123456789012:user/ci/Deployer");
  EXPECT_EQ(std::string(user.at("UserId").as_string()).substr(0, 4), "AIDA");
  EXPECT_EQ(user.at("UserId").as_string().size(), 21u);
  auto e = h.fails("iam", "CreateUser", {{"UserName", "DEPLOYER"}});
  EXPECT_EQ(e.code, "EntityAlreadyExists");
  EXPECT_EQ(e.message, "User with name DEPLOYER already exists.");
  EXPECT_EQ(e.http_status, 409);
  EXPECT_EQ(h.ok("iam", "GetUser", {{"UserName", "deployer"}}).at("User").at("UserName"),
            "Deployer");
}

TEST_F(IamTest, NameAndPathRules) {
  auto e = h.fails("iam", "CreateRole",
                   {{"RoleName", "bad name"}, {"AssumeRolePolicyDocument", kTrustEc2}});
  EXPECT_EQ(e.code, "ValidationError");
  EXPECT_EQ(e.message,
            "The specified value for roleName is invalid. It must contain only alphanumeric "
            "characters and/or the following: +=,.@_-");
  e = h.fails("iam", "CreateRole",
              {{"RoleName", std::string(65, 'r')}, {"AssumeRolePolicyDocument", kTrustEc2}});
  EXPECT_EQ(e.message,
            "1 validation error detected: Value '" + std::string(65, 'r') +
                "' at 'roleName' failed to satisfy constraint: Member must have length less than "
                "or equal to 64");
  e = h.fails("iam", "CreateUser", {{"UserName", "u"}, {"Path", "ci"}});
  EXPECT_EQ(e.message,
            "The specified value for path is invalid. It must begin and end with / and contain "
            "only alphanumeric characters and/or / characters.");
}

TEST_F(IamTest, MissingEntitiesAreNoSuchEntity) {
  auto e = h.fails("iam", "GetRole", {{"RoleName", "nope"}});
  EXPECT_EQ(e.code, "NoSuchEntity");
  EXPECT_EQ(e.message, "The role with name nope cannot be found.");
  EXPECT_EQ(e.http_status, 404);
  EXPECT_EQ(h.fails("iam", "GetInstanceProfile", {{"InstanceProfileName", "p"}}).message,
            "Instance Profile p cannot be found.");
  user("u");
  EXPECT_EQ(h.fails("iam", "GetUserPolicy", {{"UserName", "u"}, {"PolicyName", "x"}}).message,
            "The user policy with name x cannot be found.");
  EXPECT_EQ(h.fails("iam", "AttachUserPolicy",
                    {{"UserName", "u"}, {"PolicyArn", "arn:aws:iam::aws:policy/Nope"}})
                .message,
            "Policy arn:aws:iam::aws:policy/Nope does not exist or is not attachable.");
  EXPECT_EQ(h.fails("iam", "AttachUserPolicy",
                    {{"UserName", "u"}, {"PolicyArn", "not-an-arn-at-all-xyz"}})
                .code,
            "InvalidInput");
}

TEST_F(IamTest, AwsManagedPoliciesExistAtTheirArns) {
  auto p = h.ok("iam", "GetPolicy",
                {{"PolicyArn", "arn:aws:iam::aws:policy/service-role/AWSCodeDeployRole"}});
  EXPECT_EQ(p.at("Policy").at("DefaultVersionId"), "v11");
  EXPECT_EQ(p.at("Policy").at("Path"), "/service-role/");
  auto v = h.ok(
      "iam", "GetPolicyVersion",
      {{"PolicyArn", "arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforAWSCodeDeployLimited"},
       {"VersionId", "v2"}});
  EXPECT_EQ(v.at("PolicyVersion")
                .at("Document")
                .at("Statement")
                .at(1)
                .at("Condition")
                .at("StringEquals")
                .at("s3:ExistingObjectTag/UseWithCodeDeploy")
                .as_string(),
            "true");
  auto listed = h.ok("iam", "ListPolicies", {{"Scope", "AWS"}, {"MaxItems", 100}});
  std::vector<std::string> names;
  for (const auto& x : listed.at("Policies").as_array())
    names.emplace_back(x.at("PolicyName").as_string());
  for (const char* n : {"AdministratorAccess", "ReadOnlyAccess", "AmazonS3ReadOnlyAccess",
                        "AmazonS3FullAccess", "AWSCodeDeployRole", "AmazonEC2RoleforAWSCodeDeploy",
                        "AmazonEC2RoleforAWSCodeDeployLimited", "AWSCodeDeployFullAccess",
                        "AWSCodeDeployDeployerAccess", "AWSCodeDeployReadOnlyAccess"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  }
}

TEST_F(IamTest, PolicyVersionsQuotaAndDefaults) {
  auto p = h.ok("iam", "CreatePolicy", {{"PolicyName", "read"}, {"PolicyDocument", kS3Read}});
  std::string arn(p.at("Policy").at("Arn").as_string());
  EXPECT_EQ(std::string(p.at("Policy").at("PolicyId").as_string()).substr(0, 4), "ANPA");
  for (int i = 2; i <= 5; ++i) {
    auto v = h.ok("iam", "CreatePolicyVersion",
                  {{"PolicyArn", arn}, {"PolicyDocument", kS3Read}, {"SetAsDefault", i == 3}});
    EXPECT_EQ(v.at("PolicyVersion").at("VersionId").as_string(), "v" + std::to_string(i));
  }
  auto e = h.fails("iam", "CreatePolicyVersion", {{"PolicyArn", arn}, {"PolicyDocument", kS3Read}});
  EXPECT_EQ(e.code, "LimitExceeded");
  EXPECT_EQ(e.message,
            "A managed policy can have up to 5 versions. Before you create a new version, you "
            "must delete an existing version.");
  EXPECT_EQ(h.ok("iam", "GetPolicy", {{"PolicyArn", arn}}).at("Policy").at("DefaultVersionId"),
            "v3");
  e = h.fails("iam", "DeletePolicyVersion", {{"PolicyArn", arn}, {"VersionId", "v3"}});
  EXPECT_EQ(e.code, "DeleteConflict");
  EXPECT_EQ(e.message, "Cannot delete the default version of a policy.");
  EXPECT_EQ(h.fails("iam", "DeletePolicy", {{"PolicyArn", arn}}).code, "DeleteConflict");
  e = h.fails("iam", "CreatePolicy", {{"PolicyName", "READ"}, {"PolicyDocument", kS3Read}});
  EXPECT_EQ(e.message, "A policy called READ already exists. Duplicate names are not allowed.");
  e = h.fails(
      "iam", "CreatePolicy",
      {{"PolicyName", "old"},
       {"PolicyDocument", R"({"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}})"}});
  EXPECT_EQ(e.code, "MalformedPolicyDocument");
  EXPECT_EQ(e.message, "Policy document must be version 2012-10-17 or greater.");
}

TEST_F(IamTest, DeletionConflicts) {
  user("u");
  h.ok("iam", "CreateGroup", {{"GroupName", "g"}});
  h.ok("iam", "AddUserToGroup", {{"GroupName", "g"}, {"UserName", "u"}});
  EXPECT_EQ(h.fails("iam", "DeleteUser", {{"UserName", "u"}}).message,
            "Cannot delete entity, must remove users from group first.");
  EXPECT_EQ(h.fails("iam", "DeleteGroup", {{"GroupName", "g"}}).message,
            "Cannot delete entity, must remove users from group first.");
  h.ok("iam", "RemoveUserFromGroup", {{"GroupName", "g"}, {"UserName", "u"}});
  h.ok("iam", "PutUserPolicy",
       {{"UserName", "u"}, {"PolicyName", "p"}, {"PolicyDocument", kS3Read}});
  EXPECT_EQ(h.fails("iam", "DeleteUser", {{"UserName", "u"}}).message,
            "Cannot delete entity, must delete policies first.");
  h.ok("iam", "DeleteUserPolicy", {{"UserName", "u"}, {"PolicyName", "p"}});
  std::string admin = "arn:aws:iam::aws:policy/AdministratorAccess";
  h.ok("iam", "AttachUserPolicy", {{"UserName", "u"}, {"PolicyArn", admin}});
  EXPECT_EQ(h.fails("iam", "DeleteUser", {{"UserName", "u"}}).message,
            "Cannot delete entity, must detach all policies first.");
  h.ok("iam", "DetachUserPolicy", {{"UserName", "u"}, {"PolicyArn", admin}});
  EXPECT_EQ(h.fails("iam", "DetachUserPolicy", {{"UserName", "u"}, {"PolicyArn", admin}}).message,
            "Policy arn:aws:iam::aws:policy/AdministratorAccess was not found.");
  h.ok("iam", "DeleteUser", {{"UserName", "u"}});

  auto p = h.ok("iam", "CreatePolicy", {{"PolicyName", "read"}, {"PolicyDocument", kS3Read}});
  std::string arn(p.at("Policy").at("Arn").as_string());
  h.ok("iam", "CreateRole", {{"RoleName", "r"}, {"AssumeRolePolicyDocument", kTrustEc2}});
  h.ok("iam", "AttachRolePolicy", {{"RoleName", "r"}, {"PolicyArn", arn}});
  EXPECT_EQ(h.fails("iam", "DeletePolicy", {{"PolicyArn", arn}}).message,
            "Cannot delete a policy attached to entities.");
  h.ok("iam", "CreateInstanceProfile", {{"InstanceProfileName", "ip"}});
  h.ok("iam", "AddRoleToInstanceProfile", {{"InstanceProfileName", "ip"}, {"RoleName", "r"}});
  EXPECT_EQ(h.fails("iam", "DeleteRole", {{"RoleName", "r"}}).message,
            "Cannot delete entity, must remove roles from instance profile first.");
  EXPECT_EQ(h.fails("iam", "DeleteInstanceProfile", {{"InstanceProfileName", "ip"}}).code,
            "DeleteConflict");
}

TEST_F(IamTest, InstanceProfilesHoldOneRole) {
  h.ok("iam", "CreateRole", {{"RoleName", "a"}, {"AssumeRolePolicyDocument", kTrustEc2}});
  h.ok("iam", "CreateRole", {{"RoleName", "b"}, {"AssumeRolePolicyDocument", kTrustEc2}});
  auto p = h.ok("iam", "CreateInstanceProfile", {{"InstanceProfileName", "web"}});
  EXPECT_EQ(std::string(p.at("InstanceProfile").at("InstanceProfileId").as_string()).substr(0, 4),
            "AIPA");
  h.ok("iam", "AddRoleToInstanceProfile", {{"InstanceProfileName", "web"}, {"RoleName", "a"}});
  auto e = h.fails("iam", "AddRoleToInstanceProfile",
                   {{"InstanceProfileName", "web"}, {"RoleName", "b"}});
  EXPECT_EQ(e.code, "LimitExceeded");
  EXPECT_EQ(e.message, "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
  auto listed = h.ok("iam", "ListInstanceProfilesForRole", {{"RoleName", "a"}});
  ASSERT_EQ(listed.at("InstanceProfiles").as_array().size(), 1u);
  EXPECT_EQ(listed.at("InstanceProfiles").at(0).at("Roles").at(0).at("RoleName"), "a");
  // Creating a role does not create a profile (that is the console's doing).
  EXPECT_EQ(h.ok("iam", "ListInstanceProfilesForRole", {{"RoleName", "b"}})
                .at("InstanceProfiles")
                .as_array()
                .size(),
            0u);
  h.fails("iam", "CreateInstanceProfile", {{"InstanceProfileName", "WEB"}});
}

TEST_F(IamTest, TrustPoliciesAreCheckedWhenWritten) {
  auto e = h.fails(
      "iam", "CreateRole",
      {{"RoleName", "r"},
       {"AssumeRolePolicyDocument",
        R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/ghost"},"Action":"sts:AssumeRole"}})"}});
  EXPECT_EQ(e.code, "MalformedPolicyDocument");
  EXPECT_EQ(e.message,
            "Invalid principal in policy: \"AWS\":\"arn:aws:iam::123456789012:user/ghost\"");
  e = h.fails(
      "iam", "CreateRole",
      {{"RoleName", "r"},
       {"AssumeRolePolicyDocument",
        R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}})"}});
  EXPECT_EQ(e.message, "Has prohibited field Resource.");
  auto r = h.ok("iam", "CreateRole", {{"RoleName", "r"}, {"AssumeRolePolicyDocument", kTrustEc2}});
  // The document comes back decoded, as the AWS CLI shows it.
  EXPECT_TRUE(r.at("Role").at("AssumeRolePolicyDocument").is_object());
  EXPECT_EQ(std::string(r.at("Role").at("RoleId").as_string()).substr(0, 4), "AROA");
}

TEST_F(IamTest, InlinePolicySizeLimits) {
  user("u");
  std::string actions;
  for (int i = 0; i < 120; ++i)
    actions += (i ? "," : "") + std::string("\"s3:GetObjectVersionTagging\"");
  std::string big = R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":[)" +
                    actions + R"(],"Resource":"*"}})";
  auto e = h.fails("iam", "PutUserPolicy",
                   {{"UserName", "u"}, {"PolicyName", "big"}, {"PolicyDocument", big}});
  EXPECT_EQ(e.code, "LimitExceeded");
  EXPECT_EQ(e.message, "Maximum policy size of 2048 bytes exceeded for user u");
  h.ok("iam", "CreateRole", {{"RoleName", "r"}, {"AssumeRolePolicyDocument", kTrustEc2}});
  h.ok("iam", "PutRolePolicy", {{"RoleName", "r"}, {"PolicyName", "big"}, {"PolicyDocument", big}});
}

TEST_F(IamTest, AttachQuotaIsTenPerEntity) {
  user("u");
  for (int i = 0; i < 10; ++i) {
    auto p = h.ok("iam", "CreatePolicy",
                  {{"PolicyName", "p" + std::to_string(i)}, {"PolicyDocument", kS3Read}});
    h.ok("iam", "AttachUserPolicy", {{"UserName", "u"}, {"PolicyArn", p.at("Policy").at("Arn")}});
  }
  auto e = h.fails("iam", "AttachUserPolicy",
                   {{"UserName", "u"}, {"PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess"}});
  EXPECT_EQ(e.message, "Cannot exceed quota for PoliciesPerUser: 10");
}

// --- enforcement ---------------------------------------------------------------------------

TEST_F(IamTest, AUserWithoutPermissionIsRefusedInTheServicesOwnCode) {
  user("dev");
  auto r = call_as("user/dev", "s3", "ListBuckets");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "AccessDenied");
  EXPECT_EQ(r.error().message,
            "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: "
            "s3:ListAllMyBuckets because no identity-based policy allows the s3:ListAllMyBuckets "
            "action");
  r = call_as("user/dev", "ec2", "DescribeInstances");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "UnauthorizedOperation");
  r = call_as("user/dev", "iam", "GetRole", {{"RoleName", "x"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: iam:GetRole "
            "on resource: arn:aws:iam::123456789012:role/x because no identity-based policy "
            "allows the iam:GetRole action");
  // GetCallerIdentity is never denied.
  EXPECT_TRUE(call_as("user/dev", "sts", "GetCallerIdentity").ok());
}

TEST_F(IamTest, GroupPoliciesAndManagedPoliciesGrant) {
  user("dev");
  h.ok("iam", "CreateGroup", {{"GroupName", "readers"}});
  h.ok("iam", "AttachGroupPolicy",
       {{"GroupName", "readers"}, {"PolicyArn", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}});
  EXPECT_FALSE(call_as("user/dev", "s3", "ListBuckets").ok());
  h.ok("iam", "AddUserToGroup", {{"GroupName", "readers"}, {"UserName", "dev"}});
  EXPECT_TRUE(call_as("user/dev", "s3", "ListBuckets").ok());
  auto r = call_as("user/dev", "s3", "CreateBucket", {{"Bucket", "bkt1"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: "
            "s3:CreateBucket on resource: arn:aws:s3:::bkt1 because no identity-based policy "
            "allows the s3:CreateBucket action");
}

TEST_F(IamTest, ExplicitDenyAndBoundaryMessages) {
  user("dev");
  h.ok("iam", "AttachUserPolicy",
       {{"UserName", "dev"}, {"PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess"}});
  h.ok(
      "iam", "PutUserPolicy",
      {{"UserName", "dev"},
       {"PolicyName", "no-delete"},
       {"PolicyDocument",
        R"({"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}})"}});
  h.ok("s3", "CreateBucket", {{"Bucket", "bkt1"}});
  auto r = call_as("user/dev", "s3", "DeleteBucket", {{"Bucket", "bkt1"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: "
            "s3:DeleteBucket on resource: arn:aws:s3:::bkt1 with an explicit deny in an "
            "identity-based policy");
  h.ok("iam", "PutUserPermissionsBoundary",
       {{"UserName", "dev"},
        {"PermissionsBoundary", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}});
  r = call_as("user/dev", "iam", "ListUsers");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: "
            "iam:ListUsers because no permissions boundary allows the iam:ListUsers action");
  EXPECT_TRUE(call_as("user/dev", "s3", "ListBuckets").ok());
}

TEST_F(IamTest, PolicyVariablesUseTheCallersName) {
  user("alice");
  h.ok("s3", "CreateBucket", {{"Bucket", "home"}});
  h.ok(
      "iam", "PutUserPolicy",
      {{"UserName", "alice"},
       {"PolicyName", "own-folder"},
       {"PolicyDocument",
        R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}})"}});
  EXPECT_TRUE(call_as("user/alice", "s3", "PutObject",
                      {{"Bucket", "home"}, {"Key", "alice/a.txt"}, {"Body", "x"}})
                  .ok());
  EXPECT_FALSE(call_as("user/alice", "s3", "PutObject",
                       {{"Bucket", "home"}, {"Key", "bob/a.txt"}, {"Body", "x"}})
                   .ok());
}

TEST_F(IamTest, AssumeRoleFollowsTheTrustPolicy) {
  user("dev");
  std::string trust_dev =
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/dev"},"Action":"sts:AssumeRole"}})";
  h.ok("iam", "CreateRole", {{"RoleName", "deploy"}, {"AssumeRolePolicyDocument", trust_dev}});
  h.ok("iam", "CreateRole", {{"RoleName", "ec2role"}, {"AssumeRolePolicyDocument", kTrustEc2}});
  auto ok =
      call_as("user/dev", "sts", "AssumeRole",
              {{"RoleArn", "arn:aws:iam::123456789012:role/deploy"}, {"RoleSessionName", "s1"}});
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  const auto& who = ok.value().body.at("AssumedRoleUser").as_object();
  EXPECT_EQ(who.at("Arn"), "arn:aws:sts::123456789012:assumed-role/deploy/s1");
  EXPECT_EQ(
      std::string(ok.value().body.at("Credentials").at("AccessKeyId").as_string()).substr(0, 4),
      "ASIA");
  auto denied =
      call_as("user/dev", "sts", "AssumeRole",
              {{"RoleArn", "arn:aws:iam::123456789012:role/ec2role"}, {"RoleSessionName", "s1"}});
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, "AccessDenied");
  EXPECT_EQ(denied.error().message,
            "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: "
            "sts:AssumeRole on resource: arn:aws:iam::123456789012:role/ec2role because no role "
            "trust policy allows the sts:AssumeRole action");
  // A service principal named in the trust policy may assume the role.
  api::Call svc{"sts",
                "AssumeRole",
                {{"RoleArn", "arn:aws:iam::123456789012:role/ec2role"}, {"RoleSessionName", "i-1"}},
                api::Principal{api::Principal::Kind::Service, "ec2.amazonaws.com",
                               "ec2.amazonaws.com", "", ""}};
  EXPECT_TRUE(h.world().dispatcher().call(svc).ok());
  svc.principal.name = "codedeploy.amazonaws.com";
  EXPECT_FALSE(h.world().dispatcher().call(svc).ok());
  auto duration = call_as("user/dev", "sts", "AssumeRole",
                          {{"RoleArn", "arn:aws:iam::123456789012:role/deploy"},
                           {"RoleSessionName", "s1"},
                           {"DurationSeconds", 7200}});
  ASSERT_FALSE(duration.ok());
  EXPECT_EQ(duration.error().message,
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
}

TEST_F(IamTest, RoleSessionsActWithTheRolesPolicies) {
  h.ok("iam", "CreateRole", {{"RoleName", "reader"}, {"AssumeRolePolicyDocument", kTrustEc2}});
  h.ok("iam", "AttachRolePolicy",
       {{"RoleName", "reader"},
        {"PolicyArn", "arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforAWSCodeDeploy"}});
  h.ok("s3", "CreateBucket", {{"Bucket", "rev"}});
  h.ok("s3", "PutObject", {{"Bucket", "rev"}, {"Key", "app.zip"}, {"Body", "zip"}});
  EXPECT_TRUE(
      call_as("role/reader/i-0abc", "s3", "GetObject", {{"Bucket", "rev"}, {"Key", "app.zip"}})
          .ok());
  auto r = call_as("role/reader/i-0abc", "s3", "PutObject",
                   {{"Bucket", "rev"}, {"Key", "x"}, {"Body", "y"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "User: arn:aws:sts::123456789012:assumed-role/reader/i-0abc is not authorized to "
            "perform: s3:PutObject on resource: arn:aws:s3:::rev/x because no identity-based "
            "policy allows the s3:PutObject action");
  auto id = call_as("role/reader/i-0abc", "sts", "GetCallerIdentity");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(std::string(id.value().body.at("UserId").as_string()).substr(0, 4), "AROA");
}

TEST_F(IamTest, SimulatePrincipalPolicyAnswersLikeAws) {
  user("dev");
  h.ok("iam", "AttachUserPolicy",
       {{"UserName", "dev"}, {"PolicyArn", "arn:aws:iam::aws:policy/AWSCodeDeployDeployerAccess"}});
  auto r = h.ok("iam", "SimulatePrincipalPolicy",
                {{"PolicySourceArn", "arn:aws:iam::123456789012:user/dev"},
                 {"ActionNames",
                  json::array{"codedeploy:CreateDeployment", "codedeploy:DeleteApplication"}}});
  const auto& results = r.at("EvaluationResults").as_array();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].at("EvalDecision"), "allowed");
  EXPECT_EQ(results[0].at("MatchedStatements").at(0).at("SourcePolicyId"),
            "arn:aws:iam::aws:policy/AWSCodeDeployDeployerAccess");
  EXPECT_EQ(results[0].at("MatchedStatements").at(0).at("SourcePolicyType"), "aws-managed");
  EXPECT_EQ(results[1].at("EvalDecision"), "implicitDeny");
  auto e =
      h.fails("iam", "SimulateCustomPolicy",
              {{"PolicyInputList", json::array{kS3Read}},
               {"ActionNames", json::array{"s3:GetObject"}},
               {"ContextEntries", json::array{json::object{{"ContextKeyName", "s3:max-keys"},
                                                           {"ContextKeyValues", json::array{"ten"}},
                                                           {"ContextKeyType", "numeric"}}}}});
  EXPECT_EQ(e.code, "InvalidInput");
}

TEST_F(IamTest, BucketPoliciesAreResourcePolicies) {
  user("dev");
  user("eve");
  h.ok("s3", "CreateBucket", {{"Bucket", "shared"}});
  h.ok("s3", "PutObject", {{"Bucket", "shared"}, {"Key", "a.txt"}, {"Body", "x"}});
  EXPECT_EQ(h.fails("s3", "GetBucketPolicy", {{"Bucket", "shared"}}).code, "NoSuchBucketPolicy");
  auto bad = h.fails(
      "s3", "PutBucketPolicy",
      {{"Bucket", "shared"},
       {"Policy",
        R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}})"}});
  EXPECT_EQ(bad.code, "MalformedPolicy");
  EXPECT_EQ(bad.message, "Policy has invalid resource");
  EXPECT_EQ(
      h.fails(
           "s3", "PutBucketPolicy",
           {{"Bucket", "shared"},
            {"Policy",
             R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"}})"}})
          .message,
      "Missing required field Principal.");
  // Naming the user grants without any identity policy; naming the account does not.
  h.ok(
      "s3", "PutBucketPolicy",
      {{"Bucket", "shared"},
       {"Policy",
        R"({"Version":"2012-10-17","Statement":[)"
        R"({"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/dev"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"},)"
        R"({"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::shared"},)"
        R"({"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::shared/*"}]})"}});
  EXPECT_TRUE(
      call_as("user/dev", "s3", "GetObject", {{"Bucket", "shared"}, {"Key", "a.txt"}}).ok());
  EXPECT_FALSE(
      call_as("user/eve", "s3", "GetObject", {{"Bucket", "shared"}, {"Key", "a.txt"}}).ok());
  EXPECT_FALSE(call_as("user/dev", "s3", "ListObjectsV2", {{"Bucket", "shared"}}).ok());
  h.ok("iam", "AttachUserPolicy",
       {{"UserName", "dev"}, {"PolicyArn", "arn:aws:iam::aws:policy/AmazonS3FullAccess"}});
  EXPECT_TRUE(call_as("user/dev", "s3", "ListObjectsV2", {{"Bucket", "shared"}}).ok());
  auto r = call_as("user/dev", "s3", "DeleteObject", {{"Bucket", "shared"}, {"Key", "a.txt"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: "
            "s3:DeleteObject on resource: arn:aws:s3:::shared/a.txt with an explicit deny in a "
            "resource-based policy");
  h.ok("s3", "DeleteBucketPolicy", {{"Bucket", "shared"}});
  EXPECT_TRUE(
      call_as("user/dev", "s3", "DeleteObject", {{"Bucket", "shared"}, {"Key", "a.txt"}}).ok());
}

TEST_F(IamTest, DeletedUsersCredentialsStopWorking) {
  user("gone");
  auto who = as("user/gone");
  h.ok("iam", "DeleteUser", {{"UserName", "gone"}});
  api::Call c{"s3", "ListBuckets", {}, who};
  auto r = h.world().dispatcher().call(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InvalidClientTokenId");
}

}  // namespace
}  // namespace deploysim
