// sts: GetCallerIdentity answers for the calling principal (never denied, as in AWS);
// AssumeRole makes role sessions, decided by the role's trust policy (iam.md §1.1).
#pragma once

#include "simulator/api/service.h"
#include "simulator/world/world.h"

namespace deploysim::fake::sts {

class Service : public api::Service {
 public:
  explicit Service(world::World& world);
  std::string_view name() const override { return "sts"; }
  const api::OperationTable& operations() const override { return table_; }
  std::vector<api::AuthRequest> authorization(const api::Call& call) const override;

 private:
  sim::Result<json::object> get_caller_identity(const api::Call& c);
  sim::Result<json::object> assume_role(const api::Call& c);
  world::World& world_;
  api::OperationTable table_;
};

}  // namespace deploysim::fake::sts
