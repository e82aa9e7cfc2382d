// The autoscaling operation table: decode the request, call the backend, encode the response.
#pragma once

#include "fake_services/autoscaling/backend.h"
#include "simulator/api/service.h"

namespace deploysim::fake::autoscaling {

class Service : public api::Service {
 public:
  explicit Service(world::World& world);
  std::string_view name() const override { return "autoscaling"; }
  const api::OperationTable& operations() const override { return table_; }
  std::vector<api::AuthRequest> authorization(const api::Call& call) const override;
  json::value save_state(api::BlobSink&) const override;
  void load_state(const json::value& state, const api::BlobSource&) override;
  Backend& backend() { return backend_; }

 private:
  void add_instance_operations();

 public:
 private:
  using R = sim::Result<json::object>;
  R create_auto_scaling_group(const api::Call& c);
  R update_auto_scaling_group(const api::Call& c);
  R delete_auto_scaling_group(const api::Call& c);
  R set_desired_capacity(const api::Call& c);
  R describe_auto_scaling_groups(const api::Call& c);
  R describe_auto_scaling_instances(const api::Call& c);
  R terminate_instance_in_auto_scaling_group(const api::Call& c);
  R describe_scaling_activities(const api::Call& c);
  R put_lifecycle_hook(const api::Call& c);
  R delete_lifecycle_hook(const api::Call& c);
  R describe_lifecycle_hooks(const api::Call& c);
  R complete_lifecycle_action(const api::Call& c);
  R record_lifecycle_action_heartbeat(const api::Call& c);

  world::World& world_;
  Backend backend_;
  api::OperationTable table_;
};

}  // namespace deploysim::fake::autoscaling
