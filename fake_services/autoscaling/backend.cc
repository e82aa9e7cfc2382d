#include "fake_services/autoscaling/backend.h"

#include <fmt/format.h>

#include <algorithm>

#include "fake_services/autoscaling/errors.h"
#include "fake_services/iam/pass_role.h"
#include "simulator/api/params.h"
#include "simulator/core/ids.h"

namespace deploysim::fake::autoscaling {
namespace {

// Counts toward the group's capacity: not leaving, not detached, not in standby.
bool active(const Member& m) {
  return !m.lifecycle.starts_with("Terminat") && !m.lifecycle.starts_with("Detach") &&
         m.lifecycle != "Standby" && m.lifecycle != "EnteringStandby";
}

// EC2 takes a template by ID or by name, never both: the ID when it is known.
json::object template_spec(const TemplateRef& t) {
  json::object spec;
  if (!t.id.empty()) {
    spec["LaunchTemplateId"] = t.id;
  } else {
    spec["LaunchTemplateName"] = t.name;
  }
  if (!t.version.empty()) spec["Version"] = t.version;
  return spec;
}

}  // namespace

api::Principal Backend::service_linked_role() const {
  const std::string& account = world_.config().account;
  return api::Principal{
      api::Principal::Kind::AssumedRole, "AWSServiceRoleForAutoScaling",
      fmt::format("arn:aws:sts::{}:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling", account),
      "AROAAUTOSCALINGSERVICE:AutoScaling", "AutoScaling"};
}

std::string Backend::stamp() const {
  std::string iso = sim::format_iso8601(world_.now());
  return iso.substr(0, 19) + "Z";
}

std::string Backend::arn_of(const std::string& group) const {
  auto it = groups_.find(group);
  return it == groups_.end() ? "" : it->second.arn;
}

Group* Backend::mutable_group(const std::string& name) {
  auto it = groups_.find(name);
  return it == groups_.end() ? nullptr : &it->second;
}

Result<const Group*> Backend::find_group(const std::string& name) const {
  auto it = groups_.find(name);
  if (it == groups_.end()) return errors::group_not_found(name);
  return &it->second;
}

std::vector<const Group*> Backend::groups() const {
  std::vector<const Group*> out;
  for (const auto& [name, g] : groups_) out.push_back(&g);
  return out;
}

Result<const Group*> Backend::create_group(const GroupSpec& spec) {
  if (groups_.count(spec.name)) return errors::group_exists(spec.name);
  if (spec.launch_template.id.empty() && spec.launch_template.name.empty()) {
    return errors::validation(
        "Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId "
        "or MixedInstancesPolicy parameter.");
  }
  int min = spec.min.value_or(0), max = spec.max.value_or(0);
  int desired = spec.desired.value_or(min);
  if (min > max) return errors::min_above_max(min, max);
  if (desired < min || desired > max) return errors::desired_out_of_range(desired, min, max);
  if (spec.zones.empty() && spec.vpc_zone_identifier.empty()) {
    return errors::validation("At least one Availability Zone or VPC Subnet is required.");
  }
  for (const HookRequest& r : spec.hooks) {
    if (auto h = hook_from(r, nullptr); !h.ok()) return h.error();
  }
  // The template must exist: ask EC2, as Auto Scaling does, with its role.
  json::object lt_query = template_spec(spec.launch_template);
  lt_query.erase("Version");
  json::object versions_query = lt_query;
  versions_query["Versions"] = json::array{json::string(
      spec.launch_template.version.empty() ? "$Default" : spec.launch_template.version)};
  auto check = world_.dispatcher().call(api::Call{
      "ec2", "DescribeLaunchTemplateVersions", versions_query, service_linked_role(), ".", false});
  if (!check.ok()) {
    return errors::validation("You must use a valid fully-formed launch template. " +
                              check.error().message);
  }
  const json::object& v = check->body.at("LaunchTemplateVersions").as_array()[0].as_object();
  if (auto* data = v.if_contains("LaunchTemplateData")) {
    if (auto* profile = data->as_object().if_contains("IamInstanceProfile")) {
      const json::object& p = profile->as_object();
      std::string arn = api::params::str(p, "Arn"), name = api::params::str(p, "Name");
      auto checked = iam::check_instance_profile(world_, spec.caller, arn, name, "autoscaling");
      if (!checked.found) {
        return errors::validation(fmt::format(
            "You must use a valid fully-formed launch template. Value ({}) for parameter "
            "iamInstanceProfile.{} is invalid. Invalid IAM Instance Profile {}",
            arn.empty() ? name : arn, arn.empty() ? "name" : "arn", arn.empty() ? "name" : "ARN"));
      }
      if (checked.denied) return *checked.denied;
    }
  }
  Group g;
  g.name = spec.name;
  g.arn = fmt::format("arn:aws:autoscaling:{}:{}:autoScalingGroup:{}:autoScalingGroupName/{}",
                      world_.config().region, world_.config().account,
                      sim::uuid(world_.rng().stream("autoscaling-ids")), spec.name);
  g.launch_template = spec.launch_template;
  g.launch_template.id = std::string(v.at("LaunchTemplateId").as_string());
  g.launch_template.name = std::string(v.at("LaunchTemplateName").as_string());
  g.min = min;
  g.max = max;
  g.desired = desired;
  g.zones = spec.zones;
  if (g.zones.empty()) {
    // Subnets are not simulated: a VPCZoneIdentifier stands for the region's first zone.
    g.zones = {world_.config().region + "a"};
  }
  g.vpc_zone_identifier = spec.vpc_zone_identifier;
  g.health_check_type = spec.health_check_type.value_or("EC2");
  g.grace_period_s = spec.grace_period_s.value_or(0);
  g.tags = spec.tags;
  g.target_groups = spec.target_groups;
  g.created = world_.now();
  for (const HookRequest& r : spec.hooks) g.hooks[r.name] = hook_from(r, nullptr).value();
  g.pending_cause = fmt::format(
      "At {} a user request created an AutoScalingGroup changing the desired capacity from 0 to "
      "{}.",
      stamp(), desired);
  std::string name = g.name;
  groups_.emplace(name, std::move(g));
  world_.record("autoscaling", name,
                fmt::format("group created (min {}, max {}, desired {})", min, max, desired));
  schedule_reconcile(name);
  return &groups_.at(name);
}

Result<const Group*> Backend::update_group(const GroupSpec& spec) {
  Group* g = mutable_group(spec.name);
  if (!g) return errors::group_not_found(spec.name);
  int min = spec.min.value_or(g->min), max = spec.max.value_or(g->max);
  int desired = g->desired;
  if (spec.desired) {
    desired = *spec.desired;
  } else if (min > desired) {
    desired = min;  // a new MinSize above the current size raises the desired capacity
  } else if (max < desired) {
    desired = max;
  }
  if (min > max) return errors::min_above_max(min, max);
  if (desired < min || desired > max) return errors::desired_out_of_range(desired, min, max);
  if (!spec.launch_template.id.empty() || !spec.launch_template.name.empty()) {
    g->launch_template = spec.launch_template;  // existing instances keep theirs
  }
  if (!spec.zones.empty()) g->zones = spec.zones;
  if (spec.health_check_type) g->health_check_type = *spec.health_check_type;
  if (spec.grace_period_s) g->grace_period_s = *spec.grace_period_s;
  int before = g->desired;
  g->min = min;
  g->max = max;
  g->desired = desired;
  if (before != desired) {
    g->pending_cause = fmt::format(
        "At {} a user request update of AutoScalingGroup constraints to min: {}, max: {}, "
        "desired: {} changing the desired capacity from {} to {}.",
        stamp(), min, max, desired, before, desired);
  }
  schedule_reconcile(g->name);
  return g;
}

Result<sim::Ok> Backend::set_desired_capacity(const std::string& name, int desired) {
  Group* g = mutable_group(name);
  if (!g) return errors::group_not_found(name);
  if (desired < g->min || desired > g->max) {
    bool below = desired < g->min;
    return errors::validation(fmt::format("New SetDesiredCapacity value {} is {} {} value {}.",
                                          desired, below ? "below" : "above", below ? "min" : "max",
                                          below ? g->min : g->max));
  }
  int before = g->desired;
  g->desired = desired;
  if (before != desired) {
    g->pending_cause = fmt::format(
        "At {} a user request explicitly set group desired capacity changing the desired "
        "capacity from {} to {}.",
        stamp(), before, desired);
    world_.record("autoscaling", name, fmt::format("desired capacity {} -> {}", before, desired));
  }
  schedule_reconcile(name);
  return sim::Ok{};
}

std::vector<ActivityRef> Backend::activities(const std::string& group,
                                             const std::vector<std::string>& ids,
                                             bool include_deleted) const {
  std::vector<ActivityRef> items;
  auto take = [&](const std::string& name, const std::string& arn,
                  const std::vector<Activity>& list) {
    if (!group.empty() && name != group) return;
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (!ids.empty() && std::find(ids.begin(), ids.end(), list[i].id) == ids.end()) continue;
      items.push_back({&name, &arn, &list[i], i});
    }
  };
  for (const auto& [name, g] : groups_) take(g.name, g.arn, g.activities);
  if (include_deleted) {
    for (const DeletedGroup& d : deleted_groups_) take(d.name, d.arn, d.activities);
  }
  std::sort(items.begin(), items.end(), [](const ActivityRef& a, const ActivityRef& b) {
    if (a.activity->start != b.activity->start) return a.activity->start > b.activity->start;
    if (*a.group != *b.group) return *a.group < *b.group;
    return a.order > b.order;
  });
  return items;
}

