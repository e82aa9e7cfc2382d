// CodeDeploy driven directly: a GitHub revision from a local git repository (sim.RegisterGitHub
// Repository) deployed with real hooks, BUNDLE_COMMIT set; and the API's smaller promises.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/harness.h"

namespace deploysim {
namespace {

namespace fs = std::filesystem;

const std::string kTrustCodeDeploy =
    R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"codedeploy.amazonaws.com"},"Action":"sts:AssumeRole"}})";
const std::string kTrustEc2 =
    R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}})";

class CodeDeployTest : public ::testing::Test {
 protected:
  testing::Harness h;
  std::string instance;

  void SetUp() override {
    h.ok("iam", "CreateRole", {{"RoleName", "cd"}, {"AssumeRolePolicyDocument", kTrustCodeDeploy}});
    h.ok("iam", "AttachRolePolicy",
         {{"RoleName", "cd"},
          {"PolicyArn", "arn:aws:iam::aws:policy/service-role/AWSCodeDeployRole"}});
    h.ok("iam", "CreateRole", {{"RoleName", "web"}, {"AssumeRolePolicyDocument", kTrustEc2}});
    h.ok("iam", "CreateInstanceProfile", {{"InstanceProfileName", "web"}});
    h.ok("iam", "AddRoleToInstanceProfile", {{"InstanceProfileName", "web"}, {"RoleName", "web"}});
    auto images = h.ok("ec2", "DescribeImages", {{"Owners", json::array{"amazon"}}});
    std::string ami(images.at("Images").at(0).at("ImageId").as_string());
    auto run = h.ok("ec2", "RunInstances",
                    {{"ImageId", ami},
                     {"MinCount", 1},
                     {"MaxCount", 1},
                     {"IamInstanceProfile", {{"Name", "web"}}},
                     {"TagSpecifications",
                      json::array{{{"ResourceType", "instance"},
                                   {"Tags", json::array{{{"Key", "app"}, {"Value", "web"}}}}}}}});
    instance = std::string(run.at("Instances").at(0).at("InstanceId").as_string());
    h.world().scheduler().run_until(h.world().now() + std::chrono::minutes(1));
    h.ok("sim", "InstallAgent", {{"InstanceId", instance}});
    h.ok("codedeploy", "CreateApplication", {{"applicationName", "web"}});
    h.ok("codedeploy", "CreateDeploymentGroup",
         {{"applicationName", "web"},
          {"deploymentGroupName", "prod"},
          {"serviceRoleArn", "arn:aws:iam::123456789012:role/cd"},
          {"ec2TagFilters",
           json::array{{{"Key", "app"}, {"Value", "web"}, {"Type", "KEY_AND_VALUE"}}}}});
  }

  std::string run_to_end(const std::string& id) {
    h.world().scheduler().run_until(h.world().now() + std::chrono::hours(2));
    auto d = h.ok("codedeploy", "GetDeployment", {{"deploymentId", id}});
    return std::string(d.at("deploymentInfo").at("status").as_string());
  }
};

void write(const fs::path& p, const std::string& text, bool executable = false) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
  if (executable) fs::permissions(p, fs::perms::owner_all, fs::perm_options::add);
}

