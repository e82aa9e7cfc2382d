// Deployments that run: targets found as the service role, the health algorithm (reference §1.4),
// each instance's lifecycle events handed to its agent with the agent's poll latency, the
// outcome, rollback and the follow-on for outdated instances.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "fake_services/codedeploy/backend.h"
#include "fake_services/codedeploy/errors.h"
#include "fake_services/codedeploy_agent/agent.h"
#include "fake_services/ec2/service.h"
#include "fake_services/sim/service.h"
#include "simulator/api/params.h"
#include "simulator/core/ids.h"

namespace deploysim::fake::codedeploy {
namespace {

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

bool ignorable(const std::string& event) {
  return event == "ApplicationStop" || event == "BeforeBlockTraffic" ||
         event == "AfterBlockTraffic";
}

const char* kHealthConstraints =
    "The overall deployment failed because too many individual instances failed deployment, too "
    "few healthy instances are available for deployment, or some instances in your deployment "
    "group are experiencing problems.";
const char* kHealthConstraintsInvalid =
    "The deployment can't start because the minimum number of healthy instances, as defined by "
    "your deployment configuration, are not available. You can reduce the required number of "
    "healthy instances by updating your deployment configuration or increase the number of "
    "instances in this deployment group.";
const char* kNoInstances =
    "The deployment failed because no instances were found for your deployment group. Check your "
    "deployment group settings to make sure the tags for your EC2 instances or Auto Scaling "
    "groups correctly identify the instances you want to deploy to, and then try again.";
const char* kAgentIssue =
    "The deployment failed because of a problem with the CodeDeploy agent. Make sure the agent is "
    "installed and running on all instances in this deployment group.";
const char* kRoleMissing =
    "The deployment failed because no service role exists with the service role name specified "
    "for the deployment group.";
const char* kRolePermissions =
    "CodeDeploy does not have the permissions required to assume a role, or the IAM role you're "
    "using does't give you permission to perform operations in an AWS service.";
const char* kAsgRolePermissions =
    "The service role associated with your deployment group does not have the permission "
    "required to perform operations in the following AWS service: AmazonAutoScaling";
const char* kAgentNeverRan =
    "One or more lifecycle events did not run and the deployment was unsuccessful. Possible "
    "causes include: (1) Multiple deployments are attempting to run at the same time on an "
    "instance; (2) The AWS CodeDeploy agent has stopped. Restart the agent.";

bool denied(const sim::AwsError& e) {
  return e.code == "AccessDenied" || e.code == "UnauthorizedOperation" ||
         e.code == "AccessDeniedException";
}

std::string sim_timestamp(sim::SimTime t) {
  std::string iso = sim::format_iso8601(t);  // 2026-01-01T00:00:00+00:00
  return iso.substr(0, 10) + " " + iso.substr(11, 8);
}

}  // namespace

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
  const DeploymentConfig& c = *config(d->config_name).value();
  if (c.type == "MOST_CONCURRENCY") {
    d->min_healthy = n - 1;
  } else if (c.type == "FLEET_PERCENT") {
    d->min_healthy = static_cast<int>(std::ceil(n * c.value / 100.0));
  } else {
    d->min_healthy = c.value;
  }
  if (d->min_healthy >= n) {
    for (auto& inst : d->instances) inst.status = "Skipped";
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

bool Backend::agent_ready(const std::string& instance) {
  auto* ec2 = dynamic_cast<ec2::Service*>(world_.service("ec2"));
  if (!ec2) return false;
  auto found = ec2->backend().find_instances({instance});
  if (!found.ok()) return false;
  const ec2::Instance& i = *found.value()[0];
  return i.state == ec2::State::Running && i.agent_installed && i.agent_running;
}

std::string Backend::instance_role_arn(const std::string& instance) {
  auto* ec2 = dynamic_cast<ec2::Service*>(world_.service("ec2"));
  if (!ec2) return "";
  auto found = ec2->backend().find_instances({instance});
  if (!found.ok()) return "";
  return found.value()[0]->iam_profile_arn;
}

agent::Agent& Backend::agent_for(const std::string& instance) {
  auto it = agents_.find(instance);
  if (it != agents_.end()) return *it->second;
  auto* ec2 = dynamic_cast<ec2::Service*>(world_.service("ec2"));
  agent::AgentOptions o;
  o.instance_root = ec2->backend().instance_root(instance).value();
  o.work_dir = world_.scratch_dir() / "agent-sandboxes" / instance;
  o.timestamp = [this] { return sim_timestamp(world_.now()); };
  o.fetch = [this, instance](const agent::Revision& rev, std::string& bytes, std::string& error) {
    // The agent fetches as the instance profile's role, session named after the instance.
    std::string profile = instance_role_arn(instance);
    if (profile.empty()) {
      error =
          "Missing credentials - please check if this instance was started with an IAM "
          "instance profile";
      return false;
    }
    api::Principal who = world_.root();
    if (world_.dispatcher().find_service("iam")) {
      api::Call get{"iam",
                    "GetInstanceProfile",
                    {{"InstanceProfileName", profile.substr(profile.rfind('/') + 1)}},
                    world_.root(),
                    ".",
                    false};
      auto p = world_.dispatcher().call(get);
      const json::array* roles =
          p.ok() ? &p->body.at("InstanceProfile").at("Roles").as_array() : nullptr;
      if (!roles || roles->empty()) {
        error =
            "Missing credentials - please check if this instance was started with an IAM "
            "instance profile";
        return false;
      }
      auto session = world_.dispatcher().resolve_principal(
          fmt::format("role/{}/{}", roles->at(0).at("RoleName").as_string(), instance),
          world_.config().account);
      if (!session.ok()) {
        error = session.error().message;
        return false;
      }
      who = session.value();
    }
    if (rev.kind == agent::Revision::Kind::GitHub) {
      // GitHub is outside AWS: the repository registered with sim.RegisterGitHubRepository.
      auto* sim = dynamic_cast<sim_service::Service*>(world_.service("sim"));
      if (!sim) {
        error = "GitHub revisions need the sim service (sim.RegisterGitHubRepository)";
        return false;
      }
      auto tar = sim->github_archive(rev.repository, rev.commit);
      if (!tar.ok()) {
        error = fmt::format("{}: {}", tar.error().code, tar.error().message);
        return false;
      }
      bytes = std::move(tar).value();
      return true;
    }
    json::object params{{"Bucket", rev.bucket}, {"Key", rev.key}};
    if (!rev.version.empty()) params["VersionId"] = rev.version;
    auto r = world_.dispatcher().call(api::Call{"s3", "GetObject", params, who, ".", true});
    if (!r.ok()) {
      error = fmt::format("{}: {}", r.error().code, r.error().message);
      return false;
    }
    bytes = std::string(r->body.at("Body").as_string());
    return true;
  };
  if (world_.config().agent.mode == "simulated") {
    o.make_runner = [](std::string&) -> std::unique_ptr<agent::HookRunner> {
      return std::make_unique<agent::SimulatedRunner>();
    };
  }
  auto made = std::make_unique<agent::Agent>(std::move(o));
  agent::Agent& ref = *made;
  agents_.emplace(instance, std::move(made));
  return ref;
}

// The agent polls for the instance's next command; without a running agent nothing happens until
// the pickup deadline (1 h for the first event, 5 min between events), then the instance fails.
void Backend::pickup(const std::string& id, const std::string& instance) {
  Deployment* d = mutable_deployment(id);
  if (!d || d->completed) return;
  DeploymentInstance& inst = d->instances[d->instance_index.at(instance)];
  if (d->stop_requested) {
    bool started = inst.next_event > 0;
    for (std::size_t i = inst.next_event; i < inst.events.size(); ++i) {
      inst.events[i].status = "Skipped";
    }
    finish_instance(*d, inst, false);
    if (!started) inst.status = "Skipped";
    return;
  }
  stop_on_alarm(*d);
  if (d->stop_requested) {
    bool started = inst.next_event > 0;
    for (std::size_t i = inst.next_event; i < inst.events.size(); ++i) {
      inst.events[i].status = "Skipped";
    }
    finish_instance(*d, inst, false);
    if (!started) inst.status = "Skipped";
    return;
  }
  auto busy = busy_.find(instance);
  bool taken = busy != busy_.end() && busy->second != id;
  if (taken || !agent_ready(instance)) {
    if (world_.now() >= inst.pickup_deadline) {
      inst.agent_issue = true;
      for (std::size_t i = inst.next_event; i < inst.events.size(); ++i) {
        inst.events[i].status = "Skipped";
      }
      if (inst.next_event < inst.events.size()) {
        inst.events[inst.next_event].status = "Failed";
        inst.events[inst.next_event].diagnostics =
            EventDiagnostics{"UnknownError", "", kAgentNeverRan, ""};
      }
      world_.record("codedeploy", id,
                    fmt::format("{}: no agent picked the deployment up", instance));
      finish_instance(*d, inst, false);
      return;
    }
    sim::SimDuration wait =
        std::min<sim::SimDuration>(std::chrono::seconds(10), inst.pickup_deadline - world_.now());
    world_.scheduler().after(wait, [this, id, instance] { pickup(id, instance); });
    return;
  }
  busy_[instance] = id;
  run_event(id, instance);
}

// What the hooks asked of the instance's stand-ins (service, systemctl, yum, apt-get, ...) goes
// into the world's journal, in the order they ran.
void Backend::journal_stand_ins(const std::string& instance) {
  auto* ec2 = dynamic_cast<ec2::Service*>(world_.service("ec2"));
  if (!ec2) return;
  auto root = ec2->backend().instance_root(instance);
  if (!root.ok()) return;
  std::filesystem::path log = root.value() / "var/lib/deploysim/stand-ins.log";
  std::error_code ec;
  auto size = std::filesystem::file_size(log, ec);
  std::uintmax_t& offset = stand_in_offsets_[instance];
  if (ec || size <= offset) return;
  std::ifstream in(log, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) world_.record("instance", instance, "stand-in: " + line);
  }
  offset = size;
}

void Backend::run_event(const std::string& id, const std::string& instance) {
  Deployment* d = mutable_deployment(id);
  DeploymentInstance& inst = d->instances[d->instance_index.at(instance)];
  LifecycleEvent& ev = inst.events[inst.next_event];
  inst.status = "InProgress";
  inst.updated = world_.now();
  ev.status = "InProgress";
  ev.start = world_.now();
  bool ok = true;
  sim::SimDuration took{0};
  EventDiagnostics diag{"Success", "", "Succeeded", ""};
  bool traffic = ev.name == "BlockTraffic" || ev.name == "AllowTraffic";
  if (traffic && d->traffic_control) {
    traffic_event(id, instance, ev.name == "BlockTraffic");
    return;
  }
  if (!traffic) {
    // (Without a load balancer the traffic events themselves have nothing to do.)
    agent::DeploymentSpec spec;
    spec.deployment_id = d->id;
    spec.group_id = d->group_id;
    spec.group_name = d->group;
    spec.application_name = d->application;
    spec.creator = d->creator;
    spec.file_exists_behavior = d->file_exists_behavior;
    spec.revision.kind =
        d->revision.type == "GitHub" ? agent::Revision::Kind::GitHub : agent::Revision::Kind::S3;
    spec.revision.bucket = d->revision.bucket;
    spec.revision.key = d->revision.key;
    spec.revision.version = d->revision.version;
    spec.revision.etag = d->revision.etag;
    spec.revision.repository = d->revision.repository;
    spec.revision.commit = d->revision.commit;
    spec.revision.bundle_type =
        d->revision.type == "GitHub"
            ? agent::BundleType::Tar
            : agent::parse_bundle_type(d->revision.bundle_type).value_or(agent::BundleType::Tar);
    agent::EventResult r = agent_for(instance).run_event(spec, ev.name);
    if (!r.scripts.empty()) journal_stand_ins(instance);
    ok = r.succeeded;
    if (!r.scripts.empty()) took = world_.config().agent.hook_duration;
    if (!ok) {
      static const char* kCodes[] = {"Success",        "ScriptMissing", "ScriptNotExecutable",
                                     "ScriptTimedOut", "ScriptFailed",  "UnknownError",
                                     "UnknownError",   "UnknownError"};
      diag = {kCodes[std::clamp(r.error_code, 0, 7)], r.script_name, r.message, r.log_tail};
    } else {
      diag.log_tail = r.log_tail;
    }
  }
  world_.scheduler().after(
      took, [this, id, instance, ok, diag] { complete_event(id, instance, ok, diag); });
}

void Backend::complete_event(const std::string& id, const std::string& instance, bool ok,
                             const EventDiagnostics& diag) {
  Deployment* d = mutable_deployment(id);
  if (!d || d->completed) return;
  DeploymentInstance& inst = d->instances[d->instance_index.at(instance)];
  LifecycleEvent& ev = inst.events[inst.next_event];
  std::string event = ev.name;
  ev.end = world_.now();
  ev.status = ok ? "Succeeded" : "Failed";
  ev.diagnostics = diag;
  inst.updated = world_.now();
  bool carry_on = ok || (d->ignore_application_stop_failures && ignorable(event));
  if (!carry_on) {
    world_.record(
        "codedeploy", id,
        fmt::format("{}: {} failed ({}): {}", instance, event, diag.error_code, diag.message));
    for (std::size_t i = inst.next_event + 1; i < inst.events.size(); ++i) {
      inst.events[i].status = "Skipped";
    }
    finish_instance(*d, inst, false);
    return;
  }
  ++inst.next_event;
  if (inst.next_event == inst.events.size()) {
    finish_instance(*d, inst, true);
    return;
  }
  inst.pickup_deadline = world_.now() + std::chrono::minutes(5);
  world_.scheduler().after(world_.timing("agent_poll"),
                           [this, id, instance] { pickup(id, instance); });
}

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
