#include "fake_services/sim/pack.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

namespace deploysim::fake::sim_service {
namespace fs = std::filesystem;
namespace {

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

sim::AwsError pack_error(const std::string& message) {
  return {"ValidationException", message, 400};
}

int open_to_memory(archive* a, std::string& out) {
  auto write_cb = [](archive*, void* client, const void* buf, size_t n) -> la_ssize_t {
    static_cast<std::string*>(client)->append(static_cast<const char*>(buf),
                                              static_cast<std::size_t>(n));
    return static_cast<la_ssize_t>(n);
  };
  return archive_write_open2(a, &out, nullptr, write_cb, nullptr, nullptr);
}

}  // namespace

sim::Result<Packed> pack_folder(const fs::path& folder, std::string_view bundle_type,
                                sim::SimTime mtime) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    return pack_error(fmt::format("Source '{}' is not a folder", folder.string()));
  }
  std::vector<fs::path> paths;
  for (auto it = fs::recursive_directory_iterator(folder, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    paths.push_back(fs::relative(it->path(), folder));
  }
  if (ec) return pack_error(fmt::format("cannot read '{}': {}", folder.string(), ec.message()));
  std::sort(paths.begin(), paths.end(), [](const fs::path& a, const fs::path& b) {
    return a.generic_string() < b.generic_string();
  });

  std::unique_ptr<archive, ArchiveDeleter> a(archive_write_new());
  if (bundle_type == "zip") {
    archive_write_set_format_zip(a.get());
  } else {
    archive_write_set_format_pax_restricted(a.get());
    if (bundle_type == "tgz") {
      archive_write_add_filter_gzip(a.get());
      archive_write_set_filter_option(a.get(), "gzip", "timestamp", nullptr);
    }
  }
  archive_write_set_bytes_in_last_block(a.get(), 1);
  Packed packed;
  if (open_to_memory(a.get(), packed.bytes) != ARCHIVE_OK) {
    return pack_error(fmt::format("libarchive: {}", archive_error_string(a.get())));
  }
  const time_t seconds = static_cast<time_t>(mtime.ms() / 1000);
  for (const fs::path& rel : paths) {
    fs::path full = folder / rel;
    fs::file_status st = fs::symlink_status(full, ec);
    std::unique_ptr<archive_entry, EntryDeleter> entry(archive_entry_new());
    archive_entry_set_pathname(entry.get(), rel.generic_string().c_str());
    archive_entry_set_mtime(entry.get(), seconds, 0);
    archive_entry_set_uid(entry.get(), 0);
    archive_entry_set_gid(entry.get(), 0);
    archive_entry_set_uname(entry.get(), "root");
    archive_entry_set_gname(entry.get(), "root");
    auto perms = static_cast<unsigned>(st.permissions()) & 07777;
    std::string data;
    if (fs::is_symlink(st)) {
      archive_entry_set_filetype(entry.get(), AE_IFLNK);
      archive_entry_set_perm(entry.get(), 0777);
      archive_entry_set_symlink(entry.get(), fs::read_symlink(full, ec).string().c_str());
    } else if (fs::is_directory(st)) {
      archive_entry_set_filetype(entry.get(), AE_IFDIR);
      archive_entry_set_perm(entry.get(), perms);
    } else if (fs::is_regular_file(st)) {
      std::ifstream in(full, std::ios::binary);
      std::ostringstream buf;
      buf << in.rdbuf();
      data = buf.str();
      archive_entry_set_filetype(entry.get(), AE_IFREG);
      archive_entry_set_perm(entry.get(), perms);
      archive_entry_set_size(entry.get(), static_cast<la_int64_t>(data.size()));
      ++packed.files;
    } else {
      continue;  // sockets, fifos, devices: nothing a revision can carry
    }
    if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK ||
        (!data.empty() && archive_write_data(a.get(), data.data(), data.size()) < 0)) {
      return pack_error(
          fmt::format("libarchive: {}: {}", rel.string(), archive_error_string(a.get())));
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    return pack_error(fmt::format("libarchive: {}", archive_error_string(a.get())));
  }
  return packed;
}

}  // namespace deploysim::fake::sim_service
