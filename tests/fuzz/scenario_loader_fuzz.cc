// libFuzzer target: any bytes given to the scenario loader must give a Scenario or a LoadError,
// never a crash, a hang or another exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fake_services/all/install.h"
#include "simulator/scenario/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    deploysim::scenario::parse_scenario(text, "fuzz.yaml", ".", deploysim::fake::models());
  } catch (const deploysim::scenario::LoadError&) {
    // Bad input, reported with its place: the expected outcome for most inputs.
  }
  return 0;
}
