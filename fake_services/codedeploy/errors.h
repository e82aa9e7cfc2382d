// CodeDeploy's exceptions (JSON protocol: the code is the exception name) and their texts. Texts
// observed from AWS are marked; the others follow AWS's wording where it is not documented.
#pragma once

#include <fmt/format.h>

#include <string>

#include "simulator/core/aws_error.h"

namespace deploysim::fake::codedeploy::errors {

using sim::AwsError;

inline AwsError make(std::string code, std::string message) {
  return {std::move(code), std::move(message), 400};
}
// Observed: "No application found for name: my-app".
inline AwsError no_application(const std::string& name) {
  return make("ApplicationDoesNotExistException", "No application found for name: " + name);
}
inline AwsError application_exists(const std::string& name) {
  return make("ApplicationAlreadyExistsException",
              fmt::format("Application {} already exists", name));
}
// Observed: "No Deployment Group found for name: web".
inline AwsError no_group(const std::string& name) {
  return make("DeploymentGroupDoesNotExistException",
              "No Deployment Group found for name: " + name);
}
inline AwsError group_exists(const std::string& name) {
  return make("DeploymentGroupAlreadyExistsException",
              fmt::format("Deployment Group {} already exists", name));
}
inline AwsError no_config(const std::string& name) {
  return make("DeploymentConfigDoesNotExistException",
              "No deployment configuration found for name: " + name);
}
inline AwsError config_exists(const std::string& name) {
  return make("DeploymentConfigAlreadyExistsException",
              fmt::format("Deployment configuration {} already exists", name));
}
inline AwsError no_deployment(const std::string& id) {
  return make("DeploymentDoesNotExistException", fmt::format("Deployment {} does not exist", id));
}
inline AwsError invalid_deployment_id(const std::string& id) {
  return make("InvalidDeploymentIdException",
              fmt::format("Specified DeploymentId is not in the valid format: {}", id));
}
// Observed text (reference §1.5).
inline AwsError deployment_limit(const std::string& group, const std::string& active) {
  return make("DeploymentLimitExceededException",
              fmt::format("The Deployment Group '{}' already has an active Deployment '{}'", group,
                          active));
}
inline AwsError already_completed() {
  return make("DeploymentAlreadyCompletedException", "The deployment is already complete.");
}
// Observed: "AWS CodeDeploy does not have the permissions required to assume the role <arn>."
inline AwsError cannot_assume(const std::string& role) {
  return make("InvalidRoleException",
              fmt::format("AWS CodeDeploy does not have the permissions required to assume the "
                          "role {}.",
                          role));
}
inline AwsError role_required() {
  return make("RoleRequiredException", "Role ARN is required for deployment group creation.");
}
inline AwsError no_revision() {
  return make("RevisionDoesNotExistException",
              "The named revision does not exist with the applicable IAM user or AWS account.");
}
inline AwsError revision_required() {
  return make("RevisionRequiredException", "Revision is required.");
}
inline AwsError instance_not_in_deployment(const std::string& instance, const std::string& id) {
  return make("InstanceDoesNotExistException",
              fmt::format("Instance {} is not part of deployment {}", instance, id));
}

}  // namespace deploysim::fake::codedeploy::errors
