// Blue/green deployments on EC2 with a copied Auto Scaling group (reference §4): the copy
// `CodeDeploy_<group>_<deployment>` is made as the observed sequence shows, the replacement fleet
// is deployed with the deployment configuration, traffic is rerouted (the green instances
// registered, the blue ones deregistered), and the original group is deleted after the
// termination wait, or kept with KEEP_ALIVE. What still refers to the old group by name is
// reported as warnings in the journal.
#include <fmt/format.h>

#include <algorithm>

#include "fake_services/codedeploy/backend.h"
#include "fake_services/codedeploy/errors.h"
#include "fake_services/codedeploy/messages.h"
#include "simulator/api/params.h"

namespace deploysim::fake::codedeploy {
namespace {

using api::params::str;

const std::vector<std::string>& install_events() {
  static const std::vector<std::string> kEvents = {
      "ApplicationStop", "DownloadBundle",   "BeforeInstall",  "Install",
      "AfterInstall",    "ApplicationStart", "ValidateService"};
  return kEvents;
}

}  // namespace

Result<json::object> Backend::role_call(const DeploymentGroup& g, const std::string& service,
                                        const std::string& op, json::object params, bool journal) {
  auto r = world_.dispatcher().call(
      api::Call{service, op, std::move(params), service_role_session(g), ".", journal});
  if (!r.ok()) return r.error();
  return std::move(r).value().body;
}

std::vector<std::string> Backend::target_group_arns(const DeploymentGroup& g) {
  std::vector<std::string> arns;
  for (const auto& name : g.target_groups) {
    auto r = role_call(g, "elbv2", "DescribeTargetGroups",
                       {{"Names", json::array{json::string(name)}}}, false);
    if (r.ok())
      arns.emplace_back(r->at("TargetGroups").as_array()[0].at("TargetGroupArn").as_string());
  }
  return arns;
}

// 1. Provisioning: the original group copied, as the service role.
void Backend::bg_start(Deployment& d, DeploymentGroup& g) {
  d.blue_green = true;
  d.bg_phase = "provisioning";
  if (g.green_provisioning == "DISCOVER_EXISTING") {
    // The replacement fleet exists already: targetInstances names it; the original is what the
    // deployment group targets now.
    d.discover_existing = true;
    auto blue = find_targets(g, d);
    DeploymentGroup replacement = g;
    replacement.ec2_tag_filters = d.target_tag_filters;
    replacement.ec2_tag_set.clear();
    replacement.asgs.clear();
    for (const auto& a : d.target_asgs) replacement.asgs.push_back({a, "", ""});
    auto green = find_targets(replacement, d);
    if (!blue.ok() || !green.ok()) {
      finish(d, "Failed", "IAM_ROLE_PERMISSIONS", messages::kRolePermissions);
      return;
    }
    for (const auto& b : blue.value()) {
      if (std::find(green->begin(), green->end(), b) == green->end()) d.blue_instances.push_back(b);
    }
    if (green->empty()) {
      finish(d, "Failed", "NO_INSTANCES", messages::kNoInstances);
      return;
    }
    bg_install(d, green.value());
    return;
  }
  d.blue_asg = g.asgs.empty() ? "" : g.asgs[0].name;
  auto blue = describe_asg(service_role_session(g), d.blue_asg);
  if (!blue.ok() || !blue.value()) {
    finish(d, "Failed", "AUTO_SCALING_CONFIGURATION",
           fmt::format("The Auto Scaling group {} could not be read: {}", d.blue_asg,
                       blue.ok() ? "it does not exist" : blue.error().message));
    return;
  }
  const json::object& b = *blue.value();
  int healthy = 0;
  for (const auto& i : b.at("Instances").as_array()) {
    if (i.at("LifecycleState").as_string() == "InService") {
      ++healthy;
      d.blue_instances.emplace_back(i.at("InstanceId").as_string());
    }
  }
  d.green_asg = fmt::format("CodeDeploy_{}_{}", g.name, d.id);
  json::array tags;
  for (const auto& t : b.at("Tags").as_array()) {
    json::object tag = t.as_object();
    tag["ResourceId"] = d.green_asg;
    tags.push_back(std::move(tag));
  }
  tags.push_back(json::object{{"Key", "CodeDeployProvisioningDeploymentId"},
                              {"Value", d.id},
                              {"PropagateAtLaunch", false}});
  json::object lt = b.at("LaunchTemplate").as_object();
  lt.erase("LaunchTemplateName");
  json::object create{{"AutoScalingGroupName", d.green_asg},
                      {"LaunchTemplate", lt},
                      {"MinSize", 0},
                      {"MaxSize", b.at("MaxSize")},
                      {"DesiredCapacity", 0},
                      {"AvailabilityZones", b.at("AvailabilityZones")},
                      {"Tags", std::move(tags)},
                      {"TargetGroupARNs", b.at("TargetGroupARNs")}};
  auto made = role_call(g, "autoscaling", "CreateAutoScalingGroup", create);
  if (!made.ok()) {
    bool denied = made.error().code == "AccessDenied";
    finish(d, "Failed", denied ? "AUTO_SCALING_IAM_ROLE_PERMISSIONS" : "AUTO_SCALING_CONFIGURATION",
           denied ? std::string(messages::kAsgRolePermissions) + ". " + made.error().message
                  : made.error().message);
    d.green_asg.clear();
    return;
  }
  // Traffic stays with the original until the reroute: the copy registers nothing by itself.
  (void)role_call(g, "autoscaling", "SuspendProcesses",
                  {{"AutoScalingGroupName", d.green_asg},
                   {"ScalingProcesses",
                    json::array{"AddToLoadBalancer", "AlarmNotification", "ScheduledActions"}}});
  (void)role_call(g, "autoscaling", "UpdateAutoScalingGroup",
                  {{"AutoScalingGroupName", d.green_asg},
                   {"MinSize", std::min(b.at("MinSize").to_number<int>(), healthy)},
                   {"DesiredCapacity", healthy}});
  world_.record("codedeploy", d.id,
                fmt::format("replacement group {} copied from {} ({} instances)", d.green_asg,
                            d.blue_asg, healthy));
  if (healthy == 0) {
    finish(d, "Failed", "NO_INSTANCES", messages::kNoInstances);
    return;
  }
  bg_wait_green(d.id, world_.now() + std::chrono::hours(1));
}

// 2. The replacement instances go InService; then they are deployed to like an in-place fleet.
void Backend::bg_wait_green(const std::string& id, sim::SimTime deadline) {
  Deployment* d = mutable_deployment(id);
  DeploymentGroup* g = d ? mutable_group(d->application, d->group) : nullptr;
  if (!d || !g || d->completed) return;
  d->bg_deadline = deadline;
  auto green = describe_asg(service_role_session(*g), d->green_asg);
  std::vector<std::string> ready;
  int desired = 0;
  if (green.ok() && green.value()) {
    desired = green.value()->at("DesiredCapacity").to_number<int>();
    for (const auto& i : green.value()->at("Instances").as_array()) {
      if (i.at("LifecycleState").as_string() == "InService") {
        ready.emplace_back(i.at("InstanceId").as_string());
      }
    }
  }
  if (desired == 0 || static_cast<int>(ready.size()) < desired) {
    if (world_.now() >= deadline) {
      bg_abandon(*d);
      finish(*d, "Failed", "TIMEOUT",
             "The replacement instances did not go InService within an hour.");
      return;
    }
    world_.scheduler().after(std::chrono::seconds(10),
                             [this, id, deadline] { bg_wait_green(id, deadline); });
    return;
  }
  bg_install(*d, ready);
}

void Backend::bg_install(Deployment& dep, const std::vector<std::string>& ready) {
  Deployment* d = &dep;
  std::string id = d->id;
  d->bg_phase = "installing";
  for (const auto& i : ready) {
    DeploymentInstance inst{i};
    inst.label = "Green";
    inst.updated = world_.now();
    for (const auto& e : install_events()) inst.events.push_back({e});
    d->instance_index[i] = d->instances.size();
    d->instances.push_back(std::move(inst));
  }
  if (!set_minimum(*d)) {
    bg_abandon(*d);
    finish(*d, "Failed", "HEALTH_CONSTRAINTS_INVALID", messages::kHealthConstraintsInvalid);
    return;
  }
  d->healthy = static_cast<int>(d->instances.size());
  use_revision(d->application, d->revision, d->group);
  schedule_more(id);
}

// 3. Installed everywhere: wait for the go-ahead, or reroute at once.
void Backend::bg_installed(Deployment& d) {
  const DeploymentGroup* g = mutable_group(d.application, d.group);
  if (!g) return;
  if (g->ready_action == "STOP_DEPLOYMENT") {
    d.bg_phase = "ready";
    d.status = "Ready";
    for (auto& inst : d.instances) {
      if (inst.label == "Green" && inst.status == "Succeeded") inst.status = "Ready";
    }
    world_.record("codedeploy", d.id,
                  fmt::format("Ready: waiting up to {} minutes for ContinueDeployment",
                              g->ready_wait_minutes));
    std::string id = d.id;
    d.bg_deadline = world_.now() + std::chrono::minutes(g->ready_wait_minutes);
    world_.scheduler().at(*d.bg_deadline, [this, id] { bg_ready_timeout(id); });
    return;
  }
  bg_reroute(d.id);
}

Result<Ok> Backend::continue_deployment(const std::string& id, const std::string& wait_type) {
  auto found = deployment(id);
  if (!found.ok()) return found.error();
  Deployment& d = *mutable_deployment(id);
  if (wait_type == "TERMINATION_WAIT") {
    if (!d.termination_wait_started || d.completed) {
      return errors::make("DeploymentIsNotInReadyStateException",
                          "The deployment is not waiting to terminate the original instances.");
    }
    bg_terminate_blue(id);
    return Ok{};
  }
  if (d.status != "Ready") {
    return errors::make("DeploymentIsNotInReadyStateException",
                        "The deployment does not have a status of Ready and can't continue yet.");
  }
  d.status = "InProgress";
  bg_reroute(id);
  return Ok{};
}

void Backend::bg_ready_timeout(const std::string& id) {
  Deployment* dep = mutable_deployment(id);
  if (!dep || dep->status != "Ready") return;
  bg_abandon(*dep);
  for (auto& inst : dep->instances) {
    if (inst.status == "Ready") inst.status = "Skipped";
  }
  finish(*dep, "Stopped", "TIMEOUT",
         "The deployment was stopped because traffic was not rerouted within the wait time.");
}

// 4. Reroute: the green instances registered and healthy, then the blue ones deregistered.
void Backend::bg_reroute(const std::string& id) {
  Deployment* d = mutable_deployment(id);
  DeploymentGroup* g = d ? mutable_group(d->application, d->group) : nullptr;
  if (!d || !g) return;
  d->bg_phase = "rerouting";
  std::vector<std::string> arns = target_group_arns(*g);
  for (auto& inst : d->instances) {
    if (inst.label != "Green") continue;
    inst.status = "InProgress";
    for (const char* e : {"BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic"}) {
      inst.events.push_back({e, "InProgress", world_.now()});
    }
    for (const auto& arn : arns) {
      (void)role_call(
          *g, "elbv2", "RegisterTargets",
          {{"TargetGroupArn", arn}, {"Targets", json::array{json::object{{"Id", inst.id}}}}});
    }
  }
  bg_reroute_poll(id, false, world_.now() + std::chrono::hours(1));
}

void Backend::bg_reroute_poll(const std::string& id, bool blocking, sim::SimTime deadline) {
  Deployment* d = mutable_deployment(id);
  DeploymentGroup* g = d ? mutable_group(d->application, d->group) : nullptr;
  if (!d || !g || d->completed) return;
  d->bg_deadline = deadline;
  d->bg_blocking = blocking;
  std::vector<std::string> arns = target_group_arns(*g);
  std::string label = blocking ? "Blue" : "Green";
  bool done = true;
  for (const auto& arn : arns) {
    auto r = role_call(*g, "elbv2", "DescribeTargetHealth", {{"TargetGroupArn", arn}}, false);
    if (!r.ok()) continue;
    std::map<std::string, std::string> states;
    for (const auto& h : r->at("TargetHealthDescriptions").as_array()) {
      states[std::string(h.at("Target").at("Id").as_string())] =
          std::string(h.at("TargetHealth").at("State").as_string());
    }
    for (const auto& inst : d->instances) {
      if (inst.label != label) continue;
      auto it = states.find(inst.id);
      done =
          done && (blocking ? it == states.end() : it != states.end() && it->second == "healthy");
    }
  }
  if (!done && world_.now() < deadline) {
    world_.scheduler().after(std::chrono::seconds(5), [this, id, blocking, deadline] {
      bg_reroute_poll(id, blocking, deadline);
    });
    return;
  }
  for (auto& inst : d->instances) {
    if (inst.label != label) continue;
    inst.status = done ? "Succeeded" : "Failed";
    inst.updated = world_.now();
    for (auto& e : inst.events) {
      if (e.status != "InProgress") continue;
      e.status = done ? "Succeeded" : "Failed";
      e.end = world_.now();
      e.diagnostics =
          EventDiagnostics{done ? "Success" : "UnknownError", "",
                           done ? "Succeeded" : "Traffic was not rerouted within an hour.", ""};
    }
  }
  if (!done) {
    bg_abandon(*d);
    finish(*d, "Failed", "TIMEOUT", "Traffic could not be rerouted within an hour.");
    return;
  }
  if (!blocking) {
    // Now the original instances stop receiving traffic.
    std::vector<std::string> arns_now = target_group_arns(*g);
    for (const auto& blue : d->blue_instances) {
      DeploymentInstance inst{blue};
      inst.label = "Blue";
      inst.status = "InProgress";
      inst.updated = world_.now();
      for (const char* e : {"BeforeBlockTraffic", "BlockTraffic", "AfterBlockTraffic"}) {
        inst.events.push_back({e, "InProgress", world_.now()});
      }
      d->instance_index[blue] = d->instances.size();
      d->instances.push_back(std::move(inst));
      for (const auto& arn : arns_now) {
        (void)role_call(
            *g, "elbv2", "DeregisterTargets",
            {{"TargetGroupArn", arn}, {"Targets", json::array{json::object{{"Id", blue}}}}});
      }
    }
    bg_reroute_poll(id, true, world_.now() + std::chrono::hours(1));
    return;
  }
  bg_rerouted(*d);
}

// 5. Traffic is on the replacement: the group now names the copy, CodeDeploy's hook moves to it,
// and what still refers to the original by name is reported.
void Backend::bg_rerouted(Deployment& d) {
  DeploymentGroup* g = mutable_group(d.application, d.group);
  if (!g) return;
  if (d.discover_existing) {
    if (g->blue_action == "KEEP_ALIVE") {
      d.bg_phase = "done";
      finish(d, "Succeeded", "", "");
      return;
    }
    bg_wait_termination(d, g->termination_wait_minutes);
    return;
  }
  (void)role_call(*g, "autoscaling", "ResumeProcesses", {{"AutoScalingGroupName", d.green_asg}});
  for (const auto& asg : g->asgs) remove_hook(*g, asg);
  g->asgs.clear();
  GroupAsg green{d.green_asg, "", ""};
  if (auto e = install_hook(*g, green)) {
    world_.record("codedeploy", d.id, "the launch hook could not be put on the copy: " + *e);
  }
  g->asgs.push_back(green);
  // The seed's warnings: the new name, and whatever was keyed on the old one.
  world_.record("warning", d.green_asg,
                fmt::format("deployment group {} now deploys to Auto Scaling group {} (was {}); "
                            "anything set up on the old name must be set up again",
                            g->name, d.green_asg, d.blue_asg));
  if (auto blue = describe_asg(service_role_session(*g), d.blue_asg); blue.ok() && blue.value()) {
    std::vector<std::string> tgs, tags;
    for (const auto& t : blue.value()->at("TargetGroupARNs").as_array())
      tgs.emplace_back(t.as_string());
    for (const auto& t : blue.value()->at("Tags").as_array())
      tags.emplace_back(t.at("Key").as_string());
    if (!tgs.empty() || !tags.empty()) {
      std::vector<std::string> what;
      if (!tgs.empty())
        what.push_back(fmt::format("target group attachments ({})", fmt::join(tgs, ", ")));
      if (!tags.empty()) what.push_back(fmt::format("tags ({})", fmt::join(tags, ", ")));
      world_.record("warning", d.blue_asg,
                    fmt::format("the {} of {} were copied to {}; whatever refers to {} by name "
                                "does not follow",
                                fmt::join(what, " and "), d.blue_asg, d.green_asg, d.blue_asg));
    }
  }
  auto alarms = world_.dispatcher().call(
      api::Call{"cloudwatch", "DescribeAlarms", {}, world_.root(), ".", false});
  if (alarms.ok()) {
    for (const auto& a : alarms->body.at("MetricAlarms").as_array()) {
      for (const auto& dim : a.at("Dimensions").as_array()) {
        if (dim.at("Name") == "AutoScalingGroupName" && dim.at("Value").as_string() == d.blue_asg) {
          world_.record("warning", std::string(a.at("AlarmName").as_string()),
                        fmt::format("CloudWatch alarm {} watches Auto Scaling group {} by name: it "
                                    "will have no data once that group is deleted",
                                    a.at("AlarmName").as_string(), d.blue_asg));
        }
      }
    }
  }
  const DeploymentGroup& cg = *g;
  std::string blue_action = cg.blue_action;
  if (blue_action == "KEEP_ALIVE") {
    world_.record("warning", d.blue_asg,
                  fmt::format("Auto Scaling group {} keeps running, deregistered and outside the "
                              "deployment group (KEEP_ALIVE)",
                              d.blue_asg));
    d.bg_phase = "done";
    finish(d, "Succeeded", "", "");
    return;
  }
  bg_wait_termination(d, cg.termination_wait_minutes);
}

void Backend::bg_wait_termination(Deployment& d, int minutes) {
  d.bg_phase = "terminating";
  d.termination_wait_started = true;
  d.bg_deadline = world_.now() + std::chrono::minutes(minutes);
  std::string id = d.id;
  world_.scheduler().at(*d.bg_deadline, [this, id] { bg_terminate_blue(id); });
}

// A wait in flight when a --state file was written goes on where it stood.
void Backend::bg_resume(Deployment& d) {
  if (!d.blue_green || d.completed || !d.bg_deadline) return;
  std::string id = d.id;
  sim::SimTime deadline = *d.bg_deadline;
  sim::SimTime due = std::max(world_.now(), deadline);
  bool blocking = d.bg_blocking;
  if (d.bg_phase == "provisioning") {
    world_.scheduler().after(std::chrono::seconds(0),
                             [this, id, deadline] { bg_wait_green(id, deadline); });
  } else if (d.bg_phase == "ready") {
    world_.scheduler().at(due, [this, id] { bg_ready_timeout(id); });
  } else if (d.bg_phase == "rerouting") {
    world_.scheduler().after(std::chrono::seconds(0), [this, id, blocking, deadline] {
      bg_reroute_poll(id, blocking, deadline);
    });
  } else if (d.bg_phase == "terminating") {
    world_.scheduler().at(due, [this, id] { bg_terminate_blue(id); });
  }
}

// 6. The original group and its instances go.
void Backend::bg_terminate_blue(const std::string& id) {
  Deployment* d = mutable_deployment(id);
  DeploymentGroup* g = d ? mutable_group(d->application, d->group) : nullptr;
  if (!d || !g || d->completed) return;
  if (d->discover_existing) {
    if (!d->blue_instances.empty()) {
      (void)role_call(*g, "ec2", "TerminateInstances",
                      {{"InstanceIds", api::params::string_array(d->blue_instances)}});
    }
    d->bg_phase = "done";
    finish(*d, "Succeeded", "", "");
    return;
  }
  auto r = role_call(*g, "autoscaling", "DeleteAutoScalingGroup",
                     {{"AutoScalingGroupName", d->blue_asg}, {"ForceDelete", true}});
  if (!r.ok()) {
    finish(*d, "Failed", "AUTO_SCALING_IAM_ROLE_PERMISSIONS",
           "The original Auto Scaling group could not be deleted: " + r.error().message);
    return;
  }
  world_.record("warning", d->blue_asg,
                fmt::format("Auto Scaling group {} was deleted with its instances; its scaling "
                            "policies, notifications and anything attached to it went with it",
                            d->blue_asg));
  d->bg_phase = "done";
  finish(*d, "Succeeded", "", "");
}

// A blue/green deployment that does not reach the reroute leaves the original as it was and
// takes the copy away.
void Backend::bg_abandon(Deployment& d) {
  // Only before the reroute: afterwards the copy is what serves.
  if (d.green_asg.empty() || d.bg_phase == "done" || d.bg_phase == "rerouting" ||
      d.bg_phase == "terminating") {
    return;
  }
  const DeploymentGroup* g = mutable_group(d.application, d.group);
  if (!g) return;
  (void)role_call(*g, "autoscaling", "DeleteAutoScalingGroup",
                  {{"AutoScalingGroupName", d.green_asg}, {"ForceDelete", true}});
  world_.record("codedeploy", d.id, fmt::format("replacement group {} deleted", d.green_asg));
  d.bg_phase = "done";
}

}  // namespace deploysim::fake::codedeploy
