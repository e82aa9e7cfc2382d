// The ec2 operation table: decode the request, call the backend, encode the AWS response.
#pragma once

#include "fake_services/ec2/backend.h"
#include "simulator/api/service.h"

namespace deploysim::fake::ec2 {

class Service : public api::Service {
 public:
  explicit Service(world::World& world);
  std::string_view name() const override { return "ec2"; }
  const api::OperationTable& operations() const override { return table_; }
  std::vector<api::AuthRequest> authorization(const api::Call& call) const override;
  json::value save_state(api::BlobSink&) const override { return backend_.save_state(); }
  void load_state(const json::value& state, const api::BlobSource&) override {
    backend_.load_state(state);
  }
  Backend& backend() { return backend_; }

 private:
  using R = sim::Result<json::object>;
  R run_instances(const api::Call& c);
  sim::Result<sim::Ok> check_instance_profile(RunRequest& req, const api::Principal& caller);
  R describe_instances(const api::Call& c);
  R describe_instance_status(const api::Call& c);
  R terminate_instances(const api::Call& c);
  R stop_instances(const api::Call& c);
  R start_instances(const api::Call& c);
  R reboot_instances(const api::Call& c);
  R create_tags(const api::Call& c);
  R delete_tags(const api::Call& c);
  R describe_images(const api::Call& c);
  R create_image(const api::Call& c);
  R deregister_image(const api::Call& c);
  // launch_template_ops.cc
  R create_launch_template(const api::Call& c);
  R create_launch_template_version(const api::Call& c);
  R modify_launch_template(const api::Call& c);
  R describe_launch_templates(const api::Call& c);
  R describe_launch_template_versions(const api::Call& c);
  R delete_launch_template(const api::Call& c);
  // Fills `req` from the template a RunInstances call names (its members then override).
  sim::Result<sim::Ok> apply_launch_template(const json::object& spec, RunRequest& req);

  world::World& world_;
  Backend backend_;
  api::OperationTable table_;
};

}  // namespace deploysim::fake::ec2
