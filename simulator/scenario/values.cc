#include "simulator/scenario/values.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "simulator/core/sim_time.h"

namespace deploysim::scenario {
namespace {

[[noreturn]] void fail_at(const ConvertContext& ctx, const YAML::Node& node,
                          const std::string& message) {
  throw LoadError(location_of(ctx.file, node), message);
}

std::string kind_name(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Null:
      return "null";
    default:
      return fmt::format("'{}'", node.Scalar());
  }
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t v = 0;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<double> parse_double(std::string_view s) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::string member_list(const api::Shape& shape) {
  std::string out;
  for (const auto& m : shape.members) out += out.empty() ? m.name : ", " + m.name;
  return out;
}

// A scalar after interpolation; at load time, a scalar with references is not checked further.
struct Scalar {
  bool deferred = false;  // load time and it holds ${...}
  std::string text;
};

Scalar scalar_text(const YAML::Node& node, const ConvertContext& ctx) {
  const std::string& raw = node.Scalar();
  Location where = location_of(ctx.file, node);
  for (const auto& name : references(raw)) {
    if (!ctx.bindings->known(name)) {
      auto known = ctx.bindings->names();
      auto close = api::closest_names(name, known);
      throw LoadError(
          where,
          fmt::format("unknown name '${{{}}}'{}", name,
                      close.empty() ? "" : fmt::format("; did you mean ${{{}}}?", close.front())));
    }
  }
  if (ctx.load_time && !references(raw).empty()) return {true, raw};
  return {false, interpolate(raw, *ctx.bindings, where)};
}

json::value blob_from_file(const YAML::Node& node, const ConvertContext& ctx) {
  if (node.size() != 1 || !node["file"] || !node["file"].IsScalar()) {
    fail_at(ctx, node, "a blob takes a string or {file: PATH}");
  }
  Scalar path = scalar_text(node["file"], ctx);
  if (path.deferred || ctx.load_time) return nullptr;
  std::filesystem::path p = path.text;
  if (p.is_relative()) p = std::filesystem::path(ctx.dir) / p;
  std::ifstream in(p, std::ios::binary);
  if (!in) fail_at(ctx, node["file"], fmt::format("cannot read file '{}'", p.string()));
  std::ostringstream buf;
  buf << in.rdbuf();
  return json::string(buf.str());
}

}  // namespace

const json::value* Bindings::find(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

std::vector<std::string> Bindings::names() const {
  std::set<std::string> all(declared_);
  for (const auto& kv : values_) all.insert(kv.first);
  return {all.begin(), all.end()};
}

bool is_quoted(const YAML::Node& scalar) {
  return scalar.Tag() == "!";
}

std::optional<std::string> whole_reference(const std::string& text) {
  if (text.size() > 3 && text.rfind("${", 0) == 0 && text.back() == '}' &&
      text.find("${", 2) == std::string::npos && text.find('}') == text.size() - 1) {
    return text.substr(2, text.size() - 3);
  }
  return std::nullopt;
}

std::vector<std::string> references(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while ((pos = text.find("${", pos)) != std::string::npos) {
    std::size_t end = text.find('}', pos + 2);
    if (end == std::string::npos) break;
    out.push_back(text.substr(pos + 2, end - pos - 2));
    pos = end + 1;
  }
  return out;
}

std::string interpolate(const std::string& text, const Bindings& b, const Location& where) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    std::size_t start = text.find("${", pos);
    std::size_t end = start == std::string::npos ? start : text.find('}', start + 2);
    if (start == std::string::npos || end == std::string::npos) {
      out += text.substr(pos);
      return out;
    }
    out += text.substr(pos, start - pos);
    std::string name = text.substr(start + 2, end - start - 2);
    const json::value* v = b.find(name);
    if (!v) {
      throw LoadError(where, b.known(name)
                                 ? fmt::format("'${{{}}}' has no value yet: the step that saves "
                                               "it did not run or did not save it",
                                               name)
                                 : fmt::format("unknown name '${{{}}}'", name));
    }
    out += sim::display_scalar(*v);
    pos = end + 1;
  }
}

static bool is_document_shape(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.ends_with("policydocumenttype") || lower == "policy";
}

