// CodeDeploy's state and semantics: the entities (backend.cc) and the deployments that run
// (engine.cc): targets found as the service role, the health algorithm of the reference's §1.4,
// each instance's lifecycle events handed to its agent with the agent's poll latency, rollback,
// and the Auto Scaling launch hook (autoscaling_hook.cc).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fake_services/autoscaling/backend.h"
#include "fake_services/codedeploy/model.h"
#include "simulator/api/call.h"
#include "simulator/world/world.h"

namespace deploysim::fake::agent {
class Agent;
}

namespace deploysim::fake::codedeploy {

template <class T>
using Result = sim::Result<T>;
using sim::Ok;

struct GroupRequest {
  std::string application, name;
  std::optional<std::string> new_name;  // UpdateDeploymentGroup
  std::optional<std::string> config_name, service_role_arn, outdated_strategy;
  std::optional<std::vector<TagFilter>> ec2_tag_filters;
  std::optional<std::vector<std::vector<TagFilter>>> ec2_tag_set;
  std::optional<std::vector<std::string>> asgs;
  std::optional<bool> rollback_enabled, termination_hook_enabled;
  std::optional<std::vector<std::string>> rollback_events;
  std::optional<std::string> deployment_type, deployment_option;
  std::optional<std::vector<std::string>> target_groups;  // loadBalancerInfo.targetGroupInfoList
  std::optional<bool> alarms_enabled, ignore_poll_alarm_failure;
  std::optional<std::vector<std::string>> alarms;
  std::optional<std::string> green_provisioning, ready_action, blue_action;
  std::optional<int> ready_wait_minutes, termination_wait_minutes;
};

struct DeploymentRequest {
  std::string application, group;
  std::optional<RevisionLocation> revision;
  std::optional<std::string> config_name;
  std::string description;
  bool ignore_application_stop_failures = false;
  std::optional<std::string> file_exists_behavior;
  std::optional<bool> rollback_enabled;
  std::optional<std::vector<std::string>> rollback_events;
  std::string creator = "user";
  std::vector<std::string> only_instances;    // launch deployments: the one new instance
  bool outdated_only = false;                 // updateOutdatedInstancesOnly
  std::vector<TagFilter> target_tag_filters;  // targetInstances (blue/green DISCOVER_EXISTING)
  std::vector<std::string> target_asgs;
};

class Backend : public autoscaling::LifecycleSubscriber {
 public:
  explicit Backend(world::World& world);
  ~Backend() override;

  // Applications.
  Result<const Application*> create_application(const std::string& name,
                                                const std::string& platform);
  Result<const Application*> application(const std::string& name) const;
  std::vector<const Application*> applications() const;
  Result<Ok> rename_application(const std::string& name, const std::string& new_name);
  Result<Ok> delete_application(const std::string& name);

  // Deployment configurations (the predefined three exist in every account).
  Result<const DeploymentConfig*> create_config(const std::string& name, const std::string& type,
                                                int value);
  Result<const DeploymentConfig*> config(const std::string& name) const;
  std::vector<const DeploymentConfig*> configs() const;
  Result<Ok> delete_config(const std::string& name);

  // Deployment groups. Update and delete answer the hooks they could not remove.
  Result<const DeploymentGroup*> create_group(const GroupRequest& r);
  Result<std::vector<GroupAsg>> update_group(const GroupRequest& r);
  Result<std::vector<GroupAsg>> delete_group(const std::string& app, const std::string& name);
  Result<const DeploymentGroup*> group(const std::string& app, const std::string& name) const;
  std::vector<const DeploymentGroup*> groups(const std::string& app) const;

  // Revisions.
  Result<Ok> register_revision(const std::string& app, const RevisionLocation& rev,
                               const std::string& description);
  Result<const RegisteredRevision*> revision(const std::string& app,
                                             const RevisionLocation& rev) const;
  Result<std::vector<const RegisteredRevision*>> revisions(const std::string& app) const;

  // Deployments (engine.cc).
  Result<const Deployment*> create_deployment(const DeploymentRequest& r);
  Result<const Deployment*> deployment(const std::string& id) const;
  std::vector<const Deployment*> deployments() const;  // newest first
  // StopDeployment: "Succeeded" when nothing runs any more, else "Pending".
  Result<std::string> stop_deployment(const std::string& id, bool rollback);

  // ContinueDeployment: READY_WAIT reroutes a Ready blue/green deployment; TERMINATION_WAIT
  // ends the wait before the original instances are terminated.
  Result<Ok> continue_deployment(const std::string& id, const std::string& wait_type);

