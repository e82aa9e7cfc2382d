// sim: what happens outside the AWS APIs (scenario-format.md, "sim").
#pragma once

#include "fake_services/ec2/backend.h"
#include "simulator/api/service.h"
#include "simulator/world/world.h"

namespace deploysim::fake::sim_service {

class Service : public api::Service {
 public:
  explicit Service(world::World& world);
  std::string_view name() const override { return "sim"; }
  const api::OperationTable& operations() const override { return table_; }
  // The harness is not AWS: IAM does not decide its calls.
  std::vector<api::AuthRequest> authorization(const api::Call&) const override { return {}; }
  json::value save_state(api::BlobSink& blobs) const override;
  void load_state(const json::value& state, const api::BlobSource& blobs) override;
  // A registered repository's commit as a tar archive (what the agent downloads).
  sim::Result<std::string> github_archive(const std::string& repository,
                                          const std::string& commit) const;

 private:
  sim::Result<json::object> put_revision(const api::Call& c);
  sim::Result<json::object> describe_journal(const api::Call& c);
  sim::Result<json::object> install_agent(const api::Call& c);
  sim::Result<json::object> stop_agent(const api::Call& c);
  sim::Result<json::object> start_agent(const api::Call& c);
  sim::Result<json::object> put_file(const api::Call& c);
  sim::Result<json::object> get_file(const api::Call& c);
  sim::Result<json::object> register_github_repository(const api::Call& c);
  sim::Result<json::object> inject_fault(const api::Call& c);
  json::array save_faults() const;
  void load_faults(const json::array& saved);
  ec2::Backend& ec2();
  world::World& world_;
  api::OperationTable table_;
  std::map<std::string, std::filesystem::path> github_;  // owner/name -> local repository
};

}  // namespace deploysim::fake::sim_service
