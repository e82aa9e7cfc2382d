// libFuzzer target: any bytes as a policy document are accepted or refused with a
// MalformedPolicyDocument text, never a crash; what parses evaluates without one either.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fake_services/iam/evaluator.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace deploysim::fake::iam;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)policy_size(text);
  static const Request kRequest = [] {
    Request r;
    r.action = "s3:GetObject";
    r.resource = "arn:aws:s3:::bucket/home/alice/file.txt";
    r.principal = {RequestPrincipal::Type::User, "arn:aws:iam::123456789012:user/alice", "",
                   "123456789012", ""};
    r.context["aws:username"] = {{"alice"}, false};
    r.context["aws:sourceip"] = {{"203.0.113.7"}, false};
    r.context["aws:currenttime"] = {{"2026-11-26T12:00:00Z"}, false};
    r.context["aws:tagkeys"] = {{"team", "env"}, true};
    r.context["s3:max-keys"] = {{"10"}, false};
    return r;
  }();
  for (PolicyKind kind : {PolicyKind::Identity, PolicyKind::Trust, PolicyKind::Resource}) {
    auto parsed = parse_policy(text, {kind, false});
    if (!parsed.ok()) continue;
    PolicyType type = kind == PolicyKind::Identity ? PolicyType::Identity
                      : kind == PolicyKind::Trust  ? PolicyType::Trust
                                                   : PolicyType::Resource;
    Evaluation ev = evaluate(kRequest, {{&parsed.value(), type, "fuzz", "user"}});
    (void)denial_message(kRequest, ev);
  }
  return 0;
}
