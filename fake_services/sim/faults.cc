// sim.InjectFault: arms a fault that fires on the next occasions that fit (scenario-format.md).
// The services that meet those occasions ask the world (World::fire_fault): the agent's hooks
// (HookFails, HookTimesOut), CodeDeploy handing an instance its next lifecycle event
// (InstanceTerminates, AgentStops) and EC2 launching an instance (LaunchFails).
#include <fmt/format.h>

#include <algorithm>

#include "fake_services/codedeploy_agent/appspec.h"
#include "fake_services/sim/service.h"

namespace deploysim::fake::sim_service {
namespace {

// The events an instance's deployment can run: those whose hooks run scripts (the agent's list),
// and the four the agent or the service does itself.
bool has_scripts(std::string_view e) {
  return agent::is_known_event(e);
}
bool is_event(std::string_view e) {
  return has_scripts(e) || e == "DownloadBundle" || e == "Install" || e == "BlockTraffic" ||
         e == "AllowTraffic";
}

sim::AwsError invalid(std::string message) {
  return {"ValidationException", std::move(message), 400};
}

std::string text(const json::object& p, std::string_view key) {
  auto it = p.find(key);
  return it == p.end() ? "" : std::string(it->value().as_string());
}

}  // namespace

sim::Result<json::object> Service::inject_fault(const api::Call& c) {
  world::Fault f;
  f.kind = text(c.params, "Kind");
  f.instance = text(c.params, "InstanceId");
  f.group = text(c.params, "AutoScalingGroupName");
  f.event = text(c.params, "LifecycleEvent");
  if (auto it = c.params.find("Count"); it != c.params.end()) {
    std::int64_t n = it->value().to_number<std::int64_t>();
    if (n < 1) return invalid(fmt::format("Count must be at least 1, not {}", n));
    f.remaining = static_cast<int>(std::min<std::int64_t>(n, 1000000));
  }
  if (!f.event.empty()) {
    if (!is_event(f.event)) {
      return invalid(
          fmt::format("LifecycleEvent '{}' is not a lifecycle event of an EC2 "
                      "deployment (ApplicationStop, DownloadBundle, BeforeInstall, ...)",
                      f.event));
    }
    if (f.kind == "LaunchFails") {
      return invalid("LaunchFails fires when an instance is launched: it takes no LifecycleEvent");
    }
    if ((f.kind == "HookFails" || f.kind == "HookTimesOut") && !has_scripts(f.event)) {
      return invalid(fmt::format("{} runs no script: {} cannot fire there", f.event, f.kind));
    }
  }
  if (!f.instance.empty()) {
    if (f.kind == "LaunchFails") {
      return invalid(
          "LaunchFails fires before there is an instance: name an "
          "AutoScalingGroupName, or neither");
    }
    auto found = ec2().find_instances({f.instance});
    if (!found.ok()) return found.error();
  }
  world_.record("fault", f.instance.empty() ? (f.group.empty() ? "-" : f.group) : f.instance,
                fmt::format("{} armed{} for the next {} occasion{}", f.kind,
                            f.event.empty() ? "" : " at " + f.event, f.remaining,
                            f.remaining == 1 ? "" : "s"));
  world_.arm_fault(std::move(f));
  return json::object{};
}

json::array Service::save_faults() const {
  json::array out;
  for (const auto& f : world_.faults()) {
    out.push_back(json::object{{"kind", f.kind},
                               {"instance", f.instance},
                               {"group", f.group},
                               {"event", f.event},
                               {"remaining", f.remaining}});
  }
  return out;
}

void Service::load_faults(const json::array& saved) {
  std::vector<world::Fault> faults;
  for (const auto& v : saved) {
    const json::object& o = v.as_object();
    faults.push_back({text(o, "kind"), text(o, "instance"), text(o, "group"), text(o, "event"),
                      static_cast<int>(o.at("remaining").to_number<std::int64_t>())});
  }
  world_.restore_faults(std::move(faults));
}

}  // namespace deploysim::fake::sim_service
