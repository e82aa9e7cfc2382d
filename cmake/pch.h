// Heavy third-party headers, precompiled once and reused by every library (see CMakeLists.txt).
#pragma once
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>
#include <boost/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>
