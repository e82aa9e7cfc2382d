// The s3 operation table: decode the request, call the backend, encode the AWS response.
#pragma once

#include "fake_services/s3/backend.h"
#include "simulator/api/service.h"

namespace deploysim::fake::s3 {

class Service : public api::Service {
 public:
  explicit Service(world::World& world);
  std::string_view name() const override { return "s3"; }
  const api::OperationTable& operations() const override { return table_; }
  std::vector<api::AuthRequest> authorization(const api::Call& call) const override;
  json::value save_state(api::BlobSink& blobs) const override { return backend_.save_state(blobs); }
  void load_state(const json::value& state, const api::BlobSource& blobs) override {
    backend_.load_state(state, blobs);
  }
  Backend& backend() { return backend_; }

 private:
  using R = sim::Result<json::object>;
  R create_bucket(const api::Call& c);
  R delete_bucket(const api::Call& c);
  R list_buckets(const api::Call& c);
  R head_bucket(const api::Call& c);
  R put_object(const api::Call& c);
  R get_object(const api::Call& c);
  R head_object(const api::Call& c);
  R delete_object(const api::Call& c);
  R list_objects_v2(const api::Call& c);
  std::vector<api::AuthRequest> requests(const api::Call& c) const;

  world::World& world_;
  Backend backend_;
  api::OperationTable table_;
};

}  // namespace deploysim::fake::s3
