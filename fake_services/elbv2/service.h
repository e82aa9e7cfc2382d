// The elbv2 operation table: decode the request, call the backend, encode the AWS response.
#pragma once

#include "fake_services/elbv2/backend.h"
#include "simulator/api/service.h"

namespace deploysim::fake::elbv2 {

class Service : public api::Service {
 public:
  explicit Service(world::World& world);
  std::string_view name() const override { return "elbv2"; }
  std::string_view iam_prefix() const override { return "elasticloadbalancing"; }
  const api::OperationTable& operations() const override { return table_; }
  Backend& backend() { return backend_; }

 private:
  world::World& world_;
  Backend backend_;
  api::OperationTable table_;
};

}  // namespace deploysim::fake::elbv2
