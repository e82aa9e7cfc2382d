#include "simulator/world/world.h"

#include <fmt/format.h>

#include <cstdlib>
#include <stdexcept>

namespace deploysim::world {

sim::SimTime WorldConfig::default_start() {
  return *sim::parse_iso8601("2026-01-01T00:00:00Z");
}

std::map<std::string, sim::SimDuration, std::less<>> WorldConfig::default_timings() {
  using namespace std::chrono_literals;
  return {
      {"instance_boot", 40s},      // pending -> running
      {"agent_poll", 1s},          // the agent's PollHostCommand latency
      {"instance_shutdown", 20s},  // stopping -> stopped, shutting-down -> terminated
      {"image_create", 2min},      // CreateImage: pending -> available
      {"health_check", 30s},       // Auto Scaling notices an instance stopped outside the group
  };
}

const std::map<std::string, std::vector<std::string>, std::less<>>& WorldConfig::setting_values() {
  static const std::map<std::string, std::vector<std::string>, std::less<>> values = {
      // A launching instance when its deployment group has no successful revision yet: let
      // through (CONTINUE) at once, or left in Pending:Wait until the hook times out (ABANDON).
      {"codedeploy.launch_without_revision", {"continue", "wait"}},
  };
  return values;
}

std::map<std::string, std::string, std::less<>> WorldConfig::default_settings() {
  std::map<std::string, std::string, std::less<>> out;
  for (const auto& [name, values] : setting_values()) out[name] = values.front();
  return out;
}

World::World(WorldConfig config, const api::ModelRegistry& models)
    : config_(std::move(config)),
      models_(models),
      scheduler_(config_.start_time),
      rng_(config_.seed),
      dispatcher_(models_, scheduler_, rng_, journal_) {}

World::~World() {
  if (!scratch_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(scratch_, ec);
  }
}

bool World::fire_fault(std::string_view kind, const std::string& instance, const std::string& group,
                       const std::string& event) {
  auto fits = [](const std::string& armed, const std::string& actual) {
    return armed.empty() || armed == actual;
  };
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (it->kind != kind || it->remaining <= 0 || !fits(it->instance, instance) ||
        !fits(it->group, group) || !fits(it->event, event)) {
      continue;
    }
    --it->remaining;
    std::string on = instance.empty() ? group : instance;
    record("fault", on.empty() ? "-" : on,
           fmt::format("{} fired{} ({} left)", it->kind, event.empty() ? "" : " at " + event,
                       it->remaining));
    if (it->remaining == 0) faults_.erase(it);
    return true;
  }
  return false;
}

const std::string& World::setting(std::string_view name) const {
  auto it = config_.settings.find(name);
  if (it == config_.settings.end()) {
    throw std::logic_error(fmt::format("no setting named '{}'", name));
  }
  return it->second;
}

sim::SimDuration World::timing(std::string_view name) const {
  auto it = config_.timings.find(name);
  if (it == config_.timings.end()) {
    throw std::logic_error(fmt::format("no timing named '{}'", name));
  }
  return it->second;
}

void World::record(std::string kind, std::string subject, std::string message) {
  journal_.add(scheduler_.now(), std::move(kind), std::move(subject), std::move(message));
}

api::Service* World::service(std::string_view name) const {
  auto it = services_.find(name);
  return it == services_.end() ? nullptr : it->second.get();
}

const std::filesystem::path& World::scratch_dir() {
  if (scratch_.empty()) {
    std::filesystem::path base = std::filesystem::temp_directory_path();
    std::string pattern = (base / "deploysim-XXXXXX").string();
    if (!mkdtemp(pattern.data())) {
      throw std::runtime_error(
          fmt::format("cannot create a scratch folder under {}", base.string()));
    }
    scratch_ = pattern;
  }
  return scratch_;
}

api::Result<api::Response> World::call(std::string service, std::string operation,
                                       json::object params) {
  api::Call c{std::move(service), std::move(operation), std::move(params), root(), "."};
  return dispatcher_.call(c);
}

}  // namespace deploysim::world
