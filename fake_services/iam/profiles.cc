// Instance profiles, and what the authorizer evaluates for a principal.
#include "fake_services/iam/backend.h"

#include <fmt/format.h>

#include <algorithm>

#include "fake_services/iam/backend_detail.h"
#include "fake_services/iam/errors.h"
#include "simulator/core/ids.h"

namespace deploysim::fake::iam {

using namespace detail;

// --- instance profiles --------------------------------------------------------------------

Result<const InstanceProfile*> Backend::instance_profile(const std::string& name) const {
  auto it = profiles_.find(lower(name));
  if (it == profiles_.end()) {
    return errors::no_such_entity(fmt::format("Instance Profile {} cannot be found.", name));
  }
  return &it->second;
}

std::vector<const InstanceProfile*> Backend::instance_profiles(const std::string& prefix) const {
  return sorted_by_name(profiles_, prefix);
}

Result<std::vector<const InstanceProfile*>> Backend::instance_profiles_for_role(
    const std::string& name) const {
  auto r = role(name);
  if (!r.ok()) return r.error();
  std::vector<const InstanceProfile*> out;
  for (const auto& [k, p] : profiles_) {
    if (p.role == lower(name)) out.push_back(&p);
  }
  return out;
}

Result<Ok> Backend::delete_instance_profile(const std::string& name) {
  auto p = instance_profile(name);
  if (!p.ok()) return p.error();
  if (p.value()->role) {
    return errors::delete_conflict(
        "Cannot delete entity, must remove roles from instance profile first.");
  }
  profiles_.erase(lower(name));
  return Ok{};
}

Result<Ok> Backend::add_role_to_instance_profile(const std::string& profile,
                                                 const std::string& role_name) {
  auto p = instance_profile(profile);
  if (!p.ok()) return p.error();
  auto r = role(role_name);
  if (!r.ok()) return r.error();
  if (p.value()->role) {
    return errors::limit_exceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
  }
  profiles_.at(lower(profile)).role = lower(role_name);
  return Ok{};
}

Result<Ok> Backend::remove_role_from_instance_profile(const std::string& profile,
                                                      const std::string& role_name) {
  auto p = instance_profile(profile);
  if (!p.ok()) return p.error();
  auto r = role(role_name);
  if (!r.ok()) return r.error();
  if (p.value()->role != lower(role_name)) {
    return errors::no_such_entity(fmt::format("Role {} in Instance Profile {} cannot be found.",
                                              r.value()->name, p.value()->name));
  }
  profiles_.at(lower(profile)).role.reset();
  return Ok{};
}

// --- evaluation inputs --------------------------------------------------------------------

std::vector<PolicySource> Backend::policies_of(const api::Principal& who) const {
  std::vector<PolicySource> out;
  auto add_entity = [&](const Entity& e, std::string_view type) {
    for (const auto& [name, p] : e.inline_policies) {
      out.push_back({&p.parsed, PolicyType::Identity, name, std::string(type)});
    }
    for (const auto& arn : e.attached) {
      const ManagedPolicy& m = policies_.at(arn);
      out.push_back({&m.current().parsed, PolicyType::Identity, m.arn,
                     m.aws_managed ? "aws-managed" : "user-managed"});
    }
    if (e.boundary) {
      const ManagedPolicy& m = policies_.at(*e.boundary);
      out.push_back({&m.current().parsed, PolicyType::Boundary, m.arn, "permissions-boundary"});
    }
  };
  if (who.kind == api::Principal::Kind::User) {
    auto it = users_.find(lower(who.name));
    if (it == users_.end()) return out;
    add_entity(it->second, "user");
    for (const auto& g : it->second.groups) add_entity(groups_.at(g), "group");
  } else if (who.kind == api::Principal::Kind::AssumedRole) {
    auto it = roles_.find(lower(who.name));
    if (it != roles_.end()) add_entity(it->second, "role");
  }
  return out;
}

RequestPrincipal Backend::request_principal(const api::Principal& who) const {
  RequestPrincipal p;
  p.arn = who.arn;
  p.account = account();
  switch (who.kind) {
    case api::Principal::Kind::Root:
      p.type = RequestPrincipal::Type::Root;
      break;
    case api::Principal::Kind::User:
      p.type = RequestPrincipal::Type::User;
      break;
    case api::Principal::Kind::AssumedRole:
    case api::Principal::Kind::Role: {
      p.type = RequestPrincipal::Type::AssumedRole;
      auto it = roles_.find(lower(who.name));
      p.role_arn = it != roles_.end() ? it->second.arn : arn("role", "/", who.name);
      break;
    }
    case api::Principal::Kind::Service:
      p.type = RequestPrincipal::Type::Service;
      p.service = lower(who.name);
      break;
  }
  return p;
}

void Backend::add_principal_context(const api::Principal& who, ContextKeys& ctx) const {
  auto set = [&](std::string key, std::string value) {
    ctx[lower(key)] = ContextValue{{std::move(value)}, false};
  };
  set("aws:PrincipalAccount", account());
  const Entity* e = nullptr;
  if (who.kind == api::Principal::Kind::User) {
    set("aws:username", who.name);
    set("aws:userid", who.id);
    set("aws:PrincipalArn", who.arn);
    set("aws:PrincipalType", "User");
    e = find(EntityKind::User, who.name);
  } else if (who.kind == api::Principal::Kind::AssumedRole ||
             who.kind == api::Principal::Kind::Role) {
    e = find(EntityKind::Role, who.name);
    set("aws:userid", who.id);
    set("aws:PrincipalArn", e ? e->arn : arn("role", "/", who.name));
    set("aws:PrincipalType", "AssumedRole");
  } else if (who.kind == api::Principal::Kind::Root) {
    set("aws:userid", account());
    set("aws:PrincipalArn", who.arn);
    set("aws:PrincipalType", "Account");
  } else if (who.kind == api::Principal::Kind::Service) {
    set("aws:PrincipalServiceName", who.name);
  }
  if (e) {
    std::vector<std::string> keys;
    for (const auto& t : e->tags) {
      set("aws:PrincipalTag/" + t.key, t.value);
    }
  }
}

Result<api::Principal> Backend::role_session(const std::string& name,
                                             const std::string& session) const {
  auto r = role(name);
  if (!r.ok()) return r.error();
  const Role& role = *r.value();
  return api::Principal{
      api::Principal::Kind::AssumedRole, role.name,
      fmt::format("arn:aws:sts::{}:assumed-role/{}/{}", account(), role.name, session),
      fmt::format("{}:{}", role.id, session), session};
}

Result<api::Principal> Backend::user_principal(const std::string& name) const {
  auto u = user(name);
  if (!u.ok()) return u.error();
  return api::Principal{api::Principal::Kind::User, u.value()->name, u.value()->arn, u.value()->id,
                        ""};
}

void Backend::remember_session(const std::string& access_key, api::Principal principal,
                               sim::SimTime expires) {
  sessions_[access_key] = {std::move(principal), expires};
}

const api::Principal* Backend::session_for_key(const std::string& access_key) const {
  auto it = sessions_.find(access_key);
  if (it == sessions_.end() || it->second.expires <= world_.now()) return nullptr;
  return &it->second.principal;
}

}  // namespace deploysim::fake::iam
