#include "fake_services/sim/service.h"

#include <fmt/format.h>

#include "fake_services/ec2/service.h"
#include "fake_services/sim/pack.h"

#include <fstream>
#include <sstream>

#include "simulator/api/params.h"

namespace deploysim::fake::sim_service {
namespace {

using namespace api::params;
}  // namespace

Service::Service(world::World& world) : world_(world) {
  table_.add("PutRevision", this, &Service::put_revision);
  table_.add("DescribeJournal", this, &Service::describe_journal);
  table_.add("InstallAgent", this, &Service::install_agent);
  table_.add("StopAgent", this, &Service::stop_agent);
  table_.add("StartAgent", this, &Service::start_agent);
  table_.add("PutFile", this, &Service::put_file);
  table_.add("GetFile", this, &Service::get_file);
  table_.add("RegisterGitHubRepository", this, &Service::register_github_repository);
  table_.add("InjectFault", this, &Service::inject_fault);
}

// sim acts on instances as a person at the instance would: directly, not through an AWS API.
ec2::Backend& Service::ec2() {
  auto* svc = dynamic_cast<ec2::Service*>(world_.service("ec2"));
  if (!svc) throw std::logic_error("sim needs the ec2 service");
  return svc->backend();
}

sim::Result<json::object> Service::install_agent(const api::Call& c) {
  auto r = ec2().install_agent(str(c.params, "InstanceId"));
  if (!r.ok()) return r.error();
  return json::object{};
}

sim::Result<json::object> Service::stop_agent(const api::Call& c) {
  auto r = ec2().set_agent_running(str(c.params, "InstanceId"), false);
  if (!r.ok()) return r.error();
  return json::object{};
}

sim::Result<json::object> Service::start_agent(const api::Call& c) {
  auto r = ec2().set_agent_running(str(c.params, "InstanceId"), true);
  if (!r.ok()) return r.error();
  return json::object{};
}

namespace {
// An absolute path inside the instance, with no way out of it.
std::optional<std::filesystem::path> inside(const std::string& path) {
  std::filesystem::path p(path);
  if (!p.is_absolute()) return std::nullopt;
  std::filesystem::path rel = p.relative_path().lexically_normal();
  if (rel.empty() || *rel.begin() == "..") return std::nullopt;
  return rel;
}
sim::AwsError bad_path(const std::string& path) {
  return {"ValidationException",
          fmt::format("Path '{}' must be an absolute path inside the instance", path), 400};
}
}  // namespace

sim::Result<json::object> Service::put_file(const api::Call& c) {
  auto rel = inside(str(c.params, "Path"));
  if (!rel) return bad_path(str(c.params, "Path"));
  std::string mode_text = str(c.params, "Mode");
  unsigned mode = 0644;
  if (!mode_text.empty()) {
    if (mode_text.size() > 4 || mode_text.find_first_not_of("01234567") != std::string::npos) {
      return sim::AwsError{
          "ValidationException",
          fmt::format("Mode '{}' must be an octal string such as \"0644\"", mode_text), 400};
    }
    mode = static_cast<unsigned>(std::stoul(mode_text, nullptr, 8));
  }
  auto root = ec2().instance_root(str(c.params, "InstanceId"));
  if (!root.ok()) return root.error();
  std::filesystem::path file = root.value() / *rel;
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary | std::ios::trunc) << str(c.params, "Content");
  std::filesystem::permissions(file, static_cast<std::filesystem::perms>(mode));
  world_.record("instance", str(c.params, "InstanceId"),
                fmt::format("file written: {}", str(c.params, "Path")));
  return json::object{};
}

sim::Result<json::object> Service::get_file(const api::Call& c) {
  auto rel = inside(str(c.params, "Path"));
  if (!rel) return bad_path(str(c.params, "Path"));
  auto root = ec2().instance_root(str(c.params, "InstanceId"));
  if (!root.ok()) return root.error();
  std::filesystem::path file = root.value() / *rel;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return json::object{{"Exists", false}};
  std::ifstream in(file, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  auto perms = static_cast<unsigned>(std::filesystem::status(file).permissions()) & 07777;
  return json::object{
      {"Exists", true}, {"Content", buf.str()}, {"Mode", fmt::format("{:04o}", perms)}};
}

sim::Result<json::object> Service::put_revision(const api::Call& c) {
  std::filesystem::path source = str(c.params, "Source");
  if (source.is_relative()) source = std::filesystem::path(c.base_dir) / source;
  std::string bundle_type = str(c.params, "BundleType");
  auto packed = pack_folder(source, bundle_type, world_.now());
  if (!packed.ok()) return packed.error();
  std::size_t size = packed->bytes.size();
  // The upload is an ordinary S3 call by the same principal: authorized, journaled, faultable.
  api::Call put{"s3",
                "PutObject",
                {{"Bucket", str(c.params, "Bucket")},
                 {"Key", str(c.params, "Key")},
                 {"Body", json::string(std::move(packed->bytes))}},
                c.principal,
                c.base_dir};
  auto uploaded = world_.dispatcher().call(put);
  if (!uploaded.ok()) return uploaded.error();
  return json::object{{"Bucket", str(c.params, "Bucket")},
                      {"Key", str(c.params, "Key")},
                      {"BundleType", bundle_type},
                      {"ETag", uploaded->body.at("ETag")},
                      {"Size", size},
                      {"Files", packed->files}};
}

sim::Result<json::object> Service::describe_journal(const api::Call& c) {
  std::string filter = str(c.params, "Filter");
  std::string kind = str(c.params, "Kind");
  json::array events;
  for (const auto& e : world_.journal().entries()) {
    if (!kind.empty() && e.kind != kind) continue;
    if (!filter.empty() && e.subject.find(filter) == std::string::npos &&
        e.message.find(filter) == std::string::npos && e.kind.find(filter) == std::string::npos) {
      continue;
    }
    events.push_back(json::object{{"Seq", e.seq},
                                  {"Time", sim::format_iso8601(e.time)},
                                  {"Kind", e.kind},
                                  {"Subject", e.subject},
                                  {"Message", e.message}});
  }
  return json::object{{"Events", std::move(events)}};
}

}  // namespace deploysim::fake::sim_service
