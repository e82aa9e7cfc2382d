// cloudwatch, enough for deployments: metric alarms whose state changes by SetAlarmState (there
// are no metrics), and alarms that lose their Auto Scaling group going to INSUFFICIENT_DATA.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "simulator/api/service.h"
#include "simulator/world/world.h"

namespace deploysim::fake::cloudwatch {

struct Alarm {
  std::string name, arn, description;
  bool actions_enabled = true;
  std::string metric, ns, statistic, comparison, treat_missing = "missing";
  std::vector<std::pair<std::string, std::string>> dimensions;
  int period = 60, evaluation_periods = 1;
  double threshold = 0;
  std::string state = "INSUFFICIENT_DATA";
  std::string reason = "Unchecked: Initial alarm creation";
  sim::SimTime updated{}, configured{};
};

// What a service publishes in the world when an Auto Scaling group is deleted (detail:
// AutoScalingGroupName); alarms on it have nothing left to watch.
inline constexpr std::string_view kGroupDeleted = "deploysim: Auto Scaling group deleted";

class Service : public api::Service {
 public:
  explicit Service(world::World& world);
  std::string_view name() const override { return "cloudwatch"; }
  const api::OperationTable& operations() const override { return table_; }
  json::value save_state(api::BlobSink&) const override;
  void load_state(const json::value& state, const api::BlobSource&) override;
  const std::map<std::string, Alarm>& alarms() const { return alarms_; }

 private:
  void set_state(Alarm& a, const std::string& state, const std::string& reason);

  world::World& world_;
  std::map<std::string, Alarm> alarms_;  // by name
  api::OperationTable table_;
};

}  // namespace deploysim::fake::cloudwatch