Result<sim::Ok> Backend::delete_group(const std::string& name, bool force) {
  Group* g = mutable_group(name);
  if (!g) return errors::group_not_found(name);
  std::vector<std::string> ids;
  for (const Member& m : g->members) {
    if (m.lifecycle != "Terminated") ids.push_back(m.id);
  }
  if (!ids.empty() && !force) return errors::in_use(name);
  if (!ids.empty()) {
    json::array list;
    for (const auto& id : ids) list.push_back(json::string(id));
    (void)world_.dispatcher().call(api::Call{
        "ec2", "TerminateInstances", {{"InstanceIds", list}}, service_linked_role(), ".", true});
  }
  for (Member& m : g->members) {
    for (Action& a : m.actions) {
      if (a.timeout_event) world_.scheduler().cancel(*a.timeout_event);
    }
  }
  deleted_groups_.push_back({g->name, g->arn, std::move(g->activities)});
  groups_.erase(name);
  world_.record("autoscaling", name, force ? "group deleted (forced)" : "group deleted");
  // Whatever watches the group by name (CloudWatch alarms) finds nothing there any more.
  world_.publish("deploysim: Auto Scaling group deleted", {{"AutoScalingGroupName", name}});
  return sim::Ok{};
}

Result<std::pair<const Group*, const Activity*>> Backend::terminate_instance(
    const std::string& instance_id, bool decrement) {
  for (auto& [name, g] : groups_) {
    for (Member& m : g.members) {
      if (m.id != instance_id || !active(m)) continue;
      if (decrement) {
        if (g.desired - 1 < g.min) {
          return errors::validation(fmt::format(
              "Currently, desiredSize equals minSize ({}). Terminating instance without "
              "replacement "
              "will violate group's min size constraint. Either set shouldDecrementDesiredCapacity "
              "flag to false or lower group's min size.",
              g.min));
        }
        g.desired -= 1;
      }
      std::string cause = fmt::format(
          "At {} instance {} was taken out of service in response to a user request{}.", stamp(),
          instance_id,
          decrement
              ? fmt::format(", shrinking the capacity from {} to {}", g.desired + 1, g.desired)
              : "");
      begin_termination(g, m, cause);
      return std::make_pair(static_cast<const Group*>(&g),
                            static_cast<const Activity*>(&g.activities.back()));
    }
  }
  return errors::validation(fmt::format(
      "Instance Id not found - No managed instance found for instance ID: {}", instance_id));
}

