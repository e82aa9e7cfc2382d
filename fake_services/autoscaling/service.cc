#include "fake_services/autoscaling/service.h"

#include <fmt/format.h>

#include "fake_services/autoscaling/errors.h"
#include "simulator/api/params.h"

namespace deploysim::fake::autoscaling {
namespace {

using namespace api::params;

json::object template_json(const TemplateRef& t) {
  json::object o{{"LaunchTemplateId", t.id}, {"LaunchTemplateName", t.name}};
  if (!t.version.empty()) o["Version"] = t.version;
  return o;
}

HookRequest hook_of(const json::object& p) {
  auto opt = [&](std::string_view key) -> std::optional<std::string> {
    if (!p.contains(key)) return std::nullopt;
    return str(p, key);
  };
  return {str(p, "LifecycleHookName"), opt("LifecycleTransition"),   opt("DefaultResult"),
          opt("NotificationMetadata"), opt("NotificationTargetARN"), opt("RoleARN"),
          num(p, "HeartbeatTimeout")};
}

json::object hook_json(const std::string& group, const Hook& h) {
  json::object o{
      {"LifecycleHookName", h.name},           {"AutoScalingGroupName", group},
      {"LifecycleTransition", h.transition},   {"HeartbeatTimeout", h.heartbeat_timeout_s},
      {"GlobalTimeout", h.global_timeout_s()}, {"DefaultResult", h.default_result}};
  if (!h.metadata.empty()) o["NotificationMetadata"] = h.metadata;
  if (!h.target_arn.empty()) o["NotificationTargetARN"] = h.target_arn;
  if (!h.role_arn.empty()) o["RoleARN"] = h.role_arn;
  return o;
}

json::object activity_json(const std::string& group, const std::string& arn, const Activity& a) {
  json::object o{{"ActivityId", a.id},
                 {"AutoScalingGroupName", group},
                 {"Description", a.description},
                 {"Cause", a.cause},
                 {"StartTime", sim::format_iso8601(a.start)},
                 {"StatusCode", a.status},
                 {"Progress", a.progress},
                 {"Details", "{}"},
                 {"AutoScalingGroupARN", arn}};
  if (a.end) o["EndTime"] = sim::format_iso8601(*a.end);
  if (!a.status_message.empty()) o["StatusMessage"] = a.status_message;
  return o;
}

json::array suspended_json(const Group& g) {
  json::array out;
  for (const auto& [process, reason] : g.suspended) {
    out.push_back(json::object{{"ProcessName", process}, {"SuspensionReason", reason}});
  }
  return out;
}

}  // namespace

Service::Service(world::World& world) : world_(world), backend_(world) {
  table_.add("CreateAutoScalingGroup", this, &Service::create_auto_scaling_group);
  table_.add("UpdateAutoScalingGroup", this, &Service::update_auto_scaling_group);
  table_.add("DeleteAutoScalingGroup", this, &Service::delete_auto_scaling_group);
  table_.add("SetDesiredCapacity", this, &Service::set_desired_capacity);
  table_.add("DescribeAutoScalingGroups", this, &Service::describe_auto_scaling_groups);
  table_.add("DescribeAutoScalingInstances", this, &Service::describe_auto_scaling_instances);
  table_.add("TerminateInstanceInAutoScalingGroup", this,
             &Service::terminate_instance_in_auto_scaling_group);
  table_.add("DescribeScalingActivities", this, &Service::describe_scaling_activities);
  table_.add("PutLifecycleHook", this, &Service::put_lifecycle_hook);
  table_.add("DeleteLifecycleHook", this, &Service::delete_lifecycle_hook);
  table_.add("DescribeLifecycleHooks", this, &Service::describe_lifecycle_hooks);
  table_.add("CompleteLifecycleAction", this, &Service::complete_lifecycle_action);
  table_.add("RecordLifecycleActionHeartbeat", this, &Service::record_lifecycle_action_heartbeat);
  add_instance_operations();
}

namespace {
bool flag(const json::object& p, std::string_view key, bool fallback) {
  auto it = p.find(key);
  return it == p.end() || !it->value().is_bool() ? fallback : it->value().as_bool();
}

json::object activities_json(const Group& g, const std::vector<const Activity*>& list);
}  // namespace

void Service::add_instance_operations() {
  using R = sim::Result<json::object>;
  auto group_of = [this](const std::string& name) { return backend_.find_group(name).value(); };
  table_.add("SetInstanceHealth", [this](const api::Call& c) -> R {
    auto r = backend_.set_instance_health(str(c.params, "InstanceId"),
                                          str(c.params, "HealthStatus") == "Healthy",
                                          flag(c.params, "ShouldRespectGracePeriod", true));
    if (!r.ok()) return r.error();
    return json::object{};
  });
  table_.add("EnterStandby", [this, group_of](const api::Call& c) -> R {
    std::string name = str(c.params, "AutoScalingGroupName");
    auto r = backend_.enter_standby(name, strings(c.params, "InstanceIds"),
                                    flag(c.params, "ShouldDecrementDesiredCapacity", false));
    if (!r.ok()) return r.error();
    return activities_json(*group_of(name), r.value());
  });
  table_.add("ExitStandby", [this, group_of](const api::Call& c) -> R {
    std::string name = str(c.params, "AutoScalingGroupName");
    auto r = backend_.exit_standby(name, strings(c.params, "InstanceIds"));
    if (!r.ok()) return r.error();
    return activities_json(*group_of(name), r.value());
  });
  table_.add("AttachInstances", [this](const api::Call& c) -> R {
    auto r = backend_.attach_instances(str(c.params, "AutoScalingGroupName"),
                                       strings(c.params, "InstanceIds"));
    if (!r.ok()) return r.error();
    return json::object{};
  });
  table_.add("DetachInstances", [this, group_of](const api::Call& c) -> R {
    std::string name = str(c.params, "AutoScalingGroupName");
    auto r = backend_.detach_instances(name, strings(c.params, "InstanceIds"),
                                       flag(c.params, "ShouldDecrementDesiredCapacity", false));
    if (!r.ok()) return r.error();
    return activities_json(*group_of(name), r.value());
  });
  for (bool suspend : {true, false}) {
    table_.add(
        suspend ? "SuspendProcesses" : "ResumeProcesses", [this, suspend](const api::Call& c) -> R {
          auto r = backend_.suspend_processes(str(c.params, "AutoScalingGroupName"),
                                              strings(c.params, "ScalingProcesses"), suspend);
          if (!r.ok()) return r.error();
          return json::object{};
        });
  }
  for (bool remove : {false, true}) {
    table_.add(
        remove ? "DeleteTags" : "CreateOrUpdateTags", [this, remove](const api::Call& c) -> R {
          std::vector<std::pair<std::string, GroupTag>> tags;
          for (const auto& t : c.params.at("Tags").as_array()) {
            const json::object& o = t.as_object();
            if (str(o, "ResourceType", "auto-scaling-group") != "auto-scaling-group") {
              return errors::validation(
                  fmt::format("Invalid resource type: {}", str(o, "ResourceType")));
            }
            tags.push_back({str(o, "ResourceId"),
                            {str(o, "Key"), str(o, "Value"), flag(o, "PropagateAtLaunch", false)}});
          }
          auto r = backend_.put_tags(tags, remove);
          if (!r.ok()) return r.error();
          return json::object{};
        });
  }
  table_.add("DescribeTags", [this](const api::Call& c) -> R {
    std::vector<std::pair<std::string, std::vector<std::string>>> filters;
    if (auto* f = c.params.if_contains("Filters")) {
      for (const auto& e : f->as_array()) {
        filters.emplace_back(str(e.as_object(), "Name"), strings(e.as_object(), "Values"));
      }
    }
    json::array out;
    for (const Group* g : backend_.groups()) {
      for (const GroupTag& t : g->tags) {
        bool keep = true;
        for (const auto& [name, values] : filters) {
          std::string v = name == "auto-scaling-group"    ? g->name
                          : name == "key"                 ? t.key
                          : name == "value"               ? t.value
                          : name == "propagate-at-launch" ? (t.propagate ? "true" : "false")
                                                          : "";
          keep = keep && std::find(values.begin(), values.end(), v) != values.end();
        }
        if (!keep) continue;
        out.push_back(json::object{{"ResourceId", g->name},
                                   {"ResourceType", "auto-scaling-group"},
                                   {"Key", t.key},
                                   {"Value", t.value},
                                   {"PropagateAtLaunch", t.propagate}});
      }
    }
    return json::object{{"Tags", std::move(out)}};
  });
  table_.add("DescribeLifecycleHookTypes", [](const api::Call&) -> R {
    return json::object{
        {"LifecycleHookTypes", json::array{"autoscaling:EC2_INSTANCE_LAUNCHING",
                                           "autoscaling:EC2_INSTANCE_TERMINATING"}}};
  });
  table_.add("DescribeScalingProcessTypes", [](const api::Call&) -> R {
    json::array processes;
    for (const char* p :
         {"AZRebalance", "AddToLoadBalancer", "AlarmNotification", "HealthCheck", "InstanceRefresh",
          "Launch", "ReplaceUnhealthy", "ScheduledActions", "Terminate"}) {
      processes.push_back(json::object{{"ProcessName", p}});
    }
    return json::object{{"Processes", std::move(processes)}};
  });
}

namespace {
GroupSpec spec_of(const json::object& p) {
  GroupSpec s;
  s.name = str(p, "AutoScalingGroupName");
  if (auto it = p.find("LaunchTemplate"); it != p.end()) {
    const json::object& t = it->value().as_object();
    s.launch_template = {str(t, "LaunchTemplateId"), str(t, "LaunchTemplateName"),
                         str(t, "Version")};
  }
  s.min = num(p, "MinSize");
  s.max = num(p, "MaxSize");
  s.desired = num(p, "DesiredCapacity");
  s.zones = strings(p, "AvailabilityZones");
  s.vpc_zone_identifier = str(p, "VPCZoneIdentifier");
  if (auto h = str(p, "HealthCheckType"); !h.empty()) s.health_check_type = h;
  s.grace_period_s = num(p, "HealthCheckGracePeriod");
  if (auto it = p.find("Tags"); it != p.end()) {
    for (const auto& t : it->value().as_array()) {
      const json::object& o = t.as_object();
      bool propagate = o.contains("PropagateAtLaunch") && o.at("PropagateAtLaunch").as_bool();
      s.tags.push_back({str(o, "Key"), str(o, "Value"), propagate});
    }
  }
  s.target_groups = strings(p, "TargetGroupARNs");
  if (auto it = p.find("LifecycleHookSpecificationList"); it != p.end()) {
    for (const auto& h : it->value().as_array()) s.hooks.push_back(hook_of(h.as_object()));
  }
  return s;
}
}  // namespace

Service::R Service::create_auto_scaling_group(const api::Call& c) {
  GroupSpec spec = spec_of(c.params);
  spec.caller = c.principal;
  auto g = backend_.create_group(spec);
  if (!g.ok()) return g.error();
  return json::object{};
}

Service::R Service::update_auto_scaling_group(const api::Call& c) {
  auto g = backend_.update_group(spec_of(c.params));
  if (!g.ok()) return g.error();
  return json::object{};
}

Service::R Service::delete_auto_scaling_group(const api::Call& c) {
  bool force = c.params.contains("ForceDelete") && c.params.at("ForceDelete").as_bool();
  auto r = backend_.delete_group(str(c.params, "AutoScalingGroupName"), force);
  if (!r.ok()) return r.error();
  return json::object{};
}

Service::R Service::set_desired_capacity(const api::Call& c) {
  auto r = backend_.set_desired_capacity(str(c.params, "AutoScalingGroupName"),
                                         *num(c.params, "DesiredCapacity"));
  if (!r.ok()) return r.error();
  return json::object{};
}

Service::R Service::describe_auto_scaling_groups(const api::Call& c) {
  std::vector<std::string> names = strings(c.params, "AutoScalingGroupNames");
  json::array out;
  for (const Group* g : backend_.groups()) {
    if (!names.empty() && std::find(names.begin(), names.end(), g->name) == names.end()) continue;
    json::array instances;
    for (const Member& m : g->members) {
      instances.push_back(json::object{{"InstanceId", m.id},
                                       {"InstanceType", m.instance_type},
                                       {"AvailabilityZone", m.zone},
                                       {"LifecycleState", m.lifecycle},
                                       {"HealthStatus", m.health},
                                       {"LaunchTemplate", template_json(m.launch_template)},
                                       {"ProtectedFromScaleIn", false}});
    }
    json::array zones, tags, tgs;
    for (const auto& z : g->zones) zones.push_back(json::string(z));
    for (const auto& t : g->target_groups) tgs.push_back(json::string(t));
    for (const auto& t : g->tags) {
      tags.push_back(json::object{{"ResourceId", g->name},
                                  {"ResourceType", "auto-scaling-group"},
                                  {"Key", t.key},
                                  {"Value", t.value},
                                  {"PropagateAtLaunch", t.propagate}});
    }
    json::object o{{"AutoScalingGroupName", g->name},
                   {"AutoScalingGroupARN", g->arn},
                   {"LaunchTemplate", template_json(g->launch_template)},
                   {"MinSize", g->min},
                   {"MaxSize", g->max},
                   {"DesiredCapacity", g->desired},
                   {"DefaultCooldown", 300},
                   {"AvailabilityZones", zones},
                   {"LoadBalancerNames", json::array{}},
                   {"TargetGroupARNs", tgs},
                   {"HealthCheckType", g->health_check_type},
                   {"HealthCheckGracePeriod", g->grace_period_s},
                   {"Instances", instances},
                   {"CreatedTime", sim::format_iso8601(g->created)},
                   {"SuspendedProcesses", suspended_json(*g)},
                   {"Tags", tags},
                   {"TerminationPolicies", json::array{"Default"}},
                   {"NewInstancesProtectedFromScaleIn", false},
                   {"ServiceLinkedRoleARN",
                    fmt::format("arn:aws:iam::{}:role/aws-service-role/autoscaling.amazonaws.com/"
                                "AWSServiceRoleForAutoScaling",
                                world_.config().account)}};
    if (!g->vpc_zone_identifier.empty()) o["VPCZoneIdentifier"] = g->vpc_zone_identifier;
    out.push_back(std::move(o));
  }
  return json::object{{"AutoScalingGroups", std::move(out)}};
}

Service::R Service::describe_auto_scaling_instances(const api::Call& c) {
  std::vector<std::string> ids = strings(c.params, "InstanceIds");
  json::array out;
  for (const Group* g : backend_.groups()) {
    for (const Member& m : g->members) {
      if (!ids.empty() && std::find(ids.begin(), ids.end(), m.id) == ids.end()) continue;
      std::string health = m.health == "Healthy" ? "HEALTHY" : "UNHEALTHY";
      out.push_back(json::object{{"InstanceId", m.id},
                                 {"InstanceType", m.instance_type},
                                 {"AutoScalingGroupName", g->name},
                                 {"AvailabilityZone", m.zone},
                                 {"LifecycleState", m.lifecycle},
                                 {"HealthStatus", health},
                                 {"LaunchTemplate", template_json(m.launch_template)},
                                 {"ProtectedFromScaleIn", false}});
    }
  }
  return json::object{{"AutoScalingInstances", std::move(out)}};
}

Service::R Service::terminate_instance_in_auto_scaling_group(const api::Call& c) {
  bool decrement = c.params.at("ShouldDecrementDesiredCapacity").as_bool();
  auto r = backend_.terminate_instance(str(c.params, "InstanceId"), decrement);
  if (!r.ok()) return r.error();
  return json::object{{"Activity", activity_json(r->first->name, r->first->arn, *r->second)}};
}

// Backend::activities' list, MaxRecords (at most 100) a page, NextToken the rest.
Service::R Service::describe_scaling_activities(const api::Call& c) {
  std::vector<ActivityRef> items =
      backend_.activities(str(c.params, "AutoScalingGroupName"), strings(c.params, "ActivityIds"),
                          flag(c.params, "IncludeDeletedGroups", false));
  std::size_t page = 100;
  if (auto it = c.params.find("MaxRecords"); it != c.params.end()) {
    std::int64_t n = it->value().to_number<std::int64_t>();
    if (n < 1 || n > 100) {
      return sim::AwsError{
          "ValidationError",
          fmt::format("1 validation error detected: Value '{}' at 'maxRecords' failed to satisfy "
                      "constraint: Member must have value less than or equal to 100",
                      n),
          400};
    }
    page = static_cast<std::size_t>(n);
  }
  std::size_t from = 0;
  if (std::string token = str(c.params, "NextToken"); !token.empty()) {
    // deploysim's tokens: "activities-<offset>"; anything else is not one of ours.
    constexpr std::string_view kPrefix = "activities-";
    bool ok = token.rfind(kPrefix, 0) == 0 && token.size() > kPrefix.size() &&
              token.size() <= kPrefix.size() + 9 &&
              token.find_first_not_of("0123456789", kPrefix.size()) == std::string::npos;
    if (ok) from = std::stoull(token.substr(kPrefix.size()));
    if (!ok || from > items.size()) {
      return sim::AwsError{"InvalidNextToken", "The NextToken value is not valid.", 400};
    }
  }
  json::array out;
  for (std::size_t i = from; i < items.size() && i < from + page; ++i) {
    out.push_back(activity_json(*items[i].group, *items[i].arn, *items[i].activity));
  }
  json::object result{{"Activities", std::move(out)}};
  if (from + page < items.size()) result["NextToken"] = fmt::format("activities-{}", from + page);
  return result;
}

Service::R Service::put_lifecycle_hook(const api::Call& c) {
  auto r = backend_.put_hook(str(c.params, "AutoScalingGroupName"), hook_of(c.params));
  if (!r.ok()) return r.error();
  return json::object{};
}

Service::R Service::delete_lifecycle_hook(const api::Call& c) {
  auto r = backend_.delete_hook(str(c.params, "AutoScalingGroupName"),
                                str(c.params, "LifecycleHookName"));
  if (!r.ok()) return r.error();
  return json::object{};
}

Service::R Service::describe_lifecycle_hooks(const api::Call& c) {
  std::string group = str(c.params, "AutoScalingGroupName");
  auto g = backend_.find_group(group);
  if (!g.ok()) return g.error();
  std::vector<std::string> names = strings(c.params, "LifecycleHookNames");
  json::array out;
  for (const auto& [name, h] : g.value()->hooks) {
    if (names.empty() || std::find(names.begin(), names.end(), name) != names.end()) {
      out.push_back(hook_json(group, h));
    }
  }
  return json::object{{"LifecycleHooks", std::move(out)}};
}

Service::R Service::complete_lifecycle_action(const api::Call& c) {
  auto r = backend_.complete_action(
      str(c.params, "AutoScalingGroupName"), str(c.params, "LifecycleHookName"),
      str(c.params, "LifecycleActionToken"), str(c.params, "InstanceId"),
      str(c.params, "LifecycleActionResult"));
  if (!r.ok()) return r.error();
  return json::object{};
}

Service::R Service::record_lifecycle_action_heartbeat(const api::Call& c) {
  auto r =
      backend_.heartbeat(str(c.params, "AutoScalingGroupName"), str(c.params, "LifecycleHookName"),
                         str(c.params, "LifecycleActionToken"), str(c.params, "InstanceId"));
  if (!r.ok()) return r.error();
  return json::object{};
}

json::value Service::save_state(api::BlobSink&) const {
  return backend_.save_state();
}

void Service::load_state(const json::value& state, const api::BlobSource&) {
  backend_.load_state(state);
}

// Group actions are authorized on the group's ARN (its UUID unknown before it exists: "*").
std::vector<api::AuthRequest> Service::authorization(const api::Call& c) const {
  std::string action = "autoscaling:" + c.operation;
  auto name = opt_str(c.params, "AutoScalingGroupName");
  if (!name || c.operation.starts_with("Describe")) return {{action, "*", {}}};
  std::string arn = backend_.arn_of(*name);
  if (arn.empty()) {
    arn = fmt::format("arn:aws:autoscaling:{}:{}:autoScalingGroup:*:autoScalingGroupName/{}",
                      world_.config().region, world_.config().account, *name);
  }
  return {{action, arn, {}}};
}

namespace {
json::object activities_json(const Group& g, const std::vector<const Activity*>& list) {
  json::array out;
  for (const Activity* a : list) out.push_back(activity_json(g.name, g.arn, *a));
  return json::object{{"Activities", std::move(out)}};
}
}  // namespace

}  // namespace deploysim::fake::autoscaling
