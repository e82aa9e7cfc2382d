// Auto Scaling semantics for one account and region: groups that launch and terminate EC2
// instances (through the dispatcher, as AWS's service-linked role) to reach their desired
// capacity, lifecycle hooks that hold instances in Pending:Wait / Terminating:Wait, activities.
#pragma once

#include <functional>
#include <map>
#include <vector>

#include "fake_services/autoscaling/model.h"
#include "simulator/core/aws_error.h"
#include "simulator/world/world.h"

namespace deploysim::fake::autoscaling {

using sim::Result;

// What a lifecycle hook tells its subscribers when an instance starts waiting on it.
struct LifecycleNotification {
  std::string token;
  std::string group;
  std::string hook;
  std::string instance_id;
  std::string transition;
  std::string metadata;
};

// CodeDeploy (and tests) receive hook notifications through this, as AWS's queue would deliver
// them; they answer with CompleteLifecycleAction / RecordLifecycleActionHeartbeat calls.
class LifecycleSubscriber {
 public:
  virtual ~LifecycleSubscriber() = default;
  virtual void on_lifecycle_action(const LifecycleNotification& n) = 0;
};

// PutLifecycleHook's members as given: an update keeps what the request leaves out.
struct HookRequest {
  std::string name;
  std::optional<std::string> transition, default_result, metadata, target_arn, role_arn;
  std::optional<int> heartbeat_timeout_s;
};

struct GroupSpec {
  std::string name;
  api::Principal caller;  // who creates the group: iam:PassRole for its template's profile
  TemplateRef launch_template;
  std::optional<int> min, max, desired;
  std::vector<std::string> zones;
  std::string vpc_zone_identifier;
  std::optional<std::string> health_check_type;
  std::optional<int> grace_period_s;
  std::vector<GroupTag> tags;
  std::vector<std::string> target_groups;
  std::vector<HookRequest> hooks;
};

class Backend {
 public:
  explicit Backend(world::World& world);

  Result<const Group*> create_group(const GroupSpec& spec);
  Result<const Group*> update_group(const GroupSpec& spec);  // only the members given change
  Result<sim::Ok> delete_group(const std::string& name, bool force);
  Result<sim::Ok> set_desired_capacity(const std::string& name, int desired);
  Result<const Group*> find_group(const std::string& name) const;
  std::vector<const Group*> groups() const;
  const std::vector<DeletedGroup>& deleted_groups() const { return deleted_groups_; }
  // The account's scaling activities, newest first (a group's own in reverse order of creation),
  // narrowed to a group and to IDs when given, deleted groups' too when asked.
  std::vector<ActivityRef> activities(const std::string& group, const std::vector<std::string>& ids,
                                      bool include_deleted) const;
  Result<std::pair<const Group*, const Activity*>> terminate_instance(
      const std::string& instance_id, bool decrement);

  // Lifecycle hooks (lifecycle_hooks.cc).
  Result<sim::Ok> put_hook(const std::string& group, const HookRequest& request);
  // A hook from a request, with AWS's defaults, or the ValidationError AWS gives.
  static Result<Hook> hook_from(const HookRequest& request, const Hook* existing);
  Result<sim::Ok> delete_hook(const std::string& group, const std::string& hook);
  Result<sim::Ok> complete_action(const std::string& group, const std::string& hook,
                                  const std::string& token, const std::string& instance_id,
                                  const std::string& result);
  Result<sim::Ok> heartbeat(const std::string& group, const std::string& hook,
                            const std::string& token, const std::string& instance_id);
  void subscribe(LifecycleSubscriber* s) { subscribers_.push_back(s); }

  // Instances in and out of a group (instances.cc).
  Result<sim::Ok> set_instance_health(const std::string& instance, bool healthy,
                                      bool respect_grace);
  Result<std::vector<const Activity*>> enter_standby(const std::string& group,
                                                     const std::vector<std::string>& ids,
                                                     bool decrement);
  Result<std::vector<const Activity*>> exit_standby(const std::string& group,
                                                    const std::vector<std::string>& ids);
  Result<sim::Ok> attach_instances(const std::string& group, const std::vector<std::string>& ids);
  Result<std::vector<const Activity*>> detach_instances(const std::string& group,
                                                        const std::vector<std::string>& ids,
                                                        bool decrement);
  Result<sim::Ok> suspend_processes(const std::string& group,
                                    const std::vector<std::string>& processes, bool suspend);
  // --state (state.cc): groups with their instances, hooks' waits and activities.
  json::value save_state() const;
  void load_state(const json::value& state);

  // CreateOrUpdateTags (remove = false) and DeleteTags: (group, tag) pairs.
  Result<sim::Ok> put_tags(const std::vector<std::pair<std::string, GroupTag>>& tags, bool remove);

  std::string arn_of(const std::string& group) const;
  api::Principal service_linked_role() const;

 private:
  Group* mutable_group(const std::string& name);
  void schedule_reconcile(const std::string& group);
  void reconcile(const std::string& group);
  void launch_one(Group& g, const std::string& zone, const std::string& cause);
  void watch_boot(const std::string& group, const std::string& instance);
  void check_boot(const std::string& group, const std::string& instance);
  // The instance as EC2 describes it to Auto Scaling's role (nullopt: EC2 does not know it).
  std::optional<json::object> describe_instance(const std::string& instance);
  std::string instance_state(const std::string& instance);  // "terminated" when unknown
  void on_running(Group& g, Member& m);
  void route_traffic(Group& g, const Member& m, bool on);
  void begin_termination(Group& g, Member& m, const std::string& cause);
  void proceed_termination(Group& g, Member& m);
  void finish_termination(const std::string& group, const std::string& instance);
  void arm_finish(const std::string& group, const Member& m);
  Member* action_member(Group& g, const std::string& token, const std::string& instance_id);
  void enter_wait(Group& g, Member& m, bool launching);
  void leave_wait(Group& g, Member& m);
  void arm_timeout(const std::string& group, const std::string& instance, const std::string& token);
  Activity& activity(Group& g, const std::string& id);
  Activity& new_activity(Group& g, std::string description, std::string cause);
  std::string stamp() const;
  bool suspended(const Group& g, const std::string& process) const;
  Result<Group*> group_with(const std::string& name, const std::vector<std::string>& ids,
                            std::initializer_list<std::string_view> states, std::string_view label);
  std::pair<Group*, Member*> locate(const std::string& instance);
  void on_instance_state(const std::string& instance, const std::string& state);
  void replace_unhealthy(
      Group& g, Member& m,
      const std::string& cause);  // 2026-01-01T00:00:00Z, as activity causes print times

  world::World& world_;
  std::map<std::string, Group> groups_;
  std::vector<DeletedGroup> deleted_groups_;  // in the order they were deleted
  std::vector<LifecycleSubscriber*> subscribers_;
  std::map<std::string, bool> reconcile_pending_;
};

}  // namespace deploysim::fake::autoscaling
