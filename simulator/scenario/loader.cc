// Scenario files -> Scenario, checking everything that can be checked before the first step runs.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "simulator/scenario/matcher.h"
#include "simulator/scenario/scenario.h"
#include "simulator/scenario/values.h"

namespace deploysim::scenario {

std::string Location::str() const {
  if (line <= 0) return file;
  return fmt::format("{}:{}:{}", file, line, col);
}

LoadError::LoadError(Location w, const std::string& message)
    : std::runtime_error(fmt::format("{}: error: {}", w.str(), message)),
      where(std::move(w)),
      bare_message(message) {}

Location location_of(const std::string& file, const YAML::Node& node) {
  YAML::Mark m = node.Mark();
  if (m.is_null()) return {file, 1, 1};
  return {file, m.line + 1, m.column + 1};
}

std::string Step::label() const {
  switch (kind) {
    case Kind::Call:
      return call.label();
    case Kind::Expect:
      return "expect " + call.label();
    case Kind::Wait:
      return "wait " + call.label();
    case Kind::Advance:
      return "advance " + sim::format_duration(advance);
  }
  return "step";
}

namespace {

class Loader {
 public:
  Loader(std::string file, std::string dir, const api::ModelRegistry& models)
      : file_(std::move(file)), dir_(std::move(dir)), models_(models) {}

  Scenario load(std::string_view text);

 private:
  [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const {
    throw LoadError(location_of(file_, node), message);
  }
  std::string scalar(const YAML::Node& node, std::string_view what) const {
    if (!node.IsScalar()) fail(node, fmt::format("{} must be a scalar", what));
    return node.Scalar();
  }
  sim::SimDuration duration(const YAML::Node& node, std::string_view what) const {
    auto d = sim::parse_duration(scalar(node, what));
    if (!d) {
      fail(node, fmt::format("{}: '{}' is not a duration (a number and ms, s, m, h or d: 90s, "
                             "15m, 2h)",
                             what, node.Scalar()));
    }
    return *d;
  }
  void top_level(const YAML::Node& root, Scenario& s);
  void agent(const YAML::Node& node, world::AgentDefaults& a);
  void timings(const YAML::Node& node, world::WorldConfig& c);
  void settings(const YAML::Node& node, world::WorldConfig& c);
  Step step(const YAML::Node& node);
  CallSpec call_spec(const YAML::Node& key, const YAML::Node& params);
  void expect_or_wait(const YAML::Node& body, Step& step);
  ConvertContext ctx() const { return {file_, dir_, &bindings_, true}; }

  std::string file_, dir_;
  const api::ModelRegistry& models_;
  Bindings bindings_;
};

// yaml-cpp keeps one of two equal keys without a word; a scenario must not lose what was written.
void reject_duplicate_keys(const std::string& file, const YAML::Node& node) {
  if (node.IsSequence()) {
    for (const auto& item : node) reject_duplicate_keys(file, item);
  } else if (node.IsMap()) {
    std::map<std::string, Location> seen;
    for (const auto& kv : node) {
      if (kv.first.IsScalar()) {
        auto [it, fresh] = seen.emplace(kv.first.Scalar(), location_of(file, kv.first));
        if (!fresh) {
          throw LoadError(location_of(file, kv.first),
                          fmt::format("duplicate key '{}' (first at line {})", kv.first.Scalar(),
                                      it->second.line));
        }
      }
      reject_duplicate_keys(file, kv.second);
    }
  }
}

const std::set<std::string> kTopKeys = {"name",   "description", "seed",    "account",
                                        "region", "start_time",  "agent",   "timings",
                                        "vars",   "steps",       "settings"};

Scenario Loader::load(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    throw LoadError({file_, e.mark.line + 1, e.mark.column + 1}, e.msg);
  }
  reject_duplicate_keys(file_, root);
  if (!root.IsMap()) {
    throw LoadError({file_, 1, 1}, "a scenario is a mapping with at least 'name' and 'steps'");
  }
  Scenario s;
  s.file = file_;
  s.dir = dir_;
  top_level(root, s);
  const YAML::Node steps = root["steps"];
  if (!steps) throw LoadError({file_, 1, 1}, "missing required key 'steps'");
  if (!steps.IsSequence()) fail(steps, "'steps' must be a sequence of steps");
  for (const auto& node : steps) s.steps.push_back(step(node));
  return s;
}

void Loader::top_level(const YAML::Node& root, Scenario& s) {
  for (const auto& kv : root) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (!kTopKeys.count(key)) {
      std::vector<std::string> names(kTopKeys.begin(), kTopKeys.end());
      auto close = api::closest_names(key, names);
      fail(kv.first,
           fmt::format("unknown top-level key '{}'{}", key,
                       close.empty() ? "" : fmt::format("; did you mean '{}'?", close[0])));
    }
  }
  if (!root["name"]) throw LoadError({file_, 1, 1}, "missing required key 'name'");
  s.name = scalar(root["name"], "name");
  if (root["description"]) s.description = scalar(root["description"], "description");
  if (root["seed"]) {
    try {
      s.config.seed = root["seed"].as<std::uint64_t>();
    } catch (const YAML::Exception&) {
      fail(root["seed"], "seed must be a whole number >= 0");
    }
  }
  if (root["account"]) {
    s.config.account = scalar(root["account"], "account");
    if (s.config.account.size() != 12 ||
        s.config.account.find_first_not_of("0123456789") != std::string::npos) {
      fail(root["account"], "account must be 12 digits (quote it: \"123456789012\")");
    }
  }
  if (root["region"]) s.config.region = scalar(root["region"], "region");
  if (root["start_time"]) {
    auto t = sim::parse_iso8601(scalar(root["start_time"], "start_time"));
    if (!t) fail(root["start_time"], "start_time must be an ISO 8601 time (2026-01-01T00:00:00Z)");
    s.config.start_time = *t;
  }
  if (root["agent"]) agent(root["agent"], s.config.agent);
  if (root["timings"]) timings(root["timings"], s.config);
  if (root["settings"]) settings(root["settings"], s.config);
  bindings_.set("account", json::string(s.config.account));
  bindings_.set("region", json::string(s.config.region));
  if (const YAML::Node vars = root["vars"]) {
    if (!vars.IsMap()) fail(vars, "'vars' must be a mapping of names to values");
    for (const auto& kv : vars) {
      json::value v = yaml_to_json_untyped(kv.second, {file_, dir_, &bindings_, false});
      bindings_.set(kv.first.Scalar(), v);
      s.vars[kv.first.Scalar()] = std::move(v);
    }
  }
}

void Loader::agent(const YAML::Node& node, world::AgentDefaults& a) {
  if (!node.IsMap()) fail(node, "'agent' must be a mapping (mode, hook_duration)");
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    if (key == "mode") {
      a.mode = scalar(kv.second, "agent.mode");
      if (a.mode != "real" && a.mode != "simulated") {
        fail(kv.second, fmt::format("agent.mode must be real or simulated, not '{}'", a.mode));
      }
    } else if (key == "hook_duration") {
      a.hook_duration = duration(kv.second, "agent.hook_duration");
    } else {
      fail(kv.first, fmt::format("unknown agent setting '{}'; settings: mode, hook_duration", key));
    }
  }
}

