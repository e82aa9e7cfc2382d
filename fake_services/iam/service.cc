#include "fake_services/iam/service.h"

#include <fmt/format.h>
#include <boost/json/parse.hpp>

#include "fake_services/iam/errors.h"
#include "simulator/api/params.h"

namespace deploysim::fake::iam {
namespace {

using namespace api::params;
using R = sim::Result<json::object>;

std::string noun(EntityKind k) {
  switch (k) {
    case EntityKind::User:
      return "User";
    case EntityKind::Group:
      return "Group";
    case EntityKind::Role:
      return "Role";
  }
  return "";
}

std::string stamp(sim::SimTime t) {
  return sim::format_iso8601(t);
}

// Policy documents appear decoded, as the AWS CLI and the SDKs show them.
json::value document(const std::string& text) {
  boost::system::error_code ec;
  json::value v = boost::json::parse(text, ec);
  return ec ? json::value(json::string(text)) : v;
}

json::array tags_json(const std::vector<Tag>& tags) {
  json::array out;
  for (const auto& t : tags) out.push_back(json::object{{"Key", t.key}, {"Value", t.value}});
  return out;
}

std::vector<Tag> tags_in(const json::object& p) {
  std::vector<Tag> out;
  if (auto* t = p.if_contains("Tags")) {
    for (const auto& e : t->as_array()) {
      out.push_back({str(e.as_object(), "Key"), str(e.as_object(), "Value")});
    }
  }
  return out;
}

void add_common(json::object& o, const Entity& e) {
  if (e.boundary) {
    o["PermissionsBoundary"] =
        json::object{{"PermissionsBoundaryType", "PermissionsBoundaryPolicy"},
                     {"PermissionsBoundaryArn", *e.boundary}};
  }
  if (!e.tags.empty()) o["Tags"] = tags_json(e.tags);
}

json::object user_json(const User& u) {
  json::object o{{"Path", u.path},
                 {"UserName", u.name},
                 {"UserId", u.id},
                 {"Arn", u.arn},
                 {"CreateDate", stamp(u.created)}};
  add_common(o, u);
  return o;
}

json::object group_json(const Group& g) {
  return {{"Path", g.path},
          {"GroupName", g.name},
          {"GroupId", g.id},
          {"Arn", g.arn},
          {"CreateDate", stamp(g.created)}};
}

json::object role_json(const Role& r) {
  json::object o{{"Path", r.path},
                 {"RoleName", r.name},
                 {"RoleId", r.id},
                 {"Arn", r.arn},
                 {"CreateDate", stamp(r.created)},
                 {"AssumeRolePolicyDocument", document(r.trust_document)}};
  if (!r.description.empty()) o["Description"] = r.description;
  o["MaxSessionDuration"] = r.max_session_duration;
  add_common(o, r);
  return o;
}

json::object policy_json(const ManagedPolicy& p, bool with_description) {
  json::object o{{"PolicyName", p.name},
                 {"PolicyId", p.id},
                 {"Arn", p.arn},
                 {"Path", p.path},
                 {"DefaultVersionId", p.default_version},
                 {"AttachmentCount", p.attachments},
                 {"PermissionsBoundaryUsageCount", p.boundary_uses},
                 {"IsAttachable", true}};
  if (with_description && !p.description.empty()) o["Description"] = p.description;
  o["CreateDate"] = stamp(p.created);
  o["UpdateDate"] = stamp(p.updated);
  if (!p.tags.empty()) o["Tags"] = tags_json(p.tags);
  return o;
}

json::object version_json(const PolicyVersion& v, const ManagedPolicy& p, bool with_document) {
  json::object o;
  if (with_document) o["Document"] = document(v.document);
  o["VersionId"] = v.id;
  o["IsDefaultVersion"] = v.id == p.default_version;
  o["CreateDate"] = stamp(v.created);
  return o;
}

// IAM's Marker/MaxItems paging over a list that is already in AWS's order.
json::object page(const json::object& params, std::string_view member, json::array items) {
  std::size_t start = 0;
  if (auto marker = opt_str(params, "Marker")) start = std::strtoul(marker->c_str(), nullptr, 10);
  std::size_t max = static_cast<std::size_t>(num(params, "MaxItems").value_or(100));
  json::array out;
  for (std::size_t i = start; i < items.size() && out.size() < max; ++i) out.push_back(items[i]);
  json::object o{{member, std::move(out)}};
  bool truncated = start + max < items.size();
  o["IsTruncated"] = truncated;
  if (truncated) o["Marker"] = std::to_string(start + max);
  return o;
}

template <class T>
R done(const sim::Result<T>& r) {
  if (!r.ok()) return r.error();
  return json::object{};
}

}  // namespace

Service::Service(world::World& world)
    : world_(world), backend_(world), authorizer_(world, backend_) {
  world_.dispatcher().set_authorizer(&authorizer_);
  world_.dispatcher().set_principal_resolver(&authorizer_);

  table_.add("CreateUser", [this](const api::Call& c) -> R {
    auto u = backend_.create_user(
        {str(c.params, "UserName"), str(c.params, "Path", "/"), tags_in(c.params)});
    if (!u.ok()) return u.error();
    if (auto b = opt_str(c.params, "PermissionsBoundary")) {
      if (auto r = backend_.put_boundary(EntityKind::User, u.value()->name, *b); !r.ok()) {
        (void)backend_.delete_user(u.value()->name);
        return r.error();
      }
    }
    return json::object{{"User", user_json(*backend_.user(str(c.params, "UserName")).value())}};
  });
  table_.add("GetUser", [this](const api::Call& c) -> R {
    std::string name = str(c.params, "UserName");
    if (name.empty()) {
      // Without a name: the calling user.
      if (c.principal.kind != api::Principal::Kind::User) {
        return errors::validation("Must specify userName when calling with non-User credentials");
      }
      name = c.principal.name;
    }
    auto u = backend_.user(name);
    if (!u.ok()) return u.error();
    return json::object{{"User", user_json(*u.value())}};
  });
  table_.add("ListUsers", [this](const api::Call& c) -> R {
    json::array items;
    for (const User* u : backend_.users(str(c.params, "PathPrefix", "/")))
      items.push_back(user_json(*u));
    return page(c.params, "Users", std::move(items));
  });
  table_.add("DeleteUser", [this](const api::Call& c) -> R {
    return done(backend_.delete_user(str(c.params, "UserName")));
  });

  table_.add("CreateGroup", [this](const api::Call& c) -> R {
    auto g = backend_.create_group({str(c.params, "GroupName"), str(c.params, "Path", "/"), {}});
    if (!g.ok()) return g.error();
    return json::object{{"Group", group_json(*g.value())}};
  });
  table_.add("GetGroup", [this](const api::Call& c) -> R {
    auto g = backend_.group(str(c.params, "GroupName"));
    if (!g.ok()) return g.error();
    json::array users;
    for (const User* u : backend_.members(*g.value())) users.push_back(user_json(*u));
    json::object o = page(c.params, "Users", std::move(users));
    o["Group"] = group_json(*g.value());
    return o;
  });
  table_.add("ListGroups", [this](const api::Call& c) -> R {
    json::array items;
    for (const Group* g : backend_.groups(str(c.params, "PathPrefix", "/")))
      items.push_back(group_json(*g));
    return page(c.params, "Groups", std::move(items));
  });
  table_.add("DeleteGroup", [this](const api::Call& c) -> R {
    return done(backend_.delete_group(str(c.params, "GroupName")));
  });
  table_.add("AddUserToGroup", [this](const api::Call& c) -> R {
    return done(backend_.add_user_to_group(str(c.params, "GroupName"), str(c.params, "UserName")));
  });
  table_.add("RemoveUserFromGroup", [this](const api::Call& c) -> R {
    return done(
        backend_.remove_user_from_group(str(c.params, "GroupName"), str(c.params, "UserName")));
  });
  table_.add("ListGroupsForUser", [this](const api::Call& c) -> R {
    auto gs = backend_.groups_for_user(str(c.params, "UserName"));
    if (!gs.ok()) return gs.error();
    json::array items;
    for (const Group* g : gs.value()) items.push_back(group_json(*g));
    return page(c.params, "Groups", std::move(items));
  });

  table_.add("CreateRole", [this](const api::Call& c) -> R {
    NewRole req;
    req.name = str(c.params, "RoleName");
    req.path = str(c.params, "Path", "/");
    req.tags = tags_in(c.params);
    req.trust_document = str(c.params, "AssumeRolePolicyDocument");
    req.description = str(c.params, "Description");
    req.max_session_duration = num(c.params, "MaxSessionDuration");
    auto r = backend_.create_role(req);
    if (!r.ok()) return r.error();
    if (auto b = opt_str(c.params, "PermissionsBoundary")) {
      if (auto pb = backend_.put_boundary(EntityKind::Role, req.name, *b); !pb.ok()) {
        (void)backend_.delete_role(req.name);
        return pb.error();
      }
    }
    return json::object{{"Role", role_json(*backend_.role(req.name).value())}};
  });
  table_.add("GetRole", [this](const api::Call& c) -> R {
    auto r = backend_.role(str(c.params, "RoleName"));
    if (!r.ok()) return r.error();
    json::object o = role_json(*r.value());
    o["RoleLastUsed"] = json::object{};
    return json::object{{"Role", std::move(o)}};
  });
  table_.add("ListRoles", [this](const api::Call& c) -> R {
    json::array items;
    for (const Role* r : backend_.roles(str(c.params, "PathPrefix", "/")))
      items.push_back(role_json(*r));
    return page(c.params, "Roles", std::move(items));
  });
  table_.add("DeleteRole", [this](const api::Call& c) -> R {
    return done(backend_.delete_role(str(c.params, "RoleName")));
  });
  table_.add("UpdateAssumeRolePolicy", [this](const api::Call& c) -> R {
    return done(backend_.update_assume_role_policy(str(c.params, "RoleName"),
                                                   str(c.params, "PolicyDocument")));
  });
  table_.add("UpdateRole", [this](const api::Call& c) -> R {
    return done(backend_.update_role(str(c.params, "RoleName"), opt_str(c.params, "Description"),
                                     num(c.params, "MaxSessionDuration")));
  });

  add_entity_ops(EntityKind::User);
  add_entity_ops(EntityKind::Group);
  add_entity_ops(EntityKind::Role);

  table_.add("CreatePolicy", [this](const api::Call& c) -> R {
    NewPolicy req;
    req.name = str(c.params, "PolicyName");
    req.path = str(c.params, "Path", "/");
    req.tags = tags_in(c.params);
    req.document = str(c.params, "PolicyDocument");
    req.description = str(c.params, "Description");
    auto p = backend_.create_policy(req);
    if (!p.ok()) return p.error();
    return json::object{{"Policy", policy_json(*p.value(), false)}};
  });
  table_.add("GetPolicy", [this](const api::Call& c) -> R {
    auto p = backend_.policy(str(c.params, "PolicyArn"));
    if (!p.ok()) return p.error();
    return json::object{{"Policy", policy_json(*p.value(), true)}};
  });
  table_.add("ListPolicies", [this](const api::Call& c) -> R {
    auto* attached = c.params.if_contains("OnlyAttached");
    json::array items;
    for (const ManagedPolicy* p :
         backend_.policies(str(c.params, "Scope", "All"), attached && attached->as_bool(),
                           str(c.params, "PathPrefix", "/"))) {
      items.push_back(policy_json(*p, false));
    }
    return page(c.params, "Policies", std::move(items));
  });
  table_.add("DeletePolicy", [this](const api::Call& c) -> R {
    return done(backend_.delete_policy(str(c.params, "PolicyArn")));
  });
  table_.add("CreatePolicyVersion", [this](const api::Call& c) -> R {
    auto* d = c.params.if_contains("SetAsDefault");
    std::string arn = str(c.params, "PolicyArn");
    auto v =
        backend_.create_policy_version(arn, str(c.params, "PolicyDocument"), d && d->as_bool());
    if (!v.ok()) return v.error();
    return json::object{
        {"PolicyVersion", version_json(*v.value(), *backend_.policy(arn).value(), false)}};
  });
  table_.add("GetPolicyVersion", [this](const api::Call& c) -> R {
    std::string arn = str(c.params, "PolicyArn");
    auto v = backend_.policy_version(arn, str(c.params, "VersionId"));
    if (!v.ok()) return v.error();
    return json::object{
        {"PolicyVersion", version_json(*v.value(), *backend_.policy(arn).value(), true)}};
  });
  table_.add("ListPolicyVersions", [this](const api::Call& c) -> R {
    auto p = backend_.policy(str(c.params, "PolicyArn"));
    if (!p.ok()) return p.error();
    json::array items;
    // Newest first, as AWS lists them.
    for (auto it = p.value()->versions.rbegin(); it != p.value()->versions.rend(); ++it) {
      items.push_back(version_json(*it, *p.value(), false));
    }
    return page(c.params, "Versions", std::move(items));
  });
  table_.add("DeletePolicyVersion", [this](const api::Call& c) -> R {
    return done(
        backend_.delete_policy_version(str(c.params, "PolicyArn"), str(c.params, "VersionId")));
  });
  table_.add("SetDefaultPolicyVersion", [this](const api::Call& c) -> R {
    return done(backend_.set_default_policy_version(str(c.params, "PolicyArn"),
                                                    str(c.params, "VersionId")));
  });

  auto profile_json = [this](const InstanceProfile& p) {
    json::array roles;
    if (p.role) roles.push_back(role_json(*backend_.role(*p.role).value()));
    json::object o{{"Path", p.path}, {"InstanceProfileName", p.name},  {"InstanceProfileId", p.id},
                   {"Arn", p.arn},   {"CreateDate", stamp(p.created)}, {"Roles", std::move(roles)}};
    if (!p.tags.empty()) o["Tags"] = tags_json(p.tags);
    return o;
  };
  table_.add("CreateInstanceProfile", [this, profile_json](const api::Call& c) -> R {
    auto p = backend_.create_instance_profile(
        {str(c.params, "InstanceProfileName"), str(c.params, "Path", "/"), tags_in(c.params)});
    if (!p.ok()) return p.error();
    return json::object{{"InstanceProfile", profile_json(*p.value())}};
  });
  table_.add("GetInstanceProfile", [this, profile_json](const api::Call& c) -> R {
    auto p = backend_.instance_profile(str(c.params, "InstanceProfileName"));
    if (!p.ok()) return p.error();
    return json::object{{"InstanceProfile", profile_json(*p.value())}};
  });
  table_.add("ListInstanceProfiles", [this, profile_json](const api::Call& c) -> R {
    json::array items;
    for (const InstanceProfile* p : backend_.instance_profiles(str(c.params, "PathPrefix", "/"))) {
      items.push_back(profile_json(*p));
    }
    return page(c.params, "InstanceProfiles", std::move(items));
  });
  table_.add("ListInstanceProfilesForRole", [this, profile_json](const api::Call& c) -> R {
    auto ps = backend_.instance_profiles_for_role(str(c.params, "RoleName"));
    if (!ps.ok()) return ps.error();
    json::array items;
    for (const InstanceProfile* p : ps.value()) items.push_back(profile_json(*p));
    return page(c.params, "InstanceProfiles", std::move(items));
  });
  table_.add("DeleteInstanceProfile", [this](const api::Call& c) -> R {
    return done(backend_.delete_instance_profile(str(c.params, "InstanceProfileName")));
  });
  table_.add("AddRoleToInstanceProfile", [this](const api::Call& c) -> R {
    return done(backend_.add_role_to_instance_profile(str(c.params, "InstanceProfileName"),
                                                      str(c.params, "RoleName")));
  });
  table_.add("RemoveRoleFromInstanceProfile", [this](const api::Call& c) -> R {
    return done(backend_.remove_role_from_instance_profile(str(c.params, "InstanceProfileName"),
                                                           str(c.params, "RoleName")));
  });

  table_.add("SimulateCustomPolicy", [this](const api::Call& c) { return simulate(c, false); });
  table_.add("SimulatePrincipalPolicy", [this](const api::Call& c) { return simulate(c, true); });
}

Service::~Service() {
  world_.dispatcher().set_authorizer(nullptr);
  world_.dispatcher().set_principal_resolver(nullptr);
}

void Service::add_entity_ops(EntityKind kind) {
  std::string n = noun(kind);
  std::string name_key = n + "Name";
  auto name = [name_key](const api::Call& c) { return str(c.params, name_key); };

  table_.add("Put" + n + "Policy", [this, kind, name](const api::Call& c) -> R {
    return done(backend_.put_inline(kind, name(c), str(c.params, "PolicyName"),
                                    str(c.params, "PolicyDocument")));
  });
  table_.add("Get" + n + "Policy", [this, kind, name, name_key](const api::Call& c) -> R {
    auto p = backend_.inline_policy(kind, name(c), str(c.params, "PolicyName"));
    if (!p.ok()) return p.error();
    return json::object{{name_key, backend_.entity(kind, name(c)).value()->name},
                        {"PolicyName", p.value()->name},
                        {"PolicyDocument", document(p.value()->document)}};
  });
  table_.add("Delete" + n + "Policy", [this, kind, name](const api::Call& c) -> R {
    return done(backend_.delete_inline(kind, name(c), str(c.params, "PolicyName")));
  });
  table_.add("List" + n + "Policies", [this, kind, name](const api::Call& c) -> R {
    auto e = backend_.entity(kind, name(c));
    if (!e.ok()) return e.error();
    json::array names;
    for (const auto& [k, p] : e.value()->inline_policies) names.emplace_back(p.name);
    return page(c.params, "PolicyNames", std::move(names));
  });
  table_.add("Attach" + n + "Policy", [this, kind, name](const api::Call& c) -> R {
    return done(backend_.attach(kind, name(c), str(c.params, "PolicyArn")));
  });
  table_.add("Detach" + n + "Policy", [this, kind, name](const api::Call& c) -> R {
    return done(backend_.detach(kind, name(c), str(c.params, "PolicyArn")));
  });
  table_.add("ListAttached" + n + "Policies", [this, kind, name](const api::Call& c) -> R {
    auto e = backend_.entity(kind, name(c));
    if (!e.ok()) return e.error();
    std::string prefix = str(c.params, "PathPrefix", "/");
    json::array items;
    for (const auto& arn : e.value()->attached) {
      const ManagedPolicy* p = backend_.policy(arn).value();
      if (!p->path.starts_with(prefix)) continue;
      items.push_back(json::object{{"PolicyName", p->name}, {"PolicyArn", p->arn}});
    }
    return page(c.params, "AttachedPolicies", std::move(items));
  });
  if (kind == EntityKind::Group) return;
  table_.add("Put" + n + "PermissionsBoundary", [this, kind, name](const api::Call& c) -> R {
    return done(backend_.put_boundary(kind, name(c), str(c.params, "PermissionsBoundary")));
  });
  table_.add("Delete" + n + "PermissionsBoundary", [this, kind, name](const api::Call& c) -> R {
    return done(backend_.delete_boundary(kind, name(c)));
  });
  table_.add("Tag" + n, [this, kind, name](const api::Call& c) -> R {
    return done(backend_.tag(kind, name(c), tags_in(c.params)));
  });
  table_.add("Untag" + n, [this, kind, name](const api::Call& c) -> R {
    return done(backend_.untag(kind, name(c), strings(c.params, "TagKeys")));
  });
  table_.add("List" + n + "Tags", [this, kind, name](const api::Call& c) -> R {
    auto e = backend_.entity(kind, name(c));
    if (!e.ok()) return e.error();
    return page(c.params, "Tags", tags_json(e.value()->tags));
  });
}

namespace {

// A SimulatePolicy context entry: its values as the evaluator's text, checked by type.
sim::Result<ContextValue> context_value(const json::object& entry) {
  std::string type = str(entry, "ContextKeyType", "string");
  ContextValue v;
  v.values = strings(entry, "ContextKeyValues");
  v.multi = type.ends_with("List");
  std::string base = v.multi ? type.substr(0, type.size() - 4) : type;
  for (const auto& s : v.values) {
    bool ok = true;
    if (base == "numeric")
      ok = !s.empty() && std::strtod(s.c_str(), nullptr) == std::strtod(s.c_str(), nullptr) &&
           s.find_first_not_of("+-.0123456789eE") == std::string::npos;
    if (base == "boolean") ok = ascii_lower(s) == "true" || ascii_lower(s) == "false";
    if (base == "date") ok = parse_date(s).has_value();
    if (!ok) {
      return errors::invalid_input(fmt::format("Invalid value {} for context key {} of type {}.", s,
                                               str(entry, "ContextKeyName"), type));
    }
  }
  return v;
}

}  // namespace

Service::R Service::simulate(const api::Call& c, bool principal_based) {
  std::vector<Policy> parsed;  // owns the input policies for the evaluation below
  std::vector<std::pair<PolicyType, std::string>> ids;
  auto read_list = [&](std::string_view member, PolicyType type,
                       std::string_view id_prefix) -> std::optional<sim::AwsError> {
    auto docs = strings(c.params, member);
    for (std::size_t i = 0; i < docs.size(); ++i) {
      auto p = backend_.check_document(docs[i], PolicyKind::Identity, false);
      if (!p.ok()) return p.error();
      parsed.push_back(std::move(p).value());
      ids.emplace_back(type, fmt::format("{}.{}", id_prefix, i + 1));
    }
    return std::nullopt;
  };
  if (auto e = read_list("PolicyInputList", PolicyType::Identity, "PolicyInputList")) return *e;
  if (auto e = read_list("PermissionsBoundaryPolicyInputList", PolicyType::Boundary,
                         "PermissionsBoundaryPolicyInputList")) {
    return *e;
  }
  std::optional<Policy> resource_policy;
  if (auto rp = opt_str(c.params, "ResourcePolicy")) {
    auto p = backend_.check_document(*rp, PolicyKind::Resource, false);
    if (!p.ok()) return p.error();
    resource_policy = std::move(p).value();
  }

  std::vector<PolicySource> sources;
  bool boundary_given = false;
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    sources.push_back({&parsed[i], ids[i].first, ids[i].second, "IAM Policy"});
    boundary_given = boundary_given || ids[i].first == PolicyType::Boundary;
  }
  RequestPrincipal caller;
  caller.type = RequestPrincipal::Type::User;
  caller.account = backend_.account();
  if (principal_based) {
    std::string arn = str(c.params, "PolicySourceArn");
    std::string prefix = fmt::format("arn:aws:iam::{}:", backend_.account());
    if (!arn.starts_with(prefix)) {
      return errors::invalid_input(fmt::format("Invalid ARN: {}", arn));
    }
    std::string rest = arn.substr(prefix.size());
    std::string name = rest.substr(rest.rfind('/') + 1);
    api::Principal who;
    if (rest.starts_with("user/")) {
      auto u = backend_.user_principal(name);
      if (!u.ok()) return u.error();
      who = u.value();
    } else if (rest.starts_with("role/")) {
      auto r = backend_.role_session(name, "simulation");
      if (!r.ok()) return r.error();
      who = r.value();
    } else if (rest.starts_with("group/")) {
      auto g = backend_.group(name);
      if (!g.ok()) return g.error();
      const Group& grp = *g.value();
      for (const auto& [n, p] : grp.inline_policies) {
        sources.push_back({&p.parsed, PolicyType::Identity, n, "group"});
      }
      for (const auto& a : grp.attached) {
        const ManagedPolicy& m = *backend_.policy(a).value();
        sources.push_back({&m.current().parsed, PolicyType::Identity, m.arn,
                           m.aws_managed ? "aws-managed" : "user-managed"});
      }
    } else {
      return errors::invalid_input(fmt::format("Invalid ARN: {}", arn));
    }
    if (who.kind != api::Principal::Kind::Root) {
      for (auto& s : backend_.policies_of(who)) {
        if (s.type == PolicyType::Boundary && boundary_given) continue;
        sources.push_back(std::move(s));
      }
      caller = backend_.request_principal(who);
    }
    caller.arn = arn;
  }
  if (auto caller_arn = opt_str(c.params, "CallerArn")) caller.arn = *caller_arn;
  if (resource_policy) {
    sources.push_back({&*resource_policy, PolicyType::Resource, "ResourcePolicy", "resource"});
  }

