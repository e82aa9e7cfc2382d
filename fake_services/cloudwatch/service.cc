#include "fake_services/cloudwatch/service.h"

#include <fmt/format.h>
#include <boost/json/parse.hpp>

#include <algorithm>

#include "simulator/api/params.h"

namespace deploysim::fake::cloudwatch {
namespace {

using namespace api::params;
using R = sim::Result<json::object>;

json::object alarm_json(const Alarm& a) {
  json::array dims;
  for (const auto& [k, v] : a.dimensions) dims.push_back(json::object{{"Name", k}, {"Value", v}});
  json::object o{{"AlarmName", a.name},
                 {"AlarmArn", a.arn},
                 {"AlarmConfigurationUpdatedTimestamp", sim::format_iso8601(a.configured)},
                 {"ActionsEnabled", a.actions_enabled},
                 {"OKActions", json::array{}},
                 {"AlarmActions", json::array{}},
                 {"InsufficientDataActions", json::array{}},
                 {"StateValue", a.state},
                 {"StateReason", a.reason},
                 {"StateUpdatedTimestamp", sim::format_iso8601(a.updated)},
                 {"MetricName", a.metric},
                 {"Namespace", a.ns},
                 {"Dimensions", std::move(dims)},
                 {"Period", a.period},
                 {"EvaluationPeriods", a.evaluation_periods},
                 {"Threshold", a.threshold},
                 {"ComparisonOperator", a.comparison},
                 {"TreatMissingData", a.treat_missing},
                 {"StateTransitionedTimestamp", sim::format_iso8601(a.updated)}};
  if (!a.statistic.empty()) o["Statistic"] = a.statistic;
  if (!a.description.empty()) o["AlarmDescription"] = a.description;
  return o;
}

std::vector<std::pair<std::string, std::string>> dimensions_of(const json::object& p) {
  std::vector<std::pair<std::string, std::string>> out;
  if (auto* d = p.if_contains("Dimensions")) {
    for (const auto& e : d->as_array())
      out.emplace_back(str(e.as_object(), "Name"), str(e.as_object(), "Value"));
  }
  return out;
}

sim::AwsError not_found(const std::string& name) {
  return {"ResourceNotFound", fmt::format("Alarm {} not found", name), 404};
}

}  // namespace

void Service::set_state(Alarm& a, const std::string& state, const std::string& reason) {
  std::string before = a.state;
  a.state = state;
  a.reason = reason;
  a.updated = world_.now();
  world_.record("cloudwatch", a.name, fmt::format("{} -> {}: {}", before, state, reason));
}

Service::Service(world::World& world) : world_(world) {
  // An alarm keyed on a deleted Auto Scaling group's name has no data any more.
  world_.listen(std::string(kGroupDeleted), [this](const json::object& detail) {
    std::string group(detail.at("AutoScalingGroupName").as_string());
    for (auto& [name, a] : alarms_) {
      bool on_group = std::any_of(a.dimensions.begin(), a.dimensions.end(), [&](const auto& d) {
        return d.first == "AutoScalingGroupName" && d.second == group;
      });
      if (on_group && a.state != "INSUFFICIENT_DATA") {
        set_state(a, "INSUFFICIENT_DATA",
                  fmt::format("Insufficient Data: the Auto Scaling group {} named in the alarm's "
                              "AutoScalingGroupName dimension no longer exists, so no datapoints "
                              "arrive for {}/{}.",
                              group, a.ns, a.metric));
      } else if (on_group) {
        a.reason = fmt::format("the Auto Scaling group {} no longer exists", group);
      }
    }
  });

  table_.add("PutMetricAlarm", [this](const api::Call& c) -> R {
    std::string name = str(c.params, "AlarmName");
    bool fresh = !alarms_.count(name);
    Alarm& a = alarms_[name];
    a.name = name;
    a.arn = fmt::format("arn:aws:cloudwatch:{}:{}:alarm:{}", world_.config().region,
                        world_.config().account, name);
    a.description = str(c.params, "AlarmDescription");
    if (auto* e = c.params.if_contains("ActionsEnabled")) a.actions_enabled = e->as_bool();
    a.metric = str(c.params, "MetricName");
    a.ns = str(c.params, "Namespace");
    a.statistic = str(c.params, "Statistic");
    a.comparison = str(c.params, "ComparisonOperator");
    a.treat_missing = str(c.params, "TreatMissingData", "missing");
    a.dimensions = dimensions_of(c.params);
    a.period = num(c.params, "Period").value_or(60);
    a.evaluation_periods = num(c.params, "EvaluationPeriods").value_or(1);
    if (auto* t = c.params.if_contains("Threshold")) a.threshold = t->to_number<double>();
    a.configured = world_.now();
    if (fresh) {
      a.updated = world_.now();
      world_.record("cloudwatch", name, "alarm created (INSUFFICIENT_DATA)");
    }
    return json::object{};
  });
  table_.add("DescribeAlarms", [this](const api::Call& c) -> R {
    std::vector<std::string> names = strings(c.params, "AlarmNames");
    std::string prefix = str(c.params, "AlarmNamePrefix"), state = str(c.params, "StateValue");
    json::array out;
    for (const auto& [name, a] : alarms_) {
      if (!names.empty() && std::find(names.begin(), names.end(), name) == names.end()) continue;
      if (!name.starts_with(prefix)) continue;
      if (!state.empty() && a.state != state) continue;
      out.push_back(alarm_json(a));
    }
    return json::object{{"MetricAlarms", std::move(out)}, {"CompositeAlarms", json::array{}}};
  });
  table_.add("DescribeAlarmsForMetric", [this](const api::Call& c) -> R {
    std::string metric = str(c.params, "MetricName"), ns = str(c.params, "Namespace");
    auto dims = dimensions_of(c.params);
    json::array out;
    for (const auto& [name, a] : alarms_) {
      if (a.metric != metric || a.ns != ns) continue;
      if (c.params.contains("Dimensions") && a.dimensions != dims) continue;
      out.push_back(alarm_json(a));
    }
    return json::object{{"MetricAlarms", std::move(out)}};
  });
  table_.add("SetAlarmState", [this](const api::Call& c) -> R {
    auto it = alarms_.find(str(c.params, "AlarmName"));
    if (it == alarms_.end()) return not_found(str(c.params, "AlarmName"));
    if (auto data = opt_str(c.params, "StateReasonData")) {
      boost::system::error_code ec;
      (void)boost::json::parse(*data, ec);
      if (ec) {
        return sim::AwsError{"InvalidFormat", "Invalid JSON in StateReasonData: " + ec.message(),
                             400};
      }
    }
    set_state(it->second, str(c.params, "StateValue"), str(c.params, "StateReason"));
    return json::object{};
  });
  table_.add("DeleteAlarms", [this](const api::Call& c) -> R {
    auto names = strings(c.params, "AlarmNames");
    std::vector<std::string> missing;
    for (const auto& n : names) {
      if (!alarms_.count(n)) missing.push_back(n);
    }
    if (!missing.empty()) {
      return sim::AwsError{
          "ResourceNotFound",
          fmt::format("The following alarms were not found: {}", fmt::join(missing, ", ")), 404};
    }
    for (const auto& n : names) alarms_.erase(n);
    return json::object{};
  });
}

json::value Service::save_state(api::BlobSink&) const {
  if (alarms_.empty()) return nullptr;
  json::array out;
  for (const auto& [name, a] : alarms_) {
    json::array dims;
    for (const auto& [k, v] : a.dimensions)
      dims.push_back(json::array{json::string(k), json::string(v)});
    out.push_back(json::object{{"name", a.name},
                               {"arn", a.arn},
                               {"description", a.description},
                               {"actions", a.actions_enabled},
                               {"metric", a.metric},
                               {"ns", a.ns},
                               {"statistic", a.statistic},
                               {"comparison", a.comparison},
                               {"missing", a.treat_missing},
                               {"dimensions", std::move(dims)},
                               {"period", a.period},
                               {"evaluations", a.evaluation_periods},
                               {"threshold", a.threshold},
                               {"state", a.state},
                               {"reason", a.reason},
                               {"updated", a.updated.ms()},
                               {"configured", a.configured.ms()}});
  }
  return json::object{{"alarms", std::move(out)}};
}

void Service::load_state(const json::value& state, const api::BlobSource&) {
  if (state.is_null()) return;
  for (const auto& v : state.at("alarms").as_array()) {
    const json::object& o = v.as_object();
    Alarm a;
    a.name = str(o, "name");
    a.arn = str(o, "arn");
    a.description = str(o, "description");
    a.actions_enabled = o.at("actions").as_bool();
    a.metric = str(o, "metric");
    a.ns = str(o, "ns");
    a.statistic = str(o, "statistic");
    a.comparison = str(o, "comparison");
    a.treat_missing = str(o, "missing");
    for (const auto& d : o.at("dimensions").as_array()) {
      a.dimensions.emplace_back(std::string(d.as_array()[0].as_string()),
                                std::string(d.as_array()[1].as_string()));
    }
    a.period = o.at("period").to_number<int>();
    a.evaluation_periods = o.at("evaluations").to_number<int>();
    a.threshold = o.at("threshold").to_number<double>();
    a.state = str(o, "state");
    a.reason = str(o, "reason");
    a.updated = sim::SimTime::from_ms(o.at("updated").to_number<std::int64_t>());
    a.configured = sim::SimTime::from_ms(o.at("configured").to_number<std::int64_t>());
    alarms_[a.name] = std::move(a);
  }
}

}  // namespace deploysim::fake::cloudwatch