TEST_F(CodeDeployTest, AGitHubRevisionComesFromTheRegisteredRepository) {
  fs::path repo = h.world().scratch_dir() / "site-repo";
  write(repo / "appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: index.html\n    destination: /srv/site\n"
        "hooks:\n  AfterInstall:\n    - location: record.sh\n");
  write(repo / "index.html", "from git\n");
  write(repo / "record.sh", "#!/bin/bash\necho \"$BUNDLE_COMMIT\" > /srv/site/commit\n", true);
  std::string git = "cd '" + repo.string() +
                    "' && git init -q && git add -A && GIT_AUTHOR_DATE=2026-01-01T00:00:00Z "
                    "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z git -c user.name=t -c "
                    "user.email=t@example.com commit -qm site";
  ASSERT_EQ(std::system(git.c_str()), 0);
  auto reg = h.ok("sim", "RegisterGitHubRepository",
                  {{"Repository", "acme/site"}, {"Path", repo.string()}});
  std::string head(reg.at("Head").as_string());
  ASSERT_EQ(head.size(), 40u);

  auto made = h.ok("codedeploy", "CreateDeployment",
                   {{"applicationName", "web"},
                    {"deploymentGroupName", "prod"},
                    {"revision",
                     {{"revisionType", "GitHub"},
                      {"gitHubLocation", {{"repository", "acme/site"}, {"commitId", head}}}}}});
  std::string id(made.at("deploymentId").as_string());
  EXPECT_EQ(run_to_end(id), "Succeeded");
  auto file = h.ok("sim", "GetFile", {{"InstanceId", instance}, {"Path", "/srv/site/commit"}});
  EXPECT_EQ(file.at("Content").as_string(), head + "\n");
  auto group = h.ok("codedeploy", "GetDeploymentGroup",
                    {{"applicationName", "web"}, {"deploymentGroupName", "prod"}});
  EXPECT_EQ(group.at("deploymentGroupInfo")
                .at("targetRevision")
                .at("gitHubLocation")
                .at("commitId")
                .as_string(),
            head);

  // A commit the repository does not have fails DownloadBundle with the reason.
  auto bad = h.ok(
      "codedeploy", "CreateDeployment",
      {{"applicationName", "web"},
       {"deploymentGroupName", "prod"},
       {"revision",
        {{"revisionType", "GitHub"},
         {"gitHubLocation", {{"repository", "acme/site"}, {"commitId", std::string(40, 'a')}}}}}});
  std::string bad_id(bad.at("deploymentId").as_string());
  EXPECT_EQ(run_to_end(bad_id), "Failed");
  auto inst = h.ok("codedeploy", "GetDeploymentInstance",
                   {{"deploymentId", bad_id}, {"instanceId", instance}});
  bool seen = false;
  for (const auto& e : inst.at("instanceSummary").at("lifecycleEvents").as_array()) {
    if (e.at("lifecycleEventName") == "DownloadBundle") {
      seen = true;
      EXPECT_EQ(e.at("status"), "Failed");
      EXPECT_NE(std::string(e.at("diagnostics").at("message").as_string()).find("CommitNotFound"),
                std::string::npos);
    }
  }
  EXPECT_TRUE(seen);
  EXPECT_EQ(
      h.fails("sim", "RegisterGitHubRepository",
              {{"Repository", "acme/none"}, {"Path", (h.world().scratch_dir() / "nope").string()}})
          .code,
      "ValidationException");
}

TEST_F(CodeDeployTest, RevisionsAreRegisteredAndListed) {
  json::object rev{
      {"revisionType", "S3"},
      {"s3Location", {{"bucket", "b1x"}, {"key", "app/v1.zip"}, {"bundleType", "zip"}}}};
  h.ok("codedeploy", "RegisterApplicationRevision",
       {{"applicationName", "web"}, {"revision", rev}, {"description", "first"}});
  auto got =
      h.ok("codedeploy", "GetApplicationRevision", {{"applicationName", "web"}, {"revision", rev}});
  EXPECT_EQ(got.at("revisionInfo").at("description"), "first");
  EXPECT_FALSE(got.at("revisionInfo").as_object().contains("firstUsedTime"));
  auto listed = h.ok("codedeploy", "ListApplicationRevisions",
                     {{"applicationName", "web"}, {"s3KeyPrefix", "app/"}});
  EXPECT_EQ(listed.at("revisions").as_array().size(), 1u);
  json::object other{
      {"revisionType", "S3"},
      {"s3Location", {{"bucket", "b1x"}, {"key", "app/v2.zip"}, {"bundleType", "zip"}}}};
  EXPECT_EQ(h.fails("codedeploy", "GetApplicationRevision",
                    {{"applicationName", "web"}, {"revision", other}})
                .code,
            "RevisionDoesNotExistException");
  EXPECT_EQ(
      h.fails("codedeploy", "ListApplicationRevisions", {{"applicationName", "nope"}}).message,
      "No application found for name: nope");
}

