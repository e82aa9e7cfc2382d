// What surrounds an instance's events: the load balancer (BlockTraffic and AllowTraffic with
// traffic control) and the deployment group's CloudWatch alarms.
#include <fmt/format.h>

#include "fake_services/codedeploy/backend.h"
#include "simulator/api/params.h"

namespace deploysim::fake::codedeploy {

// BlockTraffic and AllowTraffic behind a load balancer: CodeDeploy deregisters the instance
// from the group's target groups and waits out the draining, or registers it and waits until it
// is healthy (reference §6: HealthyThreshold x Interval, the deregistration delay).
void Backend::traffic_event(const std::string& id, const std::string& instance, bool block) {
  Deployment* d = mutable_deployment(id);
  const DeploymentGroup* g = d ? mutable_group(d->application, d->group) : nullptr;
  if (!g) return;
  api::Principal role = service_role_session(*g);
  std::vector<std::string> arns;
  for (const auto& name : g->target_groups) {
    auto r = world_.dispatcher().call(api::Call{"elbv2",
                                                "DescribeTargetGroups",
                                                {{"Names", json::array{json::string(name)}}},
                                                role,
                                                ".",
                                                false});
    if (!r.ok()) {
      complete_event(
          id, instance, false,
          {"UnknownError", "", fmt::format("{}: {}", r.error().code, r.error().message), ""});
      return;
    }
    arns.emplace_back(r->body.at("TargetGroups").as_array()[0].at("TargetGroupArn").as_string());
  }
  for (const auto& arn : arns) {
    auto r = world_.dispatcher().call(api::Call{
        "elbv2",
        block ? "DeregisterTargets" : "RegisterTargets",
        {{"TargetGroupArn", arn}, {"Targets", json::array{json::object{{"Id", instance}}}}},
        role,
        ".",
        true});
    if (!r.ok()) {
      complete_event(
          id, instance, false,
          {"UnknownError", "", fmt::format("{}: {}", r.error().code, r.error().message), ""});
      return;
    }
  }
  traffic_poll(id, instance, block, arns, world_.now() + std::chrono::hours(1));
}

void Backend::traffic_poll(const std::string& id, const std::string& instance, bool block,
                           std::vector<std::string> arns, sim::SimTime deadline) {
  Deployment* d = mutable_deployment(id);
  const DeploymentGroup* g = d ? mutable_group(d->application, d->group) : nullptr;
  if (!g || d->completed) return;
  bool done = true;
  for (const auto& arn : arns) {
    auto r = world_.dispatcher().call(api::Call{
        "elbv2",
        "DescribeTargetHealth",
        {{"TargetGroupArn", arn}, {"Targets", json::array{json::object{{"Id", instance}}}}},
        service_role_session(*g),
        ".",
        false});
    if (!r.ok()) continue;
    std::string state(r->body.at("TargetHealthDescriptions")
                          .as_array()[0]
                          .at("TargetHealth")
                          .at("State")
                          .as_string());
    done = done && (block ? state == "unused" : state == "healthy");
  }
  if (done) {
    complete_event(id, instance, true, {"Success", "", "Succeeded", ""});
    return;
  }
  if (world_.now() >= deadline) {
    complete_event(id, instance, false,
                   {"UnknownError", "",
                    block ? "The instance did not finish deregistering from the load balancer "
                            "within an hour."
                          : "The instance did not become healthy behind the load balancer "
                            "within an hour.",
                    ""});
    return;
  }
  world_.scheduler().after(std::chrono::seconds(5), [this, id, instance, block, arns, deadline] {
    traffic_poll(id, instance, block, arns, deadline);
  });
}

bool Backend::stop_on_alarm(Deployment& d) {
  if (d.stop_requested || d.completed) return d.stop_requested;
  const DeploymentGroup* g = mutable_group(d.application, d.group);
  if (!g || !g->alarms_enabled || g->alarms.empty()) return false;
  auto r = world_.dispatcher().call(
      api::Call{"cloudwatch",
                "DescribeAlarms",
                {{"AlarmNames", api::params::string_array(g->alarms)}, {"StateValue", "ALARM"}},
                service_role_session(*g),
                ".",
                false});
  if (!r.ok()) return false;  // (a failed poll is passed over; see the README)
  std::string fired;
  for (const auto& a : r->body.at("MetricAlarms").as_array()) {
    fired += (fired.empty() ? "" : " ") + std::string(a.at("AlarmName").as_string());
  }
  if (fired.empty()) return false;
  d.stop_requested = true;
  d.alarm_stop = fired;
  world_.record("codedeploy", d.id, "stopped by alarms: " + fired);
  return true;
}

}  // namespace deploysim::fake::codedeploy
