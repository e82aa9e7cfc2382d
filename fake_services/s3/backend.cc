#include "fake_services/s3/backend.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "fake_services/iam/policy.h"
#include "fake_services/s3/errors.h"
#include "simulator/core/digest.h"

namespace deploysim::fake::s3 {

std::shared_ptr<const Body> Body::in_memory(std::string data) {
  auto b = std::make_shared<Body>();
  b->size_ = data.size();
  b->data_ = std::move(data);
  return b;
}

std::shared_ptr<const Body> Body::in_file(std::filesystem::path path, std::size_t size) {
  auto b = std::make_shared<Body>();
  b->file_ = std::move(path);
  b->size_ = size;
  return b;
}

std::string Body::read() const {
  if (file_.empty()) return data_;
  std::ifstream in(file_, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

bool valid_bucket_name(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) return false;
  auto alnum = [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c));
  };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!alnum(c) && c != '.' && c != '-') return false;
    if (c == '.' && i + 1 < name.size() && (name[i + 1] == '.' || name[i + 1] == '-')) return false;
    if (c == '-' && i + 1 < name.size() && name[i + 1] == '.') return false;
  }
  // Not formatted as an IP address (192.168.5.4).
  int dots = 0;
  bool digits_and_dots = true;
  for (char c : name) {
    if (c == '.')
      ++dots;
    else if (!std::isdigit(static_cast<unsigned char>(c)))
      digits_and_dots = false;
  }
  if (digits_and_dots && dots == 3) return false;
  return name.rfind("xn--", 0) != 0 && !name.ends_with("-s3alias");
}

Result<std::string> Backend::create_bucket(const std::string& name,
                                           const std::optional<std::string>& constraint) {
  if (!valid_bucket_name(name)) return errors::invalid_bucket_name();
  const std::string& region = world_.config().region;
  // us-east-1 takes no constraint (and refuses its own name); other regions need their own.
  if (region == "us-east-1") {
    if (constraint && !constraint->empty()) {
      return *constraint == "us-east-1" ? errors::invalid_location_constraint()
                                        : errors::illegal_location_constraint(*constraint);
    }
  } else if (!constraint || *constraint != region) {
    return errors::illegal_location_constraint(constraint.value_or(""));
  }
  if (buckets_.count(name)) {
    // In us-east-1 S3 answers 200 to the owner re-creating a bucket (legacy behaviour).
    if (region != "us-east-1") return errors::already_owned();
  } else {
    buckets_.emplace(name, Bucket{name, region, world_.now(), {}});
    world_.record("s3", name, "bucket created");
  }
  if (region == "us-east-1") return "/" + name;
  return fmt::format("http://{}.s3.amazonaws.com/", name);
}

Result<sim::Ok> Backend::delete_bucket(const std::string& name) {
  auto it = buckets_.find(name);
  if (it == buckets_.end()) return errors::no_such_bucket();
  if (!it->second.objects.empty()) return errors::not_empty();
  buckets_.erase(it);
  world_.record("s3", name, "bucket deleted");
  return sim::Ok{};
}

std::vector<const Bucket*> Backend::list_buckets() const {
  std::vector<const Bucket*> out;
  for (const auto& kv : buckets_) out.push_back(&kv.second);
  return out;
}

Result<const Bucket*> Backend::find_bucket(const std::string& name) const {
  auto it = buckets_.find(name);
  if (it == buckets_.end()) return errors::no_such_bucket();
  return &it->second;
}

std::shared_ptr<const Body> Backend::store_body(std::string data, const std::string& md5) {
  if (data.size() < kFileBackedBytes) return Body::in_memory(std::move(data));
  std::filesystem::path dir = world_.scratch_dir() / "s3";
  std::filesystem::create_directories(dir);
  std::filesystem::path file = dir / md5;
  if (!std::filesystem::exists(file)) {
    std::ofstream out(file, std::ios::binary);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
  }
  return Body::in_file(file, data.size());
}

Result<const Object*> Backend::put_object(PutRequest req) {
  auto it = buckets_.find(req.bucket);
  if (it == buckets_.end()) return errors::no_such_bucket();
  if (req.key.empty() || req.key.size() > 1024) {
    return errors::invalid_argument("Object key must be 1 to 1024 bytes long");
  }
  Object obj;
  obj.key = req.key;
  obj.md5 = sim::md5_hex(req.data);
  std::size_t size = req.data.size();
  obj.body = store_body(std::move(req.data), obj.md5);
  obj.last_modified = world_.now();
  if (req.content_type) obj.content_type = *req.content_type;
  obj.metadata = std::move(req.metadata);
  world_.record("s3", fmt::format("s3://{}/{}", req.bucket, req.key),
                fmt::format("object written ({} bytes, ETag {})", size, obj.etag()));
  auto& slot = it->second.objects[req.key];
  slot = std::move(obj);
  return &slot;
}

Result<const Object*> Backend::get_object(const std::string& bucket, const std::string& key) const {
  auto b = buckets_.find(bucket);
  if (b == buckets_.end()) return errors::no_such_bucket();
  auto o = b->second.objects.find(key);
  if (o == b->second.objects.end()) return errors::no_such_key();
  return &o->second;
}

Result<sim::Ok> Backend::delete_object(const std::string& bucket, const std::string& key) {
  auto b = buckets_.find(bucket);
  if (b == buckets_.end()) return errors::no_such_bucket();
  // Deleting a key that does not exist succeeds, as in S3.
  if (b->second.objects.erase(key)) {
    world_.record("s3", fmt::format("s3://{}/{}", bucket, key), "object deleted");
  }
  return sim::Ok{};
}

