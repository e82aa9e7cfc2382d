// The iam operation table, and IAM's place in the dispatcher: it installs the authorizer that
// decides every call and resolves `as: user/NAME` / `role/NAME`.
#pragma once

#include "fake_services/iam/authorizer.h"
#include "fake_services/iam/backend.h"
#include "simulator/api/service.h"

namespace deploysim::fake::iam {

class Service : public api::Service {
 public:
  explicit Service(world::World& world);
  ~Service() override;
  std::string_view name() const override { return "iam"; }
  const api::OperationTable& operations() const override { return table_; }
  std::vector<api::AuthRequest> authorization(const api::Call& call) const override;
  json::value save_state(api::BlobSink&) const override { return backend_.save_state(); }
  void load_state(const json::value& state, const api::BlobSource&) override {
    backend_.load_state(state);
  }
  Backend& backend() { return backend_; }
  const Backend& backend() const { return backend_; }

 private:
  using R = sim::Result<json::object>;
  void add_entity_ops(EntityKind kind);
  R simulate(const api::Call& c, bool principal);

  world::World& world_;
  Backend backend_;
  Authorizer authorizer_;
  api::OperationTable table_;
};

}  // namespace deploysim::fake::iam