json::value yaml_to_json_untyped(const YAML::Node& node, const ConvertContext& ctx) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Sequence: {
      json::array a;
      for (const auto& item : node) a.push_back(yaml_to_json_untyped(item, ctx));
      return a;
    }
    case YAML::NodeType::Map: {
      json::object o;
      for (const auto& kv : node) o[kv.first.Scalar()] = yaml_to_json_untyped(kv.second, ctx);
      return o;
    }
    case YAML::NodeType::Scalar:
      break;
  }
  if (auto ref = whole_reference(node.Scalar())) {
    Scalar s = scalar_text(node, ctx);
    if (s.deferred) return nullptr;
    return *ctx.bindings->find(*ref);
  }
  Scalar s = scalar_text(node, ctx);
  if (is_quoted(node) || s.deferred) return json::string(s.text);
  if (s.text == "true") return true;
  if (s.text == "false") return false;
  if (s.text == "null" || s.text == "~") return nullptr;
  if (auto i = parse_int(s.text)) return *i;
  if (s.text.find_first_of("0123456789") == 0 || s.text.rfind("-", 0) == 0) {
    if (auto d = parse_double(s.text)) return *d;
  }
  return json::string(s.text);
}

json::value yaml_to_json(const YAML::Node& node, const api::Shape* shape,
                         const ConvertContext& ctx) {
  using api::ShapeType;
  if (!shape) return yaml_to_json_untyped(node, ctx);
  if (node.IsNull()) return nullptr;
  if (node.IsScalar()) {
    if (auto ref = whole_reference(node.Scalar())) {
      Scalar s = scalar_text(node, ctx);  // checks the name
      if (s.deferred) return nullptr;
      return *ctx.bindings->find(*ref);
    }
  }
  switch (shape->type) {
    case ShapeType::Structure: {
      if (!node.IsMap())
        fail_at(ctx, node,
                fmt::format("expected a mapping ({}), got {}", shape->name, kind_name(node)));
      json::object o;
      for (const auto& kv : node) {
        const std::string& key = kv.first.Scalar();
        const api::Member* m = shape->find_member(key);
        if (!m) {
          std::vector<std::string> names;
          for (const auto& mem : shape->members) names.push_back(mem.name);
          auto close = api::closest_names(key, names);
          fail_at(ctx, kv.first,
                  fmt::format("unknown member '{}' of {}{}; members: {}", key, shape->name,
                              close.empty() ? "" : fmt::format(" (did you mean '{}'?)", close[0]),
                              member_list(*shape)));
        }
        o[key] = yaml_to_json(kv.second, m->shape, ctx);
      }
      return o;
    }
    case ShapeType::List: {
      if (!node.IsSequence()) {
        fail_at(ctx, node,
                fmt::format("expected a sequence ({}), got {}", shape->name, kind_name(node)));
      }
      json::array a;
      for (const auto& item : node) a.push_back(yaml_to_json(item, shape->member, ctx));
      return a;
    }
    case ShapeType::Map: {
      if (!node.IsMap())
        fail_at(ctx, node,
                fmt::format("expected a mapping ({}), got {}", shape->name, kind_name(node)));
      json::object o;
      for (const auto& kv : node) {
        Scalar key = scalar_text(kv.first, ctx);
        o[key.text] = yaml_to_json(kv.second, shape->value, ctx);
      }
      return o;
    }
    case ShapeType::Blob:
      if (node.IsMap()) return blob_from_file(node, ctx);
      break;
    case ShapeType::String:
      // A JSON document member (an IAM policy, a trust policy) may be written as YAML: it is
      // sent as the compact JSON text the API takes.
      if (node.IsMap() && is_document_shape(shape->name)) {
        return json::string(sim::compact_json(yaml_to_json_untyped(node, ctx)));
      }
      break;
    default:
      break;
  }
  if (!node.IsScalar()) {
    fail_at(ctx, node,
            fmt::format("expected a {} ({}), got {}", api::type_name(shape->type), shape->name,
                        kind_name(node)));
  }
  Scalar s = scalar_text(node, ctx);
  if (s.deferred) return nullptr;
  switch (shape->type) {
    case ShapeType::Integer:
    case ShapeType::Long:
      if (auto i = parse_int(s.text)) return *i;
      fail_at(ctx, node, fmt::format("expected an integer ({}), got '{}'", shape->name, s.text));
    case ShapeType::Float:
    case ShapeType::Double:
      if (auto d = parse_double(s.text)) return *d;
      fail_at(ctx, node, fmt::format("expected a number ({}), got '{}'", shape->name, s.text));
    case ShapeType::Boolean:
      if (s.text == "true") return true;
      if (s.text == "false") return false;
      fail_at(ctx, node, fmt::format("expected true or false ({}), got '{}'", shape->name, s.text));
    case ShapeType::Timestamp:
      if (!sim::parse_iso8601(s.text)) {
        fail_at(ctx, node,
                fmt::format("expected an ISO 8601 timestamp ({}), got '{}'", shape->name, s.text));
      }
      return json::string(s.text);
    case ShapeType::String:
      // Enum and length rules are the dispatcher's: it answers with the service's own error.
      return json::string(s.text);
    default:
      return json::string(s.text);
  }
}

}  // namespace deploysim::scenario
