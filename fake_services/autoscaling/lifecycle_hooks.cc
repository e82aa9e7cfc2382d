// Lifecycle hooks: instances wait in Pending:Wait / Terminating:Wait until every hook's action is
// completed, its heartbeat times out (DefaultResult), or the global timeout passes.
#include <fmt/format.h>

#include <algorithm>

#include "fake_services/autoscaling/backend.h"
#include "fake_services/autoscaling/errors.h"
#include "simulator/core/ids.h"

namespace deploysim::fake::autoscaling {

Result<Hook> Backend::hook_from(const HookRequest& r, const Hook* existing) {
  Hook h = existing ? *existing : Hook{};
  h.name = r.name;
  if (r.transition) h.transition = *r.transition;
  if (r.heartbeat_timeout_s) h.heartbeat_timeout_s = *r.heartbeat_timeout_s;
  if (r.default_result) h.default_result = *r.default_result;
  if (r.metadata) h.metadata = *r.metadata;
  if (r.target_arn) h.target_arn = *r.target_arn;
  if (r.role_arn) h.role_arn = *r.role_arn;
  if (h.transition.empty()) {
    return errors::validation(
        "Lifecycle Transition must be specified when creating a lifecycle hook.");
  }
  if (h.heartbeat_timeout_s < 30 || h.heartbeat_timeout_s > 7200) {
    return errors::validation(fmt::format(
        "Heartbeat timeout of {} seconds is out of range: it must be between 30 and 7200 seconds.",
        h.heartbeat_timeout_s));
  }
  return h;
}

Result<sim::Ok> Backend::put_hook(const std::string& group, const HookRequest& request) {
  Group* g = mutable_group(group);
  if (!g) return errors::group_not_found(group);
  auto it = g->hooks.find(request.name);
  if (it == g->hooks.end() && g->hooks.size() >= 50) {
    return sim::AwsError{
        "LimitExceeded",
        fmt::format("Too many lifecycle hooks for group {}: the limit is 50.", group), 400};
  }
  auto hook = hook_from(request, it == g->hooks.end() ? nullptr : &it->second);
  if (!hook.ok()) return hook.error();
  g->hooks[request.name] = hook.value();  // applies to instances launched or terminated from now on
  world_.record("autoscaling", group,
                fmt::format("lifecycle hook {} on {}", request.name, hook->transition));
  return sim::Ok{};
}

Result<sim::Ok> Backend::delete_hook(const std::string& group, const std::string& hook) {
  Group* g = mutable_group(group);
  if (!g) return errors::group_not_found(group);
  auto it = g->hooks.find(hook);
  if (it == g->hooks.end()) {
    return errors::validation(
        fmt::format("No Lifecycle Hook found with name {} for group {}", hook, group));
  }
  // Outstanding actions complete first: ABANDON for launching instances, CONTINUE for terminating.
  std::string result = it->second.launching() ? "ABANDON" : "CONTINUE";
  std::vector<std::pair<std::string, std::string>> waiting;  // instance, token
  for (const Member& m : g->members) {
    for (const Action& a : m.actions) {
      if (a.hook == hook) waiting.emplace_back(m.id, a.token);
    }
  }
  for (const auto& [instance, token] : waiting)
    (void)complete_action(group, hook, token, "", result);
  g = mutable_group(group);
  if (g) g->hooks.erase(hook);
  world_.record("autoscaling", group, fmt::format("lifecycle hook {} deleted", hook));
  return sim::Ok{};
}

void Backend::enter_wait(Group& g, Member& m, bool launching) {
  m.lifecycle = launching ? "Pending:Wait" : "Terminating:Wait";
  Activity& act = activity(g, m.activity);
  act.status = "MidLifecycleAction";
  act.progress = launching ? 40 : 50;
  std::vector<LifecycleNotification> notes;
  for (const auto& [name, hook] : g.hooks) {
    if (hook.launching() != launching) continue;
    Action a;
    a.token = sim::uuid(world_.rng().stream("autoscaling-ids"));
    a.hook = name;
    a.started = world_.now();
    a.heartbeat_deadline = world_.now() + std::chrono::seconds(hook.heartbeat_timeout_s);
    m.actions.push_back(a);
    g.action_owner[a.token] = m.id;
    arm_timeout(g.name, m.id, a.token);
    notes.push_back({a.token, g.name, name, m.id, hook.transition, hook.metadata});
  }
  world_.record("autoscaling", g.name,
                fmt::format("{} {} ({} hook{})", m.id, m.lifecycle, notes.size(),
                            notes.size() == 1 ? "" : "s"));
  // Delivered at this same instant but after this change completes, as a queue would deliver them.
  for (const auto& n : notes) {
    world_.scheduler().after(std::chrono::seconds(0), [this, n] {
      for (LifecycleSubscriber* s : subscribers_) s->on_lifecycle_action(n);
    });
  }
}

void Backend::arm_timeout(const std::string& group, const std::string& instance,
                          const std::string& token) {
  Group* g = mutable_group(group);
  Member* m = g->member(instance);
  auto a = std::find_if(m->actions.begin(), m->actions.end(),
                        [&](const Action& x) { return x.token == token; });
  const Hook& hook = g->hooks.at(a->hook);
  sim::SimTime global = a->started + std::chrono::seconds(hook.global_timeout_s());
  sim::SimTime due = std::min(a->heartbeat_deadline, global);
  if (a->timeout_event) world_.scheduler().cancel(*a->timeout_event);
  a->timeout_event = world_.scheduler().at(due, [this, group, instance, token] {
    Group* grp = mutable_group(group);
    if (!grp) return;
    Member* mem = grp->member(instance);
    if (!mem) return;
    auto act = std::find_if(mem->actions.begin(), mem->actions.end(),
                            [&](const Action& x) { return x.token == token; });
    if (act == mem->actions.end()) return;
    act->timeout_event.reset();
    std::string result =
        grp->hooks.count(act->hook) ? grp->hooks.at(act->hook).default_result : "ABANDON";
    world_.record("autoscaling", group,
                  fmt::format("{}: lifecycle action {} timed out ({})", instance, token, result));
    if (result == "ABANDON") mem->abandoned = true;
    Activity& activity_ref = activity(*grp, mem->activity);
    if (result == "ABANDON" && mem->lifecycle == "Pending:Wait") {
      activity_ref.status_message = fmt::format(
          "Instance failed to complete user's Lifecycle Action: Lifecycle Action with token {} was "
          "abandoned: Heartbeat Timeout",
          token);
    }
    mem->actions.erase(act);
    if (mem->actions.empty() || mem->abandoned) leave_wait(*grp, *mem);
  });
}

// The instance a request means: by its lifecycle action's token, or by its ID.
Member* Backend::action_member(Group& g, const std::string& token, const std::string& instance_id) {
  if (token.empty()) return g.member(instance_id);
  auto owner = g.action_owner.find(token);
  return owner == g.action_owner.end() ? nullptr : g.member(owner->second);
}

Result<sim::Ok> Backend::complete_action(const std::string& group, const std::string& hook,
                                         const std::string& token, const std::string& instance_id,
                                         const std::string& result) {
  Group* g = mutable_group(group);
  if (!g) return errors::group_not_found(group);
  Member* found = action_member(*g, token, instance_id);
  if (found) {
    Member& m = *found;
    for (auto a = m.actions.begin(); a != m.actions.end(); ++a) {
      bool match = a->hook == hook && (token.empty() ? m.id == instance_id : a->token == token);
      if (!match) continue;
      if (a->timeout_event) world_.scheduler().cancel(*a->timeout_event);
      std::string used = a->token;
      g->action_owner.erase(used);
      m.actions.erase(a);
      world_.record("autoscaling", group,
                    fmt::format("{}: lifecycle action on {} completed: {}", m.id, hook, result));
      if (result == "ABANDON") {
        m.abandoned = true;
        if (m.lifecycle == "Pending:Wait") {
          activity(*g, m.activity).status_message = fmt::format(
              "Instance failed to complete user's Lifecycle Action: Lifecycle Action with token {} "
              "was abandoned: Lifecycle Action Completed with ABANDON Result",
              used);
        }
      }
      // A launch ABANDON ends the wait at once; otherwise the instance waits for every hook.
      if (m.actions.empty() || (m.abandoned && m.lifecycle == "Pending:Wait")) leave_wait(*g, m);
      return sim::Ok{};
    }
  }
  return token.empty() ? errors::no_action_for_instance(instance_id)
                       : errors::no_action_for_token(token);
}

Result<sim::Ok> Backend::heartbeat(const std::string& group, const std::string& hook,
                                   const std::string& token, const std::string& instance_id) {
  Group* g = mutable_group(group);
  if (!g) return errors::group_not_found(group);
  Member* found = action_member(*g, token, instance_id);
  if (found) {
    Member& m = *found;
    for (Action& a : m.actions) {
      if (a.hook != hook || (token.empty() ? m.id != instance_id : a.token != token)) continue;
      a.heartbeat_deadline =
          world_.now() + std::chrono::seconds(g->hooks.at(hook).heartbeat_timeout_s);
      arm_timeout(group, m.id, a.token);
      return sim::Ok{};
    }
  }
  return token.empty() ? errors::no_action_for_instance(instance_id)
                       : errors::no_action_for_token(token);
}

void Backend::leave_wait(Group& g, Member& m) {
  for (Action& a : m.actions) {
    if (a.timeout_event) world_.scheduler().cancel(*a.timeout_event);
  }
  m.actions.clear();
  if (m.lifecycle == "Pending:Wait") {
    Activity& act = activity(g, m.activity);
    if (m.abandoned) {
      act.status = "Cancelled";
      act.description += ". Status Reason: " + act.status_message;
      act.end = world_.now();
      act.progress = 100;
      // Abandoned at launch: terminated (no termination hooks) and replaced.
      begin_termination(g, m,
                        fmt::format("At {} an instance was taken out of service because its "
                                    "launch lifecycle action was abandoned.",
                                    stamp()));
      return;
    }
    m.lifecycle = "Pending:Proceed";
    world_.record("autoscaling", g.name, fmt::format("{} Pending:Proceed", m.id));
    m.lifecycle = "InService";
    m.in_service_since = world_.now();
    route_traffic(g, m, true);
    act.status = "Successful";
    act.progress = 100;
    act.end = world_.now();
    world_.record("autoscaling", g.name, fmt::format("{} InService", m.id));
    return;
  }
  if (m.lifecycle == "Terminating:Wait") proceed_termination(g, m);
}

}  // namespace deploysim::fake::autoscaling
