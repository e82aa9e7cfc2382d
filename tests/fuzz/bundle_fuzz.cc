// libFuzzer target: any bytes as a tar, tgz or zip bundle unpack or fail cleanly, and nothing is
// ever written outside the destination folder.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "fake_services/codedeploy_agent/bundle.h"

namespace fs = std::filesystem;
using deploysim::fake::agent::BundleType;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const fs::path base =
      fs::temp_directory_path() / ("deploysim-fuzz-" + std::to_string(getpid()));
  const fs::path dest = base / "archive";
  fs::remove_all(base);
  fs::create_directories(base);
  BundleType type = data[0] % 3 == 0   ? BundleType::Tar
                    : data[0] % 3 == 1 ? BundleType::Tgz
                                       : BundleType::Zip;
  auto error = deploysim::fake::agent::unpack_bundle_bytes(
      std::string_view(reinterpret_cast<const char*>(data + 1), size - 1), type, dest);
  // Whatever happened, the only thing under `base` may be `dest`.
  for (const auto& e : fs::directory_iterator(base)) {
    if (e.path() != dest) std::abort();
  }
  if (error && fs::exists(dest)) std::abort();  // a refused bundle leaves nothing behind
  fs::remove_all(base);
  return 0;
}
