// Each instance's side of a deployment: its agent (one per instance, real or simulated hooks),
// which polls for the next lifecycle event with the agent's latency, serves one deployment at a
// time, fetches the revision as the instance profile's role, and reports each event's outcome.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "fake_services/codedeploy/backend.h"
#include "fake_services/codedeploy_agent/agent.h"
#include "fake_services/ec2/service.h"
#include "fake_services/sim/service.h"

namespace deploysim::fake::codedeploy {
namespace {

// The events whose failure ignoreApplicationStopFailures passes over.
bool ignorable(const std::string& event) {
  return event == "ApplicationStop" || event == "BeforeBlockTraffic" ||
         event == "AfterBlockTraffic";
}

const char* kAgentNeverRan =
    "One or more lifecycle events did not run and the deployment was unsuccessful. Possible "
    "causes include: (1) Multiple deployments are attempting to run at the same time on an "
    "instance; (2) The AWS CodeDeploy agent has stopped. Restart the agent.";

std::string sim_timestamp(sim::SimTime t) {
  std::string iso = sim::format_iso8601(t);  // 2026-01-01T00:00:00+00:00
  return iso.substr(0, 10) + " " + iso.substr(11, 8);
}

}  // namespace

bool Backend::agent_ready(const std::string& instance) {
  auto* ec2 = dynamic_cast<ec2::Service*>(world_.service("ec2"));
  if (!ec2) return false;
  auto found = ec2->backend().find_instances({instance});
  if (!found.ok()) return false;
  const ec2::Instance& i = *found.value()[0];
  return i.state == ec2::State::Running && i.agent_installed && i.agent_running;
}

std::string Backend::group_of(const std::string& instance) {
  auto* ec2 = dynamic_cast<ec2::Service*>(world_.service("ec2"));
  if (!ec2) return "";
  auto found = ec2->backend().find_instances({instance});
  if (!found.ok()) return "";
  for (const auto& [key, value] : found.value()[0]->tags) {
    if (key == "aws:autoscaling:groupName") return value;
  }
  return "";
}

// InstanceTerminates: EC2 terminates the instance (its group, if any, replaces it); AgentStops:
// the agent stops polling. Either way the event waits for a pickup that does not come.
void Backend::inject_pickup_faults(const std::string& instance, const std::string& event) {
  std::string group = group_of(instance);
  if (world_.fire_fault("InstanceTerminates", instance, group, event)) {
    (void)world_.dispatcher().call(api::Call{"ec2",
                                             "TerminateInstances",
                                             {{"InstanceIds", json::array{json::string(instance)}}},
                                             world_.root(),
                                             ".",
                                             true});
  } else if (world_.fire_fault("AgentStops", instance, group, event)) {
    auto* ec2 = dynamic_cast<ec2::Service*>(world_.service("ec2"));
    if (ec2) (void)ec2->backend().set_agent_running(instance, false);
  }
}

std::string Backend::instance_role_arn(const std::string& instance) {
  auto* ec2 = dynamic_cast<ec2::Service*>(world_.service("ec2"));
  if (!ec2) return "";
  auto found = ec2->backend().find_instances({instance});
  if (!found.ok()) return "";
  return found.value()[0]->iam_profile_arn;
}

agent::Agent& Backend::agent_for(const std::string& instance) {
  auto it = agents_.find(instance);
  if (it != agents_.end()) return *it->second;
  auto* ec2 = dynamic_cast<ec2::Service*>(world_.service("ec2"));
  agent::AgentOptions o;
  o.instance_root = ec2->backend().instance_root(instance).value();
  o.work_dir = world_.scratch_dir() / "agent-sandboxes" / instance;
  o.timestamp = [this] { return sim_timestamp(world_.now()); };
  o.script_fault = [this, instance](const std::string& event) {
    std::string group = group_of(instance);
    if (world_.fire_fault("HookFails", instance, group, event)) {
      return agent::AgentOptions::ScriptFault::Fails;
    }
    if (world_.fire_fault("HookTimesOut", instance, group, event)) {
      return agent::AgentOptions::ScriptFault::TimesOut;
    }
    return agent::AgentOptions::ScriptFault::None;
  };
  o.fetch = [this, instance](const agent::Revision& rev, std::string& bytes, std::string& error) {
    // The agent fetches as the instance profile's role, session named after the instance.
    std::string profile = instance_role_arn(instance);
    if (profile.empty()) {
      error =
          "Missing credentials - please check if this instance was started with an IAM "
          "instance profile";
      return false;
    }
    api::Principal who = world_.root();
    if (world_.dispatcher().find_service("iam")) {
      api::Call get{"iam",
                    "GetInstanceProfile",
                    {{"InstanceProfileName", profile.substr(profile.rfind('/') + 1)}},
                    world_.root(),
                    ".",
                    false};
      auto p = world_.dispatcher().call(get);
      const json::array* roles =
          p.ok() ? &p->body.at("InstanceProfile").at("Roles").as_array() : nullptr;
      if (!roles || roles->empty()) {
        error =
            "Missing credentials - please check if this instance was started with an IAM "
            "instance profile";
        return false;
      }
      auto session = world_.dispatcher().resolve_principal(
          fmt::format("role/{}/{}", roles->at(0).at("RoleName").as_string(), instance),
          world_.config().account);
      if (!session.ok()) {
        error = session.error().message;
        return false;
      }
      who = session.value();
    }
    if (rev.kind == agent::Revision::Kind::GitHub) {
      // GitHub is outside AWS: the repository registered with sim.RegisterGitHubRepository.
      auto* sim = dynamic_cast<sim_service::Service*>(world_.service("sim"));
      if (!sim) {
        error = "GitHub revisions need the sim service (sim.RegisterGitHubRepository)";
        return false;
      }
      auto tar = sim->github_archive(rev.repository, rev.commit);
      if (!tar.ok()) {
        error = fmt::format("{}: {}", tar.error().code, tar.error().message);
        return false;
      }
      bytes = std::move(tar).value();
      return true;
    }
    json::object params{{"Bucket", rev.bucket}, {"Key", rev.key}};
    if (!rev.version.empty()) params["VersionId"] = rev.version;
    auto r = world_.dispatcher().call(api::Call{"s3", "GetObject", params, who, ".", true});
    if (!r.ok()) {
      error = fmt::format("{}: {}", r.error().code, r.error().message);
      return false;
    }
    bytes = std::string(r->body.at("Body").as_string());
    return true;
  };
  if (world_.config().agent.mode == "simulated") {
    o.make_runner = [](std::string&) -> std::unique_ptr<agent::HookRunner> {
      return std::make_unique<agent::SimulatedRunner>();
    };
  }
  auto made = std::make_unique<agent::Agent>(std::move(o));
  agent::Agent& ref = *made;
  agents_.emplace(instance, std::move(made));
  return ref;
}

// The agent polls for the instance's next command; without a running agent nothing happens until
// the pickup deadline (1 h for the first event, 5 min between events), then the instance fails.
void Backend::pickup(const std::string& id, const std::string& instance) {
  Deployment* d = mutable_deployment(id);
  if (!d || d->completed) return;
  DeploymentInstance& inst = d->instances[d->instance_index.at(instance)];
  // A stop (requested, or by an alarm polled now) runs no further event.
  if (stop_on_alarm(*d)) {
    bool started = inst.next_event > 0;
    for (std::size_t i = inst.next_event; i < inst.events.size(); ++i) {
      inst.events[i].status = "Skipped";
    }
    finish_instance(*d, inst, false);
    if (!started) inst.status = "Skipped";
    return;
  }
  auto busy = busy_.find(instance);
  bool taken = busy != busy_.end() && busy->second != id;
  if (!taken && agent_ready(instance) && inst.next_event < inst.events.size()) {
    inject_pickup_faults(instance, inst.events[inst.next_event].name);
  }
  if (taken || !agent_ready(instance)) {
    if (world_.now() >= inst.pickup_deadline) {
      inst.agent_issue = true;
      for (std::size_t i = inst.next_event; i < inst.events.size(); ++i) {
        inst.events[i].status = "Skipped";
      }
      if (inst.next_event < inst.events.size()) {
        inst.events[inst.next_event].status = "Failed";
        inst.events[inst.next_event].diagnostics =
            EventDiagnostics{"UnknownError", "", kAgentNeverRan, ""};
      }
      world_.record("codedeploy", id,
                    fmt::format("{}: no agent picked the deployment up", instance));
      finish_instance(*d, inst, false);
      return;
    }
    sim::SimDuration wait =
        std::min<sim::SimDuration>(std::chrono::seconds(10), inst.pickup_deadline - world_.now());
    world_.scheduler().after(wait, [this, id, instance] { pickup(id, instance); });
    return;
  }
  busy_[instance] = id;
  run_event(id, instance);
}

// What the hooks asked of the instance's stand-ins (service, systemctl, yum, apt-get, ...) goes
// into the world's journal, in the order they ran.
void Backend::journal_stand_ins(const std::string& instance) {
  auto* ec2 = dynamic_cast<ec2::Service*>(world_.service("ec2"));
  if (!ec2) return;
  auto root = ec2->backend().instance_root(instance);
  if (!root.ok()) return;
  std::filesystem::path log = root.value() / "var/lib/deploysim/stand-ins.log";
  std::error_code ec;
  auto size = std::filesystem::file_size(log, ec);
  std::uintmax_t& offset = stand_in_offsets_[instance];
  if (ec || size <= offset) return;
  std::ifstream in(log, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) world_.record("instance", instance, "stand-in: " + line);
  }
  offset = size;
}

