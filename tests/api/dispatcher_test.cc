// The dispatcher checks every request against botocore's shapes and answers in each protocol's
// own error form. A stand-in service lets these tests reach services not simulated yet.
#include "simulator/api/dispatcher.h"

#include <gtest/gtest.h>

#include "fake_services/all/install.h"
#include "tests/harness.h"

namespace deploysim::api {
namespace {

class EchoService : public Service {
 public:
  EchoService(world::World&, std::string name, std::vector<std::string> ops)
      : name_(std::move(name)) {
    for (const auto& op : ops) {
      table_.add(op, [this](const Call& c) -> Result<json::object> {
        last = c.params;
        return json::object{{"echo", true}};
      });
    }
  }
  std::string_view name() const override { return name_; }
  const OperationTable& operations() const override { return table_; }
  json::object last;

 private:
  std::string name_;
  OperationTable table_;
};

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest() {
    h.world().add_service<EchoService>("codedeploy",
                                       std::vector<std::string>{"CreateDeploymentGroup"});
  }
  json::object hook(json::object extra = {}) {
    json::object p{{"AutoScalingGroupName", "web"},
                   {"LifecycleHookName", "launch"},
                   {"LifecycleTransition", "autoscaling:EC2_INSTANCE_LAUNCHING"}};
    for (auto& kv : extra) p[kv.key()] = kv.value();
    return p;
  }
  // CodeDeploy is an echoing stand-in here: these tests are about the dispatcher.
  testing::Harness h{testing::HarnessOptions{1, "us-east-1", {"codedeploy"}}};
};

TEST_F(DispatcherTest, AValidRequestReachesTheHandler) {
  // Valid in shape, so the service itself answers: there is no such group.
  auto e = h.fails("autoscaling", "PutLifecycleHook", hook({{"HeartbeatTimeout", 300}}));
  EXPECT_EQ(e.message, "AutoScalingGroup name not found - AutoScalingGroup web not found");
  auto body = h.ok("codedeploy", "CreateDeploymentGroup",
                   {{"applicationName", "app"},
                    {"deploymentGroupName", "prod"},
                    {"serviceRoleArn", "arn:aws:iam::123456789012:role/cd"}});
  EXPECT_EQ(body.at("echo"), true);
}

TEST_F(DispatcherTest, UnknownMemberIsAValidationErrorListingTheMembers) {
  auto e = h.fails("autoscaling", "PutLifecycleHook", hook({{"Heartbeat", 300}}));
  EXPECT_EQ(e.code, "ValidationError");
  EXPECT_NE(e.message.find("Unknown parameter in input: \"Heartbeat\", must be one of: "
                           "LifecycleHookName, AutoScalingGroupName"),
            std::string::npos)
      << e.message;
}

TEST_F(DispatcherTest, MissingRequiredMemberUsesTheServersText) {
  auto e = h.fails("autoscaling", "PutLifecycleHook", {{"AutoScalingGroupName", "web"}});
  EXPECT_EQ(e.code, "ValidationError");
  EXPECT_EQ(e.message,
            "1 validation error detected: Value null at 'lifecycleHookName' failed to satisfy "
            "constraint: Member must not be null");
}

TEST_F(DispatcherTest, WrongTypeNamesThePythonTypesAsTheCliDoes) {
  auto e = h.fails("autoscaling", "PutLifecycleHook", hook({{"HeartbeatTimeout", "soon"}}));
  EXPECT_EQ(e.message,
            "Parameter validation failed:\nInvalid type for parameter HeartbeatTimeout, value: "
            "soon, valid types: <class 'int'>");
}

TEST_F(DispatcherTest, LengthLimitsComeFromTheModel) {
  auto e = h.fails("autoscaling", "PutLifecycleHook", hook({{"AutoScalingGroupName", ""}}));
  EXPECT_EQ(e.message,
            "1 validation error detected: Value '' at 'autoScalingGroupName' failed to satisfy "
            "constraint: Member must have length greater than or equal to 1");
}

TEST_F(DispatcherTest, SeveralConstraintViolationsAreCountedAndJoined) {
  auto e = h.fails("iam", "CreateRole", {{"RoleName", std::string(65, 'r')}});
  EXPECT_EQ(e.code, "ValidationError");
  EXPECT_EQ(e.message.rfind("2 validation errors detected: ", 0), 0u) << e.message;
  EXPECT_NE(e.message.find("Value '" + std::string(65, 'r') +
                           "' at 'roleName' failed to satisfy constraint: Member must have length "
                           "less than or equal to 64"),
            std::string::npos);
  EXPECT_NE(e.message.find("Value null at 'assumeRolePolicyDocument'"), std::string::npos);
}

TEST_F(DispatcherTest, JsonProtocolEnumViolationIsAValidationException) {
  auto e = h.fails("codedeploy", "CreateDeploymentGroup",
                   {{"applicationName", "app"},
                    {"deploymentGroupName", "prod"},
                    {"serviceRoleArn", "arn:aws:iam::123456789012:role/cd"},
                    {"deploymentStyle", {{"deploymentType", "SIDEWAYS"}}}});
  EXPECT_EQ(e.code, "ValidationException");
  EXPECT_EQ(e.message,
            "1 validation error detected: Value 'SIDEWAYS' at 'deploymentStyle.deploymentType' "
            "failed to satisfy constraint: Member must satisfy enum value set: [IN_PLACE, "
            "BLUE_GREEN]");
}

TEST_F(DispatcherTest, OverlayMembersAddedAfterTheModelAreAccepted) {
  h.ok("codedeploy", "CreateDeploymentGroup",
       {{"applicationName", "app"},
        {"deploymentGroupName", "prod"},
        {"serviceRoleArn", "arn:aws:iam::123456789012:role/cd"},
        {"terminationHookEnabled", true}});
}

TEST_F(DispatcherTest, Ec2UsesItsOwnParameterErrorCodes) {
  EXPECT_EQ(h.fails("ec2", "RunInstances", {{"MinCount", 1}}).code, "MissingParameter");
  auto e = h.fails("ec2", "RunInstances", {{"MinCount", 1}, {"MaxCount", 1}, {"Colour", "red"}});
  EXPECT_EQ(e.code, "UnknownParameter");
  EXPECT_EQ(e.message, "The parameter Colour is not recognized");
}

TEST_F(DispatcherTest, NestedListPathsAreReportedBothWays) {
  auto e =
      h.fails("autoscaling", "PutLifecycleHook", hook({{"NotificationMetadata", json::array{1}}}));
  EXPECT_NE(e.message.find("Invalid type for parameter NotificationMetadata"), std::string::npos);
}

TEST_F(DispatcherTest, UnknownOperationSuggestsCloseNames) {
  auto e = h.fails("s3", "PutObjekt");
  EXPECT_EQ(e.code, "UnknownOperationException");
  EXPECT_NE(e.message.find("did you mean PutObject"), std::string::npos) << e.message;
  EXPECT_EQ(h.fails("autoscaling", "PutLifecycleHok", hook()).code, "InvalidAction");
}

TEST_F(DispatcherTest, UnknownServiceNamesTheServices) {
  auto e = h.fails("s4", "PutObject");
  EXPECT_EQ(e.code, "UnknownService");
  EXPECT_NE(e.message.find("did you mean s3"), std::string::npos) << e.message;
}

TEST_F(DispatcherTest, ModelledButUnsimulatedOperationsSayNotImplemented) {
  auto e = h.fails("s3", "PutBucketAcl", {{"Bucket", "b"}});
  EXPECT_EQ(e.code, "NotImplemented");
  EXPECT_EQ(e.http_status, 501);
  EXPECT_EQ(h.fails("elbv2", "DescribeListeners").code, "NotImplemented");
}

TEST_F(DispatcherTest, EveryCallGetsARequestIdAndAJournalEntry) {
  auto r = h.world().call("sts", "GetCallerIdentity", {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->request_id.size(), 36u);
  const auto& last = h.world().journal().entries().back();
  EXPECT_EQ(last.kind, "call");
  EXPECT_EQ(last.subject, "sts.GetCallerIdentity");
  EXPECT_NE(last.message.find(r->request_id), std::string::npos);
}

TEST_F(DispatcherTest, FailedCallsAreJournaledWithTheirCode) {
  h.fails("s3", "DeleteBucket", {{"Bucket", "missing-bucket"}});
  const auto& last = h.world().journal().entries().back();
  EXPECT_EQ(last.kind, "error");
  EXPECT_EQ(last.message, "NoSuchBucket: The specified bucket does not exist");
}

TEST_F(DispatcherTest, AsUnknownPrincipalIsNoSuchEntity) {
  auto r = h.world().dispatcher().resolve_principal("user/bob", "123456789012");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "NoSuchEntity");
  EXPECT_EQ(r.error().message, "The user with name bob cannot be found.");
}

TEST(ClosestNamesTest, PrefersSmallEditsAndContainment) {
  std::vector<std::string> ops = {"PutObject", "GetObject", "DeleteBucket", "ListObjectsV2"};
  EXPECT_EQ(closest_names("putobject", ops).front(), "PutObject");
  EXPECT_EQ(closest_names("ListObjects", ops).front(), "ListObjectsV2");
  EXPECT_TRUE(closest_names("Frobnicate", ops).empty());
}

}  // namespace
}  // namespace deploysim::api
