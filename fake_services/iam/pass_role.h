// What a service checks when a caller hands it an instance profile (EC2's RunInstances, an Auto
// Scaling group's launch template): the profile exists, and the caller may pass its role to EC2
// (iam:PassRole with iam:PassedToService = ec2.amazonaws.com, iam.md §5).
#pragma once

#include <optional>
#include <string>

#include "simulator/api/call.h"
#include "simulator/world/world.h"

namespace deploysim::fake::iam {

struct ProfileCheck {
  bool found = true;                    // false: no such profile (or the ARN names another)
  std::string arn;                      // the profile's ARN as IAM has it
  std::optional<sim::AwsError> denied;  // iam:PassRole refused, in `service`'s protocol
};

// `arn` or `name` as the request gave them. Without the iam service everything passes.
ProfileCheck check_instance_profile(world::World& world, const api::Principal& caller,
                                    const std::string& arn, const std::string& name,
                                    std::string_view service);

}  // namespace deploysim::fake::iam
