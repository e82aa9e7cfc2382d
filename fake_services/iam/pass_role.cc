#include "fake_services/iam/pass_role.h"

#include <fmt/format.h>

#include "fake_services/iam/service.h"

namespace deploysim::fake::iam {

ProfileCheck check_instance_profile(world::World& world, const api::Principal& caller,
                                    const std::string& arn, const std::string& name,
                                    std::string_view service) {
  ProfileCheck out;
  std::string profile = arn.empty() ? name : arn.substr(arn.rfind('/') + 1);
  out.arn = !arn.empty()
                ? arn
                : fmt::format("arn:aws:iam::{}:instance-profile/{}", world.config().account, name);
  auto* iam = dynamic_cast<Service*>(world.service("iam"));
  if (!iam) return out;  // IAM is not simulated in this world
  auto found = iam->backend().instance_profile(profile);
  if (!found.ok() || (!arn.empty() && found.value()->arn != arn)) {
    out.found = false;
    return out;
  }
  out.arn = found.value()->arn;
  if (const auto& role = found.value()->role) {
    api::AuthRequest pass{"iam:PassRole",
                          iam->backend().role(*role).value()->arn,
                          {{"iam:PassedToService", {"ec2.amazonaws.com"}}}};
    out.denied = world.dispatcher().authorize(caller, pass, service);
  }
  return out;
}

}  // namespace deploysim::fake::iam
