#include "fake_services/codedeploy/backend.h"

#include <fmt/format.h>

#include <algorithm>

#include "fake_services/codedeploy/errors.h"
#include "fake_services/codedeploy_agent/agent.h"
#include "simulator/core/ids.h"

namespace deploysim::fake::codedeploy {
namespace {

constexpr std::string_view kLaunchHookPrefix =
    "CodeDeploy-managed-automatic-launch-deployment-hook-";
constexpr std::string_view kTerminationHookPrefix =
    "CodeDeploy-managed-automatic-termination-deployment-hook-";

std::string asg_permission_message(const std::string& role) {
  return fmt::format(
      "The IAM role {} does not give you permission to perform operations in the following AWS "
      "service: AmazonAutoScaling. Contact your AWS administrator if you need help. If you are an "
      "AWS administrator, you can grant permissions to your users or groups by creating IAM "
      "policies.",
      role);
}

}  // namespace

std::string RevisionLocation::label() const {
  if (type == "GitHub") return "github:" + repository + "@" + commit;
  return fmt::format("s3://{}/{}#{}#{}#{}", bucket, key, bundle_type, version, etag);
}

Backend::Backend(world::World& world) : world_(world) {
  sim::SimTime epoch = sim::SimTime::from_ms(0);
  configs_["CodeDeployDefault.OneAtATime"] = {"CodeDeployDefault.OneAtATime",
                                              "d6c1fa9d-5b4a-4e0d-9c3f-0f3f8b1a2c01",
                                              "MOST_CONCURRENCY",
                                              1,
                                              epoch,
                                              true};
  configs_["CodeDeployDefault.HalfAtATime"] = {"CodeDeployDefault.HalfAtATime",
                                               "d6c1fa9d-5b4a-4e0d-9c3f-0f3f8b1a2c02",
                                               "FLEET_PERCENT",
                                               50,
                                               epoch,
                                               true};
  configs_["CodeDeployDefault.AllAtOnce"] = {"CodeDeployDefault.AllAtOnce",
                                             "d6c1fa9d-5b4a-4e0d-9c3f-0f3f8b1a2c03",
                                             "HOST_COUNT",
                                             0,
                                             epoch,
                                             true};
}

Backend::~Backend() = default;

// --- applications ---------------------------------------------------------------------------

Result<const Application*> Backend::create_application(const std::string& name,
                                                       const std::string& platform) {
  if (applications_.count(name)) return errors::application_exists(name);
  Application a{name, sim::uuid(world_.rng().stream("codedeploy-ids")), world_.now(),
                platform.empty() ? "Server" : platform};
  return &(applications_[name] = std::move(a));
}

Result<const Application*> Backend::application(const std::string& name) const {
  auto it = applications_.find(name);
  if (it == applications_.end()) return errors::no_application(name);
  return &it->second;
}

std::vector<const Application*> Backend::applications() const {
  std::vector<const Application*> out;
  for (const auto& [name, a] : applications_) out.push_back(&a);
  return out;
}

Result<Ok> Backend::rename_application(const std::string& name, const std::string& new_name) {
  auto a = application(name);
  if (!a.ok()) return a.error();
  if (new_name == name) return Ok{};
  if (applications_.count(new_name)) return errors::application_exists(new_name);
  Application app = applications_.at(name);
  app.name = new_name;
  applications_.erase(name);
  applications_[new_name] = app;
  std::vector<DeploymentGroup> moved;
  for (auto it = groups_.begin(); it != groups_.end();) {
    if (it->first.first == name) {
      moved.push_back(it->second);
      it = groups_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& g : moved) {
    g.application = new_name;
    groups_[{new_name, g.name}] = g;
  }
  if (auto r = revisions_.find(name); r != revisions_.end()) {
    revisions_[new_name] = r->second;
    revisions_.erase(name);
  }
  return Ok{};
}

// Deleting an application deletes its deployment groups (and their hooks), as AWS does.
Result<Ok> Backend::delete_application(const std::string& name) {
  if (!applications_.count(name)) return Ok{};  // AWS answers success for a missing application
  std::vector<std::string> names;
  for (const auto& [key, g] : groups_) {
    if (key.first == name) names.push_back(g.name);
  }
  for (const auto& g : names) (void)delete_group(name, g);
  applications_.erase(name);
  revisions_.erase(name);
  return Ok{};
}

// --- deployment configurations ----------------------------------------------------------------

Result<const DeploymentConfig*> Backend::create_config(const std::string& name,
                                                       const std::string& type, int value) {
  if (name.starts_with("CodeDeployDefault.")) {
    return errors::make("InvalidDeploymentConfigNameException",
                        "Deployment configuration names cannot start with CodeDeployDefault.");
  }
  if (configs_.count(name)) return errors::config_exists(name);
  if (type.empty()) {
    return errors::make("InvalidMinimumHealthyHostValueException",
                        "The minimum healthy host type is required.");
  }
  if (value < 0 || (type == "FLEET_PERCENT" && value >= 100)) {
    return errors::make(
        "InvalidMinimumHealthyHostValueException",
        type == "FLEET_PERCENT"
            ? "The minimum healthy host value for FLEET_PERCENT must be a positive integer less "
              "than 100 or 0."
            : "The minimum healthy host value for HOST_COUNT must be a positive integer or 0.");
  }
  DeploymentConfig c{
      name, sim::uuid(world_.rng().stream("codedeploy-ids")), type, value, world_.now(), false};
  return &(configs_[name] = std::move(c));
}

Result<const DeploymentConfig*> Backend::config(const std::string& name) const {
  auto it = configs_.find(name);
  if (it == configs_.end()) return errors::no_config(name);
  return &it->second;
}

std::vector<const DeploymentConfig*> Backend::configs() const {
  std::vector<const DeploymentConfig*> out;
  for (const auto& [name, c] : configs_) out.push_back(&c);
  return out;
}

Result<Ok> Backend::delete_config(const std::string& name) {
  auto c = config(name);
  if (!c.ok()) return c.error();
  if (c.value()->predefined) {
    return errors::make("InvalidOperationException",
                        "Default deployment configurations cannot be deleted.");
  }
  for (const auto& [key, g] : groups_) {
    if (g.config_name == name) {
      return errors::make("DeploymentConfigInUseException",
                          fmt::format("Deployment configuration {} is in use by deployment group "
                                      "{}",
                                      name, g.name));
    }
  }
  configs_.erase(name);
  return Ok{};
}

// --- deployment groups ------------------------------------------------------------------------

api::Principal Backend::service_role_session(const DeploymentGroup& g) const {
  std::string role = g.service_role_arn.substr(g.service_role_arn.rfind('/') + 1);
  auto p = world_.dispatcher().resolve_principal("role/" + role + "/AWSCodeDeploy",
                                                 world_.config().account);
  if (p.ok()) return p.value();
  // IAM is not simulated in this world (or the role is gone): the session as AWS would name it.
  return api::Principal{
      api::Principal::Kind::AssumedRole, role,
      fmt::format("arn:aws:sts::{}:assumed-role/{}/AWSCodeDeploy", world_.config().account, role),
      "AROA:AWSCodeDeploy", "AWSCodeDeploy"};
}

// codedeploy.amazonaws.com must be able to assume the service role (its trust policy).
Result<Ok> Backend::check_service_role(const std::string& role_arn) const {
  api::Principal codedeploy{api::Principal::Kind::Service, "codedeploy.amazonaws.com",
                            "codedeploy.amazonaws.com", "", ""};
  if (world_.dispatcher().authorize(codedeploy, {"sts:AssumeRole", role_arn, {}}, "codedeploy")) {
    return errors::cannot_assume(role_arn);
  }
  return Ok{};
}

// An Auto Scaling group as `role` sees it (null: there is none).
Result<std::optional<json::object>> Backend::describe_asg(const api::Principal& role,
                                                          const std::string& name) {
  auto r = world_.dispatcher().call(
      api::Call{"autoscaling",
                "DescribeAutoScalingGroups",
                {{"AutoScalingGroupNames", json::array{json::string(name)}}},
                role,
                ".",
                false});
  if (!r.ok()) return r.error();
  const json::array& groups = r->body.at("AutoScalingGroups").as_array();
  if (groups.empty()) return std::optional<json::object>{};
  return std::optional<json::object>{groups[0].as_object()};
}

// The launch hook CodeDeploy puts on an Auto Scaling group, acting as the service role.
std::optional<std::string> Backend::install_hook(DeploymentGroup& g, GroupAsg& asg) {
  api::Principal role = service_role_session(g);
  auto found = describe_asg(role, asg.name);
  if (!found.ok()) {
    if (found.error().code == "AccessDenied") return asg_permission_message(g.service_role_arn);
    return found.error().message;
  }
  if (!found.value()) return fmt::format("Auto Scaling group {} does not exist", asg.name);
  auto put = [&](std::string_view prefix, const char* transition,
                 std::string& slot) -> std::optional<std::string> {
    std::string name =
        fmt::format("{}{}-{}", prefix, g.name, sim::uuid(world_.rng().stream("codedeploy-ids")));
    auto r = world_.dispatcher().call(api::Call{"autoscaling",
                                                "PutLifecycleHook",
                                                {{"AutoScalingGroupName", asg.name},
                                                 {"LifecycleHookName", name},
                                                 {"LifecycleTransition", transition},
                                                 {"HeartbeatTimeout", 600},
                                                 {"DefaultResult", "ABANDON"},
                                                 {"NotificationMetadata", g.id}},
                                                role,
                                                ".",
                                                true});
    if (!r.ok()) {
      if (r.error().code == "AccessDenied") return asg_permission_message(g.service_role_arn);
      return r.error().message;
    }
    slot = name;
    return std::nullopt;
  };
  if (auto e = put(kLaunchHookPrefix, "autoscaling:EC2_INSTANCE_LAUNCHING", asg.hook)) return e;
  if (g.termination_hook_enabled) {
    if (auto e = put(kTerminationHookPrefix, "autoscaling:EC2_INSTANCE_TERMINATING",
                     asg.termination_hook)) {
      return e;
    }
  }
  return std::nullopt;
}

bool Backend::remove_hook(const DeploymentGroup& g, const GroupAsg& asg) {
  bool ok = true;
  for (const std::string* hook : {&asg.hook, &asg.termination_hook}) {
    if (hook->empty()) continue;
    auto r = world_.dispatcher().call(
        api::Call{"autoscaling",
                  "DeleteLifecycleHook",
                  {{"AutoScalingGroupName", asg.name}, {"LifecycleHookName", *hook}},
                  service_role_session(g),
                  ".",
                  true});
    ok = ok && r.ok();
  }
  return ok;
}

Result<const DeploymentGroup*> Backend::create_group(const GroupRequest& r) {
  auto app = application(r.application);
  if (!app.ok()) return app.error();
  if (groups_.count({r.application, r.name})) return errors::group_exists(r.name);
  if (!r.service_role_arn || r.service_role_arn->empty()) return errors::role_required();
  if (auto c = config(r.config_name.value_or("CodeDeployDefault.OneAtATime")); !c.ok()) {
    return c.error();
  }
  if (r.ec2_tag_filters && r.ec2_tag_set && !r.ec2_tag_filters->empty() &&
      !r.ec2_tag_set->empty()) {
    return errors::make("InvalidInputException",
                        "Both ec2TagFilters and ec2TagSet were specified; use only one of them.");
  }
  if (auto ok = check_service_role(*r.service_role_arn); !ok.ok()) return ok.error();
  if (r.deployment_type == "BLUE_GREEN") {
    if (r.green_provisioning.value_or("COPY_AUTO_SCALING_GROUP") == "COPY_AUTO_SCALING_GROUP" &&
        (!r.asgs || r.asgs->size() != 1)) {
      // Observed text, typo included.
      return errors::make("InvalidBlueGreenDeploymentConfigurationException",
                          "Exactly one AutoScaling group must be specifed when selecting the "
                          "COPY_AUTO_SCALING_GROUP green fleet provisioning option.");
    }
    if (!r.target_groups || r.target_groups->empty()) {
      return errors::make("InvalidLoadBalancerInfoException",
                          "A load balancer must be specified for a blue/green deployment.");
    }
  }
  DeploymentGroup g;
  g.application = r.application;
  g.name = r.name;
  g.id = sim::uuid(world_.rng().stream("codedeploy-ids"));
  g.config_name = r.config_name.value_or("CodeDeployDefault.OneAtATime");
  g.service_role_arn = *r.service_role_arn;
  if (r.ec2_tag_filters) g.ec2_tag_filters = *r.ec2_tag_filters;
  if (r.ec2_tag_set) g.ec2_tag_set = *r.ec2_tag_set;
  g.rollback_enabled = r.rollback_enabled.value_or(false);
  if (r.rollback_events) g.rollback_events = *r.rollback_events;
  g.outdated_strategy = r.outdated_strategy.value_or("UPDATE");
  g.termination_hook_enabled = r.termination_hook_enabled.value_or(false);
  g.deployment_type = r.deployment_type.value_or("IN_PLACE");
  g.deployment_option = r.deployment_option.value_or("WITHOUT_TRAFFIC_CONTROL");
  if (r.target_groups) g.target_groups = *r.target_groups;
  g.alarms_enabled = r.alarms_enabled.value_or(false);
  if (r.green_provisioning) g.green_provisioning = *r.green_provisioning;
  if (r.ready_action) g.ready_action = *r.ready_action;
  if (r.ready_wait_minutes) g.ready_wait_minutes = *r.ready_wait_minutes;
  if (r.blue_action) g.blue_action = *r.blue_action;
  if (r.termination_wait_minutes) g.termination_wait_minutes = *r.termination_wait_minutes;
  g.ignore_poll_alarm_failure = r.ignore_poll_alarm_failure.value_or(false);
  if (r.alarms) g.alarms = *r.alarms;
  if (r.asgs) {
    for (const auto& name : *r.asgs) {
      GroupAsg asg{name, "", ""};
      if (auto e = install_hook(g, asg)) {
        for (const auto& done : g.asgs) remove_hook(g, done);
        bool permission = e->starts_with("The IAM role");
        return errors::make(
            permission ? "InvalidRoleException" : "InvalidAutoScalingGroupException", *e);
      }
      g.asgs.push_back(asg);
    }
  }
  world_.record("codedeploy", g.name, fmt::format("deployment group created ({})", g.id));
  return &(groups_[{r.application, r.name}] = std::move(g));
}

Result<std::vector<GroupAsg>> Backend::update_group(const GroupRequest& r) {
  auto app = application(r.application);
  if (!app.ok()) return app.error();
  DeploymentGroup* g = mutable_group(r.application, r.name);
  if (!g) return errors::no_group(r.name);
  if (r.new_name && *r.new_name != r.name && groups_.count({r.application, *r.new_name})) {
    return errors::group_exists(*r.new_name);
  }
  if (r.config_name) {
    if (auto c = config(*r.config_name); !c.ok()) return c.error();
    g->config_name = *r.config_name;
  }
  if (r.service_role_arn) {
    if (auto ok = check_service_role(*r.service_role_arn); !ok.ok()) return ok.error();
    g->service_role_arn = *r.service_role_arn;
  }
  if (r.ec2_tag_filters) g->ec2_tag_filters = *r.ec2_tag_filters;
  if (r.ec2_tag_set) g->ec2_tag_set = *r.ec2_tag_set;
  if (r.rollback_enabled) g->rollback_enabled = *r.rollback_enabled;
  if (r.rollback_events) g->rollback_events = *r.rollback_events;
  if (r.outdated_strategy) g->outdated_strategy = *r.outdated_strategy;
  if (r.termination_hook_enabled) g->termination_hook_enabled = *r.termination_hook_enabled;
  if (r.deployment_type) g->deployment_type = *r.deployment_type;
  if (r.deployment_option) g->deployment_option = *r.deployment_option;
  if (r.target_groups) g->target_groups = *r.target_groups;
  if (r.alarms_enabled) g->alarms_enabled = *r.alarms_enabled;
  if (r.green_provisioning) g->green_provisioning = *r.green_provisioning;
  if (r.ready_action) g->ready_action = *r.ready_action;
  if (r.ready_wait_minutes) g->ready_wait_minutes = *r.ready_wait_minutes;
  if (r.blue_action) g->blue_action = *r.blue_action;
  if (r.termination_wait_minutes) g->termination_wait_minutes = *r.termination_wait_minutes;
  if (r.ignore_poll_alarm_failure) g->ignore_poll_alarm_failure = *r.ignore_poll_alarm_failure;
  if (r.alarms) g->alarms = *r.alarms;
  std::vector<GroupAsg> not_cleaned;
  // A list (even an empty one) replaces the groups: their hooks come off and new ones go on;
  // no list leaves them as they are.
  if (r.asgs) {
    for (const auto& old : g->asgs) {
      if (!remove_hook(*g, old)) not_cleaned.push_back(old);
    }
    g->asgs.clear();
    for (const auto& name : *r.asgs) {
      GroupAsg asg{name, "", ""};
      if (auto e = install_hook(*g, asg)) {
        bool permission = e->starts_with("The IAM role");
        return errors::make(
            permission ? "InvalidRoleException" : "InvalidAutoScalingGroupException", *e);
      }
      g->asgs.push_back(asg);
    }
  }
  if (r.new_name && *r.new_name != r.name) {
    DeploymentGroup moved = *g;
    moved.name = *r.new_name;
    groups_.erase({r.application, r.name});
    groups_[{r.application, *r.new_name}] = std::move(moved);
  }
  return not_cleaned;
}

Result<std::vector<GroupAsg>> Backend::delete_group(const std::string& app,
                                                    const std::string& name) {
  auto a = application(app);
  if (!a.ok()) return a.error();
  DeploymentGroup* g = mutable_group(app, name);
  if (!g) return std::vector<GroupAsg>{};  // AWS answers success for a missing group
  std::vector<GroupAsg> not_cleaned;
  for (const auto& asg : g->asgs) {
    if (!remove_hook(*g, asg)) not_cleaned.push_back(asg);
  }
  world_.record("codedeploy", name, "deployment group deleted");
  groups_.erase({app, name});
  return not_cleaned;
}

DeploymentGroup* Backend::mutable_group(const std::string& app, const std::string& name) {
  auto it = groups_.find({app, name});
  return it == groups_.end() ? nullptr : &it->second;
}

Result<const DeploymentGroup*> Backend::group(const std::string& app,
                                              const std::string& name) const {
  auto a = application(app);
  if (!a.ok()) return a.error();
  auto it = groups_.find({app, name});
  if (it == groups_.end()) return errors::no_group(name);
  return &it->second;
}

std::vector<const DeploymentGroup*> Backend::groups(const std::string& app) const {
  std::vector<const DeploymentGroup*> out;
  for (const auto& [key, g] : groups_) {
    if (key.first == app) out.push_back(&g);
  }
  return out;
}

// --- revisions --------------------------------------------------------------------------------

Result<Ok> Backend::register_revision(const std::string& app, const RevisionLocation& rev,
                                      const std::string& description) {
  auto a = application(app);
  if (!a.ok()) return a.error();
  auto& entry = revisions_[app][rev.label()];
  if (entry.location.type.empty()) entry.registered = world_.now();
  entry.location = rev;
  entry.description = description;
  return Ok{};
}

void Backend::use_revision(const std::string& app, const RevisionLocation& rev,
                           const std::string& group) {
  auto& entry = revisions_[app][rev.label()];
  if (entry.location.type.empty()) {
    entry.location = rev;
    entry.registered = world_.now();
  }
  if (!entry.first_used) entry.first_used = world_.now();
  entry.last_used = world_.now();
  if (std::find(entry.groups.begin(), entry.groups.end(), group) == entry.groups.end()) {
    entry.groups.push_back(group);
  }
}

Result<const RegisteredRevision*> Backend::revision(const std::string& app,
                                                    const RevisionLocation& rev) const {
  auto a = application(app);
  if (!a.ok()) return a.error();
  auto it = revisions_.find(app);
  if (it == revisions_.end()) return errors::no_revision();
  auto r = it->second.find(rev.label());
  if (r == it->second.end()) return errors::no_revision();
  return &r->second;
}

Result<std::vector<const RegisteredRevision*>> Backend::revisions(const std::string& app) const {
  auto a = application(app);
  if (!a.ok()) return a.error();
  std::vector<const RegisteredRevision*> out;
  if (auto it = revisions_.find(app); it != revisions_.end()) {
    for (const auto& [label, r] : it->second) out.push_back(&r);
  }
  return out;
}

}  // namespace deploysim::fake::codedeploy
