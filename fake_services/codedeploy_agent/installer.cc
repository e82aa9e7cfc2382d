#include "fake_services/codedeploy_agent/installer.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <boost/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace deploysim::fake::agent {
namespace fs = std::filesystem;
namespace {

struct Command {
  enum class Kind { Copy, Mkdir, Chmod, Chown, Setfacl, Semanage };
  Kind kind;
  std::string target;  // instance path
  fs::path source;     // Copy: host path in the archive
  std::string source_inside;
  std::string mode;
  std::optional<std::string> owner, group;
  std::vector<std::string> acls;
};

// File.expand_path for instance paths: absolute, "." and ".." resolved, no trailing slash.
std::string expand(const std::string& path) {
  fs::path p = fs::path("/") / fs::path(path).relative_path();
  std::string s = p.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// The agent's simple globs: '*' only, and never across '/'.
bool simple_glob(std::string_view name, std::string_view pattern) {
  if (name.find('/') != std::string_view::npos) return false;
  std::size_t n = 0, p = 0, star = std::string_view::npos, mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = n;
    } else if (p < pattern.size() && pattern[p] == name[n]) {
      ++p;
      ++n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

class Builder {
 public:
  Builder(const InstallRequest& r, const AppSpec& s) : req_(r), spec_(s) {}

  fs::path host(const std::string& inside) const {
    return req_.instance_root / fs::path(inside).relative_path();
  }

  void copy(const fs::path& src, const std::string& src_inside, const std::string& dest_raw) {
    std::string dest = expand(dest_raw);
    if (auto it = copy_targets_.find(dest); it != copy_targets_.end()) {
      throw std::runtime_error(fmt::format(
          "The deployment failed because the application specification file specifies two "
          "source files named {} and {} for the same destination ({}). Remove one of the source "
          "file paths from the AppSpec file, and then try again.",
          src_inside, it->second, dest));
    }
    if (mkdir_targets_.count(dest)) {
      throw std::runtime_error(fmt::format(
          "The deployment failed because the application specification file calls for "
          "installing the file {}, but a file with that name already exists at the location "
          "({}). Update your AppSpec file or directory structure, and then try again.",
          src_inside, dest));
    }
    commands_.push_back({Command::Kind::Copy, dest, src, src_inside, "", {}, {}, {}});
    copy_targets_[dest] = src_inside;
  }

  void mkdir(const std::string& dest_raw) {
    std::string dest = expand(dest_raw);
    if (auto it = copy_targets_.find(dest); it != copy_targets_.end()) {
      throw std::runtime_error(fmt::format(
          "The deployment failed because the application specification file includes an mkdir "
          "command more than once for the same destination path ({}) from ({}). Update the files "
          "section of the AppSpec file, and then try again.",
          dest, it->second));
    }
    if (mkdir_targets_.insert(dest).second) {
      commands_.push_back({Command::Kind::Mkdir, dest, {}, "", "", {}, {}, {}});
      mkdir_order_.push_back(dest);
    }
  }

  void generate() {
    for (const FileSpec& f : spec_.files) {
      fs::path src = req_.archive / fs::path(f.source).relative_path();
      std::string src_inside = (fs::path(req_.archive_inside) / fs::path(f.source).relative_path())
                                   .lexically_normal()
                                   .string();
      if (fs::is_directory(src) && !fs::is_symlink(src)) {
        fill_missing_ancestors(expand(f.destination));
        directory_copy(src, src_inside, expand(f.destination));
      } else {
        std::string dest = expand(f.destination + "/" + src.filename().string());
        fill_missing_ancestors(dest);
        normal_copy(src, src_inside, dest);
      }
    }
    for (const PermissionSpec& p : spec_.permissions) permission(p);
  }

  InstallResult execute() {
    InstallResult result;
    write_install_json();
    fs::path cleanup_path = req_.instructions_dir / (req_.group_id + "-cleanup");
    std::ofstream cleanup(cleanup_path, std::ios::trunc);
    for (const Command& c : commands_) {
      std::error_code ec;
      fs::path target = host(c.target);
      switch (c.kind) {
        case Command::Kind::Copy:
          cleanup << c.target << "\n" << std::flush;
          if (!fs::exists(c.source, ec) && !fs::is_symlink(c.source, ec)) {
            throw std::runtime_error(
                fmt::format("No such file or directory @ rb_sysopen - {}", c.source_inside));
          }
          if (fs::is_symlink(c.source)) {
            fs::remove(target, ec);
            fs::create_symlink(fs::read_symlink(c.source), target, ec);
          } else {
            fs::copy_file(c.source, target, fs::copy_options::overwrite_existing, ec);
            if (!ec) preserve_times(c.source, target);
          }
          if (ec) throw std::runtime_error(fmt::format("{} - {}", ec.message(), c.target));
          ++result.copied;
          break;
        case Command::Kind::Mkdir:
          fs::create_directory(target, ec);
          if (ec)
            throw std::runtime_error(fmt::format("{} @ dir_s_mkdir - {}", ec.message(), c.target));
          cleanup << c.target << "\n" << std::flush;
          ++result.directories;
          break;
        case Command::Kind::Chmod:
          if (chmod(target.c_str(), static_cast<mode_t>(std::stoi(c.mode, nullptr, 8))) != 0) {
            throw std::runtime_error(
                fmt::format("{} @ apply2files - {}", std::strerror(errno), c.target));
          }
          ++result.permissions;
          break;
        case Command::Kind::Chown:
          chown_command(c, target);
          break;
        case Command::Kind::Setfacl:
          result.notes.push_back(fmt::format("setfacl --set {} {}: recorded, not applied",
                                             fmt::join(c.acls, ","), c.target));
          break;
        case Command::Kind::Semanage:
          result.notes.push_back(
              fmt::format("semanage fcontext {}: recorded, not applied", c.target));
          break;
      }
    }
    return result;
  }

 private:
  void fill_missing_ancestors(const std::string& destination) {
    std::vector<std::string> missing;
    fs::path parent = fs::path(destination).parent_path();
    while (parent != "/" && parent != "." && !parent.empty() &&
           !fs::exists(host(parent.string()))) {
      missing.insert(missing.begin(), parent.string());
      parent = parent.parent_path();
    }
    for (const auto& dir : missing) mkdir(dir);
  }

  void directory_copy(const fs::path& src, const std::string& src_inside, const std::string& dest) {
    if (!fs::is_directory(host(dest))) mkdir(dest);
    // Sorted, where the agent walks in readdir order: same result, deterministic order.
    std::vector<fs::path> entries;
    for (const auto& e : fs::directory_iterator(src)) entries.push_back(e.path());
    std::sort(entries.begin(), entries.end());
    for (const fs::path& e : entries) {
      std::string name = e.filename().string();
      std::string entry_dest = dest == "/" ? "/" + name : dest + "/" + name;
      if (fs::is_directory(e) && !fs::is_symlink(e)) {
        directory_copy(e, src_inside + "/" + name, entry_dest);
      } else {
        normal_copy(e, src_inside + "/" + name, entry_dest);
      }
    }
  }

  void normal_copy(const fs::path& src, const std::string& src_inside, const std::string& dest) {
    std::error_code ec;
    bool exists = fs::exists(fs::symlink_status(host(dest), ec));
    if (!exists) return copy(src, src_inside, dest);
    const std::string& b = req_.file_exists_behavior;
    if (b == "DISALLOW") {
      throw std::runtime_error(fmt::format(
          "The deployment failed because a specified file already exists at this location: {}",
          dest));
    } else if (b == "OVERWRITE") {
      copy(src, src_inside, dest);
    } else if (b != "RETAIN") {
      throw std::runtime_error(fmt::format(
          "The deployment failed because an invalid option was specified for fileExistsBehavior: "
          "{}. Valid options include OVERWRITE, RETAIN, and DISALLOW.",
          b));
    }
  }

  bool matches(const PermissionSpec& p, const std::string& object) const {
    std::string base = expand(p.object);
    if (base.back() != '/') base += '/';
    if (object.rfind(base, 0) != 0) return false;
    std::string rel = object.substr(base.size());
    bool in = p.pattern == "**" || simple_glob(rel, p.pattern);
    if (!in) return false;
    return std::none_of(p.except.begin(), p.except.end(),
                        [&](const std::string& e) { return simple_glob(rel, e); });
  }

  void permission(const PermissionSpec& p) {
    std::string object = expand(p.object);
    if (copy_targets_.count(object)) {
      if (p.applies_to_files()) {
        if (p.default_acl) {
          throw std::runtime_error(
              "The deployment failed because the -d parameter has been specified to apply an acl "
              "setting to a file. This parameter is supported for directories only. Update the "
              "AppSpec file, and then try again.");
        }
        set_permissions(object, p);
      }
    } else if (mkdir_targets_.count(object) || fs::is_directory(host(object))) {
      std::vector<std::string> found;
      if (p.applies_to_files()) {
        for (const auto& [target, _] : copy_targets_) {
          if (matches(p, target)) found.push_back(target);
        }
      }
      if (p.applies_to_directories()) {
        for (const auto& dir : mkdir_order_) {
          if (matches(p, dir)) found.push_back(dir);
        }
      }
      for (const auto& f : found) set_permissions(f, p);
    }
  }

  void set_permissions(const std::string& object, const PermissionSpec& p) {
    if (!permission_targets_.insert(object).second) {
      throw std::runtime_error(fmt::format(
          "The deployment failed because the permissions setting for ({}) is specified more than "
          "once in the application specification file. Update the files section of the AppSpec "
          "file, and then try again.",
          object));
    }
    if (p.mode) commands_.push_back({Command::Kind::Chmod, object, {}, "", *p.mode, {}, {}, {}});
    if (!p.acls.empty())
      commands_.push_back({Command::Kind::Setfacl, object, {}, "", "", {}, {}, p.acls});
    if (p.has_context)
      commands_.push_back({Command::Kind::Semanage, object, {}, "", "", {}, {}, {}});
    if (p.owner || p.group) {
      commands_.push_back({Command::Kind::Chown, object, {}, "", "", p.owner, p.group, {}});
    }
  }

  // Owner and group names are the instance's (its /etc/passwd and /etc/group), as Etc.getpwnam
  // would read them on the instance.
  std::optional<long> lookup(const char* file, const std::string& name) const {
    std::ifstream in(req_.instance_root / "etc" / file);
    std::string line;
    while (std::getline(in, line)) {
      std::vector<std::string> f;
      std::stringstream ss(line);
      std::string part;
      while (std::getline(ss, part, ':')) f.push_back(part);
      if (f.size() >= 3 && f[0] == name) return std::stol(f[2]);
    }
    return std::nullopt;
  }

  void chown_command(const Command& c, const fs::path& target) {
    long uid = -1, gid = -1;
    if (c.owner) {
      auto u = lookup("passwd", *c.owner);
      if (!u) throw std::runtime_error(fmt::format("can't find user for {}", *c.owner));
      uid = *u;
    }
    if (c.group) {
      auto g = lookup("group", *c.group);
      if (!g) throw std::runtime_error(fmt::format("can't find group for {}", *c.group));
      gid = *g;
    }
    if (lchown(target.c_str(), static_cast<uid_t>(uid), static_cast<gid_t>(gid)) != 0 &&
        chown(target.c_str(), static_cast<uid_t>(uid), static_cast<gid_t>(gid)) != 0) {
      throw std::runtime_error(
          fmt::format("{} @ apply2files - {}", std::strerror(errno), c.target));
    }
  }

  static void preserve_times(const fs::path& from, const fs::path& to) {
    std::error_code ec;
    fs::last_write_time(to, fs::last_write_time(from, ec), ec);
    fs::permissions(to, fs::status(from, ec).permissions(), ec);
  }

  void write_install_json() {
    boost::json::array list;
    for (const Command& c : commands_) {
      switch (c.kind) {
        case Command::Kind::Copy:
          list.push_back(
              {{"type", "copy"}, {"source", c.source_inside}, {"destination", c.target}});
          break;
        case Command::Kind::Mkdir:
          list.push_back({{"type", "mkdir"}, {"directory", c.target}});
          break;
        case Command::Kind::Chmod:
          list.push_back({{"type", "chmod"}, {"mode", c.mode}, {"file", c.target}});
          break;
        case Command::Kind::Chown:
          list.push_back({{"type", "chown"},
                          {"owner", c.owner ? boost::json::value(*c.owner) : nullptr},
                          {"group", c.group ? boost::json::value(*c.group) : nullptr},
                          {"file", c.target}});
          break;
        case Command::Kind::Setfacl: {
          boost::json::array acl;
          for (const auto& a : c.acls) acl.push_back(boost::json::string(a));
          list.push_back({{"type", "setfacl"}, {"acl", acl}, {"file", c.target}});
          break;
        }
        case Command::Kind::Semanage:
          list.push_back({{"type", "semanage"}, {"file", c.target}});
          break;
      }
    }
    std::ofstream out(req_.instructions_dir / (req_.group_id + "-install.json"), std::ios::trunc);
    out << boost::json::serialize(boost::json::object{{"instructions", list}});
  }

  const InstallRequest& req_;
  const AppSpec& spec_;
  std::vector<Command> commands_;
  std::map<std::string, std::string> copy_targets_;  // destination -> source (inside paths)
  std::set<std::string> mkdir_targets_;
  std::vector<std::string> mkdir_order_;
  std::set<std::string> permission_targets_;
};

// The previous deployment's files: the cleanup file's lines, removed in reverse order; a last
// line without its newline was a partial write and is dropped.
void replay_cleanup(const InstallRequest& req) {
  fs::path path = req.instructions_dir / (req.group_id + "-cleanup");
  std::error_code ec;
  if (!fs::exists(path, ec)) return;
  std::ifstream in(path);
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  std::vector<std::string> lines;
  std::size_t start = 0, nl;
  while ((nl = text.find('\n', start)) != std::string::npos) {
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (it->rfind(std::string("semanage\0", 9), 0) == 0) continue;  // contexts are not applied
    fs::path target = req.instance_root / fs::path(*it).relative_path();
    if (fs::is_symlink(target, ec) || fs::is_regular_file(target, ec)) {
      fs::remove(target, ec);
    } else if (fs::is_directory(target, ec)) {
      rmdir(target.c_str());  // ENOTEMPTY is ignored: directories with other files stay
    } else if (fs::exists(target, ec)) {
      fs::remove(target, ec);
    }
  }
  fs::remove(path, ec);
}

}  // namespace

InstallResult install(const InstallRequest& request, const AppSpec& spec) {
  InstallResult result;
  try {
    std::filesystem::create_directories(request.instructions_dir);
    replay_cleanup(request);
    Builder b(request, spec);
    b.generate();
    result = b.execute();
  } catch (const std::exception& e) {
    result.error = e.what();
  }
  return result;
}

}  // namespace deploysim::fake::agent
