// S3 semantics for one account: buckets, objects, listings (versioning off).
#pragma once

#include <optional>
#include <vector>

#include "fake_services/s3/model.h"
#include "simulator/api/service.h"
#include "simulator/core/aws_error.h"
#include "simulator/world/world.h"

namespace deploysim::fake::s3 {

using sim::Result;

struct PutRequest {
  std::string bucket;
  std::string key;
  std::string data;
  std::optional<std::string> content_type;
  std::map<std::string, std::string> metadata;
};

struct ListRequest {
  std::string bucket;
  std::string prefix;
  std::string delimiter;
  int max_keys = 1000;
  std::optional<std::string> continuation_token;
  std::string start_after;
};

struct ListPage {
  std::vector<const Object*> contents;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_token;
};

class Backend {
 public:
  // Objects larger than this live in a scratch file instead of memory.
  static constexpr std::size_t kFileBackedBytes = 8u << 20;

  explicit Backend(world::World& world) : world_(world) {}

  // Returns the Location AWS answers with.
  Result<std::string> create_bucket(const std::string& name,
                                    const std::optional<std::string>& location_constraint);
  Result<sim::Ok> delete_bucket(const std::string& name);
  // Bucket policies: checked as a resource-based policy of this bucket (MalformedPolicy).
  Result<sim::Ok> put_bucket_policy(const std::string& bucket, const std::string& policy);
  Result<std::string> bucket_policy(const std::string& bucket) const;
  Result<sim::Ok> delete_bucket_policy(const std::string& bucket);
  std::vector<const Bucket*> list_buckets() const;
  Result<const Bucket*> find_bucket(const std::string& name) const;
  Result<const Object*> put_object(PutRequest request);
  Result<const Object*> get_object(const std::string& bucket, const std::string& key) const;
  Result<sim::Ok> delete_object(const std::string& bucket, const std::string& key);
  Result<ListPage> list_objects_v2(const ListRequest& request) const;

  json::value save_state(api::BlobSink& blobs) const;
  void load_state(const json::value& state, const api::BlobSource& blobs);

 private:
  std::shared_ptr<const Body> store_body(std::string data, const std::string& md5);

  world::World& world_;
  std::map<std::string, Bucket> buckets_;
};

// S3's bucket naming rules (3-63 characters, lower-case letters, digits, dots and hyphens, ...).
bool valid_bucket_name(std::string_view name);

}  // namespace deploysim::fake::s3