void Backend::schedule_reconcile(const std::string& group) {
  if (reconcile_pending_[group]) return;
  reconcile_pending_[group] = true;
  world_.scheduler().after(std::chrono::seconds(0), [this, group] {
    reconcile_pending_[group] = false;
    reconcile(group);
  });
}

// The capacity loop: launch or terminate until the active instances match the desired capacity.
void Backend::reconcile(const std::string& name) {
  Group* g = mutable_group(name);
  if (!g) return;
  int count = static_cast<int>(std::count_if(g->members.begin(), g->members.end(), active));
  std::string prefix = g->pending_cause.empty() ? "" : g->pending_cause + "  ";
  g->pending_cause.clear();
  if (count < g->desired && !suspended(*g, "Launch")) {
    std::string cause = fmt::format(
        "{}At {} an instance was started in response to a difference between desired and actual "
        "capacity, increasing the capacity from {} to {}.",
        prefix, stamp(), count, g->desired);
    // Balance the zones: each launch goes to the zone with the fewest active instances, in the
    // group's order (counted once, then kept up to date).
    std::map<std::string, int> per_zone;
    for (const auto& z : g->zones) per_zone[z] = 0;
    for (const Member& m : g->members) {
      if (active(m)) ++per_zone[m.zone];
    }
    for (int n = count; n < g->desired; ++n) {
      std::string zone = g->zones.front();
      for (const auto& z : g->zones) {
        if (per_zone[z] < per_zone[zone]) zone = z;
      }
      launch_one(*g, zone, cause);
      ++per_zone[zone];
      g = mutable_group(name);
      if (!g) return;
    }
  } else if (count > g->desired && !suspended(*g, "Terminate")) {
    // Default termination policy (simplified): the zone with the most instances, then the oldest.
    for (int n = count; n > g->desired; --n) {
      std::map<std::string, int> per_zone;
      for (const Member& m : g->members) {
        if (active(m)) ++per_zone[m.zone];
      }
      std::string zone;
      for (const auto& z : g->zones) {
        if (zone.empty() || per_zone[z] > per_zone[zone]) zone = z;
      }
      auto victim = std::find_if(g->members.begin(), g->members.end(),
                                 [&](const Member& m) { return active(m) && m.zone == zone; });
      if (victim == g->members.end()) break;
      begin_termination(*g, *victim,
                        fmt::format("{}At {} an instance was taken out of service in response to a "
                                    "difference between desired and actual capacity, shrinking the "
                                    "capacity from {} to {}.  At {} instance {} was selected for "
                                    "termination.",
                                    prefix, stamp(), count, g->desired, stamp(), victim->id));
    }
  }
}

