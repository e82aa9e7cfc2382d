// IAM's error codes and message texts (query protocol), as AWS sends them.
#pragma once

#include <fmt/format.h>

#include <string>

#include "simulator/core/aws_error.h"

namespace deploysim::fake::iam::errors {

using sim::AwsError;

inline AwsError no_such_entity(std::string message) {
  return {"NoSuchEntity", std::move(message), 404};
}
inline AwsError already_exists(std::string message) {
  return {"EntityAlreadyExists", std::move(message), 409};
}
inline AwsError delete_conflict(std::string message) {
  return {"DeleteConflict", std::move(message), 409};
}
inline AwsError limit_exceeded(std::string message) {
  return {"LimitExceeded", std::move(message), 409};
}
inline AwsError malformed(std::string message) {
  return {"MalformedPolicyDocument", std::move(message), 400};
}
inline AwsError invalid_input(std::string message) {
  return {"InvalidInput", std::move(message), 400};
}
inline AwsError validation(std::string message) {
  return {"ValidationError", std::move(message), 400};
}
inline AwsError too_many_tags() {
  return {"LimitExceeded", "Cannot exceed quota for TagsPerEntity: 50", 409};
}
// AWS managed policies belong to AWS: no account may change or delete them.
inline AwsError aws_managed_unmodifiable(const std::string& arn) {
  return {"InvalidInput",
          fmt::format("Policy {} is an AWS managed policy and cannot be changed.", arn), 400};
}

}  // namespace deploysim::fake::iam::errors
