// A 10,000-instance group scaling out from 0, each instance held by a launch hook that a scripted
// subscriber completes with CONTINUE: wall time and peak memory, beside the same scale-out with
// no hook (the baseline).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include "fake_services/all/install.h"
#include "fake_services/autoscaling/service.h"

namespace {

using namespace deploysim;

class Continuer : public fake::autoscaling::LifecycleSubscriber {
 public:
  explicit Continuer(world::World& w) : w_(w) {}
  void on_lifecycle_action(const fake::autoscaling::LifecycleNotification& n) override {
    (void)w_.call("autoscaling", "CompleteLifecycleAction",
                  {{"AutoScalingGroupName", n.group},
                   {"LifecycleHookName", n.hook},
                   {"LifecycleActionToken", n.token},
                   {"LifecycleActionResult", "CONTINUE"}});
  }

 private:
  world::World& w_;
};

void scale_out(benchmark::State& state, bool with_hook) {
  const int n = static_cast<int>(state.range(0));
  for (auto _ : state) {
    world::World w({}, fake::models());
    fake::install_services(w);
    auto ami = w.call("ec2", "DescribeImages", {{"Owners", json::array{"amazon"}}});
    std::string image(ami->body.at("Images").as_array()[0].at("ImageId").as_string());
    (void)w.call("ec2", "CreateLaunchTemplate",
                 {{"LaunchTemplateName", "fleet"}, {"LaunchTemplateData", {{"ImageId", image}}}});
    json::array hooks;
    if (with_hook) {
      hooks.push_back({{"LifecycleHookName", "launch"},
                       {"LifecycleTransition", "autoscaling:EC2_INSTANCE_LAUNCHING"},
                       {"HeartbeatTimeout", 600}});
    }
    (void)w.call("autoscaling", "CreateAutoScalingGroup",
                 {{"AutoScalingGroupName", "fleet"},
                  {"LaunchTemplate", {{"LaunchTemplateName", "fleet"}}},
                  {"MinSize", 0},
                  {"MaxSize", n},
                  {"AvailabilityZones", json::array{"us-east-1a", "us-east-1b", "us-east-1c"}},
                  {"LifecycleHookSpecificationList", hooks}});
    Continuer continuer(w);
    auto* asg = dynamic_cast<fake::autoscaling::Service*>(w.service("autoscaling"));
    asg->backend().subscribe(&continuer);
    (void)w.call("autoscaling", "SetDesiredCapacity",
                 {{"AutoScalingGroupName", "fleet"}, {"DesiredCapacity", n}});
    w.scheduler().run_until(w.now() + std::chrono::hours(1));
    auto g = asg->backend().find_group("fleet");
    int in_service = 0;
    for (const auto& m : g.value()->members) in_service += m.lifecycle == "InService";
    if (in_service != n) state.SkipWithError("not every instance went InService");
    state.counters["events"] = static_cast<double>(w.scheduler().events_run());
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["peak_MB"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
}

void BM_ScaleOutNoHook(benchmark::State& s) {
  scale_out(s, false);
}
void BM_ScaleOutWithLaunchHook(benchmark::State& s) {
  scale_out(s, true);
}

}  // namespace

BENCHMARK(BM_ScaleOutNoHook)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ScaleOutWithLaunchHook)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