void Backend::launch_one(Group& g, const std::string& zone, const std::string& cause) {
  json::array tags{json::object{{"Key", "aws:autoscaling:groupName"}, {"Value", g.name}}};
  for (const GroupTag& t : g.tags) {
    if (t.propagate) tags.push_back(json::object{{"Key", t.key}, {"Value", t.value}});
  }
  api::Call run{"ec2",
                "RunInstances",
                {{"LaunchTemplate", template_spec(g.launch_template)},
                 {"MinCount", 1},
                 {"MaxCount", 1},
                 {"Placement", {{"AvailabilityZone", zone}}},
                 {"TagSpecifications",
                  json::array{json::object{{"ResourceType", "instance"}, {"Tags", tags}}}}},
                service_linked_role(),
                ".",
                true};
  auto r = world_.dispatcher().call(run);
  if (!r.ok()) {
    Activity& a =
        new_activity(g,
                     "Launching a new EC2 instance.  Status Reason: " + r.error().message +
                         ". Launching EC2 instance failed.",
                     cause);
    a.status = "Failed";
    a.status_message = r.error().message;
    a.end = world_.now();
    a.progress = 100;
    // Try again later, as Auto Scaling does; scenario waits bound how long anyone watches.
    std::string name = g.name;
    world_.scheduler().after(std::chrono::seconds(30), [this, name] { schedule_reconcile(name); });
    return;
  }
  const json::object& inst = r->body.at("Instances").as_array()[0].as_object();
  Member m;
  m.id = std::string(inst.at("InstanceId").as_string());
  m.zone = zone;
  m.instance_type = std::string(inst.at("InstanceType").as_string());
  m.launch_template = g.launch_template;
  Activity& a = new_activity(g, "Launching a new EC2 instance: " + m.id, cause);
  a.progress = 20;
  m.activity = a.id;
  world_.record("autoscaling", g.name, fmt::format("{} launched in {} (Pending)", m.id, zone));
  std::string id = m.id;
  g.add_member(std::move(m));
  watch_boot(g.name, id);
}

// Auto Scaling waits for the EC2 instance to run, looking at it as EC2 reports it.
std::optional<json::object> Backend::describe_instance(const std::string& instance) {
  auto r =
      world_.dispatcher().call(api::Call{"ec2",
                                         "DescribeInstances",
                                         {{"InstanceIds", json::array{json::string(instance)}}},
                                         service_linked_role(),
                                         ".",
                                         false});
  if (!r.ok()) return std::nullopt;
  return r->body.at("Reservations").as_array()[0].at("Instances").as_array()[0].as_object();
}

std::string Backend::instance_state(const std::string& instance) {
  auto i = describe_instance(instance);
  return i ? std::string(i->at("State").at("Name").as_string()) : "terminated";
}

void Backend::watch_boot(const std::string& group, const std::string& instance) {
  world_.scheduler().after(world_.timing("instance_boot"),
                           [this, group, instance] { check_boot(group, instance); });
}

void Backend::check_boot(const std::string& group, const std::string& instance) {
  Group* g = mutable_group(group);
  if (!g) return;
  Member* m = g->member(instance);
  if (!m || m->lifecycle != "Pending") return;
  std::string state = instance_state(instance);
  if (state == "running") {
    on_running(*g, *m);
  } else if (state == "pending") {
    // Not yet: looked at again every second.
    world_.scheduler().after(std::chrono::seconds(1),
                             [this, group, instance] { check_boot(group, instance); });
  } else {
    world_.record("autoscaling", group,
                  fmt::format("{} is {} before going InService", instance, state));
    g->remove_member(instance);
    schedule_reconcile(group);
  }
}

