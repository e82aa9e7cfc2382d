// The issue's figure: a 1,000-instance Auto Scaling group, a OneAtATime deployment with
// simulated agents, then a scale-out to 1,500 through CodeDeploy's launch hook (each new
// instance receiving the revision by its own deployment). Wall time, events and peak memory,
// beside a baseline of the same group and scale-out without CodeDeploy.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <chrono>
#include <memory>

#include "fake_services/all/install.h"
#include "fake_services/autoscaling/service.h"
#include "fake_services/ec2/service.h"

namespace {

using namespace deploysim;

std::string must(const api::Result<api::Response>& r, const char* what) {
  if (!r.ok()) throw std::runtime_error(std::string(what) + ": " + r.error().message);
  return "";
}

int in_service(world::World& w) {
  auto* asg = dynamic_cast<fake::autoscaling::Service*>(w.service("autoscaling"));
  int n = 0;
  for (const auto& m : asg->backend().find_group("fleet").value()->members) {
    n += m.lifecycle == "InService";
  }
  return n;
}

void run(benchmark::State& state, bool codedeploy) {
  const int n = static_cast<int>(state.range(0));
  for (auto _ : state) {
    world::WorldConfig config;
    config.agent.mode = "simulated";
    auto w_owner = std::make_unique<world::World>(config, fake::models());
    world::World& w = *w_owner;
    fake::install_services(w);
    const std::string trust_cd =
        R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"codedeploy.amazonaws.com"},"Action":"sts:AssumeRole"}})";
    const std::string trust_ec2 =
        R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}})";
    must(w.call("iam", "CreateRole", {{"RoleName", "cd"}, {"AssumeRolePolicyDocument", trust_cd}}),
         "role");
    must(w.call("iam", "AttachRolePolicy",
                {{"RoleName", "cd"},
                 {"PolicyArn", "arn:aws:iam::aws:policy/service-role/AWSCodeDeployRole"}}),
         "attach");
    must(
        w.call("iam", "CreateRole", {{"RoleName", "web"}, {"AssumeRolePolicyDocument", trust_ec2}}),
        "role");
    must(w.call(
             "iam", "AttachRolePolicy",
             {{"RoleName", "web"},
              {"PolicyArn", "arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforAWSCodeDeploy"}}),
         "attach");
    must(w.call("iam", "CreateInstanceProfile", {{"InstanceProfileName", "web"}}), "profile");
    must(w.call("iam", "AddRoleToInstanceProfile",
                {{"InstanceProfileName", "web"}, {"RoleName", "web"}}),
         "add");
    auto images = w.call("ec2", "DescribeImages", {{"Owners", json::array{"amazon"}}});
    std::string base(images->body.at("Images").as_array()[0].at("ImageId").as_string());
    auto builder =
        w.call("ec2", "RunInstances", {{"ImageId", base}, {"MinCount", 1}, {"MaxCount", 1}});
    std::string b(builder->body.at("Instances").as_array()[0].at("InstanceId").as_string());
    w.scheduler().run_until(w.now() + std::chrono::minutes(2));
    must(w.call("sim", "InstallAgent", {{"InstanceId", b}}), "agent");
    auto image = w.call("ec2", "CreateImage", {{"InstanceId", b}, {"Name", "with-agent"}});
    std::string ami(image->body.at("ImageId").as_string());
    w.scheduler().run_until(w.now() + std::chrono::minutes(5));
    must(w.call("ec2", "CreateLaunchTemplate",
                {{"LaunchTemplateName", "fleet"},
                 {"LaunchTemplateData",
                  {{"ImageId", ami}, {"IamInstanceProfile", {{"Name", "web"}}}}}}),
         "template");
    must(w.call("autoscaling", "CreateAutoScalingGroup",
                {{"AutoScalingGroupName", "fleet"},
                 {"LaunchTemplate", {{"LaunchTemplateName", "fleet"}}},
                 {"MinSize", 0},
                 {"MaxSize", n + n / 2},
                 {"DesiredCapacity", n},
                 {"AvailabilityZones", json::array{"us-east-1a", "us-east-1b", "us-east-1c"}}}),
         "group");
    w.scheduler().run_until(w.now() + std::chrono::minutes(10));
    if (codedeploy) {
      must(w.call("s3", "CreateBucket", {{"Bucket", "releases"}}), "bucket");
      must(w.call("sim", "PutRevision",
                  {{"Bucket", "releases"},
                   {"Key", "app.tgz"},
                   {"Source", DEPLOYSIM_BENCH_BUNDLE},
                   {"BundleType", "tgz"}}),
           "revision");
      must(w.call("codedeploy", "CreateApplication", {{"applicationName", "app"}}), "app");
      must(w.call("codedeploy", "CreateDeploymentGroup",
                  {{"applicationName", "app"},
                   {"deploymentGroupName", "fleet"},
                   {"serviceRoleArn", "arn:aws:iam::123456789012:role/cd"},
                   {"autoScalingGroups", json::array{"fleet"}}}),
           "group");
      auto d = w.call("codedeploy", "CreateDeployment",
                      {{"applicationName", "app"},
                       {"deploymentGroupName", "fleet"},
                       {"revision",
                        {{"revisionType", "S3"},
                         {"s3Location",
                          {{"bucket", "releases"}, {"key", "app.tgz"}, {"bundleType", "tgz"}}}}}});
      must(d, "deployment");
      std::string id(d->body.at("deploymentId").as_string());
      w.scheduler().run_until(w.now() + std::chrono::hours(8));
      auto info = w.call("codedeploy", "GetDeployment", {{"deploymentId", id}});
      if (info->body.at("deploymentInfo").at("status").as_string() != "Succeeded") {
        state.SkipWithError("the deployment did not succeed");
        break;
      }
    }
    must(w.call("autoscaling", "SetDesiredCapacity",
                {{"AutoScalingGroupName", "fleet"}, {"DesiredCapacity", n + n / 2}}),
         "scale out");
    w.scheduler().run_until(w.now() + std::chrono::hours(2));
    if (in_service(w) != n + n / 2) state.SkipWithError("not every instance went InService");
    state.counters["events"] = static_cast<double>(w.scheduler().events_run());
    // Removing the instances' folders is part of the run; counted apart to show what it costs.
    auto t0 = std::chrono::steady_clock::now();
    w_owner.reset();
    state.counters["teardown_ms"] =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["peak_MB"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
}

void BM_FleetWithoutCodeDeploy(benchmark::State& s) {
  run(s, false);
}
void BM_FleetOneAtATimeThenScaleOutThroughLaunchHook(benchmark::State& s) {
  run(s, true);
}

}  // namespace

BENCHMARK(BM_FleetWithoutCodeDeploy)->Arg(1000)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_FleetOneAtATimeThenScaleOutThroughLaunchHook)
    ->Arg(1000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