void Backend::run_event(const std::string& id, const std::string& instance) {
  Deployment* d = mutable_deployment(id);
  DeploymentInstance& inst = d->instances[d->instance_index.at(instance)];
  LifecycleEvent& ev = inst.events[inst.next_event];
  inst.status = "InProgress";
  inst.updated = world_.now();
  ev.status = "InProgress";
  ev.start = world_.now();
  bool ok = true;
  sim::SimDuration took{0};
  EventDiagnostics diag{"Success", "", "Succeeded", ""};
  bool traffic = ev.name == "BlockTraffic" || ev.name == "AllowTraffic";
  if (traffic && d->traffic_control) {
    traffic_event(id, instance, ev.name == "BlockTraffic");
    return;
  }
  if (!traffic) {
    // (Without a load balancer the traffic events themselves have nothing to do.)
    agent::DeploymentSpec spec;
    spec.deployment_id = d->id;
    spec.group_id = d->group_id;
    spec.group_name = d->group;
    spec.application_name = d->application;
    spec.creator = d->creator;
    spec.file_exists_behavior = d->file_exists_behavior;
    spec.revision.kind =
        d->revision.type == "GitHub" ? agent::Revision::Kind::GitHub : agent::Revision::Kind::S3;
    spec.revision.bucket = d->revision.bucket;
    spec.revision.key = d->revision.key;
    spec.revision.version = d->revision.version;
    spec.revision.etag = d->revision.etag;
    spec.revision.repository = d->revision.repository;
    spec.revision.commit = d->revision.commit;
    spec.revision.bundle_type =
        d->revision.type == "GitHub"
            ? agent::BundleType::Tar
            : agent::parse_bundle_type(d->revision.bundle_type).value_or(agent::BundleType::Tar);
    agent::EventResult r = agent_for(instance).run_event(spec, ev.name);
    if (!r.scripts.empty()) journal_stand_ins(instance);
    ok = r.succeeded;
    if (!r.scripts.empty()) took = world_.config().agent.hook_duration;
    took = std::max<sim::SimDuration>(took, std::chrono::seconds(r.timed_out_after_s));
    if (!ok) {
      static const char* kCodes[] = {"Success",        "ScriptMissing", "ScriptNotExecutable",
                                     "ScriptTimedOut", "ScriptFailed",  "UnknownError",
                                     "UnknownError",   "UnknownError"};
      diag = {kCodes[std::clamp(r.error_code, 0, 7)], r.script_name, r.message, r.log_tail};
    } else {
      diag.log_tail = r.log_tail;
    }
  }
  world_.scheduler().after(
      took, [this, id, instance, ok, diag] { complete_event(id, instance, ok, diag); });
}

