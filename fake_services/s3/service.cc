#include "fake_services/s3/service.h"

#include "fake_services/s3/errors.h"
#include "simulator/core/digest.h"

#include "simulator/api/params.h"

namespace deploysim::fake::s3 {
namespace {

using namespace api::params;

json::object object_headers(const Object& o) {
  json::object meta;
  for (const auto& [k, v] : o.metadata) meta[k] = v;
  return {{"AcceptRanges", "bytes"},         {"LastModified", sim::format_iso8601(o.last_modified)},
          {"ContentLength", o.body->size()}, {"ETag", o.etag()},
          {"ContentType", o.content_type},   {"Metadata", std::move(meta)}};
}

}  // namespace

Service::Service(world::World& world) : world_(world), backend_(world) {
  table_.add("CreateBucket", this, &Service::create_bucket);
  table_.add("DeleteBucket", this, &Service::delete_bucket);
  table_.add("ListBuckets", this, &Service::list_buckets);
  table_.add("HeadBucket", this, &Service::head_bucket);
  table_.add("PutObject", this, &Service::put_object);
  table_.add("GetObject", this, &Service::get_object);
  table_.add("HeadObject", this, &Service::head_object);
  table_.add("DeleteObject", this, &Service::delete_object);
  table_.add("ListObjectsV2", this, &Service::list_objects_v2);
  table_.add("PutBucketPolicy", [this](const api::Call& c) -> R {
    auto r = backend_.put_bucket_policy(str(c.params, "Bucket"), str(c.params, "Policy"));
    if (!r.ok()) return r.error();
    return json::object{};
  });
  table_.add("GetBucketPolicy", [this](const api::Call& c) -> R {
    auto r = backend_.bucket_policy(str(c.params, "Bucket"));
    if (!r.ok()) return r.error();
    return json::object{{"Policy", r.value()}};
  });
  table_.add("DeleteBucketPolicy", [this](const api::Call& c) -> R {
    auto r = backend_.delete_bucket_policy(str(c.params, "Bucket"));
    if (!r.ok()) return r.error();
    return json::object{};
  });
}

Service::R Service::create_bucket(const api::Call& c) {
  std::optional<std::string> constraint;
  if (auto it = c.params.find("CreateBucketConfiguration"); it != c.params.end()) {
    constraint = opt_str(it->value().as_object(), "LocationConstraint");
  }
  auto location = backend_.create_bucket(str(c.params, "Bucket"), constraint);
  if (!location.ok()) return location.error();
  return json::object{{"Location", location.value()}};
}

Service::R Service::delete_bucket(const api::Call& c) {
  auto r = backend_.delete_bucket(str(c.params, "Bucket"));
  if (!r.ok()) return r.error();
  return json::object{};
}

Service::R Service::list_buckets(const api::Call&) {
  json::array buckets;
  for (const Bucket* b : backend_.list_buckets()) {
    buckets.push_back(
        json::object{{"Name", b->name}, {"CreationDate", sim::format_iso8601(b->created)}});
  }
  // S3's canonical user ID is 64 hex digits; derive a stable one from the account.
  std::string owner_id = sim::sha256_hex("canonical-user:" + world_.config().account);
  return json::object{{"Buckets", std::move(buckets)},
                      {"Owner", json::object{{"DisplayName", "deploysim"}, {"ID", owner_id}}}};
}

Service::R Service::head_bucket(const api::Call& c) {
  if (!backend_.find_bucket(str(c.params, "Bucket")).ok()) return errors::head_not_found();
  return json::object{};
}

Service::R Service::put_object(const api::Call& c) {
  PutRequest req{str(c.params, "Bucket"),
                 str(c.params, "Key"),
                 str(c.params, "Body"),
                 opt_str(c.params, "ContentType"),
                 {}};
  if (auto it = c.params.find("Metadata"); it != c.params.end()) {
    for (const auto& kv : it->value().as_object()) {
      req.metadata[std::string(kv.key())] = std::string(kv.value().as_string());
    }
  }
  if (auto md5 = opt_str(c.params, "ContentMD5")) {
    auto raw = sim::base64_decode(*md5);
    std::string actual = sim::md5_hex(req.data);
    std::string given;
    if (raw) {
      for (unsigned char ch : *raw) given += fmt::format("{:02x}", ch);
    }
    if (!raw || raw->size() != 16) {
      return sim::AwsError{"InvalidDigest", "The Content-MD5 you specified was invalid.", 400};
    }
    if (given != actual) {
      return sim::AwsError{"BadDigest",
                           "The Content-MD5 you specified did not match what we received.", 400};
    }
  }
  auto obj = backend_.put_object(std::move(req));
  if (!obj.ok()) return obj.error();
  return json::object{{"ETag", obj.value()->etag()}};
}

Service::R Service::get_object(const api::Call& c) {
  auto obj = backend_.get_object(str(c.params, "Bucket"), str(c.params, "Key"));
  if (!obj.ok()) return obj.error();
  json::object out = object_headers(*obj.value());
  out["Body"] = obj.value()->body->read();
  return out;
}

Service::R Service::head_object(const api::Call& c) {
  auto obj = backend_.get_object(str(c.params, "Bucket"), str(c.params, "Key"));
  if (!obj.ok()) {
    // HEAD has no body: a missing bucket or key both show as a bare 404.
    return errors::head_not_found();
  }
  return object_headers(*obj.value());
}

Service::R Service::delete_object(const api::Call& c) {
  auto r = backend_.delete_object(str(c.params, "Bucket"), str(c.params, "Key"));
  if (!r.ok()) return r.error();
  return json::object{};
}

Service::R Service::list_objects_v2(const api::Call& c) {
  ListRequest req{str(c.params, "Bucket"),
                  str(c.params, "Prefix"),
                  str(c.params, "Delimiter"),
                  1000,
                  opt_str(c.params, "ContinuationToken"),
                  str(c.params, "StartAfter")};
  if (auto it = c.params.find("MaxKeys"); it != c.params.end()) {
    req.max_keys = it->value().to_number<int>();
  }
  auto page = backend_.list_objects_v2(req);
  if (!page.ok()) return page.error();
  json::array contents;
  for (const Object* o : page->contents) {
    contents.push_back(json::object{{"Key", o->key},
                                    {"LastModified", sim::format_iso8601(o->last_modified)},
                                    {"ETag", o->etag()},
                                    {"Size", o->body->size()},
                                    {"StorageClass", "STANDARD"}});
  }
  json::object out{{"IsTruncated", page->truncated},
                   {"Name", req.bucket},
                   {"Prefix", req.prefix},
                   {"MaxKeys", req.max_keys},
                   {"KeyCount", page->contents.size() + page->common_prefixes.size()}};
  if (!contents.empty()) out["Contents"] = std::move(contents);
  if (!req.delimiter.empty()) out["Delimiter"] = req.delimiter;
  if (!page->common_prefixes.empty()) {
    json::array prefixes;
    for (const auto& p : page->common_prefixes) prefixes.push_back(json::object{{"Prefix", p}});
    out["CommonPrefixes"] = std::move(prefixes);
  }
  if (req.continuation_token) out["ContinuationToken"] = *req.continuation_token;
  if (!req.start_after.empty()) out["StartAfter"] = req.start_after;
  if (page->truncated) out["NextContinuationToken"] = page->next_token;
  return out;
}

// S3's IAM actions differ from its operation names in places (ListBuckets is
// s3:ListAllMyBuckets, HeadObject is s3:GetObject); resources are bucket or object ARNs.
std::vector<api::AuthRequest> Service::authorization(const api::Call& c) const {
  std::vector<api::AuthRequest> out = requests(c);
  if (auto b = backend_.find_bucket(str(c.params, "Bucket")); b.ok() && b.value()->policy) {
    for (auto& r : out) r.resource_policy = b.value()->policy;
  }
  return out;
}

std::vector<api::AuthRequest> Service::requests(const api::Call& c) const {
  std::string bucket = str(c.params, "Bucket");
  std::string bucket_arn = "arn:aws:s3:::" + bucket;
  std::string object_arn = bucket_arn + "/" + str(c.params, "Key");
  const std::string& op = c.operation;
  if (op == "ListBuckets") return {{"s3:ListAllMyBuckets", "*", {}}};
  if (op == "HeadBucket") return {{"s3:ListBucket", bucket_arn, {}}};
  if (op == "ListObjectsV2") {
    api::AuthRequest r{"s3:ListBucket", bucket_arn, {}};
    r.context["s3:prefix"] = {str(c.params, "Prefix")};
    if (auto d = opt_str(c.params, "Delimiter")) r.context["s3:delimiter"] = {*d};
    if (auto m = num(c.params, "MaxKeys")) r.context["s3:max-keys"] = {std::to_string(*m)};
    return {r};
  }
  if (op == "GetObject" || op == "HeadObject") {
    bool version = c.params.contains("VersionId");
    return {{version ? "s3:GetObjectVersion" : "s3:GetObject", object_arn, {}}};
  }
  if (op == "PutObject" || op == "DeleteObject") return {{"s3:" + op, object_arn, {}}};
  return {{"s3:" + op, bucket_arn, {}}};
}

}  // namespace deploysim::fake::s3
