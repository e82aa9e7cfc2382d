#include "simulator/scenario/timeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "simulator/world/world.h"

namespace deploysim::scenario {
namespace {

// Auto Scaling's lifecycle states as its journal entries name them ("i-… InService").
const std::set<std::string, std::less<>> kGroupStates = {
    "Pending",     "Pending:Wait",     "Pending:Proceed",     "InService",
    "Terminating", "Terminating:Wait", "Terminating:Proceed", "Terminated",
    "Standby",     "EnteringStandby",  "Detaching",           "Detached"};

bool terminal(std::string_view state) {
  return state == "Terminated" || state == "terminated";
}

double seconds(sim::SimTime t, sim::SimTime start) {
  return static_cast<double>(t.ms() - start.ms()) / 1000.0;
}

struct Lane {
  std::string group;
  std::vector<std::pair<sim::SimTime, std::string>> group_states;  // from Auto Scaling
  std::vector<std::pair<sim::SimTime, std::string>> ec2_states;    // from EC2
};

// An observation through the dispatcher: no journal entry, and an error is an empty answer.
json::object observe(world::World& w, const char* service, const char* operation,
                     json::object params) {
  auto r = w.dispatcher().call(api::Call{service, operation, std::move(params), w.root(), ".",
                                         /*journal=*/false});
  return r.ok() ? r->body : json::object{};
}

std::string text(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
}

const json::array& array(const json::object& o, std::string_view key) {
  static const json::array empty;
  auto it = o.find(key);
  return it != o.end() && it->value().is_array() ? it->value().as_array() : empty;
}

// An AWS timestamp (ISO 8601) as seconds since start; `fallback` when absent or unreadable.
double when(const json::object& o, std::string_view key, sim::SimTime start, double fallback) {
  auto t = sim::parse_iso8601(text(o, key));
  return t ? seconds(*t, start) : fallback;
}

// Every page of a paginated list operation, concatenated.
json::array pages(world::World& w, const char* service, const char* operation, json::object params,
                  std::string_view items, std::string_view token_key) {
  json::array out;
  for (int guard = 0; guard < 100000; ++guard) {
    json::object page = observe(w, service, operation, params);
    for (const auto& v : array(page, items)) out.push_back(v);
    std::string token = text(page, token_key);
    if (token.empty()) break;
    params[token_key] = token;
  }
  return out;
}

std::map<std::string, Lane> lanes_from_journal(world::World& w, std::vector<std::string>& order) {
  std::map<std::string, Lane> lanes;
  auto lane = [&](const std::string& id) -> Lane& {
    auto [it, fresh] = lanes.try_emplace(id);
    if (fresh) order.push_back(id);
    return it->second;
  };
  for (const auto& e : w.journal().entries()) {
    if (e.kind == "autoscaling" && e.message.rfind("i-", 0) == 0) {
      std::size_t space = e.message.find(' ');
      if (space == std::string::npos) continue;
      std::string id = e.message.substr(0, space);
      std::size_t next = e.message.find(' ', space + 1);
      std::string word = e.message.substr(
          space + 1, next == std::string::npos ? std::string::npos : next - space - 1);
      if (word == "launched") word = "Pending";
      if (!kGroupStates.count(word)) continue;
      Lane& l = lane(id);
      l.group = e.subject;
      l.group_states.emplace_back(e.time, word);
    } else if (e.kind == "instance" && e.subject.rfind("i-", 0) == 0) {
      std::size_t arrow = e.message.find(" -> ");
      if (arrow == std::string::npos) continue;
      lane(e.subject).ec2_states.emplace_back(e.time, e.message.substr(arrow + 4));
    }
  }
  return lanes;
}

// A group's states, and after them EC2's end of the instance when the group did not record it (a
// force-deleted group takes its instances with it); EC2's states alone outside any group.
std::vector<std::pair<sim::SimTime, std::string>> lane_states(const Lane& l) {
  if (l.group_states.empty()) return l.ec2_states;
  auto out = l.group_states;
  if (terminal(out.back().second)) return out;
  for (const auto& [t, state] : l.ec2_states) {
    if (t >= out.back().first && (state == "shutting-down" || state == "terminated")) {
      out.emplace_back(t, state);
    }
  }
  return out;
}

json::array spans(const std::vector<std::pair<sim::SimTime, std::string>>& states,
                  sim::SimTime start, double end) {
  json::array out;
  for (std::size_t i = 0; i < states.size(); ++i) {
    if (terminal(states[i].second)) {
      out.push_back(json::object{{"from", seconds(states[i].first, start)},
                                 {"to", seconds(states[i].first, start)},
                                 {"state", states[i].second}});
      break;
    }
    double to = i + 1 < states.size() ? seconds(states[i + 1].first, start) : end;
    out.push_back(json::object{
        {"from", seconds(states[i].first, start)}, {"to", to}, {"state", states[i].second}});
  }
  return out;
}

void collect_deployments(world::World& w, sim::SimTime start, double end, json::object& out) {
  json::array deployments, events;
  json::array apps = pages(w, "codedeploy", "ListApplications", {}, "applications", "nextToken");
  std::vector<json::object> infos;
  for (const auto& app : apps) {
    if (!app.is_string()) continue;
    json::array ids = pages(w, "codedeploy", "ListDeployments",
                            {{"applicationName", app.as_string()}}, "deployments", "nextToken");
    for (std::size_t i = 0; i < ids.size(); i += 25) {
      json::array batch(ids.begin() + static_cast<std::ptrdiff_t>(i),
                        ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), i + 25)));
      json::object got =
          observe(w, "codedeploy", "BatchGetDeployments", {{"deploymentIds", batch}});
      for (const auto& d : array(got, "deploymentsInfo")) infos.push_back(d.as_object());
    }
  }
  std::sort(infos.begin(), infos.end(), [](const json::object& a, const json::object& b) {
    return std::make_pair(text(a, "createTime"), text(a, "deploymentId")) <
           std::make_pair(text(b, "createTime"), text(b, "deploymentId"));
  });
  for (const auto& d : infos) {
    std::string id = text(d, "deploymentId");
    double from = when(d, "createTime", start, 0);
    std::string revision;
    if (auto r = d.find("revision"); r != d.end() && r->value().is_object()) {
      const json::object& rev = r->value().as_object();
      if (auto s3 = rev.find("s3Location"); s3 != rev.end() && s3->value().is_object()) {
        revision = text(s3->value().as_object(), "key");
      } else if (auto gh = rev.find("gitHubLocation"); gh != rev.end() && gh->value().is_object()) {
        revision = text(gh->value().as_object(), "commitId").substr(0, 12);
      }
    }
    json::object item{{"id", id},
                      {"revision", revision},
                      {"application", text(d, "applicationName")},
                      {"group", text(d, "deploymentGroupName")},
                      {"status", text(d, "status")},
                      {"creator", text(d, "creator")},
                      {"from", from},
                      {"to", when(d, "completeTime", start, end)}};
    if (auto it = d.find("errorInformation"); it != d.end() && it->value().is_object()) {
      item["error"] = fmt::format("{}: {}", text(it->value().as_object(), "code"),
                                  text(it->value().as_object(), "message"));
    }
    json::array instances;
    for (const auto& inst : pages(w, "codedeploy", "ListDeploymentInstances",
                                  {{"deploymentId", id}}, "instancesList", "nextToken")) {
      if (!inst.is_string()) continue;
      json::object got = observe(w, "codedeploy", "GetDeploymentInstance",
                                 {{"deploymentId", id}, {"instanceId", inst.as_string()}});
      auto s = got.find("instanceSummary");
      if (s == got.end() || !s->value().is_object()) continue;
      const json::object& summary = s->value().as_object();
      std::string lane(inst.as_string());
      instances.push_back(json::object{{"id", lane}, {"status", text(summary, "status")}});
      for (const auto& ev : array(summary, "lifecycleEvents")) {
        const json::object& e = ev.as_object();
        if (e.find("startTime") == e.end()) continue;  // never ran (Pending, Skipped)
        json::object event{{"lane", lane},
                           {"deployment", id},
                           {"name", text(e, "lifecycleEventName")},
                           {"from", when(e, "startTime", start, from)},
                           {"to", when(e, "endTime", start, end)},
                           {"status", text(e, "status")}};
        if (auto dg = e.find("diagnostics"); dg != e.end() && dg->value().is_object()) {
          const json::object& diag = dg->value().as_object();
          for (const char* k : {"errorCode", "scriptName", "message", "logTail"}) {
            event[k] = text(diag, k);
          }
        }
        events.push_back(std::move(event));
      }
    }
    item["instances"] = std::move(instances);
    deployments.push_back(std::move(item));
  }
  out["deployments"] = std::move(deployments);
  out["events"] = std::move(events);
}

