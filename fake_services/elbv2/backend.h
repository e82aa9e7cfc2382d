// Elastic Load Balancing v2, the part deployments use: load balancers, listeners that forward to
// target groups, and targets whose health changes in simulated time (initial → healthy after
// HealthyThreshold × Interval; draining for the deregistration delay).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "simulator/core/aws_error.h"
#include "simulator/core/scheduler.h"
#include "simulator/world/world.h"

namespace deploysim::fake::elbv2 {

using sim::Result;

struct Target {
  std::string id;
  int port = 80;
  std::string state;  // initial | healthy | unhealthy | draining
  std::optional<sim::EventId> event;
};

struct TargetGroup {
  std::string name, arn, protocol = "HTTP", vpc = "vpc-0deploysim0000000";
  int port = 80;
  int interval_s = 30, healthy_threshold = 5, unhealthy_threshold = 2, timeout_s = 5;
  std::string health_path = "/";
  int deregistration_delay_s = 300;
  std::vector<std::string> load_balancers;  // ARNs of those forwarding to it
  std::map<std::string, Target> targets;    // by instance ID
};

struct LoadBalancer {
  std::string name, arn, dns, type = "application", scheme = "internet-facing";
  sim::SimTime created{};
  std::vector<std::string> listeners;  // target group ARNs the listeners forward to
};

struct Health {
  std::string id;
  int port = 80;
  std::string state, reason, description;
};

class Backend {
 public:
  explicit Backend(world::World& world) : world_(world) {}

  Result<const LoadBalancer*> create_load_balancer(const std::string& name, const std::string& type,
                                                   const std::string& scheme);
  Result<const TargetGroup*> create_target_group(const TargetGroup& spec);
  Result<sim::Ok> create_listener(const std::string& lb_arn, const std::string& tg_arn);
  Result<std::vector<const LoadBalancer*>> load_balancers(
      const std::vector<std::string>& arns, const std::vector<std::string>& names) const;
  Result<std::vector<const TargetGroup*>> target_groups(const std::vector<std::string>& arns,
                                                        const std::vector<std::string>& names,
                                                        const std::string& lb_arn) const;
  Result<sim::Ok> register_targets(const std::string& tg_arn,
                                   const std::vector<std::pair<std::string, int>>& targets);
  Result<sim::Ok> deregister_targets(const std::string& tg_arn,
                                     const std::vector<std::string>& ids);
  Result<std::vector<Health>> target_health(const std::string& tg_arn,
                                            const std::vector<std::string>& ids) const;
  Result<sim::Ok> set_deregistration_delay(const std::string& tg_arn, int seconds);
  Result<sim::Ok> delete_target_group(const std::string& tg_arn);
  Result<sim::Ok> delete_load_balancer(const std::string& lb_arn);
  Result<const TargetGroup*> target_group(const std::string& arn) const;

 private:
  TargetGroup* find_group(const std::string& arn);
  bool instance_running(const std::string& id) const;
  std::string hex16();

  world::World& world_;
  std::map<std::string, LoadBalancer> load_balancers_;  // by ARN
  std::map<std::string, TargetGroup> target_groups_;    // by ARN
};

}  // namespace deploysim::fake::elbv2
