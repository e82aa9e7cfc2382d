// IAM's state and semantics: entities with AWS's name rules, quotas and conflicts, and the
// policies that apply to a principal (what the authorizer evaluates).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "fake_services/iam/evaluator.h"
#include "fake_services/iam/model.h"
#include "simulator/api/call.h"
#include "simulator/world/world.h"

namespace deploysim::fake::iam {

template <class T>
using Result = sim::Result<T>;
using sim::Ok;

struct NewEntity {
  std::string name;
  std::string path = "/";
  std::vector<Tag> tags;
};

struct NewRole : NewEntity {
  std::string trust_document;
  std::string description;
  std::optional<int> max_session_duration;
};

struct NewPolicy : NewEntity {
  std::string document;
  std::string description;
};

class Backend {
 public:
  explicit Backend(world::World& world);

  // Users, groups and roles.
  Result<const User*> create_user(const NewEntity& req);
  Result<const Group*> create_group(const NewEntity& req);
  Result<const Role*> create_role(const NewRole& req);
  Result<const User*> user(const std::string& name) const;
  Result<const Group*> group(const std::string& name) const;
  Result<const Role*> role(const std::string& name) const;
  std::vector<const User*> users(const std::string& path_prefix) const;
  std::vector<const Group*> groups(const std::string& path_prefix) const;
  std::vector<const Role*> roles(const std::string& path_prefix) const;
  Result<Ok> delete_user(const std::string& name);
  Result<Ok> delete_group(const std::string& name);
  Result<Ok> delete_role(const std::string& name);
  Result<Ok> add_user_to_group(const std::string& group, const std::string& user);
  Result<Ok> remove_user_from_group(const std::string& group, const std::string& user);
  Result<std::vector<const Group*>> groups_for_user(const std::string& user) const;
  std::vector<const User*> members(const Group& group) const;
  Result<Ok> update_assume_role_policy(const std::string& role, const std::string& document);
  Result<Ok> update_role(const std::string& role, std::optional<std::string> description,
                         std::optional<int> max_session_duration);
  Result<Ok> tag(EntityKind kind, const std::string& name, const std::vector<Tag>& tags);
  Result<Ok> untag(EntityKind kind, const std::string& name, const std::vector<std::string>& keys);

  // Inline policies, attachments and boundaries, for any entity kind.
  Result<const Entity*> entity(EntityKind kind, const std::string& name) const;
  Result<Ok> put_inline(EntityKind kind, const std::string& entity, const std::string& name,
                        const std::string& document);
  Result<const InlinePolicy*> inline_policy(EntityKind kind, const std::string& entity,
                                            const std::string& name) const;
  Result<Ok> delete_inline(EntityKind kind, const std::string& entity, const std::string& name);
  Result<Ok> attach(EntityKind kind, const std::string& entity, const std::string& policy_arn);
  Result<Ok> detach(EntityKind kind, const std::string& entity, const std::string& policy_arn);
  Result<Ok> put_boundary(EntityKind kind, const std::string& entity,
                          const std::string& policy_arn);
  Result<Ok> delete_boundary(EntityKind kind, const std::string& entity);

  // Managed policies.
  Result<const ManagedPolicy*> create_policy(const NewPolicy& req);
  Result<const ManagedPolicy*> policy(const std::string& arn) const;
  // scope: All | AWS | Local; only_attached; path prefix.
  std::vector<const ManagedPolicy*> policies(const std::string& scope, bool only_attached,
                                             const std::string& path_prefix) const;
  Result<Ok> delete_policy(const std::string& arn);
  Result<const PolicyVersion*> create_policy_version(const std::string& arn,
                                                     const std::string& document,
                                                     bool set_as_default);
  Result<const PolicyVersion*> policy_version(const std::string& arn,
                                              const std::string& version) const;
  Result<Ok> delete_policy_version(const std::string& arn, const std::string& version);
  Result<Ok> set_default_policy_version(const std::string& arn, const std::string& version);

  // Instance profiles.
  Result<const InstanceProfile*> create_instance_profile(const NewEntity& req);
  Result<const InstanceProfile*> instance_profile(const std::string& name) const;
  std::vector<const InstanceProfile*> instance_profiles(const std::string& path_prefix) const;
  Result<std::vector<const InstanceProfile*>> instance_profiles_for_role(
      const std::string& role) const;
  Result<Ok> delete_instance_profile(const std::string& name);
  Result<Ok> add_role_to_instance_profile(const std::string& profile, const std::string& role);
  Result<Ok> remove_role_from_instance_profile(const std::string& profile, const std::string& role);

  // Evaluation inputs. Identity policies and the boundary of a user or a role.
  std::vector<PolicySource> policies_of(const api::Principal& principal) const;
  RequestPrincipal request_principal(const api::Principal& principal) const;
  // aws:username, aws:userid, aws:PrincipalArn, aws:PrincipalTag/..., aws:CurrentTime, ...
  void add_principal_context(const api::Principal& principal, ContextKeys& context) const;
  // A role-session principal for role `name` (as: role/NAME, sts:AssumeRole, instance roles).
  Result<api::Principal> role_session(const std::string& name, const std::string& session) const;
  Result<api::Principal> user_principal(const std::string& name) const;
  // Temporary credentials from sts:AssumeRole, by access key ID (for `serve`'s signed requests).
  void remember_session(const std::string& access_key, api::Principal principal,
                        sim::SimTime expires);
  const api::Principal* session_for_key(const std::string& access_key) const;

  // Policy documents checked the way the API checks them (MalformedPolicyDocument, sizes).
  Result<Policy> check_document(const std::string& document, PolicyKind kind, bool managed) const;

  // --state (state.cc).
  json::value save_state() const;
  void load_state(const json::value& state);

  const std::string& account() const { return world_.config().account; }
  std::string arn(std::string_view type, const std::string& path, const std::string& name) const;

 private:
  struct Kind;
  template <class T, class M>
  Result<T> make_entity(const NewEntity& req, const M& existing, const Kind& k) const;
  Entity* find(EntityKind kind, const std::string& name);
  Result<Entity*> policy_target(EntityKind kind, const std::string& name,
                                const std::string& policy_arn);
  const Entity* find(EntityKind kind, const std::string& name) const;
  ManagedPolicy* find_policy(const std::string& arn);
  Result<Ok> check_name(std::string_view member, const std::string& name) const;
  Result<Ok> check_path(const std::string& path) const;
  Result<Ok> check_trust_principals(const Policy& trust) const;
  std::size_t inline_size(const Entity& e) const;
  void install_aws_managed();

  world::World& world_;
  std::map<std::string, User> users_;
  std::map<std::string, Group> groups_;
  std::map<std::string, Role> roles_;
  std::map<std::string, ManagedPolicy> policies_;  // by ARN
  std::map<std::string, InstanceProfile> profiles_;
  struct Session {
    api::Principal principal;
    sim::SimTime expires{};
  };
  std::map<std::string, Session> sessions_;
};

std::string lower(std::string_view s);

}  // namespace deploysim::fake::iam
