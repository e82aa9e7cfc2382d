// S3's error codes and message texts, as AWS sends them.
#pragma once

#include <fmt/format.h>

#include "simulator/core/aws_error.h"

namespace deploysim::fake::s3::errors {

using sim::AwsError;

inline AwsError no_such_bucket() {
  return {"NoSuchBucket", "The specified bucket does not exist", 404};
}
inline AwsError no_such_bucket_policy() {
  return {"NoSuchBucketPolicy", "The bucket policy does not exist", 404};
}
inline AwsError malformed_policy(std::string message) {
  return {"MalformedPolicy", std::move(message), 400};
}
inline AwsError no_such_key() {
  return {"NoSuchKey", "The specified key does not exist.", 404};
}
// HEAD responses carry no body, so the AWS CLI shows the status as the code.
inline AwsError head_not_found() {
  return {"404", "Not Found", 404};
}
inline AwsError already_owned() {
  return {"BucketAlreadyOwnedByYou",
          "Your previous request to create the named bucket succeeded and you already own it.",
          409};
}
inline AwsError not_empty() {
  return {"BucketNotEmpty", "The bucket you tried to delete is not empty", 409};
}
inline AwsError invalid_bucket_name() {
  return {"InvalidBucketName", "The specified bucket is not valid.", 400};
}
inline AwsError invalid_location_constraint() {
  return {"InvalidLocationConstraint", "The specified location-constraint is not valid", 400};
}
inline AwsError illegal_location_constraint(const std::string& constraint) {
  return {"IllegalLocationConstraintException",
          fmt::format("The {} location constraint is incompatible for the region specific "
                      "endpoint this request was sent to.",
                      constraint.empty() ? "unspecified" : constraint),
          400};
}
inline AwsError invalid_continuation_token() {
  return {"InvalidArgument", "The continuation token provided is incorrect", 400};
}
inline AwsError invalid_argument(const std::string& message) {
  return {"InvalidArgument", message, 400};
}

}  // namespace deploysim::fake::s3::errors
