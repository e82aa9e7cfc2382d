#include "fake_services/sts/service.h"

#include <fmt/format.h>

#include "fake_services/iam/service.h"
#include "simulator/api/params.h"
#include "simulator/core/ids.h"

namespace deploysim::fake::sts {

using namespace api::params;

namespace {
constexpr std::string_view kUpperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kSecret =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}  // namespace

Service::Service(world::World& world) : world_(world) {
  table_.add("GetCallerIdentity", this, &Service::get_caller_identity);
  table_.add("AssumeRole", this, &Service::assume_role);
}

sim::Result<json::object> Service::get_caller_identity(const api::Call& c) {
  return json::object{
      {"UserId", c.principal.id}, {"Account", world_.config().account}, {"Arn", c.principal.arn}};
}

std::vector<api::AuthRequest> Service::authorization(const api::Call& c) const {
  if (c.operation == "AssumeRole") return {{"sts:AssumeRole", str(c.params, "RoleArn"), {}}};
  return api::Service::authorization(c);
}

// The trust policy was checked by the dispatcher's authorizer (sts:AssumeRole on the role's ARN).
sim::Result<json::object> Service::assume_role(const api::Call& c) {
  std::string role_arn = str(c.params, "RoleArn");
  std::string session = str(c.params, "RoleSessionName");
  if (c.principal.is_root()) {
    return sim::AwsError{"AccessDenied", "Roles may not be assumed by root accounts.", 403};
  }
  for (char ch : session) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) &&
        std::string_view("_+=,.@-").find(ch) == std::string_view::npos) {
      return sim::AwsError{
          "ValidationError",
          fmt::format("1 validation error detected: Value '{}' at 'roleSessionName' failed to "
                      "satisfy constraint: Member must satisfy regular expression pattern: "
                      "[\\w+=,.@-]*",
                      session),
          400};
    }
  }
  auto* iam = dynamic_cast<iam::Service*>(world_.service("iam"));
  if (!iam) {
    return sim::AwsError{"NotImplemented", "sts.AssumeRole needs the iam service installed", 501};
  }
  std::string name = role_arn.substr(role_arn.rfind('/') + 1);
  auto role = iam->backend().role(name);
  if (!role.ok() || role.value()->arn != role_arn) {
    return sim::AwsError{
        "AccessDenied",
        fmt::format("User: {} is not authorized to perform: sts:AssumeRole on resource: {}",
                    c.principal.arn, role_arn),
        403};
  }
  int duration = num(c.params, "DurationSeconds").value_or(3600);
  if (duration > role.value()->max_session_duration) {
    return sim::AwsError{
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.", 400};
  }
  auto principal = iam->backend().role_session(name, session);
  sim::Rng& rng = world_.rng().stream("sts-credentials");
  std::string key = sim::random_token(rng, "ASIA", 16, kUpperAlnum);
  std::string secret = sim::random_token(rng, "", 40, kSecret);
  std::string token = sim::random_token(rng, "FwoGZXIvYXdzE", 344, kSecret);
  sim::SimTime expires = world_.now() + std::chrono::seconds(duration);
  iam->backend().remember_session(key, principal.value(), expires);
  return json::object{{"Credentials", json::object{{"AccessKeyId", key},
                                                   {"SecretAccessKey", secret},
                                                   {"SessionToken", token},
                                                   {"Expiration", sim::format_iso8601(expires)}}},
                      {"AssumedRoleUser", json::object{{"AssumedRoleId", principal.value().id},
                                                       {"Arn", principal.value().arn}}}};
}

}  // namespace deploysim::fake::sts