void Loader::settings(const YAML::Node& node, world::WorldConfig& c) {
  if (!node.IsMap()) fail(node, "'settings' must be a mapping of names to values");
  const auto& values = world::WorldConfig::setting_values();
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    auto it = values.find(key);
    if (it == values.end()) {
      std::string known;
      for (const auto& v : values) known += known.empty() ? v.first : ", " + v.first;
      fail(kv.first, fmt::format("unknown setting '{}'; settings: {}", key, known));
    }
    std::string value = scalar(kv.second, "settings." + key);
    if (std::find(it->second.begin(), it->second.end(), value) == it->second.end()) {
      fail(kv.second, fmt::format("settings.{} must be {}, not '{}'", key,
                                  fmt::join(it->second, " or "), value));
    }
    c.settings[key] = value;
  }
}

void Loader::timings(const YAML::Node& node, world::WorldConfig& c) {
  if (!node.IsMap()) fail(node, "'timings' must be a mapping of names to durations");
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    if (!c.timings.count(key)) {
      std::string known;
      for (const auto& t : c.timings) known += known.empty() ? t.first : ", " + t.first;
      fail(kv.first, fmt::format("unknown timing '{}'; timings: {}", key, known));
    }
    c.timings[key] = duration(kv.second, "timings." + key);
  }
}

CallSpec Loader::call_spec(const YAML::Node& key, const YAML::Node& params) {
  const std::string name = key.Scalar();
  std::size_t dot = name.find('.');
  CallSpec spec{name.substr(0, dot), name.substr(dot + 1), params, location_of(file_, key)};
  const api::ServiceModel* model = models_.find(spec.service);
  if (!model) {
    auto close = api::closest_names(spec.service, models_.services());
    fail(key, fmt::format("unknown service '{}'{}; services: {}", spec.service,
                          close.empty() ? "" : fmt::format(" (did you mean '{}'?)", close[0]),
                          fmt::join(models_.services(), ", ")));
  }
  const api::Operation* op = model->find_operation(spec.operation);
  if (!op) {
    auto close = api::closest_names(spec.operation, model->operation_names());
    fail(key, fmt::format(
                  "{} has no operation '{}'{}", spec.service, spec.operation,
                  close.empty() ? "" : fmt::format("; did you mean {}?", fmt::join(close, ", "))));
  }
  if (params && !params.IsNull() && !params.IsMap()) {
    fail(params, fmt::format("the request of {} must be a mapping of its members", name));
  }
  if (params && params.IsMap() && params.size() > 0) {
    if (!op->input) {
      fail(params, fmt::format("{} takes no request members", name));
    }
    (void)yaml_to_json(params, op->input, ctx());
  }
  return spec;
}