Result<ListPage> Backend::list_objects_v2(const ListRequest& req) const {
  auto b = buckets_.find(req.bucket);
  if (b == buckets_.end()) return errors::no_such_bucket();
  if (req.max_keys < 0) return errors::invalid_argument("maxKeys should be non-negative");
  std::string after = req.start_after;
  if (req.continuation_token) {
    auto decoded = sim::base64_decode(*req.continuation_token);
    if (!decoded || decoded->rfind("k:", 0) != 0) return errors::invalid_continuation_token();
    after = decoded->substr(2);
  }
  ListPage page;
  std::string last_prefix;
  std::string last_returned;
  int count = 0;
  const auto& objects = b->second.objects;
  for (auto it = after.empty() ? objects.begin() : objects.upper_bound(after); it != objects.end();
       ++it) {
    const std::string& key = it->first;
    if (key.compare(0, req.prefix.size(), req.prefix) != 0) continue;
    std::string common;
    if (!req.delimiter.empty()) {
      std::size_t d = key.find(req.delimiter, req.prefix.size());
      if (d != std::string::npos) common = key.substr(0, d + req.delimiter.size());
    }
    if (!common.empty() && common == last_prefix) continue;
    if (count == req.max_keys) {
      page.truncated = true;
      break;
    }
    if (!common.empty()) {
      page.common_prefixes.push_back(common);
      last_prefix = common;
      // Resume after every key under this prefix.
      last_returned = common + std::string(1, '\xff');
    } else {
      page.contents.push_back(&it->second);
      last_returned = key;
    }
    ++count;
  }
  if (page.truncated) page.next_token = sim::base64_encode("k:" + last_returned);
  return page;
}

Result<sim::Ok> Backend::put_bucket_policy(const std::string& name, const std::string& policy) {
  auto it = buckets_.find(name);
  if (it == buckets_.end()) return errors::no_such_bucket();
  auto parsed = iam::parse_policy(policy, {iam::PolicyKind::Resource, false});
  if (!parsed.ok()) {
    const std::string& m = parsed.error().message;
    if (m.starts_with("Missing required field")) return errors::malformed_policy(m);
    if (m == "Syntax errors in policy.") {
      return errors::malformed_policy("This policy contains invalid Json");
    }
    return errors::malformed_policy(m);
  }
  std::string own = "arn:aws:s3:::" + name;
  for (const auto& st : parsed.value().statements) {
    for (const auto& r : st.resources) {
      if (r != own && !r.starts_with(own + "/"))
        return errors::malformed_policy("Policy has invalid resource");
    }
  }
  it->second.policy = std::make_shared<const std::string>(policy);
  return sim::Ok{};
}

Result<std::string> Backend::bucket_policy(const std::string& name) const {
  auto it = buckets_.find(name);
  if (it == buckets_.end()) return errors::no_such_bucket();
  if (!it->second.policy) return errors::no_such_bucket_policy();
  return *it->second.policy;
}

Result<sim::Ok> Backend::delete_bucket_policy(const std::string& name) {
  auto it = buckets_.find(name);
  if (it == buckets_.end()) return errors::no_such_bucket();
  it->second.policy.reset();
  return sim::Ok{};
}

json::value Backend::save_state(api::BlobSink& blobs) const {
  json::array buckets;
  for (const auto& [name, bucket] : buckets_) {
    json::array objects;
    for (const auto& [key, obj] : bucket.objects) {
      std::string blob_key = "s3/" + obj.md5;
      if (!blobs.has_blob(blob_key)) blobs.put_blob(blob_key, obj.body->read());
      json::object meta;
      for (const auto& [k, v] : obj.metadata) meta[k] = v;
      objects.push_back(json::object{{"key", key},
                                     {"md5", obj.md5},
                                     {"last_modified_ms", obj.last_modified.ms()},
                                     {"content_type", obj.content_type},
                                     {"metadata", meta}});
    }
    json::object b{{"name", name},
                   {"region", bucket.region},
                   {"created_ms", bucket.created.ms()},
                   {"objects", std::move(objects)}};
    if (bucket.policy) b["policy"] = *bucket.policy;
    buckets.push_back(std::move(b));
  }
  return json::object{{"buckets", std::move(buckets)}};
}

void Backend::load_state(const json::value& state, const api::BlobSource& blobs) {
  buckets_.clear();
  for (const auto& b : state.at("buckets").as_array()) {
    Bucket bucket{std::string(b.at("name").as_string()),
                  std::string(b.at("region").as_string()),
                  sim::SimTime::from_ms(b.at("created_ms").to_number<std::int64_t>()),
                  {}};
    for (const auto& o : b.at("objects").as_array()) {
      Object obj;
      obj.key = std::string(o.at("key").as_string());
      obj.md5 = std::string(o.at("md5").as_string());
      std::string data = blobs.get_blob("s3/" + obj.md5).value_or("");
      obj.body = store_body(std::move(data), obj.md5);
      obj.last_modified = sim::SimTime::from_ms(o.at("last_modified_ms").to_number<std::int64_t>());
      obj.content_type = std::string(o.at("content_type").as_string());
      for (const auto& kv : o.at("metadata").as_object()) {
        obj.metadata[std::string(kv.key())] = std::string(kv.value().as_string());
      }
      bucket.objects.emplace(obj.key, std::move(obj));
    }
    if (auto* p = b.as_object().if_contains("policy")) {
      bucket.policy = std::make_shared<const std::string>(p->as_string());
    }
    buckets_.emplace(bucket.name, std::move(bucket));
  }
}

}  // namespace deploysim::fake::s3