TEST_F(CodeDeployTest, ApplicationsAndGroupsHaveTheirOwnErrors) {
  EXPECT_EQ(h.fails("codedeploy", "CreateApplication", {{"applicationName", "web"}}).code,
            "ApplicationAlreadyExistsException");
  EXPECT_EQ(h.fails("codedeploy", "CreateDeploymentGroup",
                    {{"applicationName", "web"},
                     {"deploymentGroupName", "prod"},
                     {"serviceRoleArn", "arn:aws:iam::123456789012:role/cd"}})
                .code,
            "DeploymentGroupAlreadyExistsException");
  EXPECT_EQ(h.fails("codedeploy", "CreateDeploymentGroup",
                    {{"applicationName", "web"},
                     {"deploymentGroupName", "qa"},
                     {"serviceRoleArn", "arn:aws:iam::123456789012:role/cd"},
                     {"deploymentConfigName", "Nope"}})
                .message,
            "No deployment configuration found for name: Nope");
  auto batch =
      h.ok("codedeploy", "BatchGetDeploymentGroups",
           {{"applicationName", "web"}, {"deploymentGroupNames", json::array{"prod", "qa"}}});
  EXPECT_EQ(batch.at("deploymentGroupsInfo").as_array().size(), 1u);
  EXPECT_EQ(batch.at("errorMessage"), "No Deployment Group found for name: qa");
  h.ok("codedeploy", "UpdateApplication",
       {{"applicationName", "web"}, {"newApplicationName", "site"}});
  EXPECT_EQ(h.ok("codedeploy", "ListDeploymentGroups", {{"applicationName", "site"}})
                .at("deploymentGroups")
                .as_array()
                .size(),
            1u);
  h.ok("codedeploy", "CreateDeploymentConfig",
       {{"deploymentConfigName", "two"},
        {"minimumHealthyHosts", {{"type", "HOST_COUNT"}, {"value", 2}}}});
  h.ok("codedeploy", "UpdateDeploymentGroup",
       {{"applicationName", "site"},
        {"currentDeploymentGroupName", "prod"},
        {"deploymentConfigName", "two"}});
  EXPECT_EQ(h.fails("codedeploy", "DeleteDeploymentConfig", {{"deploymentConfigName", "two"}}).code,
            "DeploymentConfigInUseException");
  EXPECT_EQ(h.fails("codedeploy", "DeleteDeploymentConfig",
                    {{"deploymentConfigName", "CodeDeployDefault.OneAtATime"}})
                .code,
            "InvalidOperationException");
  h.ok("codedeploy", "DeleteApplication", {{"applicationName", "site"}});
  EXPECT_EQ(h.fails("codedeploy", "GetApplication", {{"applicationName", "site"}}).code,
            "ApplicationDoesNotExistException");
  h.ok("codedeploy", "DeleteDeploymentConfig", {{"deploymentConfigName", "two"}});
}

