#include "fake_services/codedeploy_agent/bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <fstream>
#include <memory>
#include <regex>
#include <system_error>

namespace deploysim::fake::agent {
namespace fs = std::filesystem;
namespace {

struct ReadDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};

// A relative path that stays inside its root once "." and ".." are resolved lexically.
bool stays_inside(const fs::path& relative) {
  if (relative.is_absolute() || relative.has_root_name() || relative.has_root_directory()) {
    return false;
  }
  int depth = 0;
  for (const auto& part : relative) {
    if (part == "..") {
      if (--depth < 0) return false;
    } else if (part != "." && !part.empty()) {
      ++depth;
    }
  }
  return true;
}

// A link at `entry` (relative to the root) pointing at `target` must resolve inside the root.
bool link_stays_inside(const fs::path& entry, const std::string& target) {
  if (target.empty() || fs::path(target).is_absolute()) return false;
  return stays_inside(entry.parent_path() / target);
}

std::optional<std::string> extract(archive* in, const fs::path& dest) {
  fs::create_directories(dest);
  archive_entry* entry = nullptr;
  int rc = 0;
  while ((rc = archive_read_next_header(in, &entry)) == ARCHIVE_OK) {
    std::string name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
    fs::path rel = fs::path(name).lexically_normal();
    if (name.empty() || rel == "." || rel == "./") continue;
    if (!stays_inside(fs::path(name))) {
      return fmt::format("archive entry '{}' would be written outside the archive folder", name);
    }
    fs::path out = dest / rel;
    std::error_code ec;
    fs::create_directories(out.parent_path(), ec);
    const char* hardlink = archive_entry_hardlink(entry);
    const char* symlink = archive_entry_symlink(entry);
    mode_t type = archive_entry_filetype(entry);
    auto perms = static_cast<fs::perms>(archive_entry_perm(entry) & 07777);
    if (hardlink) {
      if (!stays_inside(fs::path(hardlink))) {
        return fmt::format("archive entry '{}' links outside the archive folder ({})", name,
                           hardlink);
      }
      fs::copy_file(dest / fs::path(hardlink).lexically_normal(), out,
                    fs::copy_options::overwrite_existing, ec);
    } else if (type == AE_IFLNK) {
      std::string target = symlink ? symlink : "";
      if (!link_stays_inside(rel, target)) {
        return fmt::format("archive entry '{}' is a link pointing outside the archive folder ({})",
                           name, target);
      }
      fs::remove(out, ec);
      fs::create_symlink(target, out, ec);
    } else if (type == AE_IFDIR) {
      fs::create_directories(out, ec);
      if (!ec) fs::permissions(out, perms | fs::perms::owner_all, ec);
    } else if (type == AE_IFREG) {
      std::ofstream file(out, std::ios::binary | std::ios::trunc);
      const void* buf = nullptr;
      size_t size = 0;
      la_int64_t offset = 0;
      int r = 0;
      while ((r = archive_read_data_block(in, &buf, &size, &offset)) == ARCHIVE_OK) {
        file.seekp(offset);
        file.write(static_cast<const char*>(buf), static_cast<std::streamsize>(size));
      }
      if (r != ARCHIVE_EOF)
        return fmt::format("cannot read '{}': {}", name, archive_error_string(in));
      file.close();
      fs::permissions(out, perms, ec);
    } else {
      continue;  // devices, fifos: nothing a revision may carry
    }
    if (ec) return fmt::format("cannot write '{}': {}", name, ec.message());
  }
  if (rc != ARCHIVE_EOF) {
    return fmt::format("the bundle is not a valid archive: {}",
                       archive_error_string(in) ? archive_error_string(in) : "unreadable");
  }
  return std::nullopt;
}

std::unique_ptr<archive, ReadDeleter> reader(BundleType type) {
  std::unique_ptr<archive, ReadDeleter> a(archive_read_new());
  if (type == BundleType::Zip) {
    archive_read_support_format_zip(a.get());
  } else {
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    if (type == BundleType::Tgz) archive_read_support_filter_gzip(a.get());
  }
  return a;
}

std::optional<std::string> copy_folder(const fs::path& src, const fs::path& dest) {
  std::error_code ec;
  fs::create_directories(dest, ec);
  for (auto it = fs::recursive_directory_iterator(src, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    fs::path rel = fs::relative(it->path(), src);
    fs::path out = dest / rel;
    if (it->is_symlink()) {
      std::string target = fs::read_symlink(it->path()).string();
      if (!link_stays_inside(rel, target)) {
        return fmt::format("'{}' is a link pointing outside the bundle folder ({})", rel.string(),
                           target);
      }
      fs::create_symlink(target, out, ec);
    } else if (it->is_directory()) {
      fs::create_directory(out, ec);
    } else if (it->is_regular_file()) {
      fs::copy_file(it->path(), out, ec);
    }
    if (ec) return fmt::format("cannot copy '{}': {}", rel.string(), ec.message());
  }
  if (ec) return fmt::format("cannot read '{}': {}", src.string(), ec.message());
  return std::nullopt;
}

// The agent strips one leading folder when it is alone at the root and holds an AppSpec.
void strip_single_top_folder(const fs::path& dest) {
  std::vector<fs::path> entries;
  for (const auto& e : fs::directory_iterator(dest)) entries.push_back(e.path());
  if (entries.size() != 1 || fs::is_symlink(entries[0]) || !fs::is_directory(entries[0])) return;
  static const std::regex kAppSpec("appspec", std::regex::icase);
  bool has_appspec = false;
  for (const auto& e : fs::directory_iterator(entries[0])) {
    has_appspec |= std::regex_search(e.path().filename().string(), kAppSpec);
  }
  if (!has_appspec) return;
  fs::path temp = dest.string() + "-temp";
  fs::rename(entries[0], temp);
  for (const auto& e : fs::directory_iterator(temp))
    fs::rename(e.path(), dest / e.path().filename());
  fs::remove(temp);
}

template <class Open>
std::optional<std::string> unpack_with(BundleType type, const fs::path& dest, Open open) {
  if (fs::exists(dest)) return fmt::format("'{}' already exists", dest.string());
  std::optional<std::string> error;
  if (type == BundleType::Directory) {
    error = open(nullptr);
  } else {
    auto a = reader(type);
    error = open(a.get());
    if (!error) error = extract(a.get(), dest);
  }
  std::error_code ec;
  if (error) {
    fs::remove_all(dest, ec);
    return error;
  }
  // The agent strips archives only; a folder bundle is copied as it is.
  if (type != BundleType::Directory) strip_single_top_folder(dest);
  return std::nullopt;
}

}  // namespace

std::optional<BundleType> parse_bundle_type(std::string_view text) {
  if (text == "directory") return BundleType::Directory;
  if (text == "tar") return BundleType::Tar;
  if (text == "tgz") return BundleType::Tgz;
  if (text == "zip") return BundleType::Zip;
  return std::nullopt;
}

std::string_view bundle_type_name(BundleType t) {
  switch (t) {
    case BundleType::Directory:
      return "directory";
    case BundleType::Tar:
      return "tar";
    case BundleType::Tgz:
      return "tgz";
    case BundleType::Zip:
      return "zip";
  }
  return "directory";
}

std::optional<BundleType> guess_bundle_type(const fs::path& path) {
  if (fs::is_directory(path)) return BundleType::Directory;
  std::string name = path.filename().string();
  auto ends = [&](std::string_view s) { return name.size() >= s.size() && name.ends_with(s); };
  if (ends(".tgz") || ends(".tar.gz")) return BundleType::Tgz;
  if (ends(".tar")) return BundleType::Tar;
  if (ends(".zip")) return BundleType::Zip;
  return std::nullopt;
}

std::optional<std::string> unpack_bundle(const fs::path& bundle, BundleType type,
                                         const fs::path& dest) {
  return unpack_with(type, dest, [&](archive* a) -> std::optional<std::string> {
    if (!a) return copy_folder(bundle, dest);
    if (archive_read_open_filename(a, bundle.c_str(), 1 << 16) != ARCHIVE_OK) {
      return fmt::format("cannot open the bundle '{}': {}", bundle.string(),
                         archive_error_string(a));
    }
    return std::nullopt;
  });
}

std::optional<std::string> unpack_bundle_bytes(std::string_view bytes, BundleType type,
                                               const fs::path& dest) {
  if (type == BundleType::Directory) return "a revision held as bytes cannot be a directory";
  return unpack_with(type, dest, [&](archive* a) -> std::optional<std::string> {
    if (archive_read_open_memory(a, bytes.data(), bytes.size()) != ARCHIVE_OK) {
      return fmt::format("the bundle is not a valid archive: {}", archive_error_string(a));
    }
    return std::nullopt;
  });
}

std::optional<fs::path> find_appspec(const fs::path& archive, const std::string& preferred) {
  for (const std::string& name :
       {preferred, std::string("appspec.yaml"), std::string("appspec.yml")}) {
    if (fs::is_regular_file(archive / name)) return archive / name;
  }
  return std::nullopt;
}

}  // namespace deploysim::fake::agent
