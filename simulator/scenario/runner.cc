#include "simulator/scenario/runner.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <set>

#include "simulator/scenario/matcher.h"
#include "simulator/scenario/timeline.h"
#include "simulator/scenario/values.h"
#include "simulator/store/store.h"

namespace deploysim::scenario {
namespace {

json::value error_body(const sim::AwsError& e) {
  return json::object{{"Error", json::object{{"Code", e.code}, {"Message", e.message}}}};
}

std::string indent(const std::string& text, std::string_view pad) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += fmt::format("{}{}\n", pad, std::string_view(text).substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string flow_yaml(const YAML::Node& node) {
  YAML::Emitter e;
  e.SetMapFormat(YAML::Flow);
  e.SetSeqFormat(YAML::Flow);
  e << node;
  return e.c_str();
}

struct StepFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Run {
 public:
  Run(const Scenario& s, world::World& w, store::Store* st) : scenario_(s), world_(w), store_(st) {
    bindings_.set("account", json::string(w.config().account));
    bindings_.set("region", json::string(w.config().region));
    for (const auto& kv : s.vars) bindings_.set(std::string(kv.key()), kv.value());
  }

  void step(const Step& st, StepOutcome& out);

 private:
  struct Made {
    json::object params;
    sim::Result<api::Response> result;
  };
  Made make_call(const Step& st, bool journal);
  static json::value response_of(const Made& m) {
    return m.result.ok() ? json::value(m.result.value().body) : error_body(m.result.error());
  }
  std::string call_text(const Step& st, const json::object& params) const {
    return fmt::format("{} {}", st.call.label(), sim::compact_json(params));
  }
  void run_call(const Step& st, StepOutcome& out);
  void run_observe(const Step& st, StepOutcome& out);
  void save(const Step& st, const json::value& response);

  const Scenario& scenario_;
  world::World& world_;
  store::Store* store_;
  Bindings bindings_;
};

Run::Made Run::make_call(const Step& st, bool journal) {
  const api::ServiceModel* model = world_.models().find(st.call.service);
  const api::Operation* op = model->find_operation(st.call.operation);
  ConvertContext ctx{scenario_.file, scenario_.dir, &bindings_, false};
  json::object params;
  if (st.call.params && st.call.params.IsMap()) {
    params = yaml_to_json(st.call.params, op->input, ctx).as_object();
  }
  api::Principal who = world_.root();
  if (st.as) {
    std::string spec = interpolate(*st.as, bindings_, st.where);
    auto resolved = world_.dispatcher().resolve_principal(spec, world_.config().account);
    if (!resolved.ok()) {
      throw StepFailure(
          fmt::format("as: {}: {}: {}", spec, resolved.error().code, resolved.error().message));
    }
    who = resolved.value();
  }
  api::Call call{st.call.service, st.call.operation, params, who, scenario_.dir, journal};
  return Made{std::move(params), world_.dispatcher().call(call)};
}

void Run::save(const Step& st, const json::value& response) {
  for (const auto& [name, path] : st.save) {
    const json::value* v = sim::find_path(response, path);
    if (!v) {
      throw StepFailure(
          fmt::format("save: '{}' is not in the response (for ${{{}}})\n"
                      "  response:\n{}",
                      path, name, indent(sim::pretty_json(response), "    ")));
    }
    bindings_.set(name, *v);
  }
}

void Run::run_call(const Step& st, StepOutcome& out) {
  Made m = make_call(st, true);
  out.response = response_of(m);
  if (st.expect_error) {
    if (m.result.ok()) {
      throw StepFailure(
          fmt::format("expected error {}, but the call succeeded\n  call: {}\n"
                      "  response:\n{}",
                      *st.expect_error, call_text(st, m.params),
                      indent(sim::pretty_json(out.response), "    ")));
    }
    if (m.result.error().code != *st.expect_error) {
      throw StepFailure(fmt::format("expected error {}, got {}: {}\n  call: {}", *st.expect_error,
                                    m.result.error().code, m.result.error().message,
                                    call_text(st, m.params)));
    }
    return;
  }
  if (!m.result.ok()) {
    throw StepFailure(fmt::format("{}: {}\n  call: {}", m.result.error().code,
                                  m.result.error().message, call_text(st, m.params)));
  }
  save(st, out.response);
}

void Run::run_observe(const Step& st, StepOutcome& out) {
  sim::Scheduler& clock = world_.scheduler();
  const sim::SimTime deadline = clock.now() + st.timeout;
  const bool waiting = st.kind == Step::Kind::Wait;
  while (true) {
    Made m = make_call(st, false);
    out.response = response_of(m);
    std::optional<Mismatch> miss;
    if (st.match) {
      miss = st.match->match(&out.response, bindings_);
    } else if (!m.result.ok()) {
      miss = Mismatch{"", fmt::format("the call failed: {}: {}", m.result.error().code,
                                      m.result.error().message)};
    }
    if (!miss) {
      save(st, out.response);
      return;
    }
    std::optional<sim::SimTime> next = waiting ? clock.next_due() : std::nullopt;
    bool more = waiting && next && *next <= deadline;
    if (!more && waiting && clock.now() < deadline) {
      clock.run_until(deadline);  // let the rest of the timeout pass, then look once more
      continue;
    }
    if (!more) {
      std::string waited =
          waiting ? fmt::format("\n  waited {} of simulated time (timeout) without a match",
                                sim::format_duration(st.timeout))
                  : "";
      throw StepFailure(
          fmt::format("the response does not match\n  call:     {}\n  matcher:  {}\n  response:\n{}"
                      "  differs at {}: {}{}",
                      call_text(st, m.params), st.match_yaml ? flow_yaml(st.match_yaml) : "(none)",
                      indent(sim::pretty_json(out.response), "    "),
                      miss->path.empty() ? "(the response)" : miss->path, miss->reason, waited));
    }
    clock.run_next_instant();
  }
}

void Run::step(const Step& st, StepOutcome& out) {
  out.label = st.label();
  out.where = st.where;
  try {
    switch (st.kind) {
      case Step::Kind::Call:
        run_call(st, out);
        break;
      case Step::Kind::Expect:
      case Step::Kind::Wait:
        run_observe(st, out);
        break;
      case Step::Kind::Advance:
        world_.scheduler().run_until(world_.now() + st.advance);
        break;
    }
    out.passed = true;
  } catch (const StepFailure& f) {
    out.failure = f.what();
  } catch (const LoadError& e) {
    out.failure = e.what();
  } catch (const sim::LivenessError& e) {
    out.failure = fmt::format("liveness: {}", e.what());
  }
  out.time = world_.now();
  if (store_) store_->save(world_);
}

world::WorldConfig config_for(const Scenario& s, const RunOptions& o, store::Store* st) {
  world::WorldConfig c = s.config;
  if (o.seed) c.seed = *o.seed;
  if (!st) return c;
  auto saved = st->saved_config();
  if (!saved) return c;
  if (saved->account != c.account || saved->region != c.region) {
    throw LoadError({s.file, 1, 1},
                    fmt::format("the state file holds account {} in {}, the scenario says {} in {}",
                                saved->account, saved->region, c.account, c.region));
  }
  return *saved;
}

}  // namespace

std::string ScenarioOutcome::failure_summary() const {
  if (load_failed) return load_error;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (!steps[i].passed) {
      return fmt::format("step {} ({}): {}\n{}", i + 1, steps[i].where.str(), steps[i].label,
                         steps[i].failure);
    }
  }
  return "";
}

namespace {

// --story: the journal entries a step produced that tell what happened to instances, groups,
// deployments, targets, alarms and faults (not the calls themselves), at most kStoryLines.
std::string story_lines(const journal::Journal& journal, std::size_t from, sim::SimTime start) {
  static const std::set<std::string, std::less<>> kinds = {"autoscaling", "codedeploy", "elbv2",
                                                           "cloudwatch", "fault"};
  constexpr std::size_t kStoryLines = 40;
  constexpr std::size_t kWidth = 110;
  std::string out;
  std::size_t shown = 0, left = 0;
  for (std::size_t i = from; i < journal.size(); ++i) {
    const journal::Entry& e = journal.entries()[i];
    if (!kinds.count(e.kind)) continue;
    if (shown == kStoryLines) {
      ++left;
      continue;
    }
    std::string message =
        e.message.size() > kWidth ? e.message.substr(0, kWidth - 1) + "…" : e.message;
    std::string subject = e.subject.size() > 24 ? e.subject.substr(0, 23) + "…" : e.subject;
    out += fmt::format("        {}  {:<11} {:<24} {}\n", sim::format_elapsed(e.time - start),
                       e.kind, subject, message);
    ++shown;
  }
  if (left) out += fmt::format("        … and {} more (sim.DescribeJournal has them all)\n", left);
  return out;
}

}  // namespace

ScenarioOutcome run_scenario(const Scenario& scenario, const api::ModelRegistry& models,
                             const ServiceInstaller& install, const RunOptions& options) {
  ScenarioOutcome outcome;
  outcome.file = scenario.file;
  outcome.name = scenario.name;
  std::unique_ptr<store::Store> st;
  if (!options.state_path.empty()) st = std::make_unique<store::Store>(options.state_path);
  world::World w(config_for(scenario, options, st.get()), models);
  install(w);
  bool continued = st && st->saved_config().has_value();
  if (continued) st->load_into(w);
  outcome.seed = w.config().seed;
  const sim::SimTime start = w.now();
  const std::uint64_t events_before = w.scheduler().events_run();
  std::ostream* out = options.progress;
  if (out) {
    *out << fmt::format("▶ {} ({}, seed {}{})\n", scenario.name, scenario.file, outcome.seed,
                        continued ? ", continuing the world in " + options.state_path : "");
  }
  if (st) st->save(w);  // even a scenario without steps leaves its world in the file
  Run run(scenario, w, st.get());
  outcome.passed = true;
  for (const Step& step : scenario.steps) {
    StepOutcome& so = outcome.steps.emplace_back();
    std::size_t seen = w.journal().size();
    run.step(step, so);
    for (std::size_t i = seen; i < w.journal().size(); ++i) {
      const auto& e = w.journal().entries()[i];
      if (e.kind == "warning") so.warnings.push_back(e.subject + ": " + e.message);
    }
    if (out) {
      *out << fmt::format("  [{}] {} {}\n", sim::format_elapsed(so.time - start),
                          so.passed ? "✓" : "✗", so.label);
      for (const auto& wmsg : so.warnings) *out << "      ⚠ " << wmsg << "\n";
      if (options.story) *out << story_lines(w.journal(), seen, start);
      if (!so.passed) *out << indent(so.failure, "      ");
    }
    if (!so.passed) {
      outcome.passed = false;
      break;
    }
  }
  outcome.started = start;
  outcome.events = w.scheduler().events_run() - events_before;
  outcome.simulated = w.now() - start;
  outcome.journal = w.journal().render_all();
  if (options.timeline || options.summary) outcome.timeline = collect_timeline(w, start);
  if (out) {
    if (outcome.passed) {
      *out << fmt::format("  passed: {} steps, {} of simulated time\n", outcome.steps.size(),
                          sim::format_duration(outcome.simulated));
    } else {
      *out << fmt::format("  FAILED at step {} of {}; reproduce: deploysim run --seed {} {}\n",
                          outcome.steps.size(), scenario.steps.size(), outcome.seed, scenario.file);
    }
    if (options.summary) *out << summary_table(outcome.timeline);
  }
  return outcome;
}

}  // namespace deploysim::scenario