// A group with TargetGroupARNs registers its InService instances and deregisters those that
// leave service, acting as its service-linked role.
void Backend::route_traffic(Group& g, const Member& m, bool on) {
  if (on && suspended(g, "AddToLoadBalancer")) return;
  for (const auto& arn : g.target_groups) {
    auto r = world_.dispatcher().call(
        api::Call{"elbv2",
                  on ? "RegisterTargets" : "DeregisterTargets",
                  {{"TargetGroupArn", arn}, {"Targets", json::array{json::object{{"Id", m.id}}}}},
                  service_linked_role(),
                  ".",
                  true});
    if (!r.ok()) {
      world_.record(
          "autoscaling", g.name,
          fmt::format("{} could not be {} {}: {}", m.id,
                      on ? "registered with" : "deregistered from", arn, r.error().message));
    }
  }
}

void Backend::on_running(Group& g, Member& m) {
  bool hooks = std::any_of(g.hooks.begin(), g.hooks.end(),
                           [](const auto& h) { return h.second.launching(); });
  if (hooks) {
    enter_wait(g, m, true);
    return;
  }
  m.lifecycle = "InService";
  m.in_service_since = world_.now();
  route_traffic(g, m, true);
  Activity& a = activity(g, m.activity);
  a.status = "Successful";
  a.progress = 100;
  a.end = world_.now();
  world_.record("autoscaling", g.name, fmt::format("{} InService", m.id));
}

void Backend::begin_termination(Group& g, Member& m, const std::string& cause) {
  for (Action& a : m.actions) {
    if (a.timeout_event) world_.scheduler().cancel(*a.timeout_event);
  }
  m.actions.clear();
  if (m.lifecycle == "InService") route_traffic(g, m, false);
  m.lifecycle = "Terminating";
  Activity& a = new_activity(g, "Terminating EC2 instance: " + m.id, cause);
  m.activity = a.id;
  world_.record("autoscaling", g.name, fmt::format("{} Terminating", m.id));
  bool hooks = std::any_of(g.hooks.begin(), g.hooks.end(),
                           [](const auto& h) { return !h.second.launching(); });
  if (hooks && !m.abandoned) {
    enter_wait(g, m, false);
    return;
  }
  proceed_termination(g, m);
}

// Terminating:Proceed: EC2 terminates the instance; it leaves the group once that is done.
void Backend::proceed_termination(Group& g, Member& m) {
  m.lifecycle = "Terminating:Proceed";
  (void)world_.dispatcher().call(api::Call{"ec2",
                                           "TerminateInstances",
                                           {{"InstanceIds", json::array{json::string(m.id)}}},
                                           service_linked_role(),
                                           ".",
                                           true});
  m.finish_due = world_.now() + world_.timing("instance_shutdown");
  arm_finish(g.name, m);
}

void Backend::arm_finish(const std::string& group, const Member& m) {
  std::string instance = m.id;
  world_.scheduler().at(*m.finish_due,
                        [this, group, instance] { finish_termination(group, instance); });
}

void Backend::finish_termination(const std::string& group, const std::string& instance) {
  Group* g = mutable_group(group);
  if (!g) return;
  Member* m = g->member(instance);
  if (!m) return;
  Activity& a = activity(*g, m->activity);
  if (a.status == "InProgress" || a.status == "MidLifecycleAction") a.status = "Successful";
  a.progress = 100;
  a.end = world_.now();
  world_.record("autoscaling", group, fmt::format("{} Terminated", instance));
  g->remove_member(instance);
  schedule_reconcile(group);
}

Activity& Backend::activity(Group& g, const std::string& id) {
  auto it = g.activity_index.find(id);
  if (it != g.activity_index.end()) return g.activities[it->second];
  return new_activity(g, "(lost activity)", "");
}

Activity& Backend::new_activity(Group& g, std::string description, std::string cause) {
  Activity a;
  a.id = sim::uuid(world_.rng().stream("autoscaling-ids"));
  a.description = std::move(description);
  a.cause = std::move(cause);
  a.start = world_.now();
  g.activity_index[a.id] = g.activities.size();
  g.activities.push_back(std::move(a));
  return g.activities.back();
}

}  // namespace deploysim::fake::autoscaling
