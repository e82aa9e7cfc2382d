// The Condition element: every operator family, IfExists, the set operators and policy variables,
// with the missing-key rules of the IAM documentation (iam.md §3).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fake_services/iam/policy.h"

namespace deploysim::fake::iam {

// One context key's value(s). Multivalued keys (aws:TagKeys) carry `multi`.
struct ContextValue {
  std::vector<std::string> values;
  bool multi = false;
};
// Keys lower-cased: condition keys are case-insensitive, the tag key in aws:PrincipalTag/k too.
using ContextKeys = std::map<std::string, ContextValue, std::less<>>;

// Milliseconds since the epoch from W3C ISO 8601 ("2024-01-02", "2024-01-02T03:04:05Z",
// "...+02:00", fractions) or epoch seconds; nullopt when IAM's legacy parser would refuse it.
std::optional<std::int64_t> parse_date(std::string_view text);

// ${key}, ${key, 'default'}, ${*}, ${?}, ${$} replaced from `context`; nullopt when a key has
// no single value and no default. With `as_pattern`, substituted text is escaped so that the
// result, read by glob_match(..., escapes=true), matches it literally.
std::optional<std::string> substitute(std::string_view text, const ContextKeys& context,
                                      bool as_pattern);

struct ConditionResult {
  bool matched = false;
  bool missing = false;  // the key was absent from the context (SimulatePolicy reports it)
};

// `variables`: the policy is Version 2012-10-17, so ${...} in String/Arn/Bool values is live.
ConditionResult evaluate_condition(const Condition& condition, const ContextKeys& context,
                                   bool variables);

// Fills `condition.numbers` for the Numeric and Date families (parse once, compare many).
void prepare_numbers(Condition& condition);

// ARN matching as ArnLike does it: six colon-separated parts, each matched on its own.
bool arn_like(std::string_view pattern, std::string_view arn, bool escapes = false);

}  // namespace deploysim::fake::iam
