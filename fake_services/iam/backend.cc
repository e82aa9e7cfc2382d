#include "fake_services/iam/backend.h"

#include <fmt/format.h>

#include <algorithm>

#include "fake_services/iam/backend_detail.h"
#include "fake_services/iam/errors.h"
#include "simulator/core/digest.h"
#include "simulator/core/ids.h"

namespace deploysim::fake::iam {

const std::vector<std::pair<std::string, std::string>>& managed_documents();

namespace {

struct AwsManaged {
  std::string_view name, path, version, date, description;
};

// The AWS managed policies every account has (documents in fake_services/iam/managed/).
constexpr AwsManaged kAwsManaged[] = {
    {"AdministratorAccess", "/", "v1", "2015-02-06T18:39:46Z",
     "Provides full access to AWS services and resources."},
    {"ReadOnlyAccess", "/", "v1", "2015-02-06T18:39:48Z",
     "Provides read-only access to AWS services and resources."},
    {"AmazonS3FullAccess", "/", "v2", "2021-09-27T20:16:37Z",
     "Provides full access to all buckets via the AWS Management Console."},
    {"AmazonS3ReadOnlyAccess", "/", "v3", "2023-08-10T21:31:39Z",
     "Provides read only access to all buckets via the AWS Management Console."},
    {"AWSCodeDeployRole", "/service-role/", "v11", "2023-08-16T20:38:58Z",
     "Provides CodeDeploy service access to expand tags and interact with Auto Scaling on your "
     "behalf."},
    {"AmazonEC2RoleforAWSCodeDeploy", "/service-role/", "v2", "2017-03-20T17:14:10Z",
     "Provides EC2 access to S3 bucket to download revision. This role is needed by the "
     "CodeDeploy agent on EC2 instances."},
    {"AmazonEC2RoleforAWSCodeDeployLimited", "/service-role/", "v2", "2022-01-20T21:37:31Z",
     "Provides EC2 limited access to S3 bucket to download revision. This role is needed by the "
     "CodeDeploy agent on EC2 instances."},
    {"AWSCodeDeployFullAccess", "/", "v6", "2026-02-12T17:58:37Z",
     "Provides full access to CodeDeploy resources."},
    {"AWSCodeDeployDeployerAccess", "/", "v6", "2026-02-12T18:02:10Z",
     "Provides access to register and deploy a revision."},
    {"AWSCodeDeployReadOnlyAccess", "/", "v6", "2026-02-12T17:57:13Z",
     "Provides read only access to CodeDeploy resources."},
};

}  // namespace

using namespace detail;

std::string lower(std::string_view s) {
  return ascii_lower(s);
}

Backend::Backend(world::World& world) : world_(world) {
  install_aws_managed();
}

void Backend::install_aws_managed() {
  const auto& docs = managed_documents();
  for (const auto& m : kAwsManaged) {
    auto doc =
        std::find_if(docs.begin(), docs.end(), [&](const auto& d) { return d.first == m.name; });
    if (doc == docs.end()) throw std::logic_error(fmt::format("no document for {}", m.name));
    auto parsed = parse_policy(doc->second, {PolicyKind::Identity, true});
    if (!parsed.ok()) {
      throw std::logic_error(fmt::format("{}: {}", m.name, parsed.error().message));
    }
    ManagedPolicy p;
    p.name = std::string(m.name);
    p.path = std::string(m.path);
    p.arn = fmt::format("arn:aws:iam::aws:policy{}{}", m.path, m.name);
    // AWS managed policy IDs are the same in every account; derive one from the name.
    p.id = "ANPA" + sim::sha256_hex(p.arn).substr(0, 17);
    for (char& c : p.id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    p.description = std::string(m.description);
    p.aws_managed = true;
    auto when = sim::parse_iso8601(m.date);
    p.created = p.updated = when ? *when : sim::SimTime{};
    p.versions.push_back(
        {std::string(m.version), doc->second, std::move(parsed).value(), p.created});
    p.default_version = std::string(m.version);
    p.next_version = 0;
    policies_.emplace(p.arn, std::move(p));
  }
}

std::string Backend::arn(std::string_view type, const std::string& path,
                         const std::string& name) const {
  return fmt::format("arn:aws:iam::{}:{}{}{}", account(), type, path, name);
}

Result<Ok> Backend::check_name(std::string_view member, const std::string& name) const {
  if (name.empty() || !std::all_of(name.begin(), name.end(), name_char)) {
    return errors::validation(fmt::format(
        "The specified value for {} is invalid. It must contain only alphanumeric characters "
        "and/or the following: +=,.@_-",
        member));
  }
  return Ok{};
}

Result<Ok> Backend::check_path(const std::string& path) const {
  bool ok = !path.empty() && path.front() == '/' && path.back() == '/' &&
            std::all_of(path.begin(), path.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
  if (!ok) {
    return errors::validation(
        "The specified value for path is invalid. It must begin and end with / and contain only "
        "alphanumeric characters and/or / characters.");
  }
  return Ok{};
}

Result<Policy> Backend::check_document(const std::string& document, PolicyKind kind,
                                       bool managed) const {
  for (unsigned char c : document) {
    // The API's pattern [\u0009\u000A\u000D\u0020-\u00FF]+ (UTF-8 bytes of U+0080..U+00FF pass).
    if (c < 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) {
      return errors::validation(fmt::format(
          "1 validation error detected: Value '{}' at 'policyDocument' failed to satisfy "
          "constraint: Member must satisfy regular expression pattern: "
          "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
          document));
    }
  }
  if (managed && policy_size(document) > 6144) {
    return errors::limit_exceeded("Cannot exceed quota for PolicySize: 6144");
  }
  if (kind == PolicyKind::Trust && policy_size(document) > 2048) {
    return errors::limit_exceeded("Cannot exceed quota for ACLSizePerRole: 2048");
  }
  auto parsed = parse_policy(document, {kind, managed});
  if (!parsed.ok()) return parsed.error();
  if (kind == PolicyKind::Trust) {
    if (auto r = check_trust_principals(parsed.value()); !r.ok()) return r.error();
  }
  return parsed;
}

// AWS resolves principal ARNs when a trust policy is written: a user or role that does not
// exist makes the document invalid.
Result<Ok> Backend::check_trust_principals(const Policy& trust) const {
  for (const auto& s : trust.statements) {
    for (const auto& [type, values] : s.principals.by_type) {
      for (const auto& v : values) {
        if (type == "AWS" && v != "*") {
          std::string prefix = fmt::format("arn:aws:iam::{}:", account());
          bool known = v == account() || v == prefix + "root";
          if (!known && v.starts_with(prefix)) {
            std::string rest = v.substr(prefix.size());
            std::string name = rest.substr(rest.rfind('/') + 1);
            if (rest.starts_with("user/")) known = users_.count(lower(name)) > 0;
            if (rest.starts_with("role/")) known = roles_.count(lower(name)) > 0;
          }
          if (!known && v.size() == 12 && std::all_of(v.begin(), v.end(), ::isdigit)) known = true;
          if (!known && v.starts_with("arn:aws:iam::") && v.ends_with(":root")) known = true;
          if (!known) {
            return errors::malformed(fmt::format("Invalid principal in policy: \"AWS\":\"{}\"", v));
          }
        }
        if (type == "Service" && !v.ends_with(".amazonaws.com") &&
            !v.ends_with(".amazonaws.com.cn")) {
          return errors::malformed(
              fmt::format("Invalid principal in policy: \"SERVICE\":\"{}\"", v));
        }
      }
    }
  }
  return Ok{};
}

// --- users, groups, roles ---------------------------------------------------------------

// What every Create* checks, in AWS's order, and the identity it gives the new entity.
struct Backend::Kind {
  std::string_view member, type, id_prefix, exists;
  std::string_view quota_name;
  std::size_t quota = 0;  // 0: none checked
};

template <class T, class M>
Result<T> Backend::make_entity(const NewEntity& req, const M& existing, const Kind& k) const {
  if (auto r = check_name(k.member, req.name); !r.ok()) return r.error();
  if (auto r = check_path(req.path); !r.ok()) return r.error();
  if (existing.count(lower(req.name))) {
    return errors::already_exists(fmt::format(fmt::runtime(k.exists), req.name));
  }
  if (k.quota && existing.size() >= k.quota) {
    return errors::limit_exceeded(
        fmt::format("Cannot exceed quota for {}: {}", k.quota_name, k.quota));
  }
  if (req.tags.size() > kTagsPerEntity) return errors::too_many_tags();
  T e;
  e.name = req.name;
  e.path = req.path;
  e.id = sim::iam_unique_id(world_.rng().stream("iam-id"), k.id_prefix);
  e.arn = arn(k.type, req.path, req.name);
  e.created = world_.now();
  e.tags = req.tags;
  return e;
}

Result<const User*> Backend::create_user(const NewEntity& req) {
  static const Kind kUser{
      "userName",        "user",          "AIDA", "User with name {} already exists.",
      "UsersPerAccount", kUsersPerAccount};
  auto u = make_entity<User>(req, users_, kUser);
  if (!u.ok()) return u.error();
  return &(users_[lower(req.name)] = std::move(u).value());
}

Result<const Group*> Backend::create_group(const NewEntity& req) {
  static const Kind kGroup{"groupName", "group", "AGPA", "Group with name {} already exists.",
                           "",          0};
  auto g = make_entity<Group>(req, groups_, kGroup);
  if (!g.ok()) return g.error();
  return &(groups_[lower(req.name)] = std::move(g).value());
}

Result<const Role*> Backend::create_role(const NewRole& req) {
  static const Kind kRole{
      "roleName",        "role",          "AROA", "Role with name {} already exists.",
      "RolesPerAccount", kRolesPerAccount};
  auto r = make_entity<Role>(req, roles_, kRole);
  if (!r.ok()) return r.error();
  auto trust = check_document(req.trust_document, PolicyKind::Trust, false);
  if (!trust.ok()) return trust.error();
  Role& role = r.value();
  role.trust_document = req.trust_document;
  role.trust = std::move(trust).value();
  role.description = req.description;
  role.max_session_duration = req.max_session_duration.value_or(3600);
  return &(roles_[lower(req.name)] = std::move(role));
}

Entity* Backend::find(EntityKind kind, const std::string& name) {
  return const_cast<Entity*>(std::as_const(*this).find(kind, name));
}

const Entity* Backend::find(EntityKind kind, const std::string& name) const {
  std::string key = lower(name);
  switch (kind) {
    case EntityKind::User: {
      auto it = users_.find(key);
      return it == users_.end() ? nullptr : &it->second;
    }
    case EntityKind::Group: {
      auto it = groups_.find(key);
      return it == groups_.end() ? nullptr : &it->second;
    }
    case EntityKind::Role: {
      auto it = roles_.find(key);
      return it == roles_.end() ? nullptr : &it->second;
    }
  }
  return nullptr;
}

Result<const Entity*> Backend::entity(EntityKind kind, const std::string& name) const {
  if (const Entity* e = find(kind, name)) return e;
  return errors::no_such_entity(
      fmt::format("The {} with name {} cannot be found.", traits(kind).name, name));
}

Result<const User*> Backend::user(const std::string& name) const {
  auto e = entity(EntityKind::User, name);
  if (!e.ok()) return e.error();
  return static_cast<const User*>(e.value());
}

Result<const Group*> Backend::group(const std::string& name) const {
  auto e = entity(EntityKind::Group, name);
  if (!e.ok()) return e.error();
  return static_cast<const Group*>(e.value());
}

Result<const Role*> Backend::role(const std::string& name) const {
  auto e = entity(EntityKind::Role, name);
  if (!e.ok()) return e.error();
  return static_cast<const Role*>(e.value());
}

std::vector<const User*> Backend::users(const std::string& prefix) const {
  return sorted_by_name(users_, prefix);
}
std::vector<const Group*> Backend::groups(const std::string& prefix) const {
  return sorted_by_name(groups_, prefix);
}
std::vector<const Role*> Backend::roles(const std::string& prefix) const {
  return sorted_by_name(roles_, prefix);
}

namespace {
std::optional<sim::AwsError> delete_conflict(const Entity& e) {
  if (!e.inline_policies.empty()) {
    return errors::delete_conflict("Cannot delete entity, must delete policies first.");
  }
  if (!e.attached.empty()) {
    return errors::delete_conflict("Cannot delete entity, must detach all policies first.");
  }
  return std::nullopt;
}
}  // namespace

Result<Ok> Backend::delete_user(const std::string& name) {
  auto u = user(name);
  if (!u.ok()) return u.error();
  if (!u.value()->groups.empty()) {
    return errors::delete_conflict("Cannot delete entity, must remove users from group first.");
  }
  if (auto c = delete_conflict(*u.value())) return *c;
  if (u.value()->boundary) find_policy(*u.value()->boundary)->boundary_uses--;
  users_.erase(lower(name));
  return Ok{};
}

Result<Ok> Backend::delete_group(const std::string& name) {
  auto g = group(name);
  if (!g.ok()) return g.error();
  if (!g.value()->users.empty()) {
    return errors::delete_conflict("Cannot delete entity, must remove users from group first.");
  }
  if (auto c = delete_conflict(*g.value())) return *c;
  groups_.erase(lower(name));
  return Ok{};
}

Result<Ok> Backend::delete_role(const std::string& name) {
  auto r = role(name);
  if (!r.ok()) return r.error();
  for (const auto& [k, p] : profiles_) {
    if (p.role == lower(name)) {
      return errors::delete_conflict(
          "Cannot delete entity, must remove roles from instance profile first.");
    }
  }
  if (auto c = delete_conflict(*r.value())) return *c;
  if (r.value()->boundary) find_policy(*r.value()->boundary)->boundary_uses--;
  roles_.erase(lower(name));
  return Ok{};
}

Result<Ok> Backend::add_user_to_group(const std::string& group_name, const std::string& user_name) {
  auto g = group(group_name);
  if (!g.ok()) return g.error();
  auto u = user(user_name);
  if (!u.ok()) return u.error();
  User& user = users_.at(lower(user_name));
  Group& grp = groups_.at(lower(group_name));
  if (std::find(user.groups.begin(), user.groups.end(), lower(group_name)) != user.groups.end()) {
    return Ok{};
  }
  if (user.groups.size() >= kGroupsPerUser) {
    return errors::limit_exceeded(
        fmt::format("Cannot exceed quota for GroupsPerUser: {}", kGroupsPerUser));
  }
  user.groups.push_back(lower(group_name));
  grp.users.push_back(lower(user_name));
  return Ok{};
}

Result<Ok> Backend::remove_user_from_group(const std::string& group_name,
                                           const std::string& user_name) {
  auto g = group(group_name);
  if (!g.ok()) return g.error();
  auto u = user(user_name);
  if (!u.ok()) return u.error();
  User& user = users_.at(lower(user_name));
  Group& grp = groups_.at(lower(group_name));
  auto it = std::find(user.groups.begin(), user.groups.end(), lower(group_name));
  if (it == user.groups.end()) {
    return errors::no_such_entity(fmt::format("User {} is not in group {}.", user.name, grp.name));
  }
  user.groups.erase(it);
  grp.users.erase(std::find(grp.users.begin(), grp.users.end(), lower(user_name)));
  return Ok{};
}

Result<std::vector<const Group*>> Backend::groups_for_user(const std::string& name) const {
  auto u = user(name);
  if (!u.ok()) return u.error();
  std::vector<const Group*> out;
  for (const auto& key : u.value()->groups) out.push_back(&groups_.at(key));
  return out;
}

std::vector<const User*> Backend::members(const Group& g) const {
  std::vector<const User*> out;
  for (const auto& key : g.users) out.push_back(&users_.at(key));
  return out;
}

Result<Ok> Backend::update_assume_role_policy(const std::string& name,
                                              const std::string& document) {
  auto r = role(name);
  if (!r.ok()) return r.error();
  auto trust = check_document(document, PolicyKind::Trust, false);
  if (!trust.ok()) return trust.error();
  Role& role = roles_.at(lower(name));
  role.trust_document = document;
  role.trust = std::move(trust).value();
  return Ok{};
}

Result<Ok> Backend::update_role(const std::string& name, std::optional<std::string> description,
                                std::optional<int> max_session_duration) {
  auto r = role(name);
  if (!r.ok()) return r.error();
  Role& role = roles_.at(lower(name));
  if (description) role.description = *description;
  if (max_session_duration) role.max_session_duration = *max_session_duration;
  return Ok{};
}

Result<Ok> Backend::tag(EntityKind kind, const std::string& name, const std::vector<Tag>& tags) {
  auto e = entity(kind, name);
  if (!e.ok()) return e.error();
  Entity& ent = *find(kind, name);
  for (const auto& t : tags) {
    auto it = std::find_if(ent.tags.begin(), ent.tags.end(),
                           [&](const Tag& x) { return lower(x.key) == lower(t.key); });
    if (it != ent.tags.end()) {
      it->value = t.value;
    } else {
      if (ent.tags.size() >= kTagsPerEntity) return errors::too_many_tags();
      ent.tags.push_back(t);
    }
  }
  return Ok{};
}

Result<Ok> Backend::untag(EntityKind kind, const std::string& name,
                          const std::vector<std::string>& keys) {
  auto e = entity(kind, name);
  if (!e.ok()) return e.error();
  Entity& ent = *find(kind, name);
  for (const auto& k : keys) {
    std::erase_if(ent.tags, [&](const Tag& t) { return lower(t.key) == lower(k); });
  }
  return Ok{};
}

Result<const InstanceProfile*> Backend::create_instance_profile(const NewEntity& req) {
  static const Kind kProfile{"instanceProfileName",
                             "instance-profile",
                             "AIPA",
                             "Instance Profile {} already exists.",
                             "InstanceProfilesPerAccount",
                             kProfilesPerAccount};
  auto p = make_entity<InstanceProfile>(req, profiles_, kProfile);
  if (!p.ok()) return p.error();
  return &(profiles_[lower(req.name)] = std::move(p).value());
}

}  // namespace deploysim::fake::iam
