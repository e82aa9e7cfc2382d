// EC2's error codes and message texts.
#pragma once

#include <fmt/format.h>

#include <string>
#include <vector>

#include "simulator/core/aws_error.h"

namespace deploysim::fake::ec2::errors {

using sim::AwsError;

inline AwsError instance_not_found(const std::vector<std::string>& ids) {
  if (ids.size() == 1) {
    return {"InvalidInstanceID.NotFound",
            fmt::format("The instance ID '{}' does not exist", ids[0]), 400};
  }
  return {"InvalidInstanceID.NotFound",
          fmt::format("The instance IDs '{}' do not exist", fmt::join(ids, ", ")), 400};
}
inline AwsError instance_malformed(const std::string& id) {
  return {"InvalidInstanceID.Malformed", fmt::format("Invalid id: \"{}\"", id), 400};
}
inline AwsError image_not_found(const std::string& id) {
  return {"InvalidAMIID.NotFound", fmt::format("The image id '[{}]' does not exist", id), 400};
}
inline AwsError image_malformed(const std::string& id) {
  return {"InvalidAMIID.Malformed", fmt::format("Invalid id: \"{}\" (expecting \"ami-...\")", id),
          400};
}
inline AwsError image_unavailable(const std::string& id, const std::string& state) {
  return {"InvalidAMIID.Unavailable",
          fmt::format("Image {} is not available: its state is {}", id, state), 400};
}
inline AwsError incorrect_state(const std::string& id, const std::string& action) {
  return {"IncorrectInstanceState",
          fmt::format("The instance '{}' is not in a state from which it can be {}.", id, action),
          400};
}
inline AwsError invalid_value(const std::string& value, const std::string& parameter,
                              const std::string& why) {
  return {"InvalidParameterValue",
          fmt::format("Value ({}) for parameter {} is invalid. {}", value, parameter, why), 400};
}
inline AwsError invalid_zone(const std::string& zone) {
  return {"InvalidParameterValue", fmt::format("Invalid availability zone: [{}]", zone), 400};
}
inline AwsError missing(const std::string& parameter) {
  return {"MissingParameter", fmt::format("The request must contain the parameter {}", parameter),
          400};
}
inline AwsError duplicate_image_name(const std::string& name) {
  return {"InvalidAMIName.Duplicate",
          fmt::format("AMI name {} is already in use by AMI ami-...", name), 400};
}

}  // namespace deploysim::fake::ec2::errors