void Backend::complete_event(const std::string& id, const std::string& instance, bool ok,
                             const EventDiagnostics& diag) {
  Deployment* d = mutable_deployment(id);
  if (!d || d->completed) return;
  DeploymentInstance& inst = d->instances[d->instance_index.at(instance)];
  LifecycleEvent& ev = inst.events[inst.next_event];
  std::string event = ev.name;
  ev.end = world_.now();
  ev.status = ok ? "Succeeded" : "Failed";
  ev.diagnostics = diag;
  inst.updated = world_.now();
  bool carry_on = ok || (d->ignore_application_stop_failures && ignorable(event));
  if (!carry_on) {
    world_.record(
        "codedeploy", id,
        fmt::format("{}: {} failed ({}): {}", instance, event, diag.error_code, diag.message));
    for (std::size_t i = inst.next_event + 1; i < inst.events.size(); ++i) {
      inst.events[i].status = "Skipped";
    }
    finish_instance(*d, inst, false);
    return;
  }
  ++inst.next_event;
  if (inst.next_event == inst.events.size()) {
    finish_instance(*d, inst, true);
    return;
  }
  inst.pickup_deadline = world_.now() + std::chrono::minutes(5);
  world_.scheduler().after(world_.timing("agent_poll"),
                           [this, id, instance] { pickup(id, instance); });
}

}  // namespace deploysim::fake::codedeploy
