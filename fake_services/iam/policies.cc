// Inline policies, attachments, permissions boundaries and managed policies with versions.
#include "fake_services/iam/backend.h"

#include <fmt/format.h>

#include <algorithm>

#include "fake_services/iam/backend_detail.h"
#include "fake_services/iam/errors.h"
#include "simulator/core/ids.h"

namespace deploysim::fake::iam {

using namespace detail;

// --- inline policies, attachments, boundaries ---------------------------------------------

std::size_t Backend::inline_size(const Entity& e) const {
  std::size_t n = 0;
  for (const auto& [k, p] : e.inline_policies) n += policy_size(p.document);
  return n;
}

Result<Ok> Backend::put_inline(EntityKind kind, const std::string& name,
                               const std::string& policy_name, const std::string& document) {
  auto e = entity(kind, name);
  if (!e.ok()) return e.error();
  if (auto r = check_name("policyName", policy_name); !r.ok()) return r.error();
  auto parsed = check_document(document, PolicyKind::Identity, false);
  if (!parsed.ok()) return parsed.error();
  Entity& ent = *find(kind, name);
  std::size_t size = inline_size(ent) + policy_size(document);
  if (auto it = ent.inline_policies.find(policy_name); it != ent.inline_policies.end()) {
    size -= policy_size(it->second.document);
  }
  if (size > traits(kind).inline_limit) {
    return errors::limit_exceeded(fmt::format("Maximum policy size of {} bytes exceeded for {} {}",
                                              traits(kind).inline_limit, traits(kind).name,
                                              ent.name));
  }
  ent.inline_policies[policy_name] = {policy_name, document, std::move(parsed).value()};
  return Ok{};
}

Result<const InlinePolicy*> Backend::inline_policy(EntityKind kind, const std::string& name,
                                                   const std::string& policy_name) const {
  auto e = entity(kind, name);
  if (!e.ok()) return e.error();
  auto it = e.value()->inline_policies.find(policy_name);
  if (it == e.value()->inline_policies.end()) {
    return errors::no_such_entity(
        fmt::format("The {} policy with name {} cannot be found.", traits(kind).name, policy_name));
  }
  return &it->second;
}

Result<Ok> Backend::delete_inline(EntityKind kind, const std::string& name,
                                  const std::string& policy_name) {
  auto p = inline_policy(kind, name, policy_name);
  if (!p.ok()) return p.error();
  find(kind, name)->inline_policies.erase(policy_name);
  return Ok{};
}

ManagedPolicy* Backend::find_policy(const std::string& arn) {
  auto it = policies_.find(arn);
  return it == policies_.end() ? nullptr : &it->second;
}

// The entity a managed policy is attached to, detached from or set as the boundary of.
Result<Entity*> Backend::policy_target(EntityKind kind, const std::string& name,
                                       const std::string& policy_arn) {
  auto e = entity(kind, name);
  if (!e.ok()) return e.error();
  if (!policy_arn.starts_with("arn:")) {
    return errors::invalid_input(fmt::format("ARN {} is not valid.", policy_arn));
  }
  return find(kind, name);
}

Result<Ok> Backend::attach(EntityKind kind, const std::string& name,
                           const std::string& policy_arn) {
  auto e = policy_target(kind, name, policy_arn);
  if (!e.ok()) return e.error();
  Entity& ent = *e.value();
  ManagedPolicy* p = find_policy(policy_arn);
  if (!p) {
    return errors::no_such_entity(
        fmt::format("Policy {} does not exist or is not attachable.", policy_arn));
  }
  if (std::find(ent.attached.begin(), ent.attached.end(), policy_arn) != ent.attached.end()) {
    return Ok{};
  }
  if (ent.attached.size() >= kManagedPerEntity) {
    return errors::limit_exceeded(fmt::format("Cannot exceed quota for {}: {}",
                                              traits(kind).attach_quota, kManagedPerEntity));
  }
  ent.attached.push_back(policy_arn);
  p->attachments++;
  return Ok{};
}

Result<Ok> Backend::detach(EntityKind kind, const std::string& name,
                           const std::string& policy_arn) {
  auto e = policy_target(kind, name, policy_arn);
  if (!e.ok()) return e.error();
  Entity& ent = *e.value();
  auto it = std::find(ent.attached.begin(), ent.attached.end(), policy_arn);
  if (it == ent.attached.end()) {
    return errors::no_such_entity(fmt::format("Policy {} was not found.", policy_arn));
  }
  ent.attached.erase(it);
  if (ManagedPolicy* p = find_policy(policy_arn)) p->attachments--;
  return Ok{};
}

Result<Ok> Backend::put_boundary(EntityKind kind, const std::string& name,
                                 const std::string& policy_arn) {
  auto e = policy_target(kind, name, policy_arn);
  if (!e.ok()) return e.error();
  Entity& ent = *e.value();
  ManagedPolicy* p = find_policy(policy_arn);
  if (!p) {
    return errors::no_such_entity(
        fmt::format("Scope ARN: {} does not exist or is not attachable.", policy_arn));
  }
  if (ent.boundary) find_policy(*ent.boundary)->boundary_uses--;
  ent.boundary = policy_arn;
  p->boundary_uses++;
  return Ok{};
}

Result<Ok> Backend::delete_boundary(EntityKind kind, const std::string& name) {
  auto e = entity(kind, name);
  if (!e.ok()) return e.error();
  Entity& ent = *find(kind, name);
  if (ent.boundary) {
    if (ManagedPolicy* p = find_policy(*ent.boundary)) p->boundary_uses--;
    ent.boundary.reset();
  }
  return Ok{};
}

// --- managed policies ---------------------------------------------------------------------

Result<const ManagedPolicy*> Backend::create_policy(const NewPolicy& req) {
  if (auto r = check_name("policyName", req.name); !r.ok()) return r.error();
  if (auto r = check_path(req.path); !r.ok()) return r.error();
  std::string policy_arn = arn("policy", req.path, req.name);
  for (const auto& [k, p] : policies_) {
    if (!p.aws_managed && lower(p.name) == lower(req.name)) {
      return errors::already_exists(fmt::format(
          "A policy called {} already exists. Duplicate names are not allowed.", req.name));
    }
  }
  auto parsed = check_document(req.document, PolicyKind::Identity, true);
  if (!parsed.ok()) return parsed.error();
  ManagedPolicy p;
  p.name = req.name;
  p.path = req.path;
  p.arn = policy_arn;
  p.id = sim::iam_unique_id(world_.rng().stream("iam-id"), "ANPA");
  p.description = req.description;
  p.created = p.updated = world_.now();
  p.tags = req.tags;
  p.versions.push_back({"v1", req.document, std::move(parsed).value(), world_.now()});
  p.default_version = "v1";
  p.next_version = 2;
  return &(policies_[policy_arn] = std::move(p));
}

Result<const ManagedPolicy*> Backend::policy(const std::string& policy_arn) const {
  auto it = policies_.find(policy_arn);
  if (it == policies_.end()) {
    if (!policy_arn.starts_with("arn:")) {
      return errors::invalid_input(fmt::format("ARN {} is not valid.", policy_arn));
    }
    return errors::no_such_entity(fmt::format("Policy {} was not found.", policy_arn));
  }
  return &it->second;
}

std::vector<const ManagedPolicy*> Backend::policies(const std::string& scope, bool only_attached,
                                                    const std::string& prefix) const {
  std::vector<const ManagedPolicy*> out;
  for (const auto& [arn, p] : policies_) {
    if (scope == "AWS" && !p.aws_managed) continue;
    if (scope == "Local" && p.aws_managed) continue;
    if (only_attached && p.attachments == 0) continue;
    if (!p.path.starts_with(prefix)) continue;
    out.push_back(&p);
  }
  std::sort(out.begin(), out.end(),
            [](const ManagedPolicy* a, const ManagedPolicy* b) { return a->name < b->name; });
  return out;
}

Result<Ok> Backend::delete_policy(const std::string& policy_arn) {
  auto p = policy(policy_arn);
  if (!p.ok()) return p.error();
  if (p.value()->aws_managed) return errors::aws_managed_unmodifiable(policy_arn);
  if (p.value()->attachments > 0 || p.value()->boundary_uses > 0) {
    return errors::delete_conflict("Cannot delete a policy attached to entities.");
  }
  if (p.value()->versions.size() > 1) {
    return errors::delete_conflict(
        "This policy has more than one version. Before you delete a policy, you must delete the "
        "policy's versions. The default version is deleted with the policy.");
  }
  policies_.erase(policy_arn);
  return Ok{};
}

Result<const PolicyVersion*> Backend::create_policy_version(const std::string& policy_arn,
                                                            const std::string& document,
                                                            bool set_as_default) {
  auto found = policy(policy_arn);
  if (!found.ok()) return found.error();
  if (found.value()->aws_managed) return errors::aws_managed_unmodifiable(policy_arn);
  auto parsed = check_document(document, PolicyKind::Identity, true);
  if (!parsed.ok()) return parsed.error();
  ManagedPolicy& p = *find_policy(policy_arn);
  if (p.versions.size() >= kVersionsPerPolicy) {
    return errors::limit_exceeded(
        "A managed policy can have up to 5 versions. Before you create a new version, you must "
        "delete an existing version.");
  }
  PolicyVersion v{fmt::format("v{}", p.next_version++), document, std::move(parsed).value(),
                  world_.now()};
  p.versions.push_back(std::move(v));
  p.updated = world_.now();
  if (set_as_default) p.default_version = p.versions.back().id;
  return &p.versions.back();
}

Result<const PolicyVersion*> Backend::policy_version(const std::string& policy_arn,
                                                     const std::string& version) const {
  auto p = policy(policy_arn);
  if (!p.ok()) return p.error();
  for (const auto& v : p.value()->versions) {
    if (v.id == version) return &v;
  }
  return errors::no_such_entity(fmt::format(
      "Policy {} version {} does not exist or is not attachable.", policy_arn, version));
}

Result<Ok> Backend::delete_policy_version(const std::string& policy_arn,
                                          const std::string& version) {
  auto v = policy_version(policy_arn, version);
  if (!v.ok()) return v.error();
  ManagedPolicy& p = *find_policy(policy_arn);
  if (p.aws_managed) return errors::aws_managed_unmodifiable(policy_arn);
  if (p.default_version == version) {
    return errors::delete_conflict("Cannot delete the default version of a policy.");
  }
  std::erase_if(p.versions, [&](const PolicyVersion& x) { return x.id == version; });
  return Ok{};
}

Result<Ok> Backend::set_default_policy_version(const std::string& policy_arn,
                                               const std::string& version) {
  auto v = policy_version(policy_arn, version);
  if (!v.ok()) return v.error();
  ManagedPolicy& p = *find_policy(policy_arn);
  if (p.aws_managed) return errors::aws_managed_unmodifiable(policy_arn);
  p.default_version = version;
  p.updated = world_.now();
  return Ok{};
}

}  // namespace deploysim::fake::iam
