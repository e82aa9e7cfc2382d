// IAM's entities as plain data: users, groups, roles, managed policies with versions and
// instance profiles. Names are unique without regard to case, so maps are keyed by the
// lower-cased name and each entity keeps its name as written.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fake_services/iam/policy.h"
#include "simulator/core/sim_time.h"

namespace deploysim::fake::iam {

enum class EntityKind { User, Group, Role };

struct Tag {
  std::string key, value;
};

struct InlinePolicy {
  std::string name;
  std::string document;
  Policy parsed;
};

// What users, groups and roles share.
struct Entity {
  std::string name, path, id, arn;
  sim::SimTime created{};
  std::map<std::string, InlinePolicy> inline_policies;  // by name, as written
  std::vector<std::string> attached;                    // managed policy ARNs, attach order
  std::optional<std::string> boundary;                  // users and roles only
  std::vector<Tag> tags;
};

struct User : Entity {
  std::vector<std::string> groups;  // lower-cased group keys, join order
};

struct Group : Entity {
  std::vector<std::string> users;  // lower-cased user keys, join order
};

struct Role : Entity {
  std::string trust_document;
  Policy trust;
  std::string description;
  int max_session_duration = 3600;
};

struct PolicyVersion {
  std::string id;  // "v1"
  std::string document;
  Policy parsed;
  sim::SimTime created{};
};

struct ManagedPolicy {
  std::string name, path, id, arn, description;
  bool aws_managed = false;
  std::vector<PolicyVersion> versions;
  std::string default_version;
  int next_version = 1;
  sim::SimTime created{}, updated{};
  int attachments = 0;
  int boundary_uses = 0;
  std::vector<Tag> tags;

  const PolicyVersion& current() const {
    for (const auto& v : versions) {
      if (v.id == default_version) return v;
    }
    return versions.front();
  }
};

struct InstanceProfile {
  std::string name, path, id, arn;
  sim::SimTime created{};
  std::optional<std::string> role;  // lower-cased role key: a profile holds at most one role
  std::vector<Tag> tags;
};

}  // namespace deploysim::fake::iam
