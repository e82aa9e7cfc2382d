#include "simulator/scenario/matcher.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <charconv>

namespace deploysim::scenario {
namespace {

std::string join_path(const std::string& base, const std::string& part) {
  return base.empty() ? part : base + "." + part;
}

std::string shown(const json::value* v) {
  if (!v) return "nothing (the key is missing)";
  std::string text = sim::compact_json(*v);
  if (text.size() > 120) text = text.substr(0, 117) + "...";
  return fmt::format("{} {}", sim::json_kind(*v), text);
}

std::optional<double> as_number(const json::value* v) {
  if (!v || !v->is_number()) return std::nullopt;
  return v->to_number<double>();
}

std::optional<double> parse_number(const std::string& s) {
  double d = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc{} || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return d;
}

bool json_equal(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) return a.to_number<double>() == b.to_number<double>();
  return a == b;
}

const std::set<std::string> kOperators = {"$count", "$each",   "$contains", "$none",
                                          "$regex", "$absent", "$gt",       "$gte",
                                          "$lt",    "$lte",    "$any"};

}  // namespace

std::shared_ptr<const Matcher> Matcher::compile(const YAML::Node& node, const ConvertContext& ctx) {
  auto m = std::make_shared<Matcher>();
  m->where_ = location_of(ctx.file, node);
  auto number_operand = [&](const YAML::Node& operand, const std::string& name) {
    if (!operand.IsScalar() || is_quoted(operand)) {
      throw LoadError(location_of(ctx.file, operand), fmt::format("{} takes a number", name));
    }
    auto d = parse_number(operand.Scalar());
    if (!d) throw LoadError(location_of(ctx.file, operand), fmt::format("{} takes a number", name));
    return *d;
  };
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      m->kind_ = Kind::Scalar;
      m->null_ = true;
      return m;
    case YAML::NodeType::Scalar: {
      (void)yaml_to_json_untyped(node, ctx);  // checks ${names}
      m->text_ = node.Scalar();
      m->quoted_ = is_quoted(node);
      m->kind_ = whole_reference(m->text_) ? Kind::Reference : Kind::Scalar;
      if (m->kind_ == Kind::Reference) m->text_ = *whole_reference(m->text_);
      return m;
    }
    case YAML::NodeType::Sequence:
      m->kind_ = Kind::Sequence;
      for (const auto& item : node) m->items_.push_back(compile(item, ctx));
      return m;
    case YAML::NodeType::Map:
      break;
  }
  bool any_op = false, any_key = false;
  for (const auto& kv : node) {
    (kv.first.Scalar().rfind("$", 0) == 0 ? any_op : any_key) = true;
  }
  if (any_op && any_key) {
    throw LoadError(m->where_, "a matcher mapping holds either $operators or keys, not both");
  }
  if (!any_op) {
    m->kind_ = Kind::Map;
    for (const auto& kv : node)
      m->entries_.emplace_back(kv.first.Scalar(), compile(kv.second, ctx));
    return m;
  }
  m->kind_ = Kind::Operators;
  for (const auto& kv : node) {
    Op op;
    op.name = kv.first.Scalar();
    Location at = location_of(ctx.file, kv.first);
    if (!kOperators.count(op.name)) {
      throw LoadError(at, fmt::format("unknown matcher operator '{}'; operators: $count, $each, "
                                      "$contains, $none, $regex, $absent, $gt, $gte, $lt, $lte, "
                                      "$any",
                                      op.name));
    }
    const YAML::Node& operand = kv.second;
    if (op.name == "$each" || op.name == "$contains" || op.name == "$none") {
      op.sub = compile(operand, ctx);
    } else if (op.name == "$any") {
      if (!operand.IsSequence() || operand.size() == 0) {
        throw LoadError(location_of(ctx.file, operand), "$any takes a non-empty list of matchers");
      }
      for (const auto& alt : operand) op.anyof.push_back(compile(alt, ctx));
    } else if (op.name == "$regex") {
      if (!operand.IsScalar()) {
        throw LoadError(location_of(ctx.file, operand), "$regex takes a regular expression");
      }
      op.pattern_text = operand.Scalar();
      // A pattern with ${name} in it is compiled when it is used, with the value filled in.
      if (!references(op.pattern_text).empty()) {
        (void)yaml_to_json_untyped(operand, ctx);  // checks the names
        m->ops_.push_back(std::move(op));
        continue;
      }
      try {
        op.pattern = std::make_shared<std::regex>(op.pattern_text, std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        throw LoadError(location_of(ctx.file, operand),
                        fmt::format("$regex: invalid regular expression: {}", e.what()));
      }
    } else if (op.name == "$absent") {
      if (!operand.IsScalar() || (operand.Scalar() != "true" && operand.Scalar() != "false")) {
        throw LoadError(location_of(ctx.file, operand), "$absent takes true or false");
      }
      op.flag = operand.Scalar() == "true";
    } else {
      op.number = number_operand(operand, op.name);
      if (op.name == "$count" && (op.number < 0 || op.number != static_cast<long>(op.number))) {
        throw LoadError(location_of(ctx.file, operand), "$count takes a whole number >= 0");
      }
    }
    m->ops_.push_back(std::move(op));
  }
  return m;
}

