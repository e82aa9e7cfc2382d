#include "fake_services/elbv2/backend.h"

#include <fmt/format.h>

#include <algorithm>

#include "fake_services/ec2/service.h"
#include "simulator/core/ids.h"

namespace deploysim::fake::elbv2 {
namespace {

sim::AwsError error(std::string code, std::string message, int status = 400) {
  return {std::move(code), std::move(message), status};
}
sim::AwsError no_target_group() {
  return error("TargetGroupNotFound", "One or more target groups not found");
}
sim::AwsError no_load_balancer() {
  return error("LoadBalancerNotFound", "One or more load balancers not found");
}

}  // namespace

std::string Backend::hex16() {
  return sim::random_token(world_.rng().stream("elbv2-ids"), "", 16, "0123456789abcdef");
}

bool Backend::instance_running(const std::string& id) const {
  auto* ec2 = dynamic_cast<ec2::Service*>(world_.service("ec2"));
  if (!ec2) return true;
  auto found = ec2->backend().find_instances({id});
  return found.ok() && found.value()[0]->state == ec2::State::Running;
}

TargetGroup* Backend::find_group(const std::string& arn) {
  auto it = target_groups_.find(arn);
  return it == target_groups_.end() ? nullptr : &it->second;
}

Result<const TargetGroup*> Backend::target_group(const std::string& arn) const {
  auto it = target_groups_.find(arn);
  if (it == target_groups_.end()) return no_target_group();
  return &it->second;
}

Result<const LoadBalancer*> Backend::create_load_balancer(const std::string& name,
                                                          const std::string& type,
                                                          const std::string& scheme) {
  for (const auto& [arn, lb] : load_balancers_) {
    if (lb.name != name) continue;
    if (lb.type == type && lb.scheme == scheme) return &lb;  // the same request again
    return error("DuplicateLoadBalancerName",
                 fmt::format("A load balancer with the same name '{}' exists, but with different "
                             "settings",
                             name));
  }
  LoadBalancer lb;
  lb.name = name;
  lb.type = type.empty() ? "application" : type;
  lb.scheme = scheme.empty() ? "internet-facing" : scheme;
  lb.arn = fmt::format("arn:aws:elasticloadbalancing:{}:{}:loadbalancer/{}/{}/{}",
                       world_.config().region, world_.config().account,
                       lb.type == "network" ? "net" : "app", name, hex16());
  lb.dns = fmt::format("{}-{}.{}.elb.amazonaws.com", name,
                       sim::random_token(world_.rng().stream("elbv2-ids"), "", 10, "0123456789"),
                       world_.config().region);
  lb.created = world_.now();
  std::string arn = lb.arn;
  return &(load_balancers_[arn] = std::move(lb));
}

Result<const TargetGroup*> Backend::create_target_group(const TargetGroup& spec) {
  for (const auto& [arn, tg] : target_groups_) {
    if (tg.name != spec.name) continue;
    if (tg.port == spec.port && tg.protocol == spec.protocol) return &tg;
    return error("DuplicateTargetGroupName",
                 fmt::format("A target group with the same name '{}' exists, but with different "
                             "settings",
                             spec.name));
  }
  TargetGroup tg = spec;
  tg.arn = fmt::format("arn:aws:elasticloadbalancing:{}:{}:targetgroup/{}/{}",
                       world_.config().region, world_.config().account, spec.name, hex16());
  std::string arn = tg.arn;
  return &(target_groups_[arn] = std::move(tg));
}

Result<sim::Ok> Backend::create_listener(const std::string& lb_arn, const std::string& tg_arn) {
  auto lb = load_balancers_.find(lb_arn);
  if (lb == load_balancers_.end()) return no_load_balancer();
  TargetGroup* tg = find_group(tg_arn);
  if (!tg) return no_target_group();
  lb->second.listeners.push_back(tg_arn);
  if (std::find(tg->load_balancers.begin(), tg->load_balancers.end(), lb_arn) ==
      tg->load_balancers.end()) {
    tg->load_balancers.push_back(lb_arn);
  }
  return sim::Ok{};
}

Result<std::vector<const LoadBalancer*>> Backend::load_balancers(
    const std::vector<std::string>& arns, const std::vector<std::string>& names) const {
  std::vector<const LoadBalancer*> out;
  for (const auto& [arn, lb] : load_balancers_) {
    if (!arns.empty() && std::find(arns.begin(), arns.end(), arn) == arns.end()) continue;
    if (!names.empty() && std::find(names.begin(), names.end(), lb.name) == names.end()) continue;
    out.push_back(&lb);
  }
  if ((!arns.empty() && out.size() != arns.size()) ||
      (!names.empty() && out.size() != names.size())) {
    return no_load_balancer();
  }
  return out;
}

Result<std::vector<const TargetGroup*>> Backend::target_groups(
    const std::vector<std::string>& arns, const std::vector<std::string>& names,
    const std::string& lb_arn) const {
  if (!lb_arn.empty() && !load_balancers_.count(lb_arn)) return no_load_balancer();
  std::vector<const TargetGroup*> out;
  for (const auto& [arn, tg] : target_groups_) {
    if (!arns.empty() && std::find(arns.begin(), arns.end(), arn) == arns.end()) continue;
    if (!names.empty() && std::find(names.begin(), names.end(), tg.name) == names.end()) continue;
    if (!lb_arn.empty() && std::find(tg.load_balancers.begin(), tg.load_balancers.end(), lb_arn) ==
                               tg.load_balancers.end()) {
      continue;
    }
    out.push_back(&tg);
  }
  if ((!arns.empty() && out.size() != arns.size()) ||
      (!names.empty() && out.size() != names.size())) {
    return no_target_group();
  }
  return out;
}

// A registered target passes HealthyThreshold consecutive checks, one per Interval, to become
// healthy; an instance that is not running fails them.
Result<sim::Ok> Backend::register_targets(const std::string& tg_arn,
                                          const std::vector<std::pair<std::string, int>>& targets) {
  TargetGroup* tg = find_group(tg_arn);
  if (!tg) return no_target_group();
  std::vector<std::string> bad;
  for (const auto& [id, port] : targets) {
    if (!instance_running(id)) bad.push_back("'" + id + "'");
  }
  if (!bad.empty()) {
    std::string list;
    for (const auto& b : bad) list += (list.empty() ? "" : ", ") + b;
    return error(
        "InvalidTarget",
        "The following targets are not in a running state and cannot be registered: " + list);
  }
  for (const auto& [id, port] : targets) {
    Target& t = tg->targets[id];
    if (t.event) world_.scheduler().cancel(*t.event);
    t.id = id;
    t.port = port ? port : tg->port;
    t.state = "initial";
    std::string arn = tg_arn, target = id;
    t.event = world_.scheduler().after(
        std::chrono::seconds(tg->interval_s * tg->healthy_threshold), [this, arn, target] {
          TargetGroup* g = find_group(arn);
          if (!g || !g->targets.count(target)) return;
          Target& x = g->targets.at(target);
          x.event.reset();
          x.state = instance_running(target) ? "healthy" : "unhealthy";
          world_.record("elbv2", g->name, fmt::format("{} {}", target, x.state));
        });
    world_.record("elbv2", tg->name, fmt::format("{} registered (initial)", id));
  }
  return sim::Ok{};
}

Result<sim::Ok> Backend::deregister_targets(const std::string& tg_arn,
                                            const std::vector<std::string>& ids) {
  TargetGroup* tg = find_group(tg_arn);
  if (!tg) return no_target_group();
  for (const auto& id : ids) {
    auto it = tg->targets.find(id);
    if (it == tg->targets.end() || it->second.state == "draining") continue;
    Target& t = it->second;
    if (t.event) world_.scheduler().cancel(*t.event);
    t.state = "draining";
    std::string arn = tg_arn, target = id;
    t.event = world_.scheduler().after(
        std::chrono::seconds(tg->deregistration_delay_s), [this, arn, target] {
          TargetGroup* g = find_group(arn);
          if (!g) return;
          g->targets.erase(target);
          world_.record("elbv2", g->name, fmt::format("{} deregistered", target));
        });
    world_.record("elbv2", tg->name, fmt::format("{} draining", id));
  }
  return sim::Ok{};
}

Result<std::vector<Health>> Backend::target_health(const std::string& tg_arn,
                                                   const std::vector<std::string>& ids) const {
  auto tg = target_group(tg_arn);
  if (!tg.ok()) return tg.error();
  const TargetGroup& g = *tg.value();
  bool in_use = !g.load_balancers.empty();
  auto describe = [&](const std::string& id) {
    Health h{id, g.port, "", "", ""};
    auto it = g.targets.find(id);
    if (it == g.targets.end()) {
      return Health{id, g.port, "unused", "Target.NotRegistered",
                    "Target is not registered to the target group"};
    }
    h.port = it->second.port;
    h.state = it->second.state;
    if (h.state == "draining") {
      h.reason = "Target.DeregistrationInProgress";
      h.description = "Target deregistration is in progress";
    } else if (!in_use) {
      h.state = "unused";
      h.reason = "Target.NotInUse";
      h.description = "Target group is not configured to receive traffic from the load balancer";
    } else if (h.state == "initial") {
      h.reason = "Elb.RegistrationInProgress";
      h.description = "Target registration is in progress";
    } else if (h.state == "healthy" && !instance_running(id)) {
      h.state = "unhealthy";
    }
    if (h.state == "unhealthy") {
      h.reason = "Target.InvalidState";
      h.description = "Target is in the stopped state";
    }
    return h;
  };
  std::vector<Health> out;
  if (ids.empty()) {
    for (const auto& [id, t] : g.targets) out.push_back(describe(id));
  } else {
    for (const auto& id : ids) out.push_back(describe(id));
  }
  return out;
}

Result<sim::Ok> Backend::set_deregistration_delay(const std::string& tg_arn, int seconds) {
  TargetGroup* tg = find_group(tg_arn);
  if (!tg) return no_target_group();
  if (seconds < 0 || seconds > 3600) {
    return error("InvalidConfigurationRequest",
                 "The value of 'deregistration_delay.timeout_seconds' must be between 0 and 3600");
  }
  tg->deregistration_delay_s = seconds;
  return sim::Ok{};
}

Result<sim::Ok> Backend::delete_target_group(const std::string& tg_arn) {
  TargetGroup* tg = find_group(tg_arn);
  if (!tg) return sim::Ok{};  // deleting what is not there succeeds
  if (!tg->load_balancers.empty()) {
    return error("ResourceInUse", fmt::format("Target group '{}' is currently in use by a listener "
                                              "or a rule",
                                              tg_arn));
  }
  for (auto& [id, t] : tg->targets) {
    if (t.event) world_.scheduler().cancel(*t.event);
  }
  target_groups_.erase(tg_arn);
  return sim::Ok{};
}

Result<sim::Ok> Backend::delete_load_balancer(const std::string& lb_arn) {
  auto lb = load_balancers_.find(lb_arn);
  if (lb == load_balancers_.end()) return sim::Ok{};
  for (auto& [arn, tg] : target_groups_) {
    std::erase(tg.load_balancers, lb_arn);
  }
  load_balancers_.erase(lb);
  return sim::Ok{};
}

}  // namespace deploysim::fake::elbv2
