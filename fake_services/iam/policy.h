// IAM policy documents: write-time validation with AWS's MalformedPolicyDocument texts, and the
// parsed form the evaluator works on (parse once, evaluate many).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "simulator/core/aws_error.h"

namespace deploysim::fake::iam {

// Which grammar applies: identity policies carry no Principal; trust policies carry no Resource
// and only sts:AssumeRole* actions; resource policies (S3 bucket policies) need a Principal.
enum class PolicyKind { Identity, Trust, Resource };

enum class CondOp : std::uint8_t {
  StringEquals,
  StringNotEquals,
  StringEqualsIgnoreCase,
  StringNotEqualsIgnoreCase,
  StringLike,
  StringNotLike,
  NumericEquals,
  NumericNotEquals,
  NumericLessThan,
  NumericLessThanEquals,
  NumericGreaterThan,
  NumericGreaterThanEquals,
  DateEquals,
  DateNotEquals,
  DateLessThan,
  DateLessThanEquals,
  DateGreaterThan,
  DateGreaterThanEquals,
  Bool,
  BinaryEquals,
  IpAddress,
  NotIpAddress,
  ArnEquals,
  ArnLike,
  ArnNotEquals,
  ArnNotLike,
  Null
};

enum class SetOp : std::uint8_t { None, ForAllValues, ForAnyValue };

struct Condition {
  std::string op_name;  // as written: "ForAnyValue:StringLikeIfExists"
  CondOp op = CondOp::StringEquals;
  SetOp set = SetOp::None;
  bool if_exists = false;
  std::string key;  // lower-cased: condition keys are case-insensitive
  std::string key_as_written;
  std::vector<std::string> values;  // JSON scalars as text ("true", "10", "x")
  bool has_variables = false;       // some value holds "${"
  std::vector<double> numbers;      // Numeric*/Date* values, parsed once (NaN: unparseable)
};

// Principal / NotPrincipal: "*" or a map of AWS / Service / Federated / CanonicalUser.
struct PrincipalSpec {
  bool any = false;
  std::map<std::string, std::vector<std::string>> by_type;
};

struct Position {
  int line = 0;
  int column = 0;
};

struct Statement {
  std::string sid;
  bool allow = true;
  bool not_action = false;
  std::vector<std::string> actions;  // lower-cased patterns ("s3:get*")
  // Per action: 0 no wildcard, 1 a single trailing '*' (a prefix), 2 anything else (glob).
  std::vector<std::uint8_t> action_shapes;
  bool has_resource = false;
  bool not_resource = false;
  std::vector<std::string> resources;
  bool has_principal = false;
  bool not_principal = false;
  PrincipalSpec principals;
  std::vector<Condition> conditions;
  Position start, end;  // where the statement is in the document (SimulatePolicy's positions)
};

struct Policy {
  std::string version;     // "2012-10-17", "2008-10-17" or "" (none written)
  bool variables = false;  // ${...} is substituted only under 2012-10-17
  std::vector<Statement> statements;
};

struct ParseOptions {
  PolicyKind kind = PolicyKind::Identity;
  bool managed = false;  // CreatePolicy / CreatePolicyVersion: 2012-10-17 required
};

// MalformedPolicyDocument with AWS's text for the first problem, in AWS's check order.
sim::Result<Policy> parse_policy(std::string_view document, const ParseOptions& options);

// The size IAM counts against its quotas: the document without whitespace outside strings.
std::size_t policy_size(std::string_view document);

// IAM's wildcard match: '*' any run, '?' one character; with `escapes`, '\' makes the next
// character literal (text substituted from policy variables is literal).
bool glob_match(std::string_view pattern, std::string_view text, bool escapes = false);
bool glob_match_icase(std::string_view pattern, std::string_view text);

std::string ascii_lower(std::string_view s);

}  // namespace deploysim::fake::iam
