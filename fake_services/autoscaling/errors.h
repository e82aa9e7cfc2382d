// Auto Scaling's error codes and texts. Most failures are the unmodelled ValidationError.
#pragma once

#include <fmt/format.h>

#include "fake_services/autoscaling/model.h"
#include "simulator/core/aws_error.h"

namespace deploysim::fake::autoscaling::errors {

using sim::AwsError;

inline AwsError limit_exceeded(std::string message) {
  return {"LimitExceeded", std::move(message), 400};
}
inline AwsError not_in_group(const std::string& instance, const std::string& group) {
  return {"ValidationError",
          fmt::format("The instance {} is not part of Auto Scaling group {}.", instance, group),
          400};
}
// Attach, detach and standby requests that would leave the group outside its sizes.
inline AwsError sizes(const Group& g, const std::string& what) {
  return {"ValidationError",
          fmt::format("AutoScalingGroup {} has min-size={}, max-size={}, and desired-size={}. To "
                      "{}, please update the AutoScalingGroup sizes appropriately.",
                      g.name, g.min, g.max, g.desired, what),
          400};
}
inline AwsError validation(std::string message) {
  return {"ValidationError", std::move(message), 400};
}
inline AwsError group_not_found(const std::string& name) {
  return validation(
      fmt::format("AutoScalingGroup name not found - AutoScalingGroup {} not found", name));
}
inline AwsError group_exists(const std::string& name) {
  return {"AlreadyExists",
          fmt::format("AutoScalingGroup by this name already exists - A group with the name {} "
                      "already exists",
                      name),
          400};
}
inline AwsError desired_out_of_range(int desired, int min, int max) {
  return validation(
      fmt::format("Desired capacity:{} must be between the specified min size:{} and max size:{}",
                  desired, min, max));
}
inline AwsError min_above_max(int min, int max) {
  return validation(
      fmt::format("Max bound, {}, must be greater than or equal to min bound, {}", max, min));
}
inline AwsError in_use(const std::string&) {
  return {"ResourceInUse",
          "You cannot delete an AutoScalingGroup while there are instances or pending Spot "
          "instance request(s) still in the group.",
          400};
}
inline AwsError no_action_for_instance(const std::string& id) {
  return validation(fmt::format("No active Lifecycle Action found with instance ID {}", id));
}
inline AwsError no_action_for_token(const std::string& token) {
  return validation(fmt::format("No active Lifecycle Action found with token {}", token));
}

}  // namespace deploysim::fake::autoscaling::errors