  ContextKeys context;
  if (auto* entries = c.params.if_contains("ContextEntries")) {
    for (const auto& e : entries->as_array()) {
      auto v = context_value(e.as_object());
      if (!v.ok()) return v.error();
      context[ascii_lower(str(e.as_object(), "ContextKeyName"))] = std::move(v).value();
    }
  }
  std::vector<std::string> resources = strings(c.params, "ResourceArns");
  if (resources.empty()) resources.push_back("*");

  json::array results;
  for (const auto& action : strings(c.params, "ActionNames")) {
    for (const auto& resource : resources) {
      Request req{action, resource, caller, context};
      Evaluation ev = evaluate(req, sources);
      json::array matched;
      for (const auto& m : ev.matched) {
        matched.push_back(json::object{
            {"SourcePolicyId", m.source_id},
            {"SourcePolicyType", m.source_type},
            {"StartPosition", json::object{{"Line", m.start.line}, {"Column", m.start.column}}},
            {"EndPosition", json::object{{"Line", m.end.line}, {"Column", m.end.column}}}});
      }
      json::array missing;
      for (const auto& k : ev.missing_context) missing.emplace_back(k);
      std::string decision = ev.decision == Decision::Allowed        ? "allowed"
                             : ev.decision == Decision::ExplicitDeny ? "explicitDeny"
                                                                     : "implicitDeny";
      json::object r{{"EvalActionName", action},
                     {"EvalResourceName", resource},
                     {"EvalDecision", decision},
                     {"MatchedStatements", std::move(matched)},
                     {"MissingContextValues", std::move(missing)}};
      bool has_boundary = std::any_of(sources.begin(), sources.end(), [](const PolicySource& s) {
        return s.type == PolicyType::Boundary;
      });
      if (has_boundary) {
        r["PermissionsBoundaryDecisionDetail"] =
            json::object{{"AllowedByPermissionsBoundary", ev.boundary_allows}};
      }
      if (resource_policy) {
        r["EvalDecisionDetails"] = json::object{{"IAM Policy", decision}};
      }
      results.push_back(std::move(r));
    }
  }
  return page(c.params, "EvaluationResults", std::move(results));
}

