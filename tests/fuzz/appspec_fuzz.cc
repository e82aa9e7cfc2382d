// libFuzzer target: any bytes as an AppSpec give a result with diagnostics, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fake_services/codedeploy_agent/appspec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto r = deploysim::fake::agent::parse_appspec(
      std::string_view(reinterpret_cast<const char*>(data), size));
  for (const auto& d : r.diagnostics) (void)deploysim::fake::agent::format_diagnostic("a", d);
  return 0;
}
