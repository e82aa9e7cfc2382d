// Deployments that run: targets found as the service role, the health algorithm (reference §1.4),
// each instance's lifecycle events handed to its agent with the agent's poll latency, the
// outcome, rollback and the follow-on for outdated instances.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "fake_services/codedeploy/backend.h"
#include "fake_services/codedeploy/errors.h"
#include "fake_services/codedeploy/messages.h"
#include "fake_services/codedeploy_agent/agent.h"
#include "simulator/api/params.h"
#include "simulator/core/ids.h"

namespace deploysim::fake::codedeploy {
namespace {

using namespace messages;

const std::vector<std::string>& in_place_events() {
  static const std::vector<std::string> kEvents = {"BeforeBlockTraffic",
                                                   "BlockTraffic",
                                                   "AfterBlockTraffic",
                                                   "ApplicationStop",
                                                   "DownloadBundle",
                                                   "BeforeInstall",
                                                   "Install",
                                                   "AfterInstall",
                                                   "ApplicationStart",
                                                   "ValidateService",
                                                   "BeforeAllowTraffic",
                                                   "AllowTraffic",
                                                   "AfterAllowTraffic"};
  return kEvents;
}

// An Auto Scaling launch deployment has no traffic to block (reference §1.3).
const std::vector<std::string>& launch_events() {
  static const std::vector<std::string> kEvents = {
      "ApplicationStop", "DownloadBundle",   "BeforeInstall",   "Install",
      "AfterInstall",    "ApplicationStart", "ValidateService", "BeforeAllowTraffic",
      "AllowTraffic",    "AfterAllowTraffic"};
  return kEvents;
}

// A termination deployment: the old revision stops, traffic is blocked (reference §1.3, §1.10).
const std::vector<std::string>& termination_events() {
  static const std::vector<std::string> kEvents = {"BeforeBlockTraffic", "BlockTraffic",
                                                   "AfterBlockTraffic", "ApplicationStop"};
  return kEvents;
}

bool denied(const sim::AwsError& e) {
  return e.code == "AccessDenied" || e.code == "UnauthorizedOperation" ||
         e.code == "AccessDeniedException";
}

}  // namespace

// The minimum of healthy instances for the deployment's targets (reference §1.4: FLEET_PERCENT
// rounded up, OneAtATime n - 1). False, with every target Skipped, when it leaves none to deploy.
bool Backend::set_minimum(Deployment& d) {
  int n = static_cast<int>(d.instances.size());
  const DeploymentConfig& c = *config(d.config_name).value();
  if (c.type == "MOST_CONCURRENCY") {
    d.min_healthy = n - 1;
  } else if (c.type == "FLEET_PERCENT") {
    d.min_healthy = static_cast<int>(std::ceil(n * c.value / 100.0));
  } else {
    d.min_healthy = c.value;
  }
  // Deployments CodeDeploy starts itself onto instances that serve nothing yet (a launch, the
  // outdated instances after one) keep no minimum above n - 1: HalfAtATime on a group scales
  // out, as it does on AWS (undocumented; the README lists it).
  if (d.creator == "autoscaling" || d.creator == "CodeDeployAutoUpdate") {
    d.min_healthy = std::min(d.min_healthy, n - 1);
  }
  if (d.min_healthy < n) return true;
  for (auto& inst : d.instances) inst.status = "Skipped";
  return false;
}

Deployment* Backend::mutable_deployment(const std::string& id) {
  auto it = deployments_.find(id);
  return it == deployments_.end() ? nullptr : &it->second;
}

Result<const Deployment*> Backend::deployment(const std::string& id) const {
  if (!sim::is_deployment_id(id)) return errors::invalid_deployment_id(id);
  auto it = deployments_.find(id);
  if (it == deployments_.end()) return errors::no_deployment(id);
  return &it->second;
}

std::vector<const Deployment*> Backend::deployments() const {
  std::vector<const Deployment*> out;
  for (auto it = deployment_order_.rbegin(); it != deployment_order_.rend(); ++it) {
    out.push_back(&deployments_.at(*it));
  }
  return out;
}

Result<const Deployment*> Backend::create_deployment(const DeploymentRequest& r) {
  auto app = application(r.application);
  if (!app.ok()) return app.error();
  DeploymentGroup* g = mutable_group(r.application, r.group);
  if (!g) return errors::no_group(r.group);
  if (!r.revision) return errors::revision_required();
  std::string config_name = r.config_name.value_or(g->config_name);
  if (auto c = config(config_name); !c.ok()) return c.error();
  bool launch = r.creator == "autoscaling" || r.creator == "autoscalingTermination";
  if (!launch && !g->active_deployment.empty()) {
    return errors::deployment_limit(g->name, g->active_deployment);
  }
  Deployment d;
  d.id = sim::deployment_id(world_.rng().stream("codedeploy-deployment-ids"));
  d.application = r.application;
  d.group = g->name;
  d.group_id = g->id;
  d.config_name = config_name;
  d.revision = *r.revision;
  d.previous_revision = g->target_revision;
  d.created = world_.now();
  d.creator = r.creator;
  d.description = r.description;
  d.ignore_application_stop_failures = r.ignore_application_stop_failures;
  d.file_exists_behavior = r.file_exists_behavior.value_or("DISALLOW");
  d.rollback_enabled = r.rollback_enabled.value_or(g->rollback_enabled);
  d.rollback_events = r.rollback_events.value_or(g->rollback_events);
  d.outdated_only = r.outdated_only;
  d.target_tag_filters = r.target_tag_filters;
  d.target_asgs = r.target_asgs;
  d.traffic_control = !g->target_groups.empty() && g->deployment_option == "WITH_TRAFFIC_CONTROL";
  for (const auto& i : r.only_instances) d.instances.push_back({i});
  if (!launch) g->active_deployment = d.id;
  g->last_attempted = LastDeployment{d.id, "Created", d.created, {}};
  std::string id = d.id;
  world_.record("codedeploy", id,
                fmt::format("deployment created by {} for {}/{} ({})", d.creator, d.application,
                            d.group, d.revision.label()));
  deployment_order_.push_back(id);
  deployments_.emplace(id, std::move(d));
  world_.scheduler().after(std::chrono::seconds(0), [this, id] { start(id); });
  return &deployments_.at(id);
}

// The deployment group's instances, found as CodeDeploy finds them: EC2 and Auto Scaling calls
// made as the service role.
Result<std::vector<std::string>> Backend::find_targets(const DeploymentGroup& g,
                                                       const Deployment& d) {
  api::Principal role = service_role_session(g);
  auto describe = [&](json::array filters) -> Result<std::vector<std::string>> {
    filters.push_back(
        json::object{{"Name", "instance-state-name"},
                     {"Values", json::array{"pending", "running", "stopping", "stopped"}}});
    auto r = world_.dispatcher().call(
        api::Call{"ec2", "DescribeInstances", {{"Filters", std::move(filters)}}, role, ".", false});
    if (!r.ok()) return r.error();
    std::vector<std::string> ids;
    for (const auto& res : r->body.at("Reservations").as_array()) {
      for (const auto& i : res.at("Instances").as_array()) {
        ids.emplace_back(i.at("InstanceId").as_string());
      }
    }
    return ids;
  };
  auto filter_json = [](const TagFilter& f) {
    if (f.type == "KEY_ONLY") {
      return json::object{{"Name", "tag-key"}, {"Values", json::array{json::string(f.key)}}};
    }
    if (f.type == "VALUE_ONLY") {
      return json::object{{"Name", "tag-value"}, {"Values", json::array{json::string(f.value)}}};
    }
    return json::object{{"Name", "tag:" + f.key}, {"Values", json::array{json::string(f.value)}}};
  };
  // Filters of one list are ORed: one query each, united in launch order.
  auto any_of = [&](const std::vector<TagFilter>& list) -> Result<std::vector<std::string>> {
    std::vector<std::string> out;
    for (const auto& f : list) {
      auto ids = describe(json::array{filter_json(f)});
      if (!ids.ok()) return ids.error();
      for (const auto& id : ids.value()) {
        if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
      }
    }
    return out;
  };
  std::vector<std::string> targets;
  auto add = [&](const std::vector<std::string>& ids) {
    for (const auto& id : ids) {
      if (std::find(targets.begin(), targets.end(), id) == targets.end()) targets.push_back(id);
    }
  };
  if (!g.ec2_tag_filters.empty()) {
    auto ids = any_of(g.ec2_tag_filters);
    if (!ids.ok()) return ids.error();
    add(ids.value());
  }
  if (!g.ec2_tag_set.empty()) {
    // Groups of a tag set are ANDed.
    std::optional<std::vector<std::string>> set;
    for (const auto& group : g.ec2_tag_set) {
      auto ids = any_of(group);
      if (!ids.ok()) return ids.error();
      if (!set) {
        set = ids.value();
      } else {
        std::erase_if(*set, [&](const std::string& id) {
          return std::find(ids->begin(), ids->end(), id) == ids->end();
        });
      }
    }
    if (set) add(*set);
  }
  for (const auto& asg : g.asgs) {
    auto found = describe_asg(role, asg.name);
    if (!found.ok()) return found.error();
    if (!found.value()) continue;
    std::vector<std::string> ids;
    for (const auto& i : found.value()->at("Instances").as_array()) {
      if (i.at("LifecycleState").as_string() == "InService") {
        ids.emplace_back(i.at("InstanceId").as_string());
      }
    }
    add(ids);
  }
  (void)d;
  return targets;
}

void Backend::start(const std::string& id) {
  Deployment* d = mutable_deployment(id);
  if (!d || d->status != "Created") return;
  DeploymentGroup* g = mutable_group(d->application, d->group);
  if (!g) {
    finish(*d, "Failed", "DEPLOYMENT_GROUP_MISSING",
           "The deployment failed because the deployment group is missing.");
    return;
  }
  d->status = "InProgress";
  d->started = world_.now();
  if (g->last_attempted && g->last_attempted->id == id) g->last_attempted->status = "InProgress";
  world_.record("codedeploy", id, "InProgress");
  // The service role must still exist, and be allowed to look at the fleet.
  if (world_.dispatcher().find_service("iam")) {
    std::string role = g->service_role_arn.substr(g->service_role_arn.rfind('/') + 1);
    if (!world_.dispatcher().resolve_principal("role/" + role, world_.config().account).ok()) {
      finish(*d, "Failed", "IAM_ROLE_MISSING", kRoleMissing);
      return;
    }
  }
  if (g->deployment_type == "BLUE_GREEN" && d->creator != "autoscaling" &&
      d->creator != "autoscalingTermination") {
    bg_start(*d, *g);
    return;
  }
  if (d->instances.empty()) {
    auto targets = find_targets(*g, *d);
    if (!targets.ok()) {
      bool asg = targets.error().code == "AccessDenied";
      if (denied(targets.error())) {
        finish(*d, "Failed", asg ? "AUTO_SCALING_IAM_ROLE_PERMISSIONS" : "IAM_ROLE_PERMISSIONS",
               asg ? kAsgRolePermissions : kRolePermissions);
      } else {
        finish(*d, "Failed", "INTERNAL_ERROR", targets.error().message);
      }
      return;
    }
    // Scheduling order (reference §1.4 rule 8): unhealthy instances first, then those whose
    // revision is unknown, then those on an old revision, then those already on this one.
    std::string current = d->revision.label();
    auto rank = [&](const std::string& id) {
      auto it = g->instance_health.find(id);
      if (it == g->instance_health.end()) return 1;
      if (!it->second.healthy) return 0;
      if (it->second.revision.empty()) return 1;
      return it->second.revision == current ? 3 : 2;
    };
    std::vector<std::string> ordered = targets.value();
    std::stable_sort(ordered.begin(), ordered.end(),
                     [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
    for (const auto& i : ordered) {
      if (d->outdated_only && rank(i) == 3) continue;  // already runs this revision
      d->instances.push_back({i});
    }
  }
  int n = static_cast<int>(d->instances.size());
  if (n == 0) {
    finish(*d, "Failed", "NO_INSTANCES", kNoInstances);
    return;
  }
  if (!set_minimum(*d)) {
    finish(*d, "Failed", "HEALTH_CONSTRAINTS_INVALID", kHealthConstraintsInvalid);
    return;
  }
  const auto& names = d->creator == "autoscaling"              ? launch_events()
                      : d->creator == "autoscalingTermination" ? termination_events()
                                                               : in_place_events();
  for (std::size_t i = 0; i < d->instances.size(); ++i) {
    DeploymentInstance& inst = d->instances[i];
    d->instance_index[inst.id] = i;
    inst.updated = world_.now();
    for (const auto& e : names) inst.events.push_back({e});
  }
  d->healthy = n;
  use_revision(d->application, d->revision, d->group);
  // In-place deployments have eight hours (reference §1.5).
  world_.scheduler().after(std::chrono::hours(8), [this, id] { time_out(id); });
  schedule_more(id);
}

// As many instances at once as keeps the minimum healthy (reference §1.4).
void Backend::schedule_more(const std::string& id) {
  Deployment* d = mutable_deployment(id);
  if (!d || d->completed) return;
  std::size_t n = d->instances.size();
  while (!d->stop_requested && d->next_instance < n && d->healthy - d->min_healthy > 0) {
    DeploymentInstance& inst = d->instances[d->next_instance++];
    d->healthy -= 1;
    d->running += 1;
    inst.pickup_deadline = world_.now() + std::chrono::hours(1);
    std::string instance = inst.id;
    world_.scheduler().after(world_.timing("agent_poll"),
                             [this, id, instance] { pickup(id, instance); });
  }
  if (d->running > 0) return;
  bool unfinished = d->next_instance < n;
  for (std::size_t i = d->next_instance; i < n; ++i) d->instances[i].status = "Skipped";
  if (d->stop_requested) {
    if (!d->alarm_stop.empty()) {
      finish(*d, "Stopped", "ALARM_ACTIVE",
             "One or more alarms have been activated according to the Amazon CloudWatch metrics "
             "you selected, and the affected deployments have been stopped. Activated alarms: " +
                 d->alarm_stop);
      return;
    }
    finish(*d, "Stopped", "MANUAL_STOP", "The deployment was stopped by the user.");
    return;
  }
  bool agent_issue = std::any_of(d->instances.begin(), d->instances.end(),
                                 [](const DeploymentInstance& i) { return i.agent_issue; });
  if (unfinished || d->succeeded < d->min_healthy || d->succeeded < 1) {
    finish(*d, "Failed", agent_issue ? "AGENT_ISSUE" : "HEALTH_CONSTRAINTS",
           agent_issue ? kAgentIssue : kHealthConstraints);
    return;
  }
  if (d->blue_green && d->bg_phase == "installing") {
    bg_installed(*d);
    return;
  }
  finish(*d, "Succeeded", "", "");
}

void Backend::time_out(const std::string& id) {
  Deployment* d = mutable_deployment(id);
  if (!d || d->completed) return;
  for (auto& inst : d->instances) {
    if (inst.status == "Pending") inst.status = "Skipped";
    if (inst.status != "InProgress") continue;
    inst.status = "Failed";
    for (std::size_t i = inst.next_event; i < inst.events.size(); ++i) {
      inst.events[i].status = i == inst.next_event ? "Failed" : "Skipped";
    }
  }
  finish(*d, "Failed", "TIMEOUT",
         "The deployment failed because it did not complete within the time allowed (8 hours).");
}

void Backend::finish_instance(Deployment& d, DeploymentInstance& inst, bool succeeded) {
  if (DeploymentGroup* g = mutable_group(d.application, d.group)) {
    InstanceHealth& h = g->instance_health[inst.id];
    h.healthy = succeeded;
    if (succeeded) h.revision = d.revision.label();
  }
  inst.status = succeeded ? "Succeeded" : "Failed";
  inst.updated = world_.now();
  d.running -= 1;
  if (succeeded) {
    d.succeeded += 1;
    d.healthy += 1;
  } else {
    d.failed += 1;
  }
  world_.record("codedeploy", d.id, fmt::format("{} {}", inst.id, inst.status));
  if (auto b = busy_.find(inst.id); b != busy_.end() && b->second == d.id) busy_.erase(b);
  if (auto it = agents_.find(inst.id); it != agents_.end()) it->second->end_deployment();
  std::string id = d.id;
  schedule_more(id);
}

void Backend::finish(Deployment& d, const std::string& status, const std::string& code,
                     const std::string& message) {
  if (d.blue_green && status != "Succeeded") bg_abandon(d);
  d.status = status;
  d.error_code = code;
  d.error_message = message;
  d.completed = world_.now();
  if (!d.started) d.started = world_.now();
  world_.record("codedeploy", d.id,
                code.empty() ? status : fmt::format("{} ({}: {})", status, code, message));
  if (DeploymentGroup* g = mutable_group(d.application, d.group)) {
    if (g->active_deployment == d.id) g->active_deployment.clear();
    if (g->last_attempted && g->last_attempted->id == d.id) {
      g->last_attempted->status = status;
      g->last_attempted->ended = world_.now();
    }
    if (status == "Succeeded") {
      g->target_revision = d.revision;
      g->last_successful = LastDeployment{d.id, status, d.created, world_.now()};
    }
  }
  if (!d.asg_token.empty()) answer_hook(d, status == "Succeeded");
  if (status == "Failed") maybe_roll_back(d, "DEPLOYMENT_FAILURE");
  if (status == "Stopped" && !d.alarm_stop.empty()) {
    maybe_roll_back(d, "DEPLOYMENT_STOP_ON_ALARM");
  } else if (status == "Stopped" && d.rollback_enabled) {
    maybe_roll_back(d, "DEPLOYMENT_STOP_ON_REQUEST");
  }
  if (status == "Succeeded") update_outdated(d);
}

// A failed (or stopped) deployment redeploys the last known good revision as a new deployment.
void Backend::maybe_roll_back(Deployment& d, const std::string& event) {
  if (!d.rollback_enabled || d.creator == "codeDeployRollback" || d.creator == "autoscaling" ||
      d.creator == "autoscalingTermination") {
    return;
  }
  if (event != "DEPLOYMENT_STOP_ON_REQUEST" &&
      std::find(d.rollback_events.begin(), d.rollback_events.end(), event) ==
          d.rollback_events.end()) {
    return;
  }
  if (d.blue_green) {
    // Traffic never left the original instances (a blue/green deployment fails or stops only
    // before its reroute): rolling back is taking the replacement away, which has been done.
    d.rollback_message = fmt::format(
        "Deployment {} was rolled back: traffic stayed with the original instances and the "
        "replacement instances were removed.",
        d.id);
    return;
  }
  if (!d.previous_revision) {
    d.rollback_message = fmt::format(
        "Deployment {} can't be rolled back because there is no last successful revision to "
        "roll back to.",
        d.id);
    return;
  }
  DeploymentRequest r;
  r.application = d.application;
  r.group = d.group;
  r.revision = d.previous_revision;
  r.config_name = d.config_name;
  r.creator = "codeDeployRollback";
  r.file_exists_behavior = d.file_exists_behavior;
  r.rollback_enabled = false;
  std::string failed_id = d.id;
  auto made = create_deployment(r);
  Deployment* failed = mutable_deployment(failed_id);
  if (!made.ok()) {
    failed->rollback_message = made.error().message;
    return;
  }
  Deployment* rollback = mutable_deployment(made.value()->id);
  rollback->rollback_triggering_id = failed_id;
  rollback->rollback_message = fmt::format("Deployment {} is triggered to roll back deployment {}.",
                                           rollback->id, failed_id);
  failed->rollback_deployment_id = rollback->id;
  failed->rollback_message = rollback->rollback_message;
}

Result<std::string> Backend::stop_deployment(const std::string& id, bool rollback) {
  auto found = deployment(id);
  if (!found.ok()) return found.error();
  Deployment& d = *mutable_deployment(id);
  if (d.completed) return errors::already_completed();
  if (d.blue_green && (d.bg_phase == "rerouting" || d.bg_phase == "terminating")) {
    // Traffic is (being) moved to the replacement: stopping would leave neither fleet whole.
    return errors::make("UnsupportedActionForDeploymentTypeException",
                        "A blue/green deployment can't be stopped once traffic is being rerouted "
                        "to the replacement instances.");
  }
  d.stop_requested = true;
  d.rollback_enabled = rollback;
  if (rollback) d.rollback_events.push_back("DEPLOYMENT_STOP_ON_REQUEST");
  world_.record("codedeploy", id, "stop requested");
  if (d.status == "Created") {
    finish(d, "Stopped", "MANUAL_STOP", "The deployment was stopped by the user.");
    return std::string("Succeeded");
  }
  if (d.running == 0) {
    schedule_more(id);
    return std::string("Succeeded");
  }
  return std::string("Pending");
}

}  // namespace deploysim::fake::codedeploy
