// Reading members of a request (already checked against the operation's shape by the
// dispatcher), for operation tables and saved states.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "simulator/core/json.h"

namespace deploysim::api::params {

// The string member `key`, or `fallback` when it is absent.
inline std::string str(const json::object& p, std::string_view key, std::string fallback = "") {
  auto it = p.find(key);
  return it != p.end() && it->value().is_string() ? std::string(it->value().as_string()) : fallback;
}

inline std::optional<std::string> opt_str(const json::object& p, std::string_view key) {
  auto it = p.find(key);
  if (it == p.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().as_string());
}

inline std::optional<int> num(const json::object& p, std::string_view key) {
  auto it = p.find(key);
  if (it == p.end() || !it->value().is_number()) return std::nullopt;
  return it->value().to_number<int>();
}

// A list of strings; empty when absent.
inline std::vector<std::string> strings(const json::object& p, std::string_view key) {
  std::vector<std::string> out;
  if (auto it = p.find(key); it != p.end() && it->value().is_array()) {
    for (const auto& v : it->value().as_array()) out.emplace_back(v.as_string());
  }
  return out;
}

// Saved states: a list of strings as a JSON array and back.
inline json::array string_array(const std::vector<std::string>& v) {
  json::array out;
  for (const auto& s : v) out.emplace_back(s);
  return out;
}

inline std::vector<std::string> strings_of(const json::value& v) {
  std::vector<std::string> out;
  for (const auto& s : v.as_array()) out.emplace_back(s.as_string());
  return out;
}

}  // namespace deploysim::api::params
