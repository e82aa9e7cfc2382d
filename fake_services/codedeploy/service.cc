#include "fake_services/codedeploy/service.h"

#include <fmt/format.h>

#include <algorithm>

#include "fake_services/autoscaling/service.h"
#include "fake_services/codedeploy/errors.h"
#include "simulator/api/params.h"

namespace deploysim::fake::codedeploy {
namespace {

using namespace api::params;
using R = sim::Result<json::object>;

std::string stamp(sim::SimTime t) {
  return sim::format_iso8601(t);
}

bool flag(const json::object& p, std::string_view key, bool fallback = false) {
  auto it = p.find(key);
  return it == p.end() || !it->value().is_bool() ? fallback : it->value().as_bool();
}

std::optional<bool> opt_flag(const json::object& p, std::string_view key) {
  auto it = p.find(key);
  if (it == p.end() || !it->value().is_bool()) return std::nullopt;
  return it->value().as_bool();
}

RevisionLocation revision_of(const json::object& r) {
  RevisionLocation loc;
  loc.type = str(r, "revisionType", "S3");
  if (auto* s3 = r.if_contains("s3Location")) {
    const json::object& o = s3->as_object();
    loc.bucket = str(o, "bucket");
    loc.key = str(o, "key");
    loc.bundle_type = str(o, "bundleType");
    loc.version = str(o, "version");
    loc.etag = str(o, "eTag");
  }
  if (auto* gh = r.if_contains("gitHubLocation")) {
    loc.repository = str(gh->as_object(), "repository");
    loc.commit = str(gh->as_object(), "commitId");
  }
  return loc;
}

json::object revision_json(const RevisionLocation& loc) {
  if (loc.type == "GitHub") {
    return {
        {"revisionType", "GitHub"},
        {"gitHubLocation", json::object{{"repository", loc.repository}, {"commitId", loc.commit}}}};
  }
  json::object s3{{"bucket", loc.bucket}, {"key", loc.key}};
  if (!loc.bundle_type.empty()) s3["bundleType"] = loc.bundle_type;
  if (!loc.version.empty()) s3["version"] = loc.version;
  if (!loc.etag.empty()) s3["eTag"] = loc.etag;
  return {{"revisionType", "S3"}, {"s3Location", std::move(s3)}};
}

std::vector<TagFilter> filters_of(const json::value& v) {
  std::vector<TagFilter> out;
  for (const auto& f : v.as_array()) {
    const json::object& o = f.as_object();
    out.push_back({str(o, "Key"), str(o, "Value"), str(o, "Type", "KEY_AND_VALUE")});
  }
  return out;
}

json::array filters_json(const std::vector<TagFilter>& filters) {
  json::array out;
  for (const auto& f : filters) {
    json::object o{{"Type", f.type}};
    if (!f.key.empty()) o["Key"] = f.key;
    if (!f.value.empty()) o["Value"] = f.value;
    out.push_back(std::move(o));
  }
  return out;
}

GroupRequest group_request(const json::object& p, bool update) {
  GroupRequest r;
  r.application = str(p, "applicationName");
  r.name = str(p, update ? "currentDeploymentGroupName" : "deploymentGroupName");
  r.new_name = opt_str(p, "newDeploymentGroupName");
  r.config_name = opt_str(p, "deploymentConfigName");
  r.service_role_arn = opt_str(p, "serviceRoleArn");
  r.outdated_strategy = opt_str(p, "outdatedInstancesStrategy");
  if (auto* f = p.if_contains("ec2TagFilters")) r.ec2_tag_filters = filters_of(*f);
  if (auto* s = p.if_contains("ec2TagSet")) {
    std::vector<std::vector<TagFilter>> set;
    if (auto* lists = s->as_object().if_contains("ec2TagSetList")) {
      for (const auto& l : lists->as_array()) set.push_back(filters_of(l));
    }
    r.ec2_tag_set = set;
  }
  if (p.contains("autoScalingGroups")) r.asgs = strings(p, "autoScalingGroups");
  if (auto* a = p.if_contains("autoRollbackConfiguration")) {
    r.rollback_enabled = flag(a->as_object(), "enabled");
    r.rollback_events = strings(a->as_object(), "events");
  }
  r.termination_hook_enabled = opt_flag(p, "terminationHookEnabled");
  if (auto* s = p.if_contains("deploymentStyle")) {
    r.deployment_type = opt_str(s->as_object(), "deploymentType");
    r.deployment_option = opt_str(s->as_object(), "deploymentOption");
  }
  if (auto* a = p.if_contains("alarmConfiguration")) {
    const json::object& o = a->as_object();
    r.alarms_enabled = flag(o, "enabled");
    r.ignore_poll_alarm_failure = flag(o, "ignorePollAlarmFailure");
    std::vector<std::string> names;
    if (auto* list = o.if_contains("alarms")) {
      for (const auto& e : list->as_array()) names.push_back(str(e.as_object(), "name"));
    }
    r.alarms = names;
  }
  if (auto* bg = p.if_contains("blueGreenDeploymentConfiguration")) {
    const json::object& o = bg->as_object();
    if (auto* t = o.if_contains("terminateBlueInstancesOnDeploymentSuccess")) {
      r.blue_action = opt_str(t->as_object(), "action");
      r.termination_wait_minutes = num(t->as_object(), "terminationWaitTimeInMinutes");
    }
    if (auto* t = o.if_contains("deploymentReadyOption")) {
      r.ready_action = opt_str(t->as_object(), "actionOnTimeout");
      r.ready_wait_minutes = num(t->as_object(), "waitTimeInMinutes");
    }
    if (auto* t = o.if_contains("greenFleetProvisioningOption")) {
      r.green_provisioning = opt_str(t->as_object(), "action");
    }
  }
  if (auto* lb = p.if_contains("loadBalancerInfo")) {
    std::vector<std::string> names;
    if (auto* list = lb->as_object().if_contains("targetGroupInfoList")) {
      for (const auto& t : list->as_array()) names.push_back(str(t.as_object(), "name"));
    }
    r.target_groups = names;
  }
  return r;
}

json::object last_json(const LastDeployment& l) {
  json::object o{{"deploymentId", l.id}, {"status", l.status}, {"createTime", stamp(l.created)}};
  if (l.ended.ms() != 0) o["endTime"] = stamp(l.ended);
  return o;
}

json::object blue_green_json(const DeploymentGroup& g) {
  return {{"terminateBlueInstancesOnDeploymentSuccess",
           json::object{{"action", g.blue_action},
                        {"terminationWaitTimeInMinutes", g.termination_wait_minutes}}},
          {"deploymentReadyOption", json::object{{"actionOnTimeout", g.ready_action},
                                                 {"waitTimeInMinutes", g.ready_wait_minutes}}},
          {"greenFleetProvisioningOption", json::object{{"action", g.green_provisioning}}}};
}

json::object alarms_json(const DeploymentGroup& g) {
  json::array alarms;
  for (const auto& a : g.alarms) alarms.push_back(json::object{{"name", a}});
  return {{"enabled", g.alarms_enabled},
          {"ignorePollAlarmFailure", g.ignore_poll_alarm_failure},
          {"alarms", std::move(alarms)}};
}

json::object group_json(const DeploymentGroup& g) {
  json::array asgs;
  for (const auto& a : g.asgs) {
    json::object o{{"name", a.name}, {"hook", a.hook}};
    if (!a.termination_hook.empty()) o["terminationHook"] = a.termination_hook;
    asgs.push_back(std::move(o));
  }
  json::array events;
  for (const auto& e : g.rollback_events) events.emplace_back(e);
  json::object o{{"applicationName", g.application},
                 {"deploymentGroupId", g.id},
                 {"deploymentGroupName", g.name},
                 {"deploymentConfigName", g.config_name},
                 {"ec2TagFilters", filters_json(g.ec2_tag_filters)},
                 {"onPremisesInstanceTagFilters", json::array{}},
                 {"autoScalingGroups", std::move(asgs)},
                 {"serviceRoleArn", g.service_role_arn},
                 {"triggerConfigurations", json::array{}},
                 {"alarmConfiguration", alarms_json(g)},
                 {"autoRollbackConfiguration",
                  json::object{{"enabled", g.rollback_enabled}, {"events", std::move(events)}}},
                 {"deploymentStyle", json::object{{"deploymentType", g.deployment_type},
                                                  {"deploymentOption", g.deployment_option}}},
                 {"outdatedInstancesStrategy", g.outdated_strategy},
                 {"computePlatform", "Server"},
                 {"terminationHookEnabled", g.termination_hook_enabled}};
  if (!g.ec2_tag_set.empty()) {
    json::array lists;
    for (const auto& l : g.ec2_tag_set) lists.push_back(filters_json(l));
    o["ec2TagSet"] = json::object{{"ec2TagSetList", std::move(lists)}};
  }
  if (!g.target_groups.empty()) {
    json::array tgs;
    for (const auto& n : g.target_groups) tgs.push_back(json::object{{"name", n}});
    o["loadBalancerInfo"] = json::object{{"targetGroupInfoList", std::move(tgs)}};
  }
  if (g.deployment_type == "BLUE_GREEN") o["blueGreenDeploymentConfiguration"] = blue_green_json(g);
  if (g.target_revision) o["targetRevision"] = revision_json(*g.target_revision);
  if (g.last_successful) o["lastSuccessfulDeployment"] = last_json(*g.last_successful);
  if (g.last_attempted) o["lastAttemptedDeployment"] = last_json(*g.last_attempted);
  return o;
}

json::object application_json(const Application& a) {
  return {{"applicationId", a.id},
          {"applicationName", a.name},
          {"createTime", stamp(a.created)},
          {"linkedToGitHub", false},
          {"computePlatform", a.compute_platform}};
}

json::object config_json(const DeploymentConfig& c) {
  json::object o{{"deploymentConfigId", c.id},
                 {"deploymentConfigName", c.name},
                 {"minimumHealthyHosts", json::object{{"type", c.type}, {"value", c.value}}},
                 {"createTime", stamp(c.created)},
                 {"computePlatform", "Server"}};
  return o;
}

json::object deployment_json(const Deployment& d) {
  int pending = 0, running = 0, ok = 0, failed = 0, skipped = 0, ready = 0;
  for (const auto& i : d.instances) {
    if (i.status == "Ready") ++ready;
    if (i.status == "Pending") ++pending;
    if (i.status == "InProgress") ++running;
    if (i.status == "Succeeded") ++ok;
    if (i.status == "Failed") ++failed;
    if (i.status == "Skipped") ++skipped;
  }
  json::object o{
      {"applicationName", d.application},
      {"deploymentGroupName", d.group},
      {"deploymentConfigName", d.config_name},
      {"deploymentId", d.id},
      {"revision", revision_json(d.revision)},
      {"status", d.status},
      {"createTime", stamp(d.created)},
      {"deploymentOverview", json::object{{"Pending", pending},
                                          {"InProgress", running},
                                          {"Succeeded", ok},
                                          {"Failed", failed},
                                          {"Skipped", skipped},
                                          {"Ready", ready}}},
      {"creator", d.creator},
      {"ignoreApplicationStopFailures", d.ignore_application_stop_failures},
      {"updateOutdatedInstancesOnly", d.outdated_only},
      {"deploymentStyle",
       json::object{{"deploymentType", d.blue_green ? "BLUE_GREEN" : "IN_PLACE"},
                    {"deploymentOption",
                     d.traffic_control ? "WITH_TRAFFIC_CONTROL" : "WITHOUT_TRAFFIC_CONTROL"}}},
      {"instanceTerminationWaitTimeStarted", d.termination_wait_started},
      {"fileExistsBehavior", d.file_exists_behavior},
      {"computePlatform", "Server"}};
  json::array events;
  for (const auto& e : d.rollback_events) events.emplace_back(e);
  o["autoRollbackConfiguration"] =
      json::object{{"enabled", d.rollback_enabled}, {"events", std::move(events)}};
  if (d.previous_revision) o["previousRevision"] = revision_json(*d.previous_revision);
  if (!d.description.empty()) o["description"] = d.description;
  if (d.started) o["startTime"] = stamp(*d.started);
  if (d.completed) o["completeTime"] = stamp(*d.completed);
  if (!d.error_code.empty()) {
    o["errorInformation"] = json::object{{"code", d.error_code}, {"message", d.error_message}};
  }
  if (!d.rollback_deployment_id.empty() || !d.rollback_triggering_id.empty() ||
      !d.rollback_message.empty()) {
    json::object ri;
    if (!d.rollback_deployment_id.empty()) ri["rollbackDeploymentId"] = d.rollback_deployment_id;
    if (!d.rollback_triggering_id.empty()) {
      ri["rollbackTriggeringDeploymentId"] = d.rollback_triggering_id;
    }
    if (!d.rollback_message.empty()) ri["rollbackMessage"] = d.rollback_message;
    o["rollbackInfo"] = std::move(ri);
  }
  if (!d.auto_update_root.empty() || !d.auto_update_ids.empty()) {
    json::object rel;
    if (!d.auto_update_root.empty()) {
      rel["autoUpdateOutdatedInstancesRootDeploymentId"] = d.auto_update_root;
    }
    json::array ids;
    for (const auto& i : d.auto_update_ids) ids.emplace_back(i);
    if (!ids.empty()) rel["autoUpdateOutdatedInstancesDeploymentIds"] = std::move(ids);
    o["relatedDeployments"] = std::move(rel);
  }
  return o;
}

json::array events_json(const DeploymentInstance& i) {
  json::array out;
  for (const auto& e : i.events) {
    json::object o{{"lifecycleEventName", e.name}, {"status", e.status}};
    if (e.start) o["startTime"] = stamp(*e.start);
    if (e.end) o["endTime"] = stamp(*e.end);
    if (e.diagnostics) {
      o["diagnostics"] = json::object{{"errorCode", e.diagnostics->error_code},
                                      {"scriptName", e.diagnostics->script_name},
                                      {"message", e.diagnostics->message},
                                      {"logTail", e.diagnostics->log_tail}};
    }
    out.push_back(std::move(o));
  }
  return out;
}

json::object instance_json(const Deployment& d, const DeploymentInstance& i,
                           const std::string& region, const std::string& account) {
  (void)region;
  (void)account;
  return {{"deploymentId", d.id},
          {"instanceId", fmt::format("arn:aws:ec2:{}:{}:instance/{}", region, account, i.id)},
          {"status", i.status},
          {"lastUpdatedAt", stamp(i.updated)},
          {"lifecycleEvents", events_json(i)},
          {"instanceType", i.label}};
}

json::object target_json(const Deployment& d, const DeploymentInstance& i,
                         const std::string& region, const std::string& account) {
  return {{"deploymentTargetType", "InstanceTarget"},
          {"instanceTarget", json::object{{"deploymentId", d.id},
                                          {"targetId", i.id},
                                          {"targetArn", fmt::format("arn:aws:ec2:{}:{}:instance/{}",
                                                                    region, account, i.id)},
                                          {"status", i.status},
                                          {"lastUpdatedAt", stamp(i.updated)},
                                          {"lifecycleEvents", events_json(i)},
                                          {"instanceLabel", i.label}}}};
}

}  // namespace

Service::Service(world::World& world) : world_(world), backend_(world) {
  if (auto* asg = dynamic_cast<autoscaling::Service*>(world_.service("autoscaling"))) {
    asg->backend().subscribe(&backend_);
  }
  add_entity_operations();
  add_deployment_operations();
}

void Service::add_entity_operations() {
  table_.add("CreateApplication", [this](const api::Call& c) -> R {
    auto a = backend_.create_application(str(c.params, "applicationName"),
                                         str(c.params, "computePlatform", "Server"));
    if (!a.ok()) return a.error();
    return json::object{{"applicationId", a.value()->id}};
  });
  table_.add("GetApplication", [this](const api::Call& c) -> R {
    auto a = backend_.application(str(c.params, "applicationName"));
    if (!a.ok()) return a.error();
    return json::object{{"application", application_json(*a.value())}};
  });
  table_.add("BatchGetApplications", [this](const api::Call& c) -> R {
    json::array out;
    for (const auto& name : strings(c.params, "applicationNames")) {
      auto a = backend_.application(name);
      if (!a.ok()) return a.error();
      out.push_back(application_json(*a.value()));
    }
    return json::object{{"applicationsInfo", std::move(out)}};
  });
  table_.add("ListApplications", [this](const api::Call&) -> R {
    json::array out;
    for (const Application* a : backend_.applications()) out.emplace_back(a->name);
    return json::object{{"applications", std::move(out)}};
  });
  table_.add("UpdateApplication", [this](const api::Call& c) -> R {
    auto r = backend_.rename_application(str(c.params, "applicationName"),
                                         str(c.params, "newApplicationName"));
    if (!r.ok()) return r.error();
    return json::object{};
  });
  table_.add("DeleteApplication", [this](const api::Call& c) -> R {
    auto r = backend_.delete_application(str(c.params, "applicationName"));
    if (!r.ok()) return r.error();
    return json::object{};
  });

  table_.add("CreateDeploymentConfig", [this](const api::Call& c) -> R {
    std::string type;
    int value = 0;
    if (auto* m = c.params.if_contains("minimumHealthyHosts")) {
      type = str(m->as_object(), "type");
      value = num(m->as_object(), "value").value_or(0);
    }
    auto r = backend_.create_config(str(c.params, "deploymentConfigName"), type, value);
    if (!r.ok()) return r.error();
    return json::object{{"deploymentConfigId", r.value()->id}};
  });
  table_.add("GetDeploymentConfig", [this](const api::Call& c) -> R {
    auto r = backend_.config(str(c.params, "deploymentConfigName"));
    if (!r.ok()) return r.error();
    return json::object{{"deploymentConfigInfo", config_json(*r.value())}};
  });
  table_.add("ListDeploymentConfigs", [this](const api::Call&) -> R {
    json::array out;
    for (const DeploymentConfig* cfg : backend_.configs()) out.emplace_back(cfg->name);
    return json::object{{"deploymentConfigsList", std::move(out)}};
  });
  table_.add("DeleteDeploymentConfig", [this](const api::Call& c) -> R {
    auto r = backend_.delete_config(str(c.params, "deploymentConfigName"));
    if (!r.ok()) return r.error();
    return json::object{};
  });

  auto hooks_json = [](const std::vector<GroupAsg>& asgs) {
    json::array out;
    for (const auto& a : asgs) out.push_back(json::object{{"name", a.name}, {"hook", a.hook}});
    return json::object{{"hooksNotCleanedUp", std::move(out)}};
  };
  table_.add("CreateDeploymentGroup", [this](const api::Call& c) -> R {
    auto g = backend_.create_group(group_request(c.params, false));
    if (!g.ok()) return g.error();
    return json::object{{"deploymentGroupId", g.value()->id}};
  });
  table_.add("UpdateDeploymentGroup", [this, hooks_json](const api::Call& c) -> R {
    auto r = backend_.update_group(group_request(c.params, true));
    if (!r.ok()) return r.error();
    return hooks_json(r.value());
  });
  table_.add("DeleteDeploymentGroup", [this, hooks_json](const api::Call& c) -> R {
    auto r = backend_.delete_group(str(c.params, "applicationName"),
                                   str(c.params, "deploymentGroupName"));
    if (!r.ok()) return r.error();
    return hooks_json(r.value());
  });
  table_.add("GetDeploymentGroup", [this](const api::Call& c) -> R {
    auto g = backend_.group(str(c.params, "applicationName"), str(c.params, "deploymentGroupName"));
    if (!g.ok()) return g.error();
    return json::object{{"deploymentGroupInfo", group_json(*g.value())}};
  });
  table_.add("BatchGetDeploymentGroups", [this](const api::Call& c) -> R {
    std::string app = str(c.params, "applicationName");
    if (auto a = backend_.application(app); !a.ok()) return a.error();
    json::array out;
    std::string missing;
    for (const auto& name : strings(c.params, "deploymentGroupNames")) {
      auto g = backend_.group(app, name);
      if (g.ok()) {
        out.push_back(group_json(*g.value()));
      } else if (missing.empty()) {
        missing = g.error().message;
      }
    }
    json::object o{{"deploymentGroupsInfo", std::move(out)}};
    if (!missing.empty()) o["errorMessage"] = missing;
    return o;
  });
  table_.add("ListDeploymentGroups", [this](const api::Call& c) -> R {
    std::string app = str(c.params, "applicationName");
    if (auto a = backend_.application(app); !a.ok()) return a.error();
    json::array out;
    for (const DeploymentGroup* g : backend_.groups(app)) out.emplace_back(g->name);
    return json::object{{"applicationName", app}, {"deploymentGroups", std::move(out)}};
  });

  table_.add("RegisterApplicationRevision", [this](const api::Call& c) -> R {
    auto r = backend_.register_revision(str(c.params, "applicationName"),
                                        revision_of(c.params.at("revision").as_object()),
                                        str(c.params, "description"));
    if (!r.ok()) return r.error();
    return json::object{};
  });
  auto info_json = [](const RegisteredRevision& r) {
    json::array groups;
    for (const auto& g : r.groups) groups.emplace_back(g);
    json::object info{{"deploymentGroups", std::move(groups)},
                      {"registerTime", stamp(r.registered)}};
    if (!r.description.empty()) info["description"] = r.description;
    if (r.first_used) info["firstUsedTime"] = stamp(*r.first_used);
    if (r.last_used) info["lastUsedTime"] = stamp(*r.last_used);
    return info;
  };
  table_.add("GetApplicationRevision", [this, info_json](const api::Call& c) -> R {
    std::string app = str(c.params, "applicationName");
    RevisionLocation loc = revision_of(c.params.at("revision").as_object());
    auto r = backend_.revision(app, loc);
    if (!r.ok()) return r.error();
    return json::object{{"applicationName", app},
                        {"revision", revision_json(loc)},
                        {"revisionInfo", info_json(*r.value())}};
  });
  table_.add("ListApplicationRevisions", [this](const api::Call& c) -> R {
    auto list = backend_.revisions(str(c.params, "applicationName"));
    if (!list.ok()) return list.error();
    std::string bucket = str(c.params, "s3Bucket"), prefix = str(c.params, "s3KeyPrefix");
    std::string deployed = str(c.params, "deployed", "ignore");
    std::vector<const RegisteredRevision*> sel;
    for (const RegisteredRevision* r : list.value()) {
      if (!bucket.empty() && r->location.bucket != bucket) continue;
      if (!prefix.empty() && !r->location.key.starts_with(prefix)) continue;
      if (deployed == "include" && !r->first_used) continue;
      if (deployed == "exclude" && r->first_used) continue;
      sel.push_back(r);
    }
    std::string sort_by = str(c.params, "sortBy", "registerTime");
    bool descending = str(c.params, "sortOrder", "ascending") == "descending";
    std::stable_sort(sel.begin(), sel.end(),
                     [&](const RegisteredRevision* a, const RegisteredRevision* b) {
                       auto key = [&](const RegisteredRevision* r) {
                         if (sort_by == "firstUsedTime")
                           return r->first_used.value_or(sim::SimTime{}).ms();
                         if (sort_by == "lastUsedTime")
                           return r->last_used.value_or(sim::SimTime{}).ms();
                         return r->registered.ms();
                       };
                       return descending ? key(a) > key(b) : key(a) < key(b);
                     });
    json::array out;
    for (const RegisteredRevision* r : sel) out.push_back(revision_json(r->location));
    return json::object{{"revisions", std::move(out)}};
  });
}

void Service::add_deployment_operations() {
  table_.add("CreateDeployment", [this](const api::Call& c) -> R {
    DeploymentRequest r;
    r.application = str(c.params, "applicationName");
    r.group = str(c.params, "deploymentGroupName");
    if (auto* rev = c.params.if_contains("revision")) r.revision = revision_of(rev->as_object());
    r.config_name = opt_str(c.params, "deploymentConfigName");
    r.description = str(c.params, "description");
    r.ignore_application_stop_failures = flag(c.params, "ignoreApplicationStopFailures");
    r.file_exists_behavior = opt_str(c.params, "fileExistsBehavior");
    r.outdated_only = flag(c.params, "updateOutdatedInstancesOnly");
    if (auto* t = c.params.if_contains("targetInstances")) {
      const json::object& o = t->as_object();
      if (auto* f = o.if_contains("tagFilters")) r.target_tag_filters = filters_of(*f);
      r.target_asgs = strings(o, "autoScalingGroups");
    }
    if (auto* a = c.params.if_contains("autoRollbackConfiguration")) {
      r.rollback_enabled = flag(a->as_object(), "enabled");
      r.rollback_events = strings(a->as_object(), "events");
    }
    auto d = backend_.create_deployment(r);
    if (!d.ok()) return d.error();
    return json::object{{"deploymentId", d.value()->id}};
  });
  table_.add("GetDeployment", [this](const api::Call& c) -> R {
    auto d = backend_.deployment(str(c.params, "deploymentId"));
    if (!d.ok()) return d.error();
    return json::object{{"deploymentInfo", deployment_json(*d.value())}};
  });
  table_.add("BatchGetDeployments", [this](const api::Call& c) -> R {
    json::array out;
    for (const auto& id : strings(c.params, "deploymentIds")) {
      auto d = backend_.deployment(id);
      if (d.ok()) out.push_back(deployment_json(*d.value()));
    }
    return json::object{{"deploymentsInfo", std::move(out)}};
  });
  table_.add("ListDeployments", [this](const api::Call& c) -> R {
    std::string app = str(c.params, "applicationName"),
                group = str(c.params, "deploymentGroupName");
    if (!app.empty()) {
      if (auto a = backend_.application(app); !a.ok()) return a.error();
    }
    if (!group.empty()) {
      if (app.empty()) {
        return errors::make("ApplicationNameRequiredException",
                            "An application name must be specified with a deployment group name.");
      }
      if (auto g = backend_.group(app, group); !g.ok()) return g.error();
    }
    std::vector<std::string> statuses = strings(c.params, "includeOnlyStatuses");
    json::array out;
    for (const Deployment* d : backend_.deployments()) {
      if (!app.empty() && d->application != app) continue;
      if (!group.empty() && d->group != group) continue;
      if (!statuses.empty() &&
          std::find(statuses.begin(), statuses.end(), d->status) == statuses.end()) {
        continue;
      }
      out.emplace_back(d->id);
    }
    return json::object{{"deployments", std::move(out)}};
  });
  table_.add("ContinueDeployment", [this](const api::Call& c) -> R {
    auto r = backend_.continue_deployment(str(c.params, "deploymentId"),
                                          str(c.params, "deploymentWaitType", "READY_WAIT"));
    if (!r.ok()) return r.error();
    return json::object{};
  });
  table_.add("StopDeployment", [this](const api::Call& c) -> R {
    std::string id = str(c.params, "deploymentId");
    auto r = backend_.stop_deployment(id, flag(c.params, "autoRollbackEnabled"));
    if (!r.ok()) return r.error();
    return json::object{
        {"status", r.value()},
        {"statusMessage", r.value() == "Succeeded"
                              ? fmt::format("Deployment {} was stopped.", id)
                              : fmt::format("Deployment {} is being stopped.", id)}};
  });

  const std::string region = world_.config().region, account = world_.config().account;
  auto instance_of = [this](const std::string& id, const std::string& instance)
      -> sim::Result<std::pair<const Deployment*, const DeploymentInstance*>> {
    auto d = backend_.deployment(id);
    if (!d.ok()) return d.error();
    auto it = d.value()->instance_index.find(instance);
    if (it == d.value()->instance_index.end())
      return errors::instance_not_in_deployment(instance, id);
    return std::make_pair(d.value(), &d.value()->instances[it->second]);
  };
  table_.add("ListDeploymentInstances", [this](const api::Call& c) -> R {
    auto d = backend_.deployment(str(c.params, "deploymentId"));
    if (!d.ok()) return d.error();
    std::vector<std::string> statuses = strings(c.params, "instanceStatusFilter");
    std::vector<std::string> types = strings(c.params, "instanceTypeFilter");
    auto passes = [](const std::vector<std::string>& filter, const std::string& value) {
      return filter.empty() || std::find(filter.begin(), filter.end(), value) != filter.end();
    };
    json::array out;
    for (const auto& i : d.value()->instances) {
      if (!passes(statuses, i.status) || !passes(types, i.label)) continue;
      out.emplace_back(i.id);
    }
    return json::object{{"instancesList", std::move(out)}};
  });
  table_.add("GetDeploymentInstance", [instance_of, region, account](const api::Call& c) -> R {
    auto r = instance_of(str(c.params, "deploymentId"), str(c.params, "instanceId"));
    if (!r.ok()) return r.error();
    return json::object{{"instanceSummary", instance_json(*r->first, *r->second, region, account)}};
  });
  table_.add("BatchGetDeploymentInstances",
             [instance_of, region, account](const api::Call& c) -> R {
               json::array out;
               std::string missing;
               for (const auto& i : strings(c.params, "instanceIds")) {
                 auto r = instance_of(str(c.params, "deploymentId"), i);
                 if (!r.ok()) {
                   if (r.error().code == "DeploymentDoesNotExistException" ||
                       r.error().code == "InvalidDeploymentIdException") {
                     return r.error();
                   }
                   if (missing.empty()) missing = r.error().message;
                   continue;
                 }
                 out.push_back(instance_json(*r->first, *r->second, region, account));
               }
               json::object o{{"instancesSummary", std::move(out)}};
               if (!missing.empty()) o["errorMessage"] = missing;
               return o;
             });
  table_.add("ListDeploymentTargets", [this](const api::Call& c) -> R {
    auto d = backend_.deployment(str(c.params, "deploymentId"));
    if (!d.ok()) return d.error();
    std::vector<std::string> statuses;
    if (auto* f = c.params.if_contains("targetFilters")) {
      if (auto* s = f->as_object().if_contains("TargetStatus")) {
        for (const auto& v : s->as_array()) statuses.emplace_back(v.as_string());
      }
    }
    json::array out;
    for (const auto& i : d.value()->instances) {
      if (!statuses.empty() &&
          std::find(statuses.begin(), statuses.end(), i.status) == statuses.end()) {
        continue;
      }
      out.emplace_back(i.id);
    }
    return json::object{{"targetIds", std::move(out)}};
  });
  table_.add("BatchGetDeploymentTargets", [instance_of, region, account](const api::Call& c) -> R {
    json::array out;
    for (const auto& i : strings(c.params, "targetIds")) {
      auto r = instance_of(str(c.params, "deploymentId"), i);
      if (!r.ok()) {
        if (r.error().code == "InstanceDoesNotExistException") {
          return errors::make("DeploymentTargetDoesNotExistException",
                              fmt::format("The target {} does not exist.", i));
        }
        return r.error();
      }
      out.push_back(target_json(*r->first, *r->second, region, account));
    }
    return json::object{{"deploymentTargets", std::move(out)}};
  });
}

// IAM resources: applications, deployment groups and configurations by ARN; creating or
// changing a group passes its service role (iam:PassRole).
std::vector<api::AuthRequest> Service::authorization(const api::Call& c) const {
  const std::string& region = world_.config().region;
  const std::string& account = world_.config().account;
  std::string action = "codedeploy:" + c.operation;
  std::string app = str(c.params, "applicationName");
  std::string group =
      str(c.params, "deploymentGroupName", str(c.params, "currentDeploymentGroupName"));
  if (auto id = opt_str(c.params, "deploymentId")) {
    if (auto d = backend_.deployment(*id); d.ok()) {
      app = d.value()->application;
      group = d.value()->group;
    }
  }
  std::string resource = "*";
  if (!app.empty() && !group.empty()) {
    resource =
        fmt::format("arn:aws:codedeploy:{}:{}:deploymentgroup:{}/{}", region, account, app, group);
  } else if (!app.empty()) {
    resource = fmt::format("arn:aws:codedeploy:{}:{}:application:{}", region, account, app);
  } else if (auto cfg = opt_str(c.params, "deploymentConfigName")) {
    resource = fmt::format("arn:aws:codedeploy:{}:{}:deploymentconfig:{}", region, account, *cfg);
  }
  std::vector<api::AuthRequest> out{{action, resource, {}}};
  if (auto role = opt_str(c.params, "serviceRoleArn")) {
    out.push_back({"iam:PassRole", *role, {{"iam:PassedToService", {"codedeploy.amazonaws.com"}}}});
  }
  return out;
}

}  // namespace deploysim::fake::codedeploy
