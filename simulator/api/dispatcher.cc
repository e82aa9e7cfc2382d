#include "simulator/api/dispatcher.h"

#include <fmt/format.h>

#include "simulator/core/ids.h"

namespace deploysim::api {
namespace {

using Kind = ValidationIssue::Kind;

bool client_side(Kind k) {
  return k == Kind::UnknownMember || k == Kind::WrongType || k == Kind::BadTimestamp;
}

// botocore's path form: "revision.s3Location.bucket", "Tags[0].Key".
std::string client_path(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& p : path) {
    if (!p.empty() && std::isdigit(static_cast<unsigned char>(p[0]))) {
      out += fmt::format("[{}]", std::stoul(p) - 1);
    } else {
      out += out.empty() ? p : "." + p;
    }
  }
  return out;
}

// The server's path form: "roleName", "tags.member.1.key" (query protocols lower the first letter).
std::string server_path(const std::vector<std::string>& path, bool lower_first) {
  std::string out;
  for (const auto& p : path) {
    std::string part = p;
    if (!part.empty() && std::isdigit(static_cast<unsigned char>(part[0]))) {
      part = "member." + part;
    } else if (lower_first && !part.empty()) {
      part[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(part[0])));
    }
    out += out.empty() ? part : "." + part;
  }
  return out;
}

std::string python_types(std::string_view expected) {
  static const std::map<std::string_view, std::string_view> kTypes = {
      {"string", "<class 'str'>"},
      {"integer", "<class 'int'>"},
      {"long", "<class 'int'>"},
      {"boolean", "<class 'bool'>"},
      {"float", "<class 'float'>, <class 'decimal.Decimal'>, <class 'int'>"},
      {"double", "<class 'float'>, <class 'decimal.Decimal'>, <class 'int'>"},
      {"list", "<class 'list'>, <class 'tuple'>"},
      {"structure", "<class 'dict'>"},
      {"map", "<class 'dict'>"},
      {"timestamp", "<class 'datetime.datetime'>, timestamp-string"},
      {"blob", "<class 'bytes'>, <class 'bytearray'>, file-like object"}};
  auto it = kTypes.find(expected);
  return std::string(it == kTypes.end() ? expected : it->second);
}

std::string client_message(const ValidationIssue& issue) {
  std::string path = client_path(issue.path);
  switch (issue.kind) {
    case Kind::UnknownMember: {
      std::vector<std::string> parent(issue.path.begin(), issue.path.end() - 1);
      std::string where = parent.empty() ? "input" : client_path(parent);
      return fmt::format("Unknown parameter in {}: \"{}\", must be one of: {}", where, issue.value,
                         issue.valid_members);
    }
    case Kind::BadTimestamp:
      return fmt::format(
          "Invalid type for parameter {}, value: {}, type: <class 'str'>, valid "
          "types: {}",
          path, issue.value, python_types("timestamp"));
    default:
      return fmt::format("Invalid type for parameter {}, value: {}, valid types: {}", path,
                         issue.value, python_types(issue.expected));
  }
}

std::string server_constraint(const ValidationIssue& issue) {
  switch (issue.kind) {
    case Kind::MissingRequired:
      return "Member must not be null";
    case Kind::NotInEnum:
      return fmt::format("Member must satisfy enum value set: [{}]", issue.expected);
    case Kind::TooShort:
      return fmt::format("Member must have length greater than or equal to {}", issue.expected);
    case Kind::TooLong:
      return fmt::format("Member must have length less than or equal to {}", issue.expected);
    case Kind::TooSmall:
      return fmt::format("Member must have value greater than or equal to {}", issue.expected);
    case Kind::TooLarge:
      return fmt::format("Member must have value less than or equal to {}", issue.expected);
    default:
      return "Member is invalid";
  }
}

AwsError ec2_error(const ValidationIssue& issue) {
  std::string name = issue.path.empty() ? "" : issue.path.back();
  switch (issue.kind) {
    case Kind::UnknownMember:
      return {"UnknownParameter", fmt::format("The parameter {} is not recognized", name), 400};
    case Kind::MissingRequired:
      return {"MissingParameter", fmt::format("The request must contain the parameter {}", name),
              400};
    default:
      return {"InvalidParameterValue",
              fmt::format("Value ({}) for parameter {} is invalid. {}", issue.value,
                          server_path(issue.path, true), server_constraint(issue)),
              400};
  }
}

}  // namespace

AwsError validation_error(const ServiceModel& model, const std::vector<ValidationIssue>& issues) {
  const std::string& protocol = model.protocol();
  if (protocol == "ec2") return ec2_error(issues.front());
  std::string code = protocol == "query"      ? "ValidationError"
                     : protocol == "rest-xml" ? "InvalidArgument"
                                              : "ValidationException";
  for (const auto& issue : issues) {
    if (client_side(issue.kind)) {
      return {code, "Parameter validation failed:\n" + client_message(issue), 400};
    }
  }
  bool lower_first = protocol == "query";
  std::string details;
  for (const auto& issue : issues) {
    std::string value = issue.kind == Kind::MissingRequired ? "null" : "'" + issue.value + "'";
    details += fmt::format("{}Value {} at '{}' failed to satisfy constraint: {}",
                           details.empty() ? "" : "; ", value, server_path(issue.path, lower_first),
                           server_constraint(issue));
  }
  return {code,
          fmt::format("{} validation error{} detected: {}", issues.size(),
                      issues.size() == 1 ? "" : "s", details),
          400};
}

