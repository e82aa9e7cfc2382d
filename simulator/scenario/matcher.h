// Matchers (scenario-format.md): scalars, mappings (listed keys only), sequences (same length),
// and the $ operators. A mismatch names the first differing place as a dotted path.
#pragma once

#include <yaml-cpp/node/node.h>

#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "simulator/core/json.h"
#include "simulator/scenario/values.h"

namespace deploysim::scenario {

struct Mismatch {
  std::string path;    // "AutoScalingGroups.0.Instances" ("" = the whole response)
  std::string reason;  // "expected 4 elements, got 3"
};

class Matcher {
 public:
  // Throws LoadError for an unknown operator or a malformed operand.
  static std::shared_ptr<const Matcher> compile(const YAML::Node& node, const ConvertContext& ctx);

  // `actual` is nullptr when the key is missing. Saved values are looked up in `bindings`.
  std::optional<Mismatch> match(const json::value* actual, const Bindings& bindings,
                                const std::string& path = "") const;

 private:
  enum class Kind { Scalar, Reference, Map, Sequence, Operators };
  struct Op {
    std::string name;
    std::shared_ptr<const Matcher> sub;                 // $each $contains $none
    std::vector<std::shared_ptr<const Matcher>> anyof;  // $any
    double number = 0;                                  // $count $gt $gte $lt $lte
    bool flag = false;                                  // $absent
    std::string pattern_text;                           // $regex
    std::shared_ptr<std::regex> pattern;
  };

  std::optional<Mismatch> match_scalar(const json::value* actual, const Bindings& b,
                                       const std::string& path) const;
  std::optional<Mismatch> match_op(const Op& op, const json::value* actual, const Bindings& b,
                                   const std::string& path) const;

  Kind kind_ = Kind::Scalar;
  std::string text_;  // Scalar: the YAML text (interpolated at match time)
  bool quoted_ = false;
  bool null_ = false;
  Location where_;
  std::vector<std::pair<std::string, std::shared_ptr<const Matcher>>> entries_;  // Map
  std::vector<std::shared_ptr<const Matcher>> items_;                            // Sequence
  std::vector<Op> ops_;                                                          // Operators
};

}  // namespace deploysim::scenario
