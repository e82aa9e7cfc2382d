// An AWS service model (botocore's service-2.json, documentation stripped): operations and shapes.
// The dispatcher validates every request against it; the scenario loader converts YAML with it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "simulator/core/json.h"

namespace deploysim::api {

struct Shape;

struct Member {
  std::string name;
  const Shape* shape = nullptr;
  std::string location;  // "", "header", "uri", "querystring", "headers", "statusCode"
  std::string location_name;
};

enum class ShapeType {
  Structure,
  List,
  Map,
  String,
  Integer,
  Long,
  Float,
  Double,
  Boolean,
  Timestamp,
  Blob
};

struct Shape {
  std::string name;
  ShapeType type = ShapeType::String;
  std::vector<Member> members;  // structure: in the model's order
  std::vector<std::string> required;
  std::vector<std::string> enum_values;
  std::optional<double> min, max;
  const Shape* member = nullptr;  // list element
  const Shape* key = nullptr;     // map key
  const Shape* value = nullptr;   // map value
  bool is_error = false;
  std::string error_code;  // the wire code ("EntityAlreadyExists"); the shape name if unset
  int http_status = 400;

  const Member* find_member(std::string_view name) const;
  bool is_required(std::string_view name) const;
  bool is_number() const;
};

std::string_view type_name(ShapeType t);

struct Operation {
  std::string name;
  const Shape* input = nullptr;  // nullptr: the operation takes no input
  const Shape* output = nullptr;
  std::vector<const Shape*> errors;
};

// One problem found by validate_input.
struct ValidationIssue {
  enum class Kind {
    UnknownMember,
    MissingRequired,
    WrongType,
    NotInEnum,
    TooShort,
    TooLong,
    TooSmall,
    TooLarge,
    BadTimestamp
  };
  Kind kind;
  std::vector<std::string> path;  // member names and list indexes ("1"-based), outermost first
  std::string value;              // the offending value, as text ("null" when missing)
  std::string expected;           // enum values, limits, or the expected type
  std::string valid_members;      // UnknownMember: "a, b, c"
};

class ServiceModel {
 public:
  // Throws std::runtime_error when the text is not a usable model.
  ServiceModel(std::string service, std::string_view json_text);
  ServiceModel(const ServiceModel&) = delete;
  ServiceModel& operator=(const ServiceModel&) = delete;

  const std::string& service() const { return service_; }
  const std::string& protocol() const { return protocol_; }  // json, query, ec2, rest-xml
  const std::string& api_version() const { return api_version_; }
  const std::string& target_prefix() const { return target_prefix_; }

  const Operation* find_operation(std::string_view name) const;
  std::vector<std::string> operation_names() const;
  const Shape* find_shape(std::string_view name) const;
  // The HTTP status of a modelled error code, or `fallback`.
  int error_status(std::string_view code, int fallback) const;

  std::vector<ValidationIssue> validate_input(const Operation& op,
                                              const json::object& params) const;

 private:
  const Shape* shape_ref(const json::value& ref);
  void fill_shape(Shape& shape, const json::object& def);

  std::string service_, protocol_, api_version_, target_prefix_;
  std::map<std::string, std::unique_ptr<Shape>, std::less<>> shapes_;
  std::map<std::string, Operation, std::less<>> operations_;
  std::map<std::string, const Shape*, std::less<>> errors_by_code_;
};

// Every model the world knows, parsed on first use (EC2's is large and rarely needed).
class ModelRegistry {
 public:
  void add(std::string service, std::string_view json_text);
  const ServiceModel* find(std::string_view service) const;
  std::vector<std::string> services() const;

 private:
  std::map<std::string, std::string_view, std::less<>> texts_;
  mutable std::map<std::string, std::unique_ptr<ServiceModel>, std::less<>> parsed_;
};

// Names from `candidates` close to `wanted` (case-insensitive edit distance, prefixes), best first.
std::vector<std::string> closest_names(std::string_view wanted,
                                       const std::vector<std::string>& candidates,
                                       std::size_t at_most = 3);

}  // namespace deploysim::api
