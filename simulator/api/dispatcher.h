// The one dispatcher (architecture.md): it alone assigns request IDs, checks requests against the
// operation's AWS shape, authorizes, applies armed faults, writes the journal and calls the
// handler.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "simulator/api/call.h"
#include "simulator/api/model.h"
#include "simulator/api/service.h"
#include "simulator/core/rng.h"
#include "simulator/core/scheduler.h"
#include "simulator/journal/journal.h"

namespace deploysim::api {

// Decides whether a call may proceed (IAM). The default, with none installed, allows everything.
class Authorizer {
 public:
  virtual ~Authorizer() = default;
  virtual std::optional<AwsError> authorize(const Call& call) = 0;
  // One check outside a call's own (EC2 checking iam:PassRole for the caller of RunInstances);
  // the error is in `service`'s protocol.
  virtual std::optional<AwsError> check(const Principal& principal, const AuthRequest& request,
                                        std::string_view service) = 0;
};

// Turns `as: user/NAME` / `role/NAME` into a principal (IAM installs one).
class PrincipalResolver {
 public:
  virtual ~PrincipalResolver() = default;
  virtual Result<Principal> resolve(std::string_view kind, std::string_view name) = 0;
};

// A fault armed against calls (sim.InjectFault reaches AWS calls through this).
class FaultHook {
 public:
  virtual ~FaultHook() = default;
  virtual std::optional<AwsError> before_call(const Call& call) = 0;
};

class Dispatcher {
 public:
  Dispatcher(const ModelRegistry& models, sim::Scheduler& scheduler, sim::RngStreams& rng,
             journal::Journal& journal);

  void add_service(Service& service);
  void set_authorizer(Authorizer* authorizer) { authorizer_ = authorizer; }
  void add_fault_hook(FaultHook* hook) { fault_hooks_.push_back(hook); }
  void set_principal_resolver(PrincipalResolver* r) { resolver_ = r; }

  // "root", "user/NAME" or "role/NAME" -> the principal; IAM's NoSuchEntity when there is none.
  Result<Principal> resolve_principal(std::string_view spec, const std::string& account);

  Result<Response> call(const Call& call);
  // iam:PassRole and the like: allowed when no authorizer is installed.
  std::optional<AwsError> authorize(const Principal& principal, const AuthRequest& request,
                                    std::string_view service) {
    return authorizer_ ? authorizer_->check(principal, request, service) : std::nullopt;
  }

  const ModelRegistry& models() const { return models_; }
  const Service* find_service(std::string_view name) const;
  std::vector<std::string> service_names() const;
  std::uint64_t calls() const { return calls_; }

 private:
  std::optional<AwsError> route_error(const Call& call, const Service*& service,
                                      const Operation*& op, const ServiceModel*& model) const;

  const ModelRegistry& models_;
  sim::Scheduler& scheduler_;
  sim::RngStreams& rng_;
  journal::Journal& journal_;
  std::map<std::string, Service*, std::less<>> services_;
  Authorizer* authorizer_ = nullptr;
  PrincipalResolver* resolver_ = nullptr;
  std::vector<FaultHook*> fault_hooks_;
  std::uint64_t calls_ = 0;
};

// The error AWS returns for input that does not fit the operation's shape, in the protocol's
// own code and message form (query: ValidationError, json: ValidationException, ec2: ...).
AwsError validation_error(const ServiceModel& model, const std::vector<ValidationIssue>& issues);

}  // namespace deploysim::api
