// Saving and restoring IAM's entities (--state). Documents are kept as written and parsed again
// on load; the AWS managed policies are rebuilt, only their attachment counts are restored.
#include <stdexcept>

#include "fake_services/iam/backend.h"
#include "simulator/api/params.h"

namespace deploysim::fake::iam {
namespace {

using namespace api::params;

json::array tags_json(const std::vector<Tag>& tags) {
  json::array out;
  for (const auto& t : tags) out.push_back(json::array{json::string(t.key), json::string(t.value)});
  return out;
}

std::vector<Tag> tags_from(const json::object& o) {
  std::vector<Tag> out;
  for (const auto& t : o.at("tags").as_array()) {
    out.push_back(
        {std::string(t.as_array()[0].as_string()), std::string(t.as_array()[1].as_string())});
  }
  return out;
}

json::object entity_json(const Entity& e) {
  json::array inline_policies;
  for (const auto& [name, p] : e.inline_policies) {
    inline_policies.push_back(json::array{json::string(p.name), json::string(p.document)});
  }
  json::array attached;
  for (const auto& a : e.attached) attached.emplace_back(a);
  json::object o{{"name", e.name},
                 {"path", e.path},
                 {"id", e.id},
                 {"arn", e.arn},
                 {"created_ms", e.created.ms()},
                 {"inline", std::move(inline_policies)},
                 {"attached", std::move(attached)},
                 {"tags", tags_json(e.tags)}};
  if (e.boundary) o["boundary"] = *e.boundary;
  return o;
}

Policy reparse(const std::string& document, PolicyKind kind, bool managed) {
  auto p = parse_policy(document, {kind, managed});
  if (!p.ok())
    throw std::runtime_error("iam: a saved policy no longer parses: " + p.error().message);
  return std::move(p).value();
}

void entity_from(const json::object& o, Entity& e) {
  e.name = str(o, "name");
  e.path = str(o, "path");
  e.id = str(o, "id");
  e.arn = str(o, "arn");
  e.created = sim::SimTime::from_ms(o.at("created_ms").to_number<std::int64_t>());
  for (const auto& p : o.at("inline").as_array()) {
    std::string name(p.as_array()[0].as_string()), doc(p.as_array()[1].as_string());
    e.inline_policies[name] = {name, doc, reparse(doc, PolicyKind::Identity, false)};
  }
  for (const auto& a : o.at("attached").as_array()) e.attached.emplace_back(a.as_string());
  if (auto b = opt_str(o, "boundary")) e.boundary = *b;
  e.tags = tags_from(o);
}

}  // namespace

json::value Backend::save_state() const {
  json::array users, groups, roles, policies, profiles, aws_counts;
  for (const auto& [k, u] : users_) {
    json::object o = entity_json(u);
    o["groups"] = string_array(u.groups);
    users.push_back(std::move(o));
  }
  for (const auto& [k, g] : groups_) {
    json::object o = entity_json(g);
    o["users"] = string_array(g.users);
    groups.push_back(std::move(o));
  }
  for (const auto& [k, r] : roles_) {
    json::object o = entity_json(r);
    o["trust"] = r.trust_document;
    o["description"] = r.description;
    o["max_session"] = r.max_session_duration;
    roles.push_back(std::move(o));
  }
  for (const auto& [arn, p] : policies_) {
    if (p.aws_managed) {
      aws_counts.push_back(json::array{json::string(arn), p.attachments, p.boundary_uses});
      continue;
    }
    json::array versions;
    for (const auto& v : p.versions) {
      versions.push_back(json::array{json::string(v.id), json::string(v.document), v.created.ms()});
    }
    policies.push_back(json::object{{"name", p.name},
                                    {"path", p.path},
                                    {"id", p.id},
                                    {"arn", p.arn},
                                    {"description", p.description},
                                    {"versions", std::move(versions)},
                                    {"default", p.default_version},
                                    {"next", p.next_version},
                                    {"created_ms", p.created.ms()},
                                    {"updated_ms", p.updated.ms()},
                                    {"attachments", p.attachments},
                                    {"boundary_uses", p.boundary_uses},
                                    {"tags", tags_json(p.tags)}});
  }
  for (const auto& [k, p] : profiles_) {
    json::object o{{"name", p.name},
                   {"path", p.path},
                   {"id", p.id},
                   {"arn", p.arn},
                   {"created_ms", p.created.ms()},
                   {"tags", tags_json(p.tags)}};
    if (p.role) o["role"] = *p.role;
    profiles.push_back(std::move(o));
  }
  json::array sessions;
  for (const auto& [key, s] : sessions_) {
    sessions.push_back(json::object{{"key", key},
                                    {"role", s.principal.name},
                                    {"session", s.principal.session},
                                    {"expires_ms", s.expires.ms()}});
  }
  return json::object{{"users", std::move(users)},
                      {"groups", std::move(groups)},
                      {"roles", std::move(roles)},
                      {"policies", std::move(policies)},
                      {"aws_managed", std::move(aws_counts)},
                      {"profiles", std::move(profiles)},
                      {"sessions", std::move(sessions)}};
}

void Backend::load_state(const json::value& state) {
  const json::object& s = state.as_object();
  for (const auto& v : s.at("policies").as_array()) {
    const json::object& o = v.as_object();
    ManagedPolicy p;
    p.name = str(o, "name");
    p.path = str(o, "path");
    p.id = str(o, "id");
    p.arn = str(o, "arn");
    p.description = str(o, "description");
    for (const auto& ver : o.at("versions").as_array()) {
      const json::array& a = ver.as_array();
      std::string doc(a[1].as_string());
      p.versions.push_back({std::string(a[0].as_string()), doc,
                            reparse(doc, PolicyKind::Identity, true),
                            sim::SimTime::from_ms(a[2].to_number<std::int64_t>())});
    }
    p.default_version = str(o, "default");
    p.next_version = o.at("next").to_number<int>();
    p.created = sim::SimTime::from_ms(o.at("created_ms").to_number<std::int64_t>());
    p.updated = sim::SimTime::from_ms(o.at("updated_ms").to_number<std::int64_t>());
    p.attachments = o.at("attachments").to_number<int>();
    p.boundary_uses = o.at("boundary_uses").to_number<int>();
    p.tags = tags_from(o);
    policies_[p.arn] = std::move(p);
  }
  for (const auto& v : s.at("aws_managed").as_array()) {
    const json::array& a = v.as_array();
    auto it = policies_.find(std::string(a[0].as_string()));
    if (it == policies_.end()) continue;
    it->second.attachments = a[1].to_number<int>();
    it->second.boundary_uses = a[2].to_number<int>();
  }
  for (const auto& v : s.at("users").as_array()) {
    User u;
    entity_from(v.as_object(), u);
    u.groups = strings_of(v.as_object().at("groups"));
    users_[lower(u.name)] = std::move(u);
  }
  for (const auto& v : s.at("groups").as_array()) {
    Group g;
    entity_from(v.as_object(), g);
    g.users = strings_of(v.as_object().at("users"));
    groups_[lower(g.name)] = std::move(g);
  }
  for (const auto& v : s.at("roles").as_array()) {
    const json::object& o = v.as_object();
    Role r;
    entity_from(o, r);
    r.trust_document = str(o, "trust");
    r.trust = reparse(r.trust_document, PolicyKind::Trust, false);
    r.description = str(o, "description");
    r.max_session_duration = o.at("max_session").to_number<int>();
    roles_[lower(r.name)] = std::move(r);
  }
  for (const auto& v : s.at("profiles").as_array()) {
    const json::object& o = v.as_object();
    InstanceProfile p;
    p.name = str(o, "name");
    p.path = str(o, "path");
    p.id = str(o, "id");
    p.arn = str(o, "arn");
    p.created = sim::SimTime::from_ms(o.at("created_ms").to_number<std::int64_t>());
    p.tags = tags_from(o);
    if (auto r = opt_str(o, "role")) p.role = *r;
    profiles_[lower(p.name)] = std::move(p);
  }
  for (const auto& v : s.at("sessions").as_array()) {
    const json::object& o = v.as_object();
    auto principal = role_session(str(o, "role"), str(o, "session"));
    if (!principal.ok()) continue;  // the role is gone: so are its sessions
    sessions_[str(o, "key")] = {
        principal.value(), sim::SimTime::from_ms(o.at("expires_ms").to_number<std::int64_t>())};
  }
}

}  // namespace deploysim::fake::iam
