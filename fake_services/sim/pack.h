// Packs a folder into a tar, tgz or zip archive, deterministically: entries in byte order of their
// paths, owner root:root, and every time stamp set to the given instant, so the same folder gives
// the same bytes (and the same S3 ETag) on every run.
#pragma once

#include <filesystem>
#include <string>

#include "simulator/core/aws_error.h"
#include "simulator/core/sim_time.h"

namespace deploysim::fake::sim_service {

struct Packed {
  std::string bytes;
  int files = 0;
};

sim::Result<Packed> pack_folder(const std::filesystem::path& folder, std::string_view bundle_type,
                                sim::SimTime mtime);

}  // namespace deploysim::fake::sim_service