  // Auto Scaling's launch hook (autoscaling_hook.cc).
  void on_lifecycle_action(const autoscaling::LifecycleNotification& n) override;

  api::Principal service_role_session(const DeploymentGroup& g) const;

  // --state (state.cc).
  json::value save_state() const;
  void load_state(const json::value& state);

 private:
  DeploymentGroup* mutable_group(const std::string& app, const std::string& name);
  Deployment* mutable_deployment(const std::string& id);
  Result<Ok> check_service_role(const std::string& role_arn) const;
  std::optional<std::string> install_hook(DeploymentGroup& g, GroupAsg& asg);
  Result<std::optional<json::object>> describe_asg(const api::Principal& role,
                                                   const std::string& name);
  bool remove_hook(const DeploymentGroup& g, const GroupAsg& asg);
  void use_revision(const std::string& app, const RevisionLocation& rev, const std::string& group);

  // engine.cc
  void start(const std::string& id);
  Result<std::vector<std::string>> find_targets(const DeploymentGroup& g, const Deployment& d);
  void schedule_more(const std::string& id);
  void pickup(const std::string& id, const std::string& instance);
  void run_event(const std::string& id, const std::string& instance);
  void finish_instance(Deployment& d, DeploymentInstance& inst, bool succeeded);
  void time_out(const std::string& id);
  // The group's alarms in ALARM, polled as the service role; stops the deployment when any is.
  bool stop_on_alarm(Deployment& d);

  // blue_green.cc
  void bg_start(Deployment& d, DeploymentGroup& g);
  void bg_wait_green(const std::string& id, sim::SimTime deadline);
  void bg_install(Deployment& d, const std::vector<std::string>& green);
  void bg_installed(Deployment& d);
  void bg_reroute(const std::string& id);
  void bg_reroute_poll(const std::string& id, bool blocking, sim::SimTime deadline);
  void bg_rerouted(Deployment& d);
  void bg_terminate_blue(const std::string& id);
  void bg_ready_timeout(const std::string& id);
  bool set_minimum(Deployment& d);
  void bg_wait_termination(Deployment& d, int minutes);
  void bg_resume(Deployment& d);  // after a --state load
  void bg_abandon(Deployment& d);
  std::vector<std::string> target_group_arns(const DeploymentGroup& g);
  Result<json::object> role_call(const DeploymentGroup& g, const std::string& service,
                                 const std::string& op, json::object params, bool journal = true);
  void complete_event(const std::string& id, const std::string& instance, bool ok,
                      const EventDiagnostics& diag);
  void traffic_event(const std::string& id, const std::string& instance, bool block);
  void traffic_poll(const std::string& id, const std::string& instance, bool block,
                    std::vector<std::string> arns, sim::SimTime deadline);
  void finish(Deployment& d, const std::string& status, const std::string& code,
              const std::string& message);
  void maybe_roll_back(Deployment& d, const std::string& event);
  agent::Agent& agent_for(const std::string& instance);
  bool agent_ready(const std::string& instance);
  // The instance's Auto Scaling group (its aws:autoscaling:groupName tag), or "".
  std::string group_of(const std::string& instance);
  // sim.InjectFault as the agent is about to take the instance's next event.
  void inject_pickup_faults(const std::string& instance, const std::string& event);
  std::string instance_role_arn(const std::string& instance);

  // autoscaling_hook.cc
  void heartbeat(const std::string& deployment_id);
  void answer_hook(const Deployment& d, bool succeeded);
  void update_outdated(Deployment& d);
  void complete_action(const DeploymentGroup& g, const std::string& asg, const std::string& hook,
                       const std::string& token, const char* result);

  world::World& world_;
  std::map<std::string, Application> applications_;
  std::map<std::string, DeploymentConfig> configs_;
  std::map<std::pair<std::string, std::string>, DeploymentGroup> groups_;
  std::map<std::string, std::map<std::string, RegisteredRevision>> revisions_;  // app -> label
  std::map<std::string, Deployment> deployments_;
  std::vector<std::string> deployment_order_;
  std::map<std::string, std::unique_ptr<agent::Agent>> agents_;  // one agent per instance
  // The agent runs one deployment's commands at a time: instance -> the deployment it serves.
  std::map<std::string, std::string> busy_;
  // How much of each instance's stand-ins log (service, systemctl, yum, ...) is journaled.
  std::map<std::string, std::uintmax_t> stand_in_offsets_;
  void journal_stand_ins(const std::string& instance);
};

}  // namespace deploysim::fake::codedeploy