TEST_F(CodeDeployTest, EveryRefusalHasItsCode) {
  auto code = [&](const std::string& op, json::object params) {
    return h.fails("codedeploy", op, std::move(params)).code;
  };
  // The model requires the member; an empty one reaches the service.
  EXPECT_EQ(
      code("CreateDeploymentGroup", {{"applicationName", "web"}, {"deploymentGroupName", "x"}}),
      "ValidationException");
  EXPECT_EQ(
      code("CreateDeploymentGroup",
           {{"applicationName", "web"}, {"deploymentGroupName", "x"}, {"serviceRoleArn", ""}}),
      "RoleRequiredException");
  EXPECT_EQ(
      code("CreateDeploymentGroup", boost::json::parse(
                                        R"({"applicationName": "web", "deploymentGroupName": "x",
                   "serviceRoleArn": "arn:aws:iam::123456789012:role/cd",
                   "ec2TagFilters": [{"Key": "a", "Value": "b", "Type": "KEY_AND_VALUE"}],
                   "ec2TagSet": {"ec2TagSetList": [[{"Key": "a", "Value": "b",
                                                     "Type": "KEY_AND_VALUE"}]]}})")
                                        .as_object()),
      "InvalidInputException");
  EXPECT_EQ(code("CreateDeployment", {{"applicationName", "web"}, {"deploymentGroupName", "prod"}}),
            "RevisionRequiredException");
  EXPECT_EQ(code("ListDeployments", {{"deploymentGroupName", "prod"}}),
            "ApplicationNameRequiredException");
  EXPECT_EQ(code("CreateDeploymentConfig", {{"deploymentConfigName", "c"}}),
            "InvalidMinimumHealthyHostValueException");
  h.ok("codedeploy", "CreateDeploymentConfig",
       {{"deploymentConfigName", "c"},
        {"minimumHealthyHosts", {{"type", "HOST_COUNT"}, {"value", 1}}}});
  EXPECT_EQ(code("CreateDeploymentConfig",
                 {{"deploymentConfigName", "c"},
                  {"minimumHealthyHosts", {{"type", "HOST_COUNT"}, {"value", 1}}}}),
            "DeploymentConfigAlreadyExistsException");
  EXPECT_EQ(code("GetDeploymentConfig", {{"deploymentConfigName", "none"}}),
            "DeploymentConfigDoesNotExistException");

  json::object rev{
      {"revisionType", "S3"},
      {"s3Location", {{"bucket", "nobucket"}, {"key", "k.tgz"}, {"bundleType", "tgz"}}}};
  auto made =
      h.ok("codedeploy", "CreateDeployment",
           {{"applicationName", "web"}, {"deploymentGroupName", "prod"}, {"revision", rev}});
  std::string id(made.at("deploymentId").as_string());
  // The group goes before the deployment starts: DEPLOYMENT_GROUP_MISSING.
  h.ok("codedeploy", "DeleteDeploymentGroup",
       {{"applicationName", "web"}, {"deploymentGroupName", "prod"}});
  h.world().scheduler().run_until(h.world().now() + std::chrono::seconds(1));
  auto d = h.ok("codedeploy", "GetDeployment", {{"deploymentId", id}});
  EXPECT_EQ(d.at("deploymentInfo").at("errorInformation").at("code"), "DEPLOYMENT_GROUP_MISSING");
  EXPECT_EQ(
      code("GetDeploymentInstance", {{"deploymentId", id}, {"instanceId", "i-00000000000000000"}}),
      "InstanceDoesNotExistException");
  EXPECT_EQ(
      code("BatchGetDeploymentTargets", {{"deploymentId", id}, {"targetIds", json::array{"i-0"}}}),
      "DeploymentTargetDoesNotExistException");
  auto batch = h.ok("codedeploy", "BatchGetDeploymentInstances",
                    {{"deploymentId", id}, {"instanceIds", json::array{"i-00000000000000000"}}});
  EXPECT_EQ(batch.at("errorMessage").as_string(),
            "Instance i-00000000000000000 is not part of deployment " + id);
}

TEST_F(CodeDeployTest, AnS3RevisionTheInstanceRoleCannotReadFailsDownloadBundle) {
  // The instance role has no S3 permission at all: S3's AccessDenied in the diagnostics.
  h.ok("s3", "CreateBucket", {{"Bucket", "rev-bucket"}});
  h.ok("sim", "PutRevision",
       {{"Bucket", "rev-bucket"},
        {"Key", "app.tgz"},
        {"Source", std::string(DEPLOYSIM_SCENARIOS_DIR) + "/bundles/hello"},
        {"BundleType", "tgz"}});
  auto made = h.ok(
      "codedeploy", "CreateDeployment",
      {{"applicationName", "web"},
       {"deploymentGroupName", "prod"},
       {"revision",
        {{"revisionType", "S3"},
         {"s3Location", {{"bucket", "rev-bucket"}, {"key", "app.tgz"}, {"bundleType", "tgz"}}}}}});
  std::string id(made.at("deploymentId").as_string());
  EXPECT_EQ(run_to_end(id), "Failed");
  auto inst =
      h.ok("codedeploy", "GetDeploymentInstance", {{"deploymentId", id}, {"instanceId", instance}});
  for (const auto& e : inst.at("instanceSummary").at("lifecycleEvents").as_array()) {
    if (e.at("lifecycleEventName") != "DownloadBundle") continue;
    EXPECT_EQ(e.at("status"), "Failed");
    EXPECT_EQ(e.at("diagnostics").at("message").as_string(),
              "AccessDenied: User: arn:aws:sts::123456789012:assumed-role/web/" + instance +
                  " is not authorized to perform: s3:GetObject on resource: "
                  "arn:aws:s3:::rev-bucket/app.tgz because no identity-based policy allows the "
                  "s3:GetObject action");
  }
}

}  // namespace
}  // namespace deploysim
