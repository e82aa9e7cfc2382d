#include "fake_services/elbv2/service.h"

#include <fmt/format.h>

#include "simulator/api/params.h"

namespace deploysim::fake::elbv2 {
namespace {

using namespace api::params;
using R = sim::Result<json::object>;

json::object lb_json(const LoadBalancer& lb, const std::string& region) {
  return {{"LoadBalancerArn", lb.arn},
          {"DNSName", lb.dns},
          {"CanonicalHostedZoneId", "Z35SXDOTRQ7X7K"},
          {"CreatedTime", sim::format_iso8601(lb.created)},
          {"LoadBalancerName", lb.name},
          {"Scheme", lb.scheme},
          {"VpcId", "vpc-0deploysim0000000"},
          {"State", json::object{{"Code", "active"}}},
          {"Type", lb.type},
          {"AvailabilityZones", json::array{json::object{{"ZoneName", region + "a"}}}},
          {"IpAddressType", "ipv4"}};
}

json::object tg_json(const TargetGroup& tg) {
  json::array lbs;
  for (const auto& a : tg.load_balancers) lbs.emplace_back(a);
  return {{"TargetGroupArn", tg.arn},
          {"TargetGroupName", tg.name},
          {"Protocol", tg.protocol},
          {"Port", tg.port},
          {"VpcId", tg.vpc},
          {"HealthCheckProtocol", tg.protocol},
          {"HealthCheckPort", "traffic-port"},
          {"HealthCheckEnabled", true},
          {"HealthCheckIntervalSeconds", tg.interval_s},
          {"HealthCheckTimeoutSeconds", tg.timeout_s},
          {"HealthyThresholdCount", tg.healthy_threshold},
          {"UnhealthyThresholdCount", tg.unhealthy_threshold},
          {"HealthCheckPath", tg.health_path},
          {"Matcher", json::object{{"HttpCode", "200"}}},
          {"LoadBalancerArns", std::move(lbs)},
          {"TargetType", "instance"},
          {"ProtocolVersion", "HTTP1"},
          {"IpAddressType", "ipv4"}};
}

std::vector<std::pair<std::string, int>> targets_of(const json::object& p) {
  std::vector<std::pair<std::string, int>> out;
  if (auto* t = p.if_contains("Targets")) {
    for (const auto& e : t->as_array()) {
      out.emplace_back(str(e.as_object(), "Id"), num(e.as_object(), "Port").value_or(0));
    }
  }
  return out;
}

}  // namespace

Service::Service(world::World& world) : world_(world), backend_(world) {
  const std::string region = world_.config().region;
  table_.add("CreateLoadBalancer", [this, region](const api::Call& c) -> R {
    auto lb = backend_.create_load_balancer(str(c.params, "Name"), str(c.params, "Type"),
                                            str(c.params, "Scheme"));
    if (!lb.ok()) return lb.error();
    return json::object{{"LoadBalancers", json::array{lb_json(*lb.value(), region)}}};
  });
  table_.add("DescribeLoadBalancers", [this, region](const api::Call& c) -> R {
    auto lbs =
        backend_.load_balancers(strings(c.params, "LoadBalancerArns"), strings(c.params, "Names"));
    if (!lbs.ok()) return lbs.error();
    json::array out;
    for (const LoadBalancer* lb : lbs.value()) out.push_back(lb_json(*lb, region));
    return json::object{{"LoadBalancers", std::move(out)}};
  });
  table_.add("DeleteLoadBalancer", [this](const api::Call& c) -> R {
    auto r = backend_.delete_load_balancer(str(c.params, "LoadBalancerArn"));
    if (!r.ok()) return r.error();
    return json::object{};
  });
  table_.add("CreateTargetGroup", [this](const api::Call& c) -> R {
    TargetGroup spec;
    spec.name = str(c.params, "Name");
    spec.protocol = str(c.params, "Protocol", "HTTP");
    spec.port = num(c.params, "Port").value_or(80);
    spec.interval_s = num(c.params, "HealthCheckIntervalSeconds").value_or(30);
    spec.timeout_s = num(c.params, "HealthCheckTimeoutSeconds").value_or(5);
    spec.healthy_threshold = num(c.params, "HealthyThresholdCount").value_or(5);
    spec.unhealthy_threshold = num(c.params, "UnhealthyThresholdCount").value_or(2);
    spec.health_path = str(c.params, "HealthCheckPath", "/");
    if (auto vpc = opt_str(c.params, "VpcId")) spec.vpc = *vpc;
    auto tg = backend_.create_target_group(spec);
    if (!tg.ok()) return tg.error();
    return json::object{{"TargetGroups", json::array{tg_json(*tg.value())}}};
  });
  table_.add("DescribeTargetGroups", [this](const api::Call& c) -> R {
    auto tgs = backend_.target_groups(strings(c.params, "TargetGroupArns"),
                                      strings(c.params, "Names"), str(c.params, "LoadBalancerArn"));
    if (!tgs.ok()) return tgs.error();
    json::array out;
    for (const TargetGroup* tg : tgs.value()) out.push_back(tg_json(*tg));
    return json::object{{"TargetGroups", std::move(out)}};
  });
  table_.add("DeleteTargetGroup", [this](const api::Call& c) -> R {
    auto r = backend_.delete_target_group(str(c.params, "TargetGroupArn"));
    if (!r.ok()) return r.error();
    return json::object{};
  });
  table_.add("CreateListener", [this](const api::Call& c) -> R {
    std::string lb = str(c.params, "LoadBalancerArn"), tg;
    for (const auto& a : c.params.at("DefaultActions").as_array()) {
      if (str(a.as_object(), "Type") == "forward") tg = str(a.as_object(), "TargetGroupArn");
    }
    auto r = backend_.create_listener(lb, tg);
    if (!r.ok()) return r.error();
    int port = num(c.params, "Port").value_or(80);
    return json::object{
        {"Listeners", json::array{json::object{
                          {"ListenerArn", lb.substr(0, lb.find(":loadbalancer/")) + ":listener/" +
                                              lb.substr(lb.find(":loadbalancer/") + 14) +
                                              fmt::format("/{}", port)},
                          {"LoadBalancerArn", lb},
                          {"Port", port},
                          {"Protocol", str(c.params, "Protocol", "HTTP")},
                          {"DefaultActions", c.params.at("DefaultActions")}}}}};
  });
  table_.add("RegisterTargets", [this](const api::Call& c) -> R {
    auto r = backend_.register_targets(str(c.params, "TargetGroupArn"), targets_of(c.params));
    if (!r.ok()) return r.error();
    return json::object{};
  });
  table_.add("DeregisterTargets", [this](const api::Call& c) -> R {
    std::vector<std::string> ids;
    for (const auto& [id, port] : targets_of(c.params)) ids.push_back(id);
    auto r = backend_.deregister_targets(str(c.params, "TargetGroupArn"), ids);
    if (!r.ok()) return r.error();
    return json::object{};
  });
  table_.add("DescribeTargetHealth", [this](const api::Call& c) -> R {
    std::vector<std::string> ids;
    for (const auto& [id, port] : targets_of(c.params)) ids.push_back(id);
    auto health = backend_.target_health(str(c.params, "TargetGroupArn"), ids);
    if (!health.ok()) return health.error();
    json::array out;
    for (const Health& h : health.value()) {
      json::object th{{"State", h.state}};
      if (!h.reason.empty()) {
        th["Reason"] = h.reason;
        th["Description"] = h.description;
      }
      out.push_back(json::object{{"Target", json::object{{"Id", h.id}, {"Port", h.port}}},
                                 {"HealthCheckPort", std::to_string(h.port)},
                                 {"TargetHealth", std::move(th)}});
    }
    return json::object{{"TargetHealthDescriptions", std::move(out)}};
  });
  table_.add("ModifyTargetGroupAttributes", [this](const api::Call& c) -> R {
    std::string arn = str(c.params, "TargetGroupArn");
    json::array echoed;
    for (const auto& a : c.params.at("Attributes").as_array()) {
      const json::object& o = a.as_object();
      if (str(o, "Key") == "deregistration_delay.timeout_seconds") {
        auto r = backend_.set_deregistration_delay(arn, std::atoi(str(o, "Value").c_str()));
        if (!r.ok()) return r.error();
      }
      echoed.push_back(o);
    }
    if (auto tg = backend_.target_group(arn); !tg.ok()) return tg.error();
    return json::object{{"Attributes", std::move(echoed)}};
  });
  table_.add("DescribeTargetGroupAttributes", [this](const api::Call& c) -> R {
    auto tg = backend_.target_group(str(c.params, "TargetGroupArn"));
    if (!tg.ok()) return tg.error();
    return json::object{
        {"Attributes",
         json::array{json::object{{"Key", "deregistration_delay.timeout_seconds"},
                                  {"Value", std::to_string(tg.value()->deregistration_delay_s)}}}}};
  });
}

}  // namespace deploysim::fake::elbv2
