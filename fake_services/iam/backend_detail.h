// What the IAM backend's files share (backend.cc, policies.cc, profiles.cc); not for others.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fake_services/iam/model.h"

namespace deploysim::fake::iam::detail {

inline constexpr std::size_t kManagedPerEntity = 10;
inline constexpr std::size_t kGroupsPerUser = 10;
inline constexpr std::size_t kVersionsPerPolicy = 5;
inline constexpr std::size_t kUsersPerAccount = 5000;
inline constexpr std::size_t kRolesPerAccount = 1000;
inline constexpr std::size_t kProfilesPerAccount = 1000;
inline constexpr std::size_t kTagsPerEntity = 50;

// What differs between users, groups and roles where IAM treats them alike.
struct KindTraits {
  std::string_view name;          // "user" (messages)
  std::size_t inline_limit;       // bytes of inline policy, all together
  std::string_view attach_quota;  // "PoliciesPerUser"
};

inline const KindTraits& traits(EntityKind k) {
  static const KindTraits kTraits[] = {{"user", 2048, "PoliciesPerUser"},
                                       {"group", 5120, "PoliciesPerGroup"},
                                       {"role", 10240, "PoliciesPerRole"}};
  return kTraits[static_cast<int>(k)];
}

inline bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' || c == '=' ||
         c == ',' || c == '.' || c == '@' || c == '-';
}

template <class M>
auto sorted_by_name(const M& map, const std::string& prefix) {
  std::vector<const typename M::mapped_type*> out;
  for (const auto& [k, v] : map) {
    if (v.path.starts_with(prefix)) out.push_back(&v);
  }
  return out;
}

}  // namespace deploysim::fake::iam::detail
