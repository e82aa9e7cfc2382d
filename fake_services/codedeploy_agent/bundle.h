// Revision bundles: a folder, or a tar, tgz or zip archive, unpacked as the agent unpacks them
// (a single top-level folder holding the AppSpec is stripped), refusing — with nothing written —
// any entry that would land outside the archive folder: "../", absolute paths, links out.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace deploysim::fake::agent {

enum class BundleType { Directory, Tar, Tgz, Zip };

std::optional<BundleType> parse_bundle_type(std::string_view text);  // directory|tar|tgz|zip
std::string_view bundle_type_name(BundleType t);
// From the file name (.tar, .tgz/.tar.gz, .zip) or the folder; nullopt when it cannot tell.
std::optional<BundleType> guess_bundle_type(const std::filesystem::path& path);

// Unpacks `bundle` into `dest`, which must not exist yet. Returns an error message, or nullopt.
// On error `dest` does not exist afterwards.
std::optional<std::string> unpack_bundle(const std::filesystem::path& bundle, BundleType type,
                                         const std::filesystem::path& dest);

// Unpacks archive bytes held in memory (revisions fetched from S3).
std::optional<std::string> unpack_bundle_bytes(std::string_view bytes, BundleType type,
                                               const std::filesystem::path& dest);

// The AppSpec file of an unpacked revision: `preferred`, then appspec.yaml, then appspec.yml.
std::optional<std::filesystem::path> find_appspec(const std::filesystem::path& archive,
                                                  const std::string& preferred = "appspec.yml");

}  // namespace deploysim::fake::agent