void collect_activities(world::World& w, sim::SimTime start, double end, json::object& out) {
  // Every group's, the deleted ones' too (a blue/green deployment deletes the original).
  json::array got =
      pages(w, "autoscaling", "DescribeScalingActivities",
            {{"IncludeDeletedGroups", true}, {"MaxRecords", 100}}, "Activities", "NextToken");
  json::array activities;
  // Auto Scaling lists the newest first; the report reads them in time order.
  for (auto it = got.rbegin(); it != got.rend(); ++it) {
    const json::object& a = it->as_object();
    activities.push_back(json::object{{"group", text(a, "AutoScalingGroupName")},
                                      {"from", when(a, "StartTime", start, 0)},
                                      {"to", when(a, "EndTime", start, end)},
                                      {"status", text(a, "StatusCode")},
                                      {"description", text(a, "Description")},
                                      {"cause", text(a, "Cause")}});
  }
  out["activities"] = std::move(activities);
}

}  // namespace

json::object collect_timeline(world::World& w, sim::SimTime start) {
  double end = seconds(w.now(), start);
  json::object out{{"end", end}};
  std::vector<std::string> order;
  std::map<std::string, Lane> lanes = lanes_from_journal(w, order);
  json::array lane_list;
  for (const auto& id : order) {
    const Lane& l = lanes.at(id);
    lane_list.push_back(
        json::object{{"id", id}, {"group", l.group}, {"spans", spans(lane_states(l), start, end)}});
  }
  out["lanes"] = std::move(lane_list);
  collect_deployments(w, start, end, out);
  collect_activities(w, start, end, out);
  return out;
}

