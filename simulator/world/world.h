// A World: one account and region with its clock, random streams, journal, dispatcher and the
// fake services registered with it. simulator/ never names a service; they register here.
#pragma once

#include <fmt/format.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "simulator/api/dispatcher.h"
#include "simulator/api/model.h"
#include "simulator/core/rng.h"
#include "simulator/core/scheduler.h"
#include "simulator/journal/journal.h"

namespace deploysim::world {

struct AgentDefaults {
  std::string mode = "real";  // real | simulated
  sim::SimDuration hook_duration = std::chrono::seconds(2);
};

struct WorldConfig {
  std::uint64_t seed = 1;
  std::string account = "123456789012";
  std::string region = "us-east-1";
  sim::SimTime start_time = default_start();
  AgentDefaults agent;
  // Simulated durations of what AWS does; defaults close to real AWS (see default_timings()).
  std::map<std::string, sim::SimDuration, std::less<>> timings = default_timings();
  // Behaviours AWS does not document, where users could want the other answer (each service's
  // README lists them under Deviations): name -> chosen value.
  std::map<std::string, std::string, std::less<>> settings = default_settings();

  static sim::SimTime default_start();
  static std::map<std::string, sim::SimDuration, std::less<>> default_timings();
  static std::map<std::string, std::string, std::less<>> default_settings();
  // The values each setting accepts, the default first.
  static const std::map<std::string, std::vector<std::string>, std::less<>>& setting_values();
};

// A fault armed by sim.InjectFault (scenario-format.md): it fires on the next `remaining`
// occasions of its kind that fit its instance, Auto Scaling group and lifecycle event (an empty
// one fits any).
struct Fault {
  std::string kind;  // HookFails, HookTimesOut, InstanceTerminates, AgentStops, LaunchFails
  std::string instance, group, event;
  int remaining = 1;
};

class World {
 public:
  World(WorldConfig config, const api::ModelRegistry& models);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  const WorldConfig& config() const { return config_; }
  sim::Scheduler& scheduler() { return scheduler_; }
  sim::RngStreams& rng() { return rng_; }
  journal::Journal& journal() { return journal_; }
  const journal::Journal& journal() const { return journal_; }
  api::Dispatcher& dispatcher() { return dispatcher_; }
  const api::ModelRegistry& models() const { return models_; }
  sim::SimTime now() const { return scheduler_.now(); }
  sim::SimDuration timing(std::string_view name) const;
  const std::string& setting(std::string_view name) const;
  api::Principal root() const { return api::Principal::root(config_.account); }

  // In-world notifications between services, what EventBridge carries in AWS ("EC2 Instance
  // State-change Notification"): delivered at once, in subscription order.
  using Listener = std::function<void(const json::object& detail)>;
  void listen(std::string detail_type, Listener listener) {
    listeners_[std::move(detail_type)].push_back(std::move(listener));
  }
  void publish(std::string_view detail_type, const json::object& detail) {
    auto it = listeners_.find(detail_type);
    if (it == listeners_.end()) return;
    for (const auto& l : it->second) l(detail);
  }

  // Writes one journal entry at the current simulated time.
  void record(std::string kind, std::string subject, std::string message);

  // Faults, in the order they were armed. fire_fault: the first armed fault of `kind` that fits
  // this occasion fires (one fewer remains; the journal says so) and true is returned.
  void arm_fault(Fault fault) { faults_.push_back(std::move(fault)); }
  bool fire_fault(std::string_view kind, const std::string& instance, const std::string& group,
                  const std::string& event);
  const std::vector<Fault>& faults() const { return faults_; }
  void restore_faults(std::vector<Fault> faults) { faults_ = std::move(faults); }

  // Takes ownership of a service and registers it with the dispatcher.
  template <class S, class... Args>
  S& add_service(Args&&... args) {
    auto service = std::make_unique<S>(*this, std::forward<Args>(args)...);
    S& ref = *service;
    if (services_.count(ref.name())) {
      throw std::logic_error(fmt::format("a service named '{}' is registered already", ref.name()));
    }
    dispatcher_.add_service(ref);
    services_.emplace(std::string(ref.name()), std::move(service));
    return ref;
  }
  api::Service* service(std::string_view name) const;
  const std::map<std::string, std::unique_ptr<api::Service>, std::less<>>& services() const {
    return services_;
  }

  // A private folder for this world's large files (created on first use, removed with the world).
  const std::filesystem::path& scratch_dir();

  // A call as the account's root, for code that drives the world directly (tests, the CLI).
  api::Result<api::Response> call(std::string service, std::string operation, json::object params);

 private:
  WorldConfig config_;
  const api::ModelRegistry& models_;
  sim::Scheduler scheduler_;
  sim::RngStreams rng_;
  journal::Journal journal_;
  api::Dispatcher dispatcher_;
  std::map<std::string, std::unique_ptr<api::Service>, std::less<>> services_;
  std::filesystem::path scratch_;
  std::map<std::string, std::vector<Listener>, std::less<>> listeners_;
  std::vector<Fault> faults_;
};

}  // namespace deploysim::world
