#include "simulator/core/json.h"

#include <boost/json/serialize.hpp>

#include <charconv>

namespace deploysim::sim {

const json::value* find_path(const json::value& root, std::string_view path) {
  const json::value* cur = &root;
  while (!path.empty()) {
    std::size_t dot = path.find('.');
    std::string_view part = path.substr(0, dot);
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
    if (const auto* obj = cur->if_object()) {
      auto it = obj->find(part);
      if (it == obj->end()) return nullptr;
      cur = &it->value();
    } else if (const auto* arr = cur->if_array()) {
      std::size_t index = 0;
      auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), index);
      if (ec != std::errc{} || p != part.data() + part.size() || index >= arr->size()) {
        return nullptr;
      }
      cur = &(*arr)[index];
    } else {
      return nullptr;
    }
  }
  return cur;
}

namespace {

void pretty_into(std::string& out, const json::value& v, int indent) {
  auto pad = [&](int n) { out.append(static_cast<std::size_t>(n) * 2, ' '); };
  if (const auto* obj = v.if_object()) {
    if (obj->empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    bool first = true;
    for (const auto& kv : *obj) {
      if (!first) out += ",\n";
      first = false;
      pad(indent + 1);
      out += json::serialize(json::string_view(kv.key()));
      out += ": ";
      pretty_into(out, kv.value(), indent + 1);
    }
    out += "\n";
    pad(indent);
    out += "}";
  } else if (const auto* arr = v.if_array()) {
    if (arr->empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    for (std::size_t i = 0; i < arr->size(); ++i) {
      if (i) out += ",\n";
      pad(indent + 1);
      pretty_into(out, (*arr)[i], indent + 1);
    }
    out += "\n";
    pad(indent);
    out += "]";
  } else {
    out += json::serialize(v);
  }
}

}  // namespace

std::string pretty_json(const json::value& v) {
  std::string out;
  pretty_into(out, v, 0);
  return out;
}

std::string compact_json(const json::value& v) {
  return json::serialize(v);
}

std::string display_scalar(const json::value& v) {
  if (const auto* s = v.if_string()) return std::string(*s);
  return json::serialize(v);
}

std::string_view json_kind(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string:
      return "string";
    case json::kind::int64:
    case json::kind::uint64:
      return "integer";
    case json::kind::double_:
      return "number";
    case json::kind::bool_:
      return "boolean";
    case json::kind::null:
      return "null";
    case json::kind::array:
      return "list";
    case json::kind::object:
      return "map";
  }
  return "value";
}

}  // namespace deploysim::sim
