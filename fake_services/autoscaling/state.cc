// Saving and restoring Auto Scaling's groups (--state). Waits in flight are kept as data (hook
// deadlines, termination finish times) and re-armed on load; instances still booting and
// instances EC2 reports stopped or terminated are looked at again once every service is loaded.
#include <fmt/format.h>

#include "fake_services/autoscaling/backend.h"
#include "simulator/api/params.h"

namespace deploysim::fake::autoscaling {
namespace {

using namespace api::params;

std::int64_t ms(sim::SimTime t) {
  return t.ms();
}
sim::SimTime at(const json::value& v) {
  return sim::SimTime::from_ms(v.to_number<std::int64_t>());
}
json::object template_json(const TemplateRef& t) {
  return {{"id", t.id}, {"name", t.name}, {"version", t.version}};
}
TemplateRef template_from(const json::value& v) {
  const json::object& o = v.as_object();
  return {str(o, "id"), str(o, "name"), str(o, "version")};
}
template <class T>
void put_opt(json::object& o, std::string_view key, const std::optional<T>& v) {
  if (v) o[key] = ms(*v);
}
json::array activities_to_json(const std::vector<Activity>& list) {
  json::array out;
  for (const Activity& a : list) {
    json::object o{{"id", a.id},
                   {"description", a.description},
                   {"cause", a.cause},
                   {"start_ms", ms(a.start)},
                   {"status", a.status},
                   {"message", a.status_message},
                   {"progress", a.progress}};
    put_opt(o, "end_ms", a.end);
    out.push_back(std::move(o));
  }
  return out;
}
std::vector<Activity> activities_from_json(const json::value& v) {
  std::vector<Activity> out;
  for (const auto& a : v.as_array()) {
    const json::object& ao = a.as_object();
    Activity act;
    act.id = str(ao, "id");
    act.description = str(ao, "description");
    act.cause = str(ao, "cause");
    act.start = at(ao.at("start_ms"));
    if (auto* e = ao.if_contains("end_ms")) act.end = at(*e);
    act.status = str(ao, "status");
    act.status_message = str(ao, "message");
    act.progress = ao.at("progress").to_number<int>();
    out.push_back(std::move(act));
  }
  return out;
}

}  // namespace

json::value Backend::save_state() const {
  json::array groups;
  for (const auto& [name, g] : groups_) {
    json::array members, hooks, tags, suspended;
    for (const Member& m : g.members) {
      json::array actions;
      for (const Action& a : m.actions) {
        actions.push_back(json::object{{"token", a.token},
                                       {"hook", a.hook},
                                       {"started_ms", ms(a.started)},
                                       {"deadline_ms", ms(a.heartbeat_deadline)}});
      }
      json::object o{{"id", m.id},
                     {"zone", m.zone},
                     {"type", m.instance_type},
                     {"lifecycle", m.lifecycle},
                     {"health", m.health},
                     {"template", template_json(m.launch_template)},
                     {"activity", m.activity},
                     {"decrement", m.decrement_on_termination},
                     {"abandoned", m.abandoned},
                     {"actions", std::move(actions)}};
      put_opt(o, "in_service_ms", m.in_service_since);
      put_opt(o, "finish_ms", m.finish_due);
      members.push_back(std::move(o));
    }
    for (const auto& [hname, h] : g.hooks) {
      hooks.push_back(json::object{{"name", h.name},
                                   {"transition", h.transition},
                                   {"heartbeat", h.heartbeat_timeout_s},
                                   {"default", h.default_result},
                                   {"metadata", h.metadata},
                                   {"target", h.target_arn},
                                   {"role", h.role_arn}});
    }
    for (const GroupTag& t : g.tags) {
      tags.push_back(json::object{{"key", t.key}, {"value", t.value}, {"propagate", t.propagate}});
    }
    for (const auto& [p, reason] : g.suspended) {
      suspended.push_back(json::array{json::string(p), json::string(reason)});
    }
    groups.push_back(json::object{{"name", g.name},
                                  {"arn", g.arn},
                                  {"template", template_json(g.launch_template)},
                                  {"min", g.min},
                                  {"max", g.max},
                                  {"desired", g.desired},
                                  {"zones", string_array(g.zones)},
                                  {"vpc", g.vpc_zone_identifier},
                                  {"health_check_type", g.health_check_type},
                                  {"grace", g.grace_period_s},
                                  {"tags", std::move(tags)},
                                  {"target_groups", string_array(g.target_groups)},
                                  {"created_ms", ms(g.created)},
                                  {"members", std::move(members)},
                                  {"hooks", std::move(hooks)},
                                  {"activities", activities_to_json(g.activities)},
                                  {"pending_cause", g.pending_cause},
                                  {"suspended", std::move(suspended)}});
  }
  json::array deleted;
  for (const DeletedGroup& d : deleted_groups_) {
    deleted.push_back(json::object{
        {"name", d.name}, {"arn", d.arn}, {"activities", activities_to_json(d.activities)}});
  }
  if (groups.empty() && deleted.empty()) return nullptr;
  return json::object{{"groups", std::move(groups)}, {"deleted", std::move(deleted)}};
}

void Backend::load_state(const json::value& state) {
  if (state.is_null()) return;
  if (const json::value* deleted = state.as_object().if_contains("deleted")) {
    for (const auto& dv : deleted->as_array()) {
      const json::object& d = dv.as_object();
      deleted_groups_.push_back(
          {str(d, "name"), str(d, "arn"), activities_from_json(d.at("activities"))});
    }
  }
  for (const auto& gv : state.at("groups").as_array()) {
    const json::object& o = gv.as_object();
    Group g;
    g.name = str(o, "name");
    g.arn = str(o, "arn");
    g.launch_template = template_from(o.at("template"));
    g.min = o.at("min").to_number<int>();
    g.max = o.at("max").to_number<int>();
    g.desired = o.at("desired").to_number<int>();
    g.zones = strings_of(o.at("zones"));
    g.vpc_zone_identifier = str(o, "vpc");
    g.health_check_type = str(o, "health_check_type");
    g.grace_period_s = o.at("grace").to_number<int>();
    for (const auto& t : o.at("tags").as_array()) {
      const json::object& to = t.as_object();
      g.tags.push_back({str(to, "key"), str(to, "value"), to.at("propagate").as_bool()});
    }
    g.target_groups = strings_of(o.at("target_groups"));
    g.created = at(o.at("created_ms"));
    for (const auto& h : o.at("hooks").as_array()) {
      const json::object& ho = h.as_object();
      Hook hook;
      hook.name = str(ho, "name");
      hook.transition = str(ho, "transition");
      hook.heartbeat_timeout_s = ho.at("heartbeat").to_number<int>();
      hook.default_result = str(ho, "default");
      hook.metadata = str(ho, "metadata");
      hook.target_arn = str(ho, "target");
      hook.role_arn = str(ho, "role");
      g.hooks[hook.name] = hook;
    }
    for (Activity& act : activities_from_json(o.at("activities"))) {
      g.activity_index[act.id] = g.activities.size();
      g.activities.push_back(std::move(act));
    }
    g.pending_cause = str(o, "pending_cause");
    for (const auto& s : o.at("suspended").as_array()) {
      g.suspended[std::string(s.as_array()[0].as_string())] =
          std::string(s.as_array()[1].as_string());
    }
    for (const auto& mv : o.at("members").as_array()) {
      const json::object& mo = mv.as_object();
      Member m;
      m.id = str(mo, "id");
      m.zone = str(mo, "zone");
      m.instance_type = str(mo, "type");
      m.lifecycle = str(mo, "lifecycle");
      m.health = str(mo, "health");
      m.launch_template = template_from(mo.at("template"));
      m.activity = str(mo, "activity");
      m.decrement_on_termination = mo.at("decrement").as_bool();
      m.abandoned = mo.at("abandoned").as_bool();
      if (auto* v = mo.if_contains("in_service_ms")) m.in_service_since = at(*v);
      if (auto* v = mo.if_contains("finish_ms")) m.finish_due = at(*v);
      for (const auto& av : mo.at("actions").as_array()) {
        const json::object& ao = av.as_object();
        Action a;
        a.token = str(ao, "token");
        a.hook = str(ao, "hook");
        a.started = at(ao.at("started_ms"));
        a.heartbeat_deadline = at(ao.at("deadline_ms"));
        g.action_owner[a.token] = m.id;
        m.actions.push_back(std::move(a));
      }
      g.add_member(std::move(m));
    }
    std::string name = g.name;
    groups_[name] = std::move(g);
    // Re-arm what was in flight.
    Group& loaded = groups_.at(name);
    for (const Member& m : loaded.members) {
      for (const Action& a : m.actions) arm_timeout(name, m.id, a.token);
      if (m.lifecycle == "Terminating:Proceed" && m.finish_due) arm_finish(name, m);
    }
    // Once every service is loaded (EC2 after Auto Scaling): instances still booting are
    // watched again, and instances EC2 reports gone meet the health check.
    world_.scheduler().after(std::chrono::seconds(0), [this, name] {
      Group* g = mutable_group(name);
      if (!g) return;
      std::vector<std::string> ids;
      for (const Member& m : g->members) ids.push_back(m.id);
      for (const auto& id : ids) {
        Member* m = g->member(id);
        if (!m) continue;
        std::string state = instance_state(id);
        if (m->lifecycle == "Pending") {
          check_boot(name, id);
        } else {
          on_instance_state(id, state);
        }
      }
      schedule_reconcile(name);
    });
  }
}

}  // namespace deploysim::fake::autoscaling
