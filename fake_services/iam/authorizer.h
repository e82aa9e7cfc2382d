// IAM deciding calls: every call made with a principal other than the account's root is
// evaluated against that principal's policies (and the role trust policy for sts:AssumeRole);
// a denial is the called service's own AccessDenied error with AWS's message.
#pragma once

#include "fake_services/iam/backend.h"
#include "simulator/api/dispatcher.h"

namespace deploysim::fake::iam {

class Authorizer : public api::Authorizer, public api::PrincipalResolver {
 public:
  Authorizer(world::World& world, Backend& backend) : world_(world), backend_(backend) {}

  std::optional<sim::AwsError> authorize(const api::Call& call) override;
  std::optional<sim::AwsError> check(const api::Principal& principal,
                                     const api::AuthRequest& request,
                                     std::string_view service) override;
  // "user", "NAME" -> the user; "role", "NAME" or "NAME/SESSION" -> a session of the role
  // (session name "deploysim" unless given).
  sim::Result<api::Principal> resolve(std::string_view kind, std::string_view name) override;

  // The full evaluation, for SimulatePolicy-like callers and tests.
  Evaluation evaluate(const api::Principal& principal, const api::AuthRequest& request,
                      Request* out_request = nullptr) const;

 private:
  const Policy* resource_policy(const std::string& document) const;

  world::World& world_;
  Backend& backend_;
  // Resource policies by their text (a bucket policy is parsed once, not on every call).
  mutable std::map<std::string, Policy, std::less<>> resource_policies_;
};

// The called service's denial error: AccessDenied (query, rest-xml), AccessDeniedException
// (json), UnauthorizedOperation (ec2).
sim::AwsError access_denied(std::string_view protocol, std::string message);

}  // namespace deploysim::fake::iam