std::optional<Mismatch> Matcher::match(const json::value* actual, const Bindings& b,
                                       const std::string& path) const {
  switch (kind_) {
    case Kind::Scalar:
      return match_scalar(actual, b, path);
    case Kind::Reference: {
      const json::value* want = b.find(text_);
      if (!want) return Mismatch{path, fmt::format("${{{}}} has no value", text_)};
      if (!actual || !json_equal(*want, *actual)) {
        return Mismatch{
            path, fmt::format("expected {} (${{{}}}), got {}", shown(want), text_, shown(actual))};
      }
      return std::nullopt;
    }
    case Kind::Map: {
      const json::object* obj = actual ? actual->if_object() : nullptr;
      if (!obj) return Mismatch{path, fmt::format("expected a map, got {}", shown(actual))};
      for (const auto& [key, sub] : entries_) {
        auto it = obj->find(key);
        if (auto miss =
                sub->match(it == obj->end() ? nullptr : &it->value(), b, join_path(path, key))) {
          return miss;
        }
      }
      return std::nullopt;
    }
    case Kind::Sequence: {
      const json::array* arr = actual ? actual->if_array() : nullptr;
      if (!arr) return Mismatch{path, fmt::format("expected a list, got {}", shown(actual))};
      if (arr->size() != items_.size()) {
        return Mismatch{path, fmt::format("expected a list of {} elements, got {}", items_.size(),
                                          arr->size())};
      }
      for (std::size_t i = 0; i < items_.size(); ++i) {
        if (auto miss = items_[i]->match(&(*arr)[i], b, join_path(path, std::to_string(i)))) {
          return miss;
        }
      }
      return std::nullopt;
    }
    case Kind::Operators:
      for (const auto& op : ops_) {
        if (auto miss = match_op(op, actual, b, path)) return miss;
      }
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<Mismatch> Matcher::match_scalar(const json::value* actual, const Bindings& b,
                                              const std::string& path) const {
  if (null_) {
    if (actual && actual->is_null()) return std::nullopt;
    return Mismatch{path, fmt::format("expected null, got {}", shown(actual))};
  }
  std::string want = interpolate(text_, b, where_);
  auto differ = [&](std::string_view expected) {
    return Mismatch{path, fmt::format("expected {}, got {}", expected, shown(actual))};
  };
  if (!actual) return differ(fmt::format("'{}'", want));
  if (const auto* s = actual->if_string()) {
    if (*s == want) return std::nullopt;
    return differ(fmt::format("string '{}'", want));
  }
  if (quoted_) return differ(fmt::format("string '{}'", want));
  if (actual->is_number()) {
    auto d = parse_number(want);
    if (d && *d == actual->to_number<double>()) return std::nullopt;
    return differ(fmt::format("{}", want));
  }
  if (actual->is_bool()) {
    if ((want == "true" && actual->as_bool()) || (want == "false" && !actual->as_bool())) {
      return std::nullopt;
    }
    return differ(want);
  }
  if (actual->is_null() && (want == "null" || want == "~")) return std::nullopt;
  return differ(fmt::format("'{}'", want));
}

std::optional<Mismatch> Matcher::match_op(const Op& op, const json::value* actual,
                                          const Bindings& b, const std::string& path) const {
  const json::array* arr = actual ? actual->if_array() : nullptr;
  if (op.name == "$absent") {
    if (op.flag && actual)
      return Mismatch{path, fmt::format("expected no such key, got {}", shown(actual))};
    if (!op.flag && !actual) return Mismatch{path, "expected the key to be present"};
    return std::nullopt;
  }
  if (op.name == "$count" || op.name == "$each" || op.name == "$contains" || op.name == "$none") {
    if (!arr)
      return Mismatch{path, fmt::format("{} expects a list, got {}", op.name, shown(actual))};
  }
  if (op.name == "$count") {
    if (static_cast<double>(arr->size()) == op.number) return std::nullopt;
    return Mismatch{path, fmt::format("expected {} elements, got {}", op.number, arr->size())};
  }
  if (op.name == "$each") {
    for (std::size_t i = 0; i < arr->size(); ++i) {
      if (auto miss = op.sub->match(&(*arr)[i], b, join_path(path, std::to_string(i)))) return miss;
    }
    return std::nullopt;
  }
  if (op.name == "$contains" || op.name == "$none") {
    for (std::size_t i = 0; i < arr->size(); ++i) {
      if (!op.sub->match(&(*arr)[i], b, path)) {
        if (op.name == "$contains") return std::nullopt;
        return Mismatch{join_path(path, std::to_string(i)), "$none: this element matches"};
      }
    }
    if (op.name == "$none") return std::nullopt;
    return Mismatch{path, fmt::format("$contains: none of the {} elements matches", arr->size())};
  }
  if (op.name == "$regex") {
    const json::string* s = actual ? actual->if_string() : nullptr;
    if (!s) return Mismatch{path, fmt::format("$regex expects a string, got {}", shown(actual))};
    std::shared_ptr<std::regex> pattern = op.pattern;
    std::string text = op.pattern_text;
    if (!pattern) {
      text = interpolate(op.pattern_text, b, where_);
      try {
        pattern = std::make_shared<std::regex>(text, std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        return Mismatch{
            path, fmt::format("$regex /{}/ is not a valid regular expression: {}", text, e.what())};
      }
    }
    if (std::regex_match(s->begin(), s->end(), *pattern)) return std::nullopt;
    return Mismatch{path, fmt::format("'{}' does not match /{}/", std::string_view(*s), text)};
  }
  if (op.name == "$any") {
    for (const auto& alt : op.anyof) {
      if (!alt->match(actual, b, path)) return std::nullopt;
    }
    return Mismatch{path, fmt::format("$any: none of the {} alternatives matches {}",
                                      op.anyof.size(), shown(actual))};
  }
  auto n = as_number(actual);
  if (!n) return Mismatch{path, fmt::format("{} expects a number, got {}", op.name, shown(actual))};
  bool ok = op.name == "$gt"    ? *n > op.number
            : op.name == "$gte" ? *n >= op.number
            : op.name == "$lt"  ? *n < op.number
                                : *n <= op.number;
  if (ok) return std::nullopt;
  return Mismatch{path, fmt::format("expected {} {}, got {}", op.name, op.number, *n)};
}

}  // namespace deploysim::scenario
