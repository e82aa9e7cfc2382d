// JSON is Boost.JSON throughout; these are the few helpers every layer needs.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace deploysim {
namespace json = boost::json;
}

namespace deploysim::sim {

// The value at a dotted path ("Instances.0.InstanceId"); nullptr when any step is missing.
const json::value* find_path(const json::value& root, std::string_view path);
// Two-space indented, keys in the object's own (insertion) order.
std::string pretty_json(const json::value& v);
std::string compact_json(const json::value& v);
// A short one-line rendering for messages: strings unquoted, others as compact JSON.
std::string display_scalar(const json::value& v);
// "string", "integer", "number", "boolean", "null", "list", "map".
std::string_view json_kind(const json::value& v);

}  // namespace deploysim::sim
