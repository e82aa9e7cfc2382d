// The Auto Scaling launch hook (reference §2): a new instance of a deployment group's Auto Scaling
// group waits in Pending:Wait while a deployment of the group's last successful revision runs on
// it alone (creator autoscaling), with a heartbeat every five minutes; success answers CONTINUE,
// failure ABANDON. Instances launched during a deployment get the previous revision and, with
// outdatedInstancesStrategy UPDATE, a follow-on deployment (creator CodeDeployAutoUpdate).
#include <fmt/format.h>

#include <algorithm>

#include "fake_services/codedeploy/backend.h"

namespace deploysim::fake::codedeploy {

void Backend::on_lifecycle_action(const autoscaling::LifecycleNotification& n) {
  bool launching = n.transition == "autoscaling:EC2_INSTANCE_LAUNCHING";
  DeploymentGroup* group = nullptr;
  for (auto& [key, g] : groups_) {
    for (const auto& asg : g.asgs) {
      if (asg.name == n.group && (launching ? asg.hook : asg.termination_hook) == n.hook) {
        group = &g;
      }
    }
  }
  if (!group) return;  // not one of CodeDeploy's hooks (or a stale one: it times out)
  if (launching && !group->active_deployment.empty()) {
    if (Deployment* active = mutable_deployment(group->active_deployment)) {
      active->outdated.push_back(n.instance_id);
    }
  }
  if (!group->target_revision) {
    // Nothing deployed yet. A termination has nothing to stop; a launch is let through unless
    // the scenario's settings say codedeploy.launch_without_revision: wait.
    bool let_through = world_.setting("codedeploy.launch_without_revision") == "continue";
    world_.record("codedeploy", group->name,
                  fmt::format("{} {} before any successful deployment: {}", n.instance_id,
                              launching ? "launched" : "terminating",
                              !launching || let_through ? "CONTINUE" : "left waiting"));
    if (launching && !let_through) return;
    complete_action(*group, n.group, n.hook, n.token, "CONTINUE");
    return;
  }
  // terminationHookEnabled: a scale-in runs the last successful revision's ApplicationStop and
  // block-traffic events (creator autoscalingTermination) while the instance waits.
  DeploymentRequest r;
  r.application = group->application;
  r.group = group->name;
  r.revision = group->target_revision;
  r.creator = launching ? "autoscaling" : "autoscalingTermination";
  r.rollback_enabled = false;
  r.only_instances = {n.instance_id};
  auto made = create_deployment(r);
  if (!made.ok()) {
    // A launch times out with its DefaultResult (ABANDON); a termination goes ahead.
    if (!launching) complete_action(*group, n.group, n.hook, n.token, "CONTINUE");
    return;
  }
  Deployment* d = mutable_deployment(made.value()->id);
  d->asg = n.group;
  d->asg_hook = n.hook;
  d->asg_token = n.token;
  std::string id = d->id;
  world_.scheduler().after(std::chrono::minutes(5), [this, id] { heartbeat(id); });
}

void Backend::complete_action(const DeploymentGroup& g, const std::string& asg,
                              const std::string& hook, const std::string& token,
                              const char* result) {
  (void)world_.dispatcher().call(api::Call{"autoscaling",
                                           "CompleteLifecycleAction",
                                           {{"AutoScalingGroupName", asg},
                                            {"LifecycleHookName", hook},
                                            {"LifecycleActionToken", token},
                                            {"LifecycleActionResult", result}},
                                           service_role_session(g),
                                           ".",
                                           true});
}

void Backend::heartbeat(const std::string& id) {
  Deployment* d = mutable_deployment(id);
  if (!d || d->completed) return;
  const DeploymentGroup* g = mutable_group(d->application, d->group);
  if (!g) return;
  (void)world_.dispatcher().call(api::Call{"autoscaling",
                                           "RecordLifecycleActionHeartbeat",
                                           {{"AutoScalingGroupName", d->asg},
                                            {"LifecycleHookName", d->asg_hook},
                                            {"LifecycleActionToken", d->asg_token}},
                                           service_role_session(*g),
                                           ".",
                                           true});
  world_.scheduler().after(std::chrono::minutes(5), [this, id] { heartbeat(id); });
}

void Backend::answer_hook(const Deployment& d, bool succeeded) {
  if (const DeploymentGroup* g = mutable_group(d.application, d.group)) {
    complete_action(*g, d.asg, d.asg_hook, d.asg_token, succeeded ? "CONTINUE" : "ABANDON");
  }
}

// After a successful deployment, instances that scaled out during it run the previous revision:
// with UPDATE a follow-on deployment brings them up to date, immediately.
void Backend::update_outdated(Deployment& d) {
  if (d.outdated.empty() || d.creator == "autoscaling" || d.creator == "autoscalingTermination") {
    return;
  }
  const DeploymentGroup* g = mutable_group(d.application, d.group);
  if (!g || g->outdated_strategy == "IGNORE") return;
  DeploymentRequest r;
  r.application = d.application;
  r.group = d.group;
  r.revision = d.revision;
  r.config_name = d.config_name;
  r.creator = "CodeDeployAutoUpdate";
  r.file_exists_behavior = d.file_exists_behavior;
  r.only_instances = d.outdated;
  std::string root = d.auto_update_root.empty() ? d.id : d.auto_update_root;
  std::string parent = d.id;
  auto made = create_deployment(r);
  if (!made.ok()) return;
  Deployment* follow = mutable_deployment(made.value()->id);
  follow->auto_update_root = root;
  Deployment* p = mutable_deployment(parent);
  p->auto_update_ids.push_back(follow->id);
  if (root != parent) {
    if (Deployment* rd = mutable_deployment(root)) rd->auto_update_ids.push_back(follow->id);
  }
}

}  // namespace deploysim::fake::codedeploy