Principal Principal::root(const std::string& account) {
  return Principal{Kind::Root, "root", fmt::format("arn:aws:iam::{}:root", account), account, ""};
}

std::vector<AuthRequest> Service::authorization(const Call& call) const {
  return {AuthRequest{fmt::format("{}:{}", iam_prefix(), call.operation), "*", {}}};
}

void OperationTable::add(std::string operation, Handler handler) {
  handlers_.insert_or_assign(std::move(operation), std::move(handler));
}

const Handler* OperationTable::find(std::string_view operation) const {
  auto it = handlers_.find(operation);
  return it == handlers_.end() ? nullptr : &it->second;
}

std::vector<std::string> OperationTable::names() const {
  std::vector<std::string> out;
  for (const auto& kv : handlers_) out.push_back(kv.first);
  return out;
}

Dispatcher::Dispatcher(const ModelRegistry& models, sim::Scheduler& scheduler, sim::RngStreams& rng,
                       journal::Journal& journal)
    : models_(models), scheduler_(scheduler), rng_(rng), journal_(journal) {}

void Dispatcher::add_service(Service& service) {
  services_.insert_or_assign(std::string(service.name()), &service);
}

const Service* Dispatcher::find_service(std::string_view name) const {
  auto it = services_.find(name);
  return it == services_.end() ? nullptr : it->second;
}

std::vector<std::string> Dispatcher::service_names() const {
  std::vector<std::string> out;
  for (const auto& kv : services_) out.push_back(kv.first);
  return out;
}

std::optional<AwsError> Dispatcher::route_error(const Call& call, const Service*& service,
                                                const Operation*& op,
                                                const ServiceModel*& model) const {
  service = find_service(call.service);
  if (!service) {
    if (models_.find(call.service)) {
      return AwsError{
          "NotImplemented",
          fmt::format("{}.{}: deploysim does not simulate {} yet; it simulates: {}", call.service,
                      call.operation, call.service, fmt::join(service_names(), ", ")),
          501};
    }
    auto close = closest_names(call.service, service_names());
    return AwsError{
        "UnknownService",
        fmt::format("deploysim does not simulate a service named '{}'{}; it "
                    "simulates: {}",
                    call.service,
                    close.empty() ? "" : fmt::format(" (did you mean {}?)", fmt::join(close, ", ")),
                    fmt::join(service_names(), ", ")),
        400};
  }
  model = models_.find(call.service);
  op = model ? model->find_operation(call.operation) : nullptr;
  if (!op) {
    std::vector<std::string> names =
        model ? model->operation_names() : service->operations().names();
    auto close = closest_names(call.operation, names);
    return AwsError{
        model && model->protocol() == "query" ? "InvalidAction" : "UnknownOperationException",
        fmt::format("{} has no operation named '{}'{}", call.service, call.operation,
                    close.empty() ? "" : fmt::format("; did you mean {}?", fmt::join(close, ", "))),
        400};
  }
  if (!service->operations().find(call.operation)) {
    return AwsError{"NotImplemented",
                    fmt::format("{}.{} is an AWS operation that deploysim does not simulate yet; "
                                "{} simulates: {}",
                                call.service, call.operation, call.service,
                                fmt::join(service->operations().names(), ", ")),
                    501};
  }
  return std::nullopt;
}

Result<Principal> Dispatcher::resolve_principal(std::string_view spec, const std::string& account) {
  if (spec == "root") return Principal::root(account);
  std::size_t slash = spec.find('/');
  std::string_view kind = spec.substr(0, slash);
  std::string_view name = slash == std::string_view::npos ? "" : spec.substr(slash + 1);
  if (resolver_) return resolver_->resolve(kind, name);
  return AwsError{"NoSuchEntity", fmt::format("The {} with name {} cannot be found.", kind, name),
                  404};
}

Result<Response> Dispatcher::call(const Call& call) {
  ++calls_;
  Response response;
  response.request_id = sim::request_id(rng_.stream("request-id"));
  std::string subject = call.service + "." + call.operation;
  if (call.journal) {
    journal_.add(scheduler_.now(), "call", subject,
                 fmt::format("by {} (request {})", call.principal.arn, response.request_id));
  }
  auto fail = [&](AwsError error) -> Result<Response> {
    if (call.journal) {
      journal_.add(scheduler_.now(), "error", subject,
                   fmt::format("{}: {}", error.code, error.message));
    }
    return error;
  };

  const Service* service = nullptr;
  const Operation* op = nullptr;
  const ServiceModel* model = nullptr;
  if (auto error = route_error(call, service, op, model)) return fail(*error);
  if (model) {
    auto issues = model->validate_input(*op, call.params);
    if (!issues.empty()) return fail(validation_error(*model, issues));
  }
  if (authorizer_) {
    if (auto denied = authorizer_->authorize(call)) return fail(*denied);
  }
  for (FaultHook* hook : fault_hooks_) {
    if (auto fault = hook->before_call(call)) return fail(*fault);
  }
  Result<json::object> result = (*service->operations().find(call.operation))(call);
  if (!result.ok()) return fail(result.error());
  response.body = std::move(result).value();
  return response;
}

}  // namespace deploysim::api
