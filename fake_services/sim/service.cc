#include "fake_services/sim/service.h"

#include <fmt/format.h>

#include "fake_services/sim/pack.h"

namespace deploysim::fake::sim_service {
namespace {
std::string str(const json::object& p, std::string_view key) {
  auto it = p.find(key);
  return it != p.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
}
}  // namespace

Service::Service(world::World& world) : world_(world) {
  table_.add("PutRevision", this, &Service::put_revision);
  table_.add("DescribeJournal", this, &Service::describe_journal);
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