std::string summary_table(const json::object& timeline) {
  // The last deployment each instance took part in, and how it went there.
  std::map<std::string, std::string> last;
  for (const auto& d : array(timeline, "deployments")) {
    const json::object& o = d.as_object();
    for (const auto& i : array(o, "instances")) {
      std::string revision = text(o, "revision");
      last[text(i.as_object(), "id")] = text(o, "id") + " " + text(i.as_object(), "status") +
                                        (revision.empty() ? "" : " (" + revision + ")");
    }
  }
  const json::array& lanes = array(timeline, "lanes");
  if (lanes.empty()) return "";
  std::size_t wid = 8, wgroup = 5, wstate = 5;
  for (const auto& l : lanes) {
    const json::object& o = l.as_object();
    wid = std::max(wid, text(o, "id").size());
    wgroup = std::max(wgroup, text(o, "group").size());
    const json::array& s = array(o, "spans");
    if (!s.empty()) wstate = std::max(wstate, text(s.back().as_object(), "state").size());
  }
  std::string out = fmt::format("  {:<{}}  {:<{}}  {:<{}}  {}\n", "instance", wid, "group", wgroup,
                                "state", wstate, "last deployment");
  for (const auto& l : lanes) {
    const json::object& o = l.as_object();
    const json::array& s = array(o, "spans");
    std::string state = s.empty() ? "" : text(s.back().as_object(), "state");
    std::string id = text(o, "id");
    auto it = last.find(id);
    out += fmt::format("  {:<{}}  {:<{}}  {:<{}}  {}\n", id, wid,
                       text(o, "group").empty() ? "-" : text(o, "group"), wgroup, state, wstate,
                       it == last.end() ? "-" : it->second);
  }
  return out;
}

}  // namespace deploysim::scenario
