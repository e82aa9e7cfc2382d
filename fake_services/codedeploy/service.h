// The codedeploy operation table: decode the request, call the backend, encode the AWS response.
#pragma once

#include "fake_services/codedeploy/backend.h"
#include "simulator/api/service.h"

namespace deploysim::fake::codedeploy {

class Service : public api::Service {
 public:
  explicit Service(world::World& world);
  std::string_view name() const override { return "codedeploy"; }
  const api::OperationTable& operations() const override { return table_; }
  std::vector<api::AuthRequest> authorization(const api::Call& call) const override;
  Backend& backend() { return backend_; }
  json::value save_state(api::BlobSink&) const override { return backend_.save_state(); }
  void load_state(const json::value& state, const api::BlobSource&) override {
    backend_.load_state(state);
  }

 private:
  void add_entity_operations();
  void add_deployment_operations();

  world::World& world_;
  Backend backend_;
  api::OperationTable table_;
};

}  // namespace deploysim::fake::codedeploy
