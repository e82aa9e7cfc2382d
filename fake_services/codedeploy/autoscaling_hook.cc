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
  api::Principal role = service_role_session(*group);
  if (!launching) {
    on_termination(*group, n);
    return;
  }
  if (!group->active_deployment.empty()) {
    if (Deployment* active = mutable_deployment(group->active_deployment)) {
      active->outdated.push_back(n.instance_id);
    }
  }
  if (!group->target_revision) {
    world_.record(
        "codedeploy", group->name,
        fmt::format("{} launched before any successful deployment: {}", n.instance_id,
                    continue_without_revision ? "let through (CONTINUE)" : "left waiting"));
    if (!continue_without_revision) return;
    (void)world_.dispatcher().call(api::Call{"autoscaling",
                                             "CompleteLifecycleAction",
                                             {{"AutoScalingGroupName", n.group},
                                              {"LifecycleHookName", n.hook},
                                              {"LifecycleActionToken", n.token},
                                              {"LifecycleActionResult", "CONTINUE"}},
                                             role,
                                             ".",
                                             true});
    return;
  }
  DeploymentRequest r;
  r.application = group->application;
  r.group = group->name;
  r.revision = group->target_revision;
  r.creator = "autoscaling";
  r.rollback_enabled = false;
  r.only_instances = {n.instance_id};
  auto made = create_deployment(r);
  if (!made.ok()) return;  // the hook times out with its DefaultResult (ABANDON)
  Deployment* d = mutable_deployment(made.value()->id);
  d->asg = n.group;
  d->asg_hook = n.hook;
  d->asg_token = n.token;
  std::string id = d->id;
  world_.scheduler().after(std::chrono::minutes(5), [this, id] { heartbeat(id); });
}

// terminationHookEnabled: a scale-in runs the last successful revision's ApplicationStop and
// block-traffic events on the instance (creator autoscalingTermination) while it waits in
// Terminating:Wait; it terminates whatever the outcome.
void Backend::on_termination(DeploymentGroup& group, const autoscaling::LifecycleNotification& n) {
  auto complete = [&] {
    (void)world_.dispatcher().call(api::Call{"autoscaling",
                                             "CompleteLifecycleAction",
                                             {{"AutoScalingGroupName", n.group},
                                              {"LifecycleHookName", n.hook},
                                              {"LifecycleActionToken", n.token},
                                              {"LifecycleActionResult", "CONTINUE"}},
                                             service_role_session(group),
                                             ".",
                                             true});
  };
  if (!group.target_revision) {
    complete();
    return;
  }
  DeploymentRequest r;
  r.application = group.application;
  r.group = group.name;
  r.revision = group.target_revision;
  r.creator = "autoscalingTermination";
  r.rollback_enabled = false;
  r.only_instances = {n.instance_id};
  auto made = create_deployment(r);
  if (!made.ok()) {
    complete();
    return;
  }
  Deployment* d = mutable_deployment(made.value()->id);
  d->asg = n.group;
  d->asg_hook = n.hook;
  d->asg_token = n.token;
  std::string id = d->id;
  world_.scheduler().after(std::chrono::minutes(5), [this, id] { heartbeat(id); });
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
  const DeploymentGroup* g = mutable_group(d.application, d.group);
  if (!g) return;
  (void)world_.dispatcher().call(
      api::Call{"autoscaling",
                "CompleteLifecycleAction",
                {{"AutoScalingGroupName", d.asg},
                 {"LifecycleHookName", d.asg_hook},
                 {"LifecycleActionToken", d.asg_token},
                 {"LifecycleActionResult", succeeded ? "CONTINUE" : "ABANDON"}},
                service_role_session(*g),
                ".",
                true});
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
