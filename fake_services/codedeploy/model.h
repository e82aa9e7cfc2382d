// CodeDeploy's plain data: applications, deployment configurations, deployment groups,
// revisions, deployments and their instances. No JSON here.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "simulator/core/scheduler.h"
#include "simulator/core/sim_time.h"

namespace deploysim::fake::codedeploy {

struct Application {
  std::string name, id;
  sim::SimTime created{};
  std::string compute_platform = "Server";
};

struct DeploymentConfig {
  std::string name, id;
  std::string type;  // HOST_COUNT | FLEET_PERCENT | MOST_CONCURRENCY (OneAtATime)
  int value = 0;
  sim::SimTime created{};
  bool predefined = false;
};

struct TagFilter {
  std::string key, value, type;  // KEY_ONLY | VALUE_ONLY | KEY_AND_VALUE
};

// A revision as CodeDeploy names it: S3 {bucket, key, bundleType, version, eTag} or GitHub
// {repository, commitId}.
struct RevisionLocation {
  std::string type;  // S3 | GitHub
  std::string bucket, key, bundle_type, version, etag;
  std::string repository, commit;
  bool operator==(const RevisionLocation&) const = default;
  std::string label() const;  // a stable key for the revision registry
};

struct RegisteredRevision {
  RevisionLocation location;
  std::string description;
  sim::SimTime registered{};
  std::optional<sim::SimTime> first_used, last_used;
  std::vector<std::string> groups;  // deployment groups it was deployed to
};

struct GroupAsg {
  std::string name;
  std::string hook;              // the launch hook CodeDeploy installed ("" if it could not)
  std::string termination_hook;  // with terminationHookEnabled
};

struct LastDeployment {
  std::string id, status;
  sim::SimTime created{}, ended{};
};

// What CodeDeploy knows of an instance in a deployment group (reference §1.4, rules 8 and 9).
struct InstanceHealth {
  bool healthy = true;
  std::string revision;  // the revision label it runs; "" = unknown
};

struct DeploymentGroup {
  std::string application, name, id;
  std::string config_name = "CodeDeployDefault.OneAtATime";
  std::string service_role_arn;
  std::vector<TagFilter> ec2_tag_filters;
  std::vector<std::vector<TagFilter>> ec2_tag_set;
  std::vector<GroupAsg> asgs;
  bool rollback_enabled = false;
  std::vector<std::string> rollback_events;
  std::string outdated_strategy = "UPDATE";
  bool termination_hook_enabled = false;
  std::string deployment_type = "IN_PLACE";
  std::string deployment_option = "WITHOUT_TRAFFIC_CONTROL";
  std::vector<std::string> target_groups;  // loadBalancerInfo.targetGroupInfoList names
  bool alarms_enabled = false, ignore_poll_alarm_failure = false;
  // blueGreenDeploymentConfiguration
  std::string green_provisioning = "COPY_AUTO_SCALING_GROUP";
  std::string ready_action = "CONTINUE_DEPLOYMENT";
  int ready_wait_minutes = 0;
  std::string blue_action = "TERMINATE";
  int termination_wait_minutes = 5;
  std::vector<std::string> alarms;                  // alarmConfiguration.alarms names
  std::optional<RevisionLocation> target_revision;  // the last successful revision
  std::optional<LastDeployment> last_successful, last_attempted;
  std::string active_deployment;  // the one deployment that may run at a time ("" = none)
  std::map<std::string, InstanceHealth> instance_health;  // by instance ID
};

struct EventDiagnostics {
  std::string error_code, script_name, message, log_tail;
};

struct LifecycleEvent {
  std::string name;
  std::string status = "Pending";  // Pending | InProgress | Succeeded | Failed | Skipped | Unknown
  std::optional<sim::SimTime> start, end;
  std::optional<EventDiagnostics> diagnostics;
};

struct DeploymentInstance {
  std::string id;
  std::string status = "Pending";  // Pending | InProgress | Succeeded | Failed | Skipped
  sim::SimTime updated{};
  std::vector<LifecycleEvent> events;
  std::size_t next_event = 0;
  sim::SimTime pickup_deadline{};  // the agent must pick the deployment up by then (1 h)
  bool agent_issue = false;        // failed because no agent ever picked the deployment up
  std::string label = "Blue";      // blue/green: Blue (original) or Green (replacement)
};

struct Deployment {
  std::string id, application, group, group_id, config_name;
  RevisionLocation revision;
  std::optional<RevisionLocation> previous_revision;
  std::string status = "Created";
  std::string error_code, error_message;
  sim::SimTime created{};
  std::optional<sim::SimTime> started, completed;
  std::string creator = "user";
  std::string description;
  bool ignore_application_stop_failures = false;
  std::string file_exists_behavior = "DISALLOW";
  bool rollback_enabled = false;
  std::vector<std::string> rollback_events;
  std::string rollback_deployment_id, rollback_triggering_id, rollback_message;
  std::vector<DeploymentInstance> instances;  // in scheduling order
  std::map<std::string, std::size_t> instance_index;
  // The health algorithm's state (reference §1.4).
  int min_healthy = 0, healthy = 0, succeeded = 0, failed = 0, running = 0;
  std::size_t next_instance = 0;
  // An Auto Scaling launch deployment: the lifecycle action it answers.
  std::string asg, asg_hook, asg_token;
  bool stop_requested = false;
  bool outdated_only = false;    // updateOutdatedInstancesOnly
  bool traffic_control = false;  // the group's load balancer takes part (BlockTraffic/AllowTraffic)
  std::string alarm_stop;        // the alarms that stopped it ("" = none)
  // Blue/green (blue_green.cc): the original and the copied group, and where it stands.
  bool blue_green = false;
  std::string bg_phase;  // provisioning | installing | ready | rerouting | terminating
  std::string blue_asg, green_asg;
  std::vector<std::string> blue_instances;
  bool termination_wait_started = false;
  // When the current phase's wait ends (green InService, Ready, reroute, termination), and which
  // side the reroute waits on: kept so that a --state file resumes the wait.
  std::optional<sim::SimTime> bg_deadline;
  bool bg_blocking = false;
  bool discover_existing = false;  // greenFleetProvisioningOption DISCOVER_EXISTING
  // targetInstances: the replacement instances a DISCOVER_EXISTING deployment deploys to.
  std::vector<TagFilter> target_tag_filters;
  std::vector<std::string> target_asgs;
  // Instances launched while this deployment ran got the previous revision (reference §2.3).
  std::vector<std::string> outdated;
  std::string auto_update_root;              // CodeDeployAutoUpdate: the deployment it follows
  std::vector<std::string> auto_update_ids;  // the follow-ons this deployment started
};

}  // namespace deploysim::fake::codedeploy
