#include "fake_services/iam/authorizer.h"

#include <fmt/format.h>

namespace deploysim::fake::iam {
namespace {

bool service_linked(const api::Principal& who) {
  return who.kind == api::Principal::Kind::AssumedRole && who.name.starts_with("AWSServiceRoleFor");
}

bool assume_role_action(std::string_view action) {
  return ascii_lower(action).starts_with("sts:assumerole");
}

}  // namespace

sim::AwsError access_denied(std::string_view protocol, std::string message) {
  if (protocol == "ec2") {
    return {"UnauthorizedOperation", "You are not authorized to perform this operation. " + message,
            403};
  }
  if (protocol == "json" || protocol == "rest-json") {
    return {"AccessDeniedException", std::move(message), 400};
  }
  return {"AccessDenied", std::move(message), 403};
}

const Policy* Authorizer::resource_policy(const std::string& document) const {
  auto it = resource_policies_.find(document);
  if (it == resource_policies_.end()) {
    auto parsed = parse_policy(document, {PolicyKind::Resource, false});
    if (!parsed.ok()) return nullptr;  // the owning service checked it when it was written
    it = resource_policies_.emplace(document, std::move(parsed).value()).first;
  }
  return &it->second;
}

Evaluation Authorizer::evaluate(const api::Principal& who, const api::AuthRequest& auth,
                                Request* out_request) const {
  Request req;
  req.action = auth.action;
  req.resource = auth.resource;
  req.principal = backend_.request_principal(who);
  backend_.add_principal_context(who, req.context);
  sim::SimTime now = world_.now();
  std::string iso = sim::format_iso8601(now);
  req.context["aws:currenttime"] = {{iso.substr(0, 19) + "Z"}, false};
  req.context["aws:epochtime"] = {{std::to_string(now.ms() / 1000)}, false};
  req.context["aws:requestedregion"] = {{world_.config().region}, false};
  for (const auto& [key, values] : auth.context) {
    bool multi = key.ends_with("[]");
    std::string name = ascii_lower(multi ? key.substr(0, key.size() - 2) : key);
    req.context[name] = {values, multi};
  }
  std::vector<PolicySource> policies = backend_.policies_of(who);
  if (auth.resource_policy) {
    if (const Policy* p = resource_policy(*auth.resource_policy)) {
      policies.push_back({p, PolicyType::Resource, "resource-policy", "resource"});
    }
  }
  if (assume_role_action(auth.action)) {
    std::string prefix = fmt::format("arn:aws:iam::{}:role/", backend_.account());
    if (auth.resource.starts_with(prefix)) {
      std::string name = auth.resource.substr(auth.resource.rfind('/') + 1);
      if (auto role = backend_.role(name); role.ok() && role.value()->arn == auth.resource) {
        policies.push_back(
            {&role.value()->trust, PolicyType::Trust, role.value()->arn, "resource"});
      }
    }
  }
  Evaluation ev = iam::evaluate(req, policies);
  // sts:AssumeRole on a role that does not exist: there is no trust policy to allow it.
  if (assume_role_action(auth.action) &&
      std::none_of(policies.begin(), policies.end(),
                   [](const PolicySource& p) { return p.type == PolicyType::Trust; })) {
    if (ev.decision == Decision::Allowed) {
      ev.decision = Decision::ImplicitDeny;
      ev.because = PolicyType::Trust;
    }
  }
  if (out_request) *out_request = std::move(req);
  return ev;
}

std::optional<sim::AwsError> Authorizer::check(const api::Principal& who,
                                               const api::AuthRequest& auth,
                                               std::string_view service) {
  if (who.kind == api::Principal::Kind::Root || service_linked(who)) return std::nullopt;
  // AWS services act on their own behalf; only their sts:AssumeRole meets a trust policy.
  if (who.kind == api::Principal::Kind::Service && !assume_role_action(auth.action)) {
    return std::nullopt;
  }
  Request req;
  Evaluation ev = evaluate(who, auth, &req);
  if (ev.decision == Decision::Allowed) return std::nullopt;
  const api::ServiceModel* model = world_.models().find(service);
  return access_denied(model ? model->protocol() : "query", denial_message(req, ev));
}

std::optional<sim::AwsError> Authorizer::authorize(const api::Call& call) {
  const api::Principal& who = call.principal;
  if (who.kind == api::Principal::Kind::Root || service_linked(who)) return std::nullopt;
  if (call.service == "sts" && call.operation == "GetCallerIdentity") return std::nullopt;
  if (who.kind == api::Principal::Kind::User && !backend_.user(who.name).ok()) {
    return sim::AwsError{"InvalidClientTokenId",
                         "The security token included in the request is invalid.", 403};
  }
  const api::Service* service = world_.dispatcher().find_service(call.service);
  if (!service) return std::nullopt;
  for (const auto& req : service->authorization(call)) {
    if (auto denied = check(who, req, call.service)) return denied;
  }
  return std::nullopt;
}

sim::Result<api::Principal> Authorizer::resolve(std::string_view kind, std::string_view name) {
  if (kind == "user") return backend_.user_principal(std::string(name));
  if (kind == "role") {
    std::string role(name), session = "deploysim";
    if (std::size_t slash = role.find('/'); slash != std::string::npos) {
      session = role.substr(slash + 1);
      role.resize(slash);
    }
    return backend_.role_session(role, session);
  }
  return sim::AwsError{"NoSuchEntity",
                       fmt::format("The {} with name {} cannot be found.", kind, name), 404};
}

}  // namespace deploysim::fake::iam
