// Saving and restoring CodeDeploy (--state): applications, configurations, groups, revisions
// and deployments with every instance's events. A deployment in flight continues after the load:
// an event the agent had started is run again, as the agent reruns a command it did not report.
#include <fmt/format.h>

#include "fake_services/codedeploy/backend.h"
#include "simulator/api/params.h"

namespace deploysim::fake::codedeploy {
namespace {

using namespace api::params;

json::value time_json(const std::optional<sim::SimTime>& t) {
  return t ? json::value(t->ms()) : json::value(nullptr);
}
std::optional<sim::SimTime> time_from(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  return sim::SimTime::from_ms(v->to_number<std::int64_t>());
}
json::object rev_json(const RevisionLocation& r) {
  return {{"type", r.type},          {"bucket", r.bucket},   {"key", r.key},
          {"bundle", r.bundle_type}, {"version", r.version}, {"etag", r.etag},
          {"repo", r.repository},    {"commit", r.commit}};
}
RevisionLocation rev_from(const json::value& v) {
  const json::object& o = v.as_object();
  return {str(o, "type"),    str(o, "bucket"), str(o, "key"),  str(o, "bundle"),
          str(o, "version"), str(o, "etag"),   str(o, "repo"), str(o, "commit")};
}
json::array filters_json(const std::vector<TagFilter>& f) {
  json::array out;
  for (const auto& t : f)
    out.push_back(json::array{json::string(t.key), json::string(t.value), json::string(t.type)});
  return out;
}
std::vector<TagFilter> filters_from(const json::value& v) {
  std::vector<TagFilter> out;
  for (const auto& t : v.as_array()) {
    const json::array& a = t.as_array();
    out.push_back({std::string(a[0].as_string()), std::string(a[1].as_string()),
                   std::string(a[2].as_string())});
  }
  return out;
}
json::value last_json(const std::optional<LastDeployment>& l) {
  if (!l) return nullptr;
  return json::object{
      {"id", l->id}, {"status", l->status}, {"created", l->created.ms()}, {"ended", l->ended.ms()}};
}
std::optional<LastDeployment> last_from(const json::value& v) {
  if (v.is_null()) return std::nullopt;
  const json::object& o = v.as_object();
  return LastDeployment{str(o, "id"), str(o, "status"),
                        sim::SimTime::from_ms(o.at("created").to_number<std::int64_t>()),
                        sim::SimTime::from_ms(o.at("ended").to_number<std::int64_t>())};
}

}  // namespace

json::value Backend::save_state() const {
  if (applications_.empty() && deployments_.empty() &&
      std::all_of(configs_.begin(), configs_.end(),
                  [](const auto& c) { return c.second.predefined; })) {
    return nullptr;
  }
  json::array apps, configs, groups, revisions, deployments;
  for (const auto& [name, a] : applications_) {
    apps.push_back(json::object{{"name", a.name},
                                {"id", a.id},
                                {"created", a.created.ms()},
                                {"platform", a.compute_platform}});
  }
  for (const auto& [name, c] : configs_) {
    if (c.predefined) continue;
    configs.push_back(json::object{{"name", c.name},
                                   {"id", c.id},
                                   {"type", c.type},
                                   {"value", c.value},
                                   {"created", c.created.ms()}});
  }
  for (const auto& [key, g] : groups_) {
    json::array asgs, set;
    for (const auto& a : g.asgs) {
      asgs.push_back(json::array{json::string(a.name), json::string(a.hook),
                                 json::string(a.termination_hook)});
    }
    for (const auto& l : g.ec2_tag_set) set.push_back(filters_json(l));
    json::array health;
    for (const auto& [id, h] : g.instance_health) {
      health.push_back(json::array{json::string(id), h.healthy, json::string(h.revision)});
    }
    groups.push_back(json::object{
        {"app", g.application},
        {"name", g.name},
        {"id", g.id},
        {"config", g.config_name},
        {"role", g.service_role_arn},
        {"filters", filters_json(g.ec2_tag_filters)},
        {"set", std::move(set)},
        {"asgs", std::move(asgs)},
        {"rollback", g.rollback_enabled},
        {"rollback_events", string_array(g.rollback_events)},
        {"outdated", g.outdated_strategy},
        {"termination_hook", g.termination_hook_enabled},
        {"type", g.deployment_type},
        {"option", g.deployment_option},
        {"target_groups", string_array(g.target_groups)},
        {"alarms", string_array(g.alarms)},
        {"alarms_enabled", g.alarms_enabled},
        {"blue_green", json::array{json::string(g.green_provisioning), json::string(g.ready_action),
                                   g.ready_wait_minutes, json::string(g.blue_action),
                                   g.termination_wait_minutes}},
        {"ignore_poll", g.ignore_poll_alarm_failure},
        {"target",
         g.target_revision ? json::value(rev_json(*g.target_revision)) : json::value(nullptr)},
        {"last_successful", last_json(g.last_successful)},
        {"last_attempted", last_json(g.last_attempted)},
        {"active", g.active_deployment},
        {"health", std::move(health)}});
  }
  for (const auto& [app, list] : revisions_) {
    for (const auto& [label, r] : list) {
      revisions.push_back(json::object{{"app", app},
                                       {"rev", rev_json(r.location)},
                                       {"description", r.description},
                                       {"registered", r.registered.ms()},
                                       {"first", time_json(r.first_used)},
                                       {"last", time_json(r.last_used)},
                                       {"groups", string_array(r.groups)}});
    }
  }
  for (const auto& id : deployment_order_) {
    const Deployment& d = deployments_.at(id);
    json::array instances;
    for (const auto& i : d.instances) {
      json::array events;
      for (const auto& e : i.events) {
        json::object eo{{"name", e.name},
                        {"status", e.status},
                        {"start", time_json(e.start)},
                        {"end", time_json(e.end)}};
        if (e.diagnostics) {
          eo["diag"] = json::array{
              json::string(e.diagnostics->error_code), json::string(e.diagnostics->script_name),
              json::string(e.diagnostics->message), json::string(e.diagnostics->log_tail)};
        }
        events.push_back(std::move(eo));
      }
      instances.push_back(json::object{{"id", i.id},
                                       {"status", i.status},
                                       {"updated", i.updated.ms()},
                                       {"events", std::move(events)},
                                       {"next_event", i.next_event},
                                       {"deadline", i.pickup_deadline.ms()},
                                       {"agent_issue", i.agent_issue},
                                       {"label", i.label}});
    }
    deployments.push_back(json::object{
        {"id", d.id},
        {"app", d.application},
        {"group", d.group},
        {"group_id", d.group_id},
        {"config", d.config_name},
        {"rev", rev_json(d.revision)},
        {"previous",
         d.previous_revision ? json::value(rev_json(*d.previous_revision)) : json::value(nullptr)},
        {"status", d.status},
        {"code", d.error_code},
        {"message", d.error_message},
        {"created", d.created.ms()},
        {"started", time_json(d.started)},
        {"completed", time_json(d.completed)},
        {"creator", d.creator},
        {"description", d.description},
        {"ignore_stop", d.ignore_application_stop_failures},
        {"file_exists", d.file_exists_behavior},
        {"rollback", d.rollback_enabled},
        {"rollback_events", string_array(d.rollback_events)},
        {"rollback_id", d.rollback_deployment_id},
        {"rollback_trigger", d.rollback_triggering_id},
        {"rollback_message", d.rollback_message},
        {"instances", std::move(instances)},
        {"health", json::array{d.min_healthy, d.healthy, d.succeeded, d.failed, d.running}},
        {"next_instance", d.next_instance},
        {"asg",
         json::array{json::string(d.asg), json::string(d.asg_hook), json::string(d.asg_token)}},
        {"stop", d.stop_requested},
        {"outdated_only", d.outdated_only},
        {"traffic_control", d.traffic_control},
        {"alarm_stop", d.alarm_stop},
        {"blue_green", json::object{{"on", d.blue_green},
                                    {"phase", d.bg_phase},
                                    {"blue", d.blue_asg},
                                    {"green", d.green_asg},
                                    {"blue_instances", string_array(d.blue_instances)},
                                    {"termination_wait", d.termination_wait_started},
                                    {"discover", d.discover_existing},
                                    {"target_filters", filters_json(d.target_tag_filters)},
                                    {"target_asgs", string_array(d.target_asgs)},
                                    {"deadline_ms", d.bg_deadline ? json::value(d.bg_deadline->ms())
                                                                  : json::value(nullptr)},
                                    {"blocking", d.bg_blocking}}},
        {"outdated", string_array(d.outdated)},
        {"auto_root", d.auto_update_root},
        {"auto_ids", string_array(d.auto_update_ids)}});
  }
  json::object busy;
  for (const auto& [i, d] : busy_) busy[i] = d;
  return json::object{{"applications", std::move(apps)},       {"configs", std::move(configs)},
                      {"groups", std::move(groups)},           {"revisions", std::move(revisions)},
                      {"deployments", std::move(deployments)}, {"busy", std::move(busy)}};
}

void Backend::load_state(const json::value& state) {
  if (state.is_null()) return;
  const json::object& s = state.as_object();
  for (const auto& v : s.at("applications").as_array()) {
    const json::object& o = v.as_object();
    applications_[str(o, "name")] = {
        str(o, "name"), str(o, "id"),
        sim::SimTime::from_ms(o.at("created").to_number<std::int64_t>()), str(o, "platform")};
  }
  for (const auto& v : s.at("configs").as_array()) {
    const json::object& o = v.as_object();
    configs_[str(o, "name")] = {str(o, "name"),
                                str(o, "id"),
                                str(o, "type"),
                                o.at("value").to_number<int>(),
                                sim::SimTime::from_ms(o.at("created").to_number<std::int64_t>()),
                                false};
  }
  for (const auto& v : s.at("groups").as_array()) {
    const json::object& o = v.as_object();
    DeploymentGroup g;
    g.application = str(o, "app");
    g.name = str(o, "name");
    g.id = str(o, "id");
    g.config_name = str(o, "config");
    g.service_role_arn = str(o, "role");
    g.ec2_tag_filters = filters_from(o.at("filters"));
    for (const auto& l : o.at("set").as_array()) g.ec2_tag_set.push_back(filters_from(l));
    for (const auto& a : o.at("asgs").as_array()) {
      const json::array& x = a.as_array();
      g.asgs.push_back({std::string(x[0].as_string()), std::string(x[1].as_string()),
                        std::string(x[2].as_string())});
    }
    g.rollback_enabled = o.at("rollback").as_bool();
    g.rollback_events = strings_of(o.at("rollback_events"));
    g.outdated_strategy = str(o, "outdated");
    g.termination_hook_enabled = o.at("termination_hook").as_bool();
    g.deployment_type = str(o, "type");
    g.deployment_option = str(o, "option");
    g.target_groups = strings_of(o.at("target_groups"));
    g.alarms = strings_of(o.at("alarms"));
    g.alarms_enabled = o.at("alarms_enabled").as_bool();
    const json::array& bg = o.at("blue_green").as_array();
    g.green_provisioning = std::string(bg[0].as_string());
    g.ready_action = std::string(bg[1].as_string());
    g.ready_wait_minutes = bg[2].to_number<int>();
    g.blue_action = std::string(bg[3].as_string());
    g.termination_wait_minutes = bg[4].to_number<int>();
    g.ignore_poll_alarm_failure = o.at("ignore_poll").as_bool();
    if (!o.at("target").is_null()) g.target_revision = rev_from(o.at("target"));
    g.last_successful = last_from(o.at("last_successful"));
    g.last_attempted = last_from(o.at("last_attempted"));
    g.active_deployment = str(o, "active");
    for (const auto& h : o.at("health").as_array()) {
      const json::array& a = h.as_array();
      g.instance_health[std::string(a[0].as_string())] = {a[1].as_bool(),
                                                          std::string(a[2].as_string())};
    }
    groups_[{g.application, g.name}] = std::move(g);
  }
  for (const auto& v : s.at("revisions").as_array()) {
    const json::object& o = v.as_object();
    RegisteredRevision r;
    r.location = rev_from(o.at("rev"));
    r.description = str(o, "description");
    r.registered = sim::SimTime::from_ms(o.at("registered").to_number<std::int64_t>());
    r.first_used = time_from(o, "first");
    r.last_used = time_from(o, "last");
    r.groups = strings_of(o.at("groups"));
    revisions_[str(o, "app")][r.location.label()] = std::move(r);
  }
  for (const auto& v : s.at("deployments").as_array()) {
    const json::object& o = v.as_object();
    Deployment d;
    d.id = str(o, "id");
    d.application = str(o, "app");
    d.group = str(o, "group");
    d.group_id = str(o, "group_id");
    d.config_name = str(o, "config");
    d.revision = rev_from(o.at("rev"));
    if (!o.at("previous").is_null()) d.previous_revision = rev_from(o.at("previous"));
    d.status = str(o, "status");
    d.error_code = str(o, "code");
    d.error_message = str(o, "message");
    d.created = sim::SimTime::from_ms(o.at("created").to_number<std::int64_t>());
    d.started = time_from(o, "started");
    d.completed = time_from(o, "completed");
    d.creator = str(o, "creator");
    d.description = str(o, "description");
    d.ignore_application_stop_failures = o.at("ignore_stop").as_bool();
    d.file_exists_behavior = str(o, "file_exists");
    d.rollback_enabled = o.at("rollback").as_bool();
    d.rollback_events = strings_of(o.at("rollback_events"));
    d.rollback_deployment_id = str(o, "rollback_id");
    d.rollback_triggering_id = str(o, "rollback_trigger");
    d.rollback_message = str(o, "rollback_message");
    for (const auto& iv : o.at("instances").as_array()) {
      const json::object& io = iv.as_object();
      DeploymentInstance inst;
      inst.id = str(io, "id");
      inst.status = str(io, "status");
      inst.updated = sim::SimTime::from_ms(io.at("updated").to_number<std::int64_t>());
      for (const auto& ev : io.at("events").as_array()) {
        const json::object& eo = ev.as_object();
        LifecycleEvent e;
        e.name = str(eo, "name");
        e.status = str(eo, "status");
        e.start = time_from(eo, "start");
        e.end = time_from(eo, "end");
        if (auto* dg = eo.if_contains("diag")) {
          const json::array& a = dg->as_array();
          e.diagnostics =
              EventDiagnostics{std::string(a[0].as_string()), std::string(a[1].as_string()),
                               std::string(a[2].as_string()), std::string(a[3].as_string())};
        }
        inst.events.push_back(std::move(e));
      }
      inst.next_event = io.at("next_event").to_number<std::size_t>();
      inst.pickup_deadline = sim::SimTime::from_ms(io.at("deadline").to_number<std::int64_t>());
      inst.agent_issue = io.at("agent_issue").as_bool();
      inst.label = str(io, "label");
      d.instance_index[inst.id] = d.instances.size();
      d.instances.push_back(std::move(inst));
    }
    const json::array& h = o.at("health").as_array();
    d.min_healthy = h[0].to_number<int>();
    d.healthy = h[1].to_number<int>();
    d.succeeded = h[2].to_number<int>();
    d.failed = h[3].to_number<int>();
    d.running = h[4].to_number<int>();
    d.next_instance = o.at("next_instance").to_number<std::size_t>();
    const json::array& asg = o.at("asg").as_array();
    d.asg = std::string(asg[0].as_string());
    d.asg_hook = std::string(asg[1].as_string());
    d.asg_token = std::string(asg[2].as_string());
    d.stop_requested = o.at("stop").as_bool();
    d.outdated_only = o.at("outdated_only").as_bool();
    d.traffic_control = o.at("traffic_control").as_bool();
    d.alarm_stop = str(o, "alarm_stop");
    const json::object& bg = o.at("blue_green").as_object();
    d.blue_green = bg.at("on").as_bool();
    d.bg_phase = str(bg, "phase");
    d.blue_asg = str(bg, "blue");
    d.green_asg = str(bg, "green");
    d.blue_instances = strings_of(bg.at("blue_instances"));
    d.termination_wait_started = bg.at("termination_wait").as_bool();
    d.discover_existing = bg.at("discover").as_bool();
    d.target_tag_filters = filters_from(bg.at("target_filters"));
    d.target_asgs = strings_of(bg.at("target_asgs"));
    if (const json::value* dl = bg.if_contains("deadline_ms"); dl && !dl->is_null()) {
      d.bg_deadline = sim::SimTime::from_ms(dl->to_number<std::int64_t>());
    }
    if (const json::value* b = bg.if_contains("blocking")) d.bg_blocking = b->as_bool();
    d.outdated = strings_of(o.at("outdated"));
    d.auto_update_root = str(o, "auto_root");
    d.auto_update_ids = strings_of(o.at("auto_ids"));
    deployment_order_.push_back(d.id);
    deployments_[d.id] = std::move(d);
  }
  for (const auto& kv : s.at("busy").as_object())
    busy_[std::string(kv.key())] = std::string(kv.value().as_string());
  // What was in flight continues.
  for (auto& [id, d] : deployments_) {
    if (d.completed) continue;
    std::string did = id;
    if (d.status == "Created") {
      world_.scheduler().after(std::chrono::seconds(0), [this, did] { start(did); });
      continue;
    }
    // A blue/green deployment past its installs waits on traffic or time, not on agents.
    bool agents = !d.blue_green || d.bg_phase == "installing";
    for (std::size_t i = 0; agents && i < d.next_instance && i < d.instances.size(); ++i) {
      DeploymentInstance& inst = d.instances[i];
      if (inst.status != "Pending" && inst.status != "InProgress") continue;
      if (inst.next_event < inst.events.size() &&
          inst.events[inst.next_event].status == "InProgress") {
        inst.events[inst.next_event].status = "Pending";
        inst.events[inst.next_event].start.reset();
      }
      std::string instance = inst.id;
      world_.scheduler().after(world_.timing("agent_poll"),
                               [this, did, instance] { pickup(did, instance); });
    }
    if (!d.asg_token.empty()) {
      world_.scheduler().after(std::chrono::minutes(5), [this, did] { heartbeat(did); });
    }
    if (d.started) {
      world_.scheduler().at(*d.started + std::chrono::hours(8), [this, did] { time_out(did); });
    }
    bg_resume(d);
  }
}

}  // namespace deploysim::fake::codedeploy