bool is_call_key(const std::string& key) {
  std::size_t dot = key.find('.');
  return dot != std::string::npos && dot > 0 && dot + 1 < key.size();
}

void Loader::expect_or_wait(const YAML::Node& body, Step& st) {
  const char* kind = st.kind == Step::Kind::Wait ? "wait" : "expect";
  if (!body.IsMap()) fail(body, fmt::format("'{}' takes a mapping: one call and 'match'", kind));
  bool have_call = false;
  for (const auto& kv : body) {
    const std::string key = kv.first.Scalar();
    if (key == "match") {
      st.match_yaml = kv.second;
      st.match = Matcher::compile(kv.second, ctx());
    } else if (key == "timeout" && st.kind == Step::Kind::Wait) {
      st.timeout = duration(kv.second, "wait.timeout");
    } else if (is_call_key(key)) {
      if (have_call) fail(kv.first, fmt::format("'{}' makes exactly one call", kind));
      st.call = call_spec(kv.first, kv.second);
      have_call = true;
    } else {
      fail(kv.first, fmt::format("unknown key '{}' in '{}'; it takes one <service>.<Operation>, "
                                 "'match'{}",
                                 key, kind, st.kind == Step::Kind::Wait ? " and 'timeout'" : ""));
    }
  }
  if (!have_call)
    fail(body, fmt::format("'{}' needs a call: <service>.<Operation>: {{...}}", kind));
}

Step Loader::step(const YAML::Node& node) {
  Step st;
  st.where = location_of(file_, node);
  if (!node.IsMap()) fail(node, "a step is a mapping: a call, expect, wait or advance");
  std::vector<YAML::Node> kinds;
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    if (key == "save" || key == "as" || key == "expect_error") continue;
    if (key == "expect" || key == "wait" || key == "advance" || is_call_key(key)) {
      kinds.push_back(kv.first);
      continue;
    }
    fail(kv.first, fmt::format("unknown step kind '{}'; a step is <service>.<Operation>, expect, "
                               "wait or advance",
                               key));
  }
  if (kinds.empty())
    fail(node, "a step needs one of: <service>.<Operation>, expect, wait, advance");
  if (kinds.size() > 1) {
    fail(kinds[1], fmt::format("one step, one action: '{}' and '{}' must be separate steps",
                               kinds[0].Scalar(), kinds[1].Scalar()));
  }
  const std::string kind = kinds[0].Scalar();
  const YAML::Node body = node[kind];
  if (kind == "advance") {
    st.kind = Step::Kind::Advance;
    st.advance = duration(body, "advance");
  } else if (kind == "expect" || kind == "wait") {
    st.kind = kind == "wait" ? Step::Kind::Wait : Step::Kind::Expect;
    expect_or_wait(body, st);
  } else {
    st.kind = Step::Kind::Call;
    st.call = call_spec(kinds[0], body);
  }
  if (const YAML::Node as = node["as"]) {
    if (st.kind == Step::Kind::Advance) fail(as, "'as' goes with a call, expect or wait");
    st.as = scalar(as, "as");
    const std::string& who = *st.as;
    if (who != "root" && who.rfind("user/", 0) != 0 && who.rfind("role/", 0) != 0) {
      fail(as, fmt::format("as: '{}' is not a principal; write user/NAME or role/NAME", who));
    }
  }
  if (const YAML::Node err = node["expect_error"]) {
    if (st.kind != Step::Kind::Call) fail(err, "'expect_error' goes with a call step");
    st.expect_error = scalar(err, "expect_error");
  }
  if (const YAML::Node save = node["save"]) {
    if (st.kind == Step::Kind::Advance) fail(save, "'save' goes with a call, expect or wait");
    if (!save.IsMap()) fail(save, "'save' maps names to dotted response paths: {v1: deploymentId}");
    for (const auto& kv : save) {
      st.save.emplace_back(kv.first.Scalar(), scalar(kv.second, "a save path"));
      bindings_.declare(kv.first.Scalar());
    }
  }
  return st;
}

}  // namespace

Scenario parse_scenario(std::string_view text, const std::string& file, const std::string& dir,
                        const api::ModelRegistry& models) {
  try {
    return Loader(file, dir, models).load(text);
  } catch (const LoadError&) {
    throw;
  } catch (const YAML::Exception& e) {
    throw LoadError({file, e.mark.line + 1, e.mark.column + 1}, e.msg);
  }
}

Scenario load_scenario(const std::string& path, const api::ModelRegistry& models) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LoadError({path, 0, 0}, "cannot read the file");
  std::ostringstream buf;
  buf << in.rdbuf();
  std::string dir = std::filesystem::path(path).parent_path().string();
  return parse_scenario(buf.str(), path, dir.empty() ? "." : dir, models);
}

}  // namespace deploysim::scenario
