// The texts of a failed deployment's errorInformation, as CodeDeploy words them (reference §1.5),
// shared by in-place and blue/green deployments.
#pragma once

namespace deploysim::fake::codedeploy::messages {

inline constexpr const char* kHealthConstraints =
    "The overall deployment failed because too many individual instances failed deployment, too "
    "few healthy instances are available for deployment, or some instances in your deployment "
    "group are experiencing problems.";
inline constexpr const char* kHealthConstraintsInvalid =
    "The deployment can't start because the minimum number of healthy instances, as defined by "
    "your deployment configuration, are not available. You can reduce the required number of "
    "healthy instances by updating your deployment configuration or increase the number of "
    "instances in this deployment group.";
inline constexpr const char* kNoInstances =
    "The deployment failed because no instances were found for your deployment group. Check your "
    "deployment group settings to make sure the tags for your EC2 instances or Auto Scaling "
    "groups correctly identify the instances you want to deploy to, and then try again.";
inline constexpr const char* kAgentIssue =
    "The deployment failed because of a problem with the CodeDeploy agent. Make sure the agent is "
    "installed and running on all instances in this deployment group.";
inline constexpr const char* kRoleMissing =
    "The deployment failed because no service role exists with the service role name specified "
    "for the deployment group.";
inline constexpr const char* kRolePermissions =
    "CodeDeploy does not have the permissions required to assume a role, or the IAM role you're "
    "using does't give you permission to perform operations in an AWS service.";
inline constexpr const char* kAsgRolePermissions =
    "The service role associated with your deployment group does not have the permission "
    "required to perform operations in the following AWS service: AmazonAutoScaling";

}  // namespace deploysim::fake::codedeploy::messages