std::vector<api::AuthRequest> Service::authorization(const api::Call& c) const {
  std::string action = "iam:" + c.operation;
  auto arn_of = [&](std::string_view type, std::string_view member, EntityKind kind) {
    std::string name = str(c.params, member);
    std::string path = str(c.params, "Path", "/");
    if (auto e = backend_.entity(kind, name); e.ok()) path = e.value()->path;
    return backend_.arn(type, path, name);
  };
  std::string resource = "*";
  if (auto profile = opt_str(c.params, "InstanceProfileName")) {
    std::string path = str(c.params, "Path", "/");
    if (auto p = backend_.instance_profile(*profile); p.ok()) path = p.value()->path;
    resource = backend_.arn("instance-profile", path, *profile);
  } else if (c.params.contains("GroupName")) {
    resource = arn_of("group", "GroupName", EntityKind::Group);
  } else if (c.params.contains("RoleName")) {
    resource = arn_of("role", "RoleName", EntityKind::Role);
  } else if (c.params.contains("UserName")) {
    resource = arn_of("user", "UserName", EntityKind::User);
  } else if (auto arn = opt_str(c.params, "PolicyArn")) {
    resource = *arn;
  } else if (auto src = opt_str(c.params, "PolicySourceArn")) {
    resource = *src;
  } else if (c.operation == "CreatePolicy") {
    resource = backend_.arn("policy", str(c.params, "Path", "/"), str(c.params, "PolicyName"));
  } else if (c.operation == "GetUser" && c.principal.kind == api::Principal::Kind::User) {
    resource = c.principal.arn;
  }
  std::vector<api::AuthRequest> out{{action, resource, {}}};
  if (c.operation == "AddRoleToInstanceProfile") {
    out.push_back({"iam:PassRole", arn_of("role", "RoleName", EntityKind::Role), {}});
  }
  return out;
}

}  // namespace deploysim::fake::iam
