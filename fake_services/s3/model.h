// S3's plain data: buckets and objects. No JSON here.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "simulator/core/sim_time.h"

namespace deploysim::fake::s3 {

// Object content: bytes in memory, or in a file of the world's scratch folder when large.
class Body {
 public:
  static std::shared_ptr<const Body> in_memory(std::string data);
  static std::shared_ptr<const Body> in_file(std::filesystem::path path, std::size_t size);
  std::size_t size() const { return size_; }
  std::string read() const;

 private:
  std::string data_;
  std::filesystem::path file_;
  std::size_t size_ = 0;
};

struct Object {
  std::string key;
  std::shared_ptr<const Body> body;
  std::string md5;  // hex; the ETag is "\"" + md5 + "\""
  sim::SimTime last_modified;
  std::string content_type = "binary/octet-stream";
  std::map<std::string, std::string> metadata;
  std::string etag() const { return "\"" + md5 + "\""; }
};

struct Bucket {
  std::string name;
  std::string region;
  sim::SimTime created;
  std::map<std::string, Object> objects;      // ordered: listings come back in key order, as in S3
  std::shared_ptr<const std::string> policy;  // the bucket policy as written; null: none
};

}  // namespace deploysim::fake::s3
