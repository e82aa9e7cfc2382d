// A call: the one currency of deploysim. Scenario steps, the CLI, `serve` requests and one fake
// service calling another all become a Call and go through Dispatcher::call.
#pragma once

#include <string>

#include "simulator/core/aws_error.h"
#include "simulator/core/json.h"

namespace deploysim::api {

struct Principal {
  enum class Kind { Root, User, Role, AssumedRole, Service };
  Kind kind = Kind::Root;
  std::string name;     // user or role name; service principal ("codedeploy.amazonaws.com")
  std::string arn;      // as GetCallerIdentity shows it
  std::string id;       // UserId as GetCallerIdentity shows it
  std::string session;  // AssumedRole: the session name

  static Principal root(const std::string& account);
  bool is_root() const { return kind == Kind::Root; }
};

struct Call {
  std::string service;    // "s3", "codedeploy", "sim", ...
  std::string operation;  // "PutObject": the AWS operation name
  json::object params;    // the request, in the operation's AWS input shape
  Principal principal;
  // Where relative paths in sim operations are resolved (the scenario file's folder).
  std::string base_dir = ".";
  // false for observations (expect/wait polls): they change nothing, so the journal skips them.
  bool journal = true;
};

struct Response {
  json::object body;  // the operation's AWS output shape
  std::string request_id;
};

using sim::AwsError;
using sim::Result;

}  // namespace deploysim::api
