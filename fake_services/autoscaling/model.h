// Auto Scaling's plain data: groups, their instances, lifecycle hooks and pending actions,
// scaling activities. No JSON here.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "simulator/core/scheduler.h"
#include "simulator/core/sim_time.h"

namespace deploysim::fake::autoscaling {

struct TemplateRef {
  std::string id;
  std::string name;
  std::string version;  // as given ("" = $Default, not echoed back)
};

struct GroupTag {
  std::string key, value;
  bool propagate = false;
};

struct Hook {
  std::string name;
  std::string transition;  // autoscaling:EC2_INSTANCE_LAUNCHING | ..._TERMINATING
  int heartbeat_timeout_s = 3600;
  std::string default_result = "ABANDON";
  std::string metadata;
  std::string target_arn, role_arn;
  int global_timeout_s() const { return std::min(172800, 100 * heartbeat_timeout_s); }
  bool launching() const { return transition == "autoscaling:EC2_INSTANCE_LAUNCHING"; }
};

// One hook's wait on one instance.
struct Action {
  std::string token;  // a UUID
  std::string hook;
  sim::SimTime started;
  sim::SimTime heartbeat_deadline;
  std::optional<sim::EventId> timeout_event;
};

struct Member {
  std::string id;
  std::string zone;
  std::string instance_type;
  std::string lifecycle = "Pending";  // Pending, Pending:Wait, InService, Terminating:Wait, ...
  std::string health = "Healthy";
  TemplateRef launch_template;
  std::string activity;  // the activity that launched or is terminating it
  bool decrement_on_termination = false;
  std::vector<Action> actions;  // pending lifecycle actions
  bool abandoned = false;
  std::optional<sim::SimTime> in_service_since;  // the health check grace period counts from here
  std::optional<sim::SimTime> finish_due;        // Terminating:Proceed: when EC2 is done
};

struct Activity {
  std::string id;
  std::string description;
  std::string cause;
  sim::SimTime start;
  std::optional<sim::SimTime> end;
  std::string status = "InProgress";
  std::string status_message;
  int progress = 0;
};

// What stays of a deleted group: its scaling activities (DescribeScalingActivities with
// IncludeDeletedGroups).
struct DeletedGroup {
  std::string name;
  std::string arn;
  std::vector<Activity> activities;
};

struct ActivityRef {
  const std::string* group;
  const std::string* arn;
  const Activity* activity;
  std::size_t order;  // creation order within its group
};

struct Group {
  std::string name;
  std::string arn;
  TemplateRef launch_template;
  int min = 0, max = 0, desired = 0;
  std::vector<std::string> zones;
  std::string vpc_zone_identifier;
  std::string health_check_type = "EC2";
  int grace_period_s = 0;
  std::vector<GroupTag> tags;
  std::vector<std::string> target_groups;
  sim::SimTime created;
  std::vector<Member> members;        // in launch order
  std::map<std::string, Hook> hooks;  // by name
  std::vector<Activity> activities;   // oldest first
  // What the next reconciliation explains its launches and terminations by.
  std::string pending_cause;
  std::map<std::string, std::string> suspended;  // process name -> SuspensionReason
  // Lookups that events make one instance at a time: no linear searches over big fleets.
  std::map<std::string, std::size_t> member_index;    // instance ID -> position in members
  std::map<std::string, std::string> action_owner;    // action token -> instance ID (may be stale)
  std::map<std::string, std::size_t> activity_index;  // activity ID -> position in activities

  Member* member(const std::string& id) {
    auto it = member_index.find(id);
    return it == member_index.end() ? nullptr : &members[it->second];
  }
  void add_member(Member m) {
    member_index[m.id] = members.size();
    members.push_back(std::move(m));
  }
  void remove_member(const std::string& id) {
    auto it = member_index.find(id);
    if (it == member_index.end()) return;
    members.erase(members.begin() + static_cast<std::ptrdiff_t>(it->second));
    member_index.clear();
    for (std::size_t i = 0; i < members.size(); ++i) member_index[members[i].id] = i;
  }
};

}  // namespace deploysim::fake::autoscaling
