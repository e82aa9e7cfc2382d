// What a fake service gives the dispatcher: its name, its operation table and its saved state.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "simulator/api/call.h"

namespace deploysim::api {

using Handler = std::function<Result<json::object>(const Call&)>;

// operation name -> handler; the table holds no logic (decode, call the backend, encode).
class OperationTable {
 public:
  void add(std::string operation, Handler handler);
  template <class S>
  void add(std::string operation, S* self, Result<json::object> (S::*fn)(const Call&)) {
    add(std::move(operation), [self, fn](const Call& c) { return (self->*fn)(c); });
  }
  const Handler* find(std::string_view operation) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, Handler, std::less<>> handlers_;
};

// Large binary state (S3 object bodies) is saved beside a service's JSON state, by key.
class BlobSink {
 public:
  virtual ~BlobSink() = default;
  virtual bool has_blob(const std::string& key) = 0;
  virtual void put_blob(const std::string& key, std::string_view data) = 0;
};
class BlobSource {
 public:
  virtual ~BlobSource() = default;
  virtual std::optional<std::string> get_blob(const std::string& key) const = 0;
};

// What one call asks IAM to allow: an action on a resource, with the request's own condition
// keys. A call may need several (EC2 acting on each instance it names).
struct AuthRequest {
  std::string action;  // "s3:GetObject"
  std::string resource = "*";
  // Service-specific condition keys ("s3:prefix", "iam:PassedToService"), values as text;
  // names ending in "[]" are multivalued ("aws:TagKeys[]").
  std::map<std::string, std::vector<std::string>> context;
  // A resource-based policy that applies (an S3 bucket policy), as its JSON text.
  std::shared_ptr<const std::string> resource_policy;
};

class Service {
 public:
  virtual ~Service() = default;
  virtual std::string_view name() const = 0;
  virtual const OperationTable& operations() const = 0;
  // The service's prefix in IAM actions ("elasticloadbalancing" for elbv2).
  virtual std::string_view iam_prefix() const { return name(); }
  // What IAM must allow for `call`; the default is <prefix>:<Operation> on "*". Empty: the call
  // is not an AWS call and IAM does not decide it (the sim harness).
  virtual std::vector<AuthRequest> authorization(const Call& call) const;
  // The service's whole state as JSON (null: nothing to keep); large bodies go to `blobs`.
  virtual json::value save_state(BlobSink& /*blobs*/) const { return nullptr; }
  // Restores what save_state returned; services re-arm their scheduled events here.
  virtual void load_state(const json::value& /*state*/, const BlobSource& /*blobs*/) {}
};

}  // namespace deploysim::api
