// Instances entering and leaving a group outside the capacity loop: AttachInstances,
// DetachInstances, EnterStandby/ExitStandby, SetInstanceHealth and the health checks that replace
// instances stopped or terminated outside the group; SuspendProcesses/ResumeProcesses.
#include <fmt/format.h>

#include <algorithm>

#include "fake_services/autoscaling/backend.h"
#include "fake_services/autoscaling/errors.h"

namespace deploysim::fake::autoscaling {
namespace {

// The detail-type EC2 publishes its instance state changes under (EventBridge's name).
constexpr std::string_view kEc2StateChange = "EC2 Instance State-change Notification";

const std::vector<std::string>& process_names() {
  static const std::vector<std::string> kNames = {
      "Launch",      "Terminate",       "AddToLoadBalancer", "AlarmNotification", "AZRebalance",
      "HealthCheck", "InstanceRefresh", "ReplaceUnhealthy",  "ScheduledActions"};
  return kNames;
}

std::string plural(std::size_t n) {
  return n == 1 ? "" : "s";
}

}  // namespace

Backend::Backend(world::World& world) : world_(world) {
  world_.listen(std::string(kEc2StateChange), [this](const json::object& detail) {
    on_instance_state(std::string(detail.at("instance-id").as_string()),
                      std::string(detail.at("state").as_string()));
  });
}

bool Backend::suspended(const Group& g, const std::string& process) const {
  return g.suspended.count(process) > 0;
}

std::pair<Group*, Member*> Backend::locate(const std::string& instance) {
  for (auto& [name, g] : groups_) {
    if (Member* m = g.member(instance)) return {&g, m};
  }
  return {nullptr, nullptr};
}

// EC2 says an instance stopped or is going away: if the group did not ask for it, its next
// health check marks the instance unhealthy and replaces it.
void Backend::on_instance_state(const std::string& instance, const std::string& state) {
  if (state != "stopping" && state != "stopped" && state != "shutting-down" &&
      state != "terminated") {
    return;
  }
  auto [g, m] = locate(instance);
  if (!g || m->lifecycle.starts_with("Terminat") || m->lifecycle.starts_with("Detach") ||
      m->lifecycle == "Standby" || m->health == "Unhealthy") {
    return;
  }
  std::string group = g->name;
  world_.scheduler().after(world_.timing("health_check"), [this, group, instance] {
    Group* g = mutable_group(group);
    Member* m = g ? g->member(instance) : nullptr;
    if (!m || m->lifecycle.starts_with("Terminat") || m->health == "Unhealthy") return;
    if (suspended(*g, "HealthCheck")) return;
    m->health = "Unhealthy";
    world_.record("autoscaling", group, fmt::format("{} Unhealthy (EC2 health check)", instance));
    replace_unhealthy(*g, *m,
                      fmt::format("At {} an instance was taken out of service in response to a "
                                  "EC2 health check indicating it has been terminated or stopped.",
                                  stamp()));
  });
}

void Backend::replace_unhealthy(Group& g, Member& m, const std::string& cause) {
  if (suspended(g, "ReplaceUnhealthy")) return;  // stays Unhealthy until resumed
  begin_termination(g, m, cause);
  schedule_reconcile(g.name);
}

Result<sim::Ok> Backend::set_instance_health(const std::string& instance, bool healthy,
                                             bool respect_grace) {
  auto [g, m] = locate(instance);
  if (!g) {
    return errors::validation(fmt::format(
        "Instance Id not found - No managed instance found for instance ID: {}", instance));
  }
  if (healthy) {
    m->health = "Healthy";
    return sim::Ok{};
  }
  m->health = "Unhealthy";
  world_.record("autoscaling", g->name, fmt::format("{} set Unhealthy", instance));
  sim::SimTime grace_end =
      m->in_service_since.value_or(world_.now()) + std::chrono::seconds(g->grace_period_s);
  std::string group = g->name;
  auto replace = [this, group, instance] {
    Group* g = mutable_group(group);
    Member* m = g ? g->member(instance) : nullptr;
    if (!m || m->health != "Unhealthy" || m->lifecycle.starts_with("Terminat")) return;
    replace_unhealthy(*g, *m,
                      fmt::format("At {} an instance was taken out of service in response to a "
                                  "user health-check.",
                                  stamp()));
  };
  if (respect_grace && m->lifecycle != "InService") return sim::Ok{};  // checked once InService
  if (respect_grace && grace_end > world_.now()) {
    world_.scheduler().at(grace_end, replace);
  } else {
    world_.scheduler().after(std::chrono::seconds(0), replace);
  }
  return sim::Ok{};
}

// The group, when every instance named is one of its members in one of `states`.
Result<Group*> Backend::group_with(const std::string& name, const std::vector<std::string>& ids,
                                   std::initializer_list<std::string_view> states,
                                   std::string_view label) {
  Group* g = mutable_group(name);
  if (!g) return errors::group_not_found(name);
  for (const auto& id : ids) {
    Member* m = g->member(id);
    if (!m) return errors::not_in_group(id, name);
    if (std::find(states.begin(), states.end(), m->lifecycle) == states.end()) {
      return errors::validation(fmt::format("The instance {} is not in {}.", id, label));
    }
  }
  return g;
}

Result<std::vector<const Activity*>> Backend::enter_standby(const std::string& name,
                                                            const std::vector<std::string>& ids,
                                                            bool decrement) {
  auto found = group_with(name, ids, {"InService"}, "InService");
  if (!found.ok()) return found.error();
  Group* g = found.value();
  int n = static_cast<int>(ids.size());
  if (decrement && g->desired - n < g->min) {
    return errors::sizes(*g,
                         fmt::format("place into standby {} instance{}", n, plural(ids.size())));
  }
  int before = g->desired;
  if (decrement) g->desired -= n;
  std::vector<std::string> activity_ids;
  for (const auto& id : ids) {
    Member& m = *g->member(id);
    route_traffic(*g, m, false);
    m.lifecycle = "EnteringStandby";
    Activity& a = new_activity(
        *g, "Moving EC2 instance to Standby: " + id,
        decrement ? fmt::format("At {} an instance was moved to standby in response to a user "
                                "request, shrinking the capacity from {} to {}.",
                                stamp(), before, g->desired)
                  : fmt::format("At {} an instance was moved to standby in response to a user "
                                "request.",
                                stamp()));
    a.status = "Successful";
    a.progress = 100;
    a.end = world_.now();
    activity_ids.push_back(a.id);
    m.lifecycle = "Standby";
    world_.record("autoscaling", name, fmt::format("{} Standby", id));
  }
  std::vector<const Activity*> out;
  for (const auto& a : activity_ids) out.push_back(&g->activities[g->activity_index.at(a)]);
  schedule_reconcile(name);  // without a decrement, replacements are launched
  return out;
}

Result<std::vector<const Activity*>> Backend::exit_standby(const std::string& name,
                                                           const std::vector<std::string>& ids) {
  auto found = group_with(name, ids, {"Standby"}, "Standby");
  if (!found.ok()) return found.error();
  Group* g = found.value();
  int n = static_cast<int>(ids.size());
  if (g->desired + n > g->max) {
    return errors::sizes(*g, fmt::format("exit standby {} instance{}", n, plural(ids.size())));
  }
  std::vector<std::string> activity_ids;
  for (const auto& id : ids) {
    int before = g->desired;
    g->desired += 1;
    Member& m = *g->member(id);
    m.lifecycle = "Pending";
    Activity& a = new_activity(*g, "Moving EC2 instance out of Standby: " + id,
                               fmt::format("At {} an instance was moved out of standby in "
                                           "response to a user request, increasing the capacity "
                                           "from {} to {}.",
                                           stamp(), before, g->desired));
    a.progress = 30;
    m.activity = a.id;
    activity_ids.push_back(a.id);
    on_running(*g, m);  // launch hooks apply on the way back, as on a launch
  }
  std::vector<const Activity*> out;
  for (const auto& a : activity_ids) out.push_back(&g->activities[g->activity_index.at(a)]);
  return out;
}

Result<sim::Ok> Backend::attach_instances(const std::string& name,
                                          const std::vector<std::string>& ids) {
  Group* g = mutable_group(name);
  if (!g) return errors::group_not_found(name);
  std::vector<json::object> found;
  for (const auto& id : ids) {
    if (locate(id).first) {
      return errors::validation(
          fmt::format("The instance {} is already part of an Auto Scaling group.", id));
    }
    auto described = describe_instance(id);
    if (!described) return errors::validation(fmt::format("Instance {} is not valid.", id));
    const json::object& inst = *described;
    if (inst.at("State").at("Name").as_string() != "running") {
      return errors::validation(fmt::format("Instance {} is not in correct state.", id));
    }
    found.push_back(inst);
  }
  int n = static_cast<int>(ids.size());
  if (g->desired + n > g->max) {
    return errors::sizes(*g, fmt::format("attach {} instance{}", n, plural(ids.size())));
  }
  for (const json::object& inst : found) {
    int before = g->desired;
    g->desired += 1;
    Member m;
    m.id = std::string(inst.at("InstanceId").as_string());
    m.zone = std::string(inst.at("Placement").at("AvailabilityZone").as_string());
    m.instance_type = std::string(inst.at("InstanceType").as_string());
    Activity& a = new_activity(*g, "Attaching an existing EC2 instance: " + m.id,
                               fmt::format("At {} an instance was added in response to user "
                                           "request, increasing the capacity from {} to {}.",
                                           stamp(), before, g->desired));
    a.progress = 30;
    m.activity = a.id;
    std::string id = m.id;
    world_.record("autoscaling", name, fmt::format("{} attached", id));
    g->add_member(std::move(m));
    on_running(*g, *g->member(id));
  }
  return sim::Ok{};
}

Result<std::vector<const Activity*>> Backend::detach_instances(const std::string& name,
                                                               const std::vector<std::string>& ids,
                                                               bool decrement) {
  auto found = group_with(name, ids, {"InService", "Standby"}, "InService or Standby");
  if (!found.ok()) return found.error();
  Group* g = found.value();
  int n = static_cast<int>(ids.size());
  if (decrement && g->desired - n < g->min) {
    return errors::sizes(*g, fmt::format("detach {} instance{}", n, plural(ids.size())));
  }
  std::vector<Activity> done;
  for (const auto& id : ids) {
    Member& m = *g->member(id);
    int before = g->desired;
    // A Standby instance no longer counts toward the desired capacity: nothing to shrink.
    if (decrement && m.lifecycle == "InService") g->desired -= 1;
    if (m.lifecycle == "InService") route_traffic(*g, m, false);
    m.lifecycle = "Detaching";
    Activity& a = new_activity(
        *g, "Detaching EC2 instance: " + id,
        fmt::format("At {} instance {} was detached in response to a user request{}.", stamp(), id,
                    before == g->desired ? ""
                                         : fmt::format(", shrinking the capacity from {} to {}",
                                                       before, g->desired)));
    a.status = "Successful";
    a.progress = 100;
    a.end = world_.now();
    for (Action& act : m.actions) {
      if (act.timeout_event) world_.scheduler().cancel(*act.timeout_event);
    }
    world_.record("autoscaling", name, fmt::format("{} Detached", id));
    g->remove_member(id);
  }
  std::vector<const Activity*> out;
  for (std::size_t i = g->activities.size() - ids.size(); i < g->activities.size(); ++i) {
    out.push_back(&g->activities[i]);
  }
  schedule_reconcile(name);
  return out;
}

Result<sim::Ok> Backend::suspend_processes(const std::string& name,
                                           const std::vector<std::string>& processes,
                                           bool suspend) {
  Group* g = mutable_group(name);
  if (!g) return errors::group_not_found(name);
  for (const auto& p : processes) {
    if (std::find(process_names().begin(), process_names().end(), p) == process_names().end()) {
      return errors::validation(fmt::format("Invalid process name: {}", p));
    }
  }
  const std::vector<std::string>& which = processes.empty() ? process_names() : processes;
  for (const auto& p : which) {
    if (suspend) {
      g->suspended.emplace(p, fmt::format("User suspended at {}", stamp()));
    } else {
      g->suspended.erase(p);
    }
  }
  world_.record("autoscaling", name,
                fmt::format("{} {}", suspend ? "suspended" : "resumed",
                            processes.empty() ? "all processes"
                                              : fmt::format("{}", fmt::join(processes, ", "))));
  if (!suspend) {
    // Work held back while suspended happens now: capacity, and unhealthy replacements.
    for (Member& m : g->members) {
      if (m.health == "Unhealthy" && !m.lifecycle.starts_with("Terminat") &&
          !suspended(*g, "ReplaceUnhealthy")) {
        std::string group = g->name, id = m.id;
        world_.scheduler().after(std::chrono::seconds(0), [this, group, id] {
          Group* g = mutable_group(group);
          Member* m = g ? g->member(id) : nullptr;
          if (m && !m->lifecycle.starts_with("Terminat")) {
            replace_unhealthy(*g, *m,
                              fmt::format("At {} an instance was taken out of service in "
                                          "response to a EC2 health check indicating it has been "
                                          "terminated or stopped.",
                                          stamp()));
          }
        });
      }
    }
    schedule_reconcile(name);
  }
  return sim::Ok{};
}

Result<sim::Ok> Backend::put_tags(const std::vector<std::pair<std::string, GroupTag>>& tags,
                                  bool remove) {
  for (const auto& [group, tag] : tags) {
    if (!mutable_group(group)) return errors::group_not_found(group);
  }
  // (No structured bindings here: clang 14 cannot capture them in a lambda.)
  for (const auto& entry : tags) {
    const GroupTag& tag = entry.second;
    Group& g = *mutable_group(entry.first);
    auto it = std::find_if(g.tags.begin(), g.tags.end(),
                           [&](const GroupTag& t) { return t.key == tag.key; });
    if (remove) {
      if (it != g.tags.end()) g.tags.erase(it);
    } else if (it != g.tags.end()) {
      *it = tag;
    } else {
      if (g.tags.size() >= 50) {
        return errors::limit_exceeded("The number of tags exceeds the limit of 50.");
      }
      g.tags.push_back(tag);
    }
  }
  return sim::Ok{};
}

}  // namespace deploysim::fake::autoscaling
