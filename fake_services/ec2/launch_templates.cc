// Launch templates: versions, $Latest and $Default, and the errors EC2 gives for them.
#include <fmt/format.h>

#include <charconv>

#include "fake_services/ec2/backend.h"
#include "simulator/core/ids.h"

namespace deploysim::fake::ec2 {
namespace {

sim::AwsError template_not_found(const std::string& id_or_name, bool by_name) {
  if (by_name) {
    return {"InvalidLaunchTemplateName.NotFoundException",
            "At least one of the launch templates specified in the request does not exist.", 400};
  }
  return {"InvalidLaunchTemplateId.NotFound",
          fmt::format("The specified launch template, with template ID {}, does not exist.",
                      id_or_name),
          400};
}

bool valid_name(const std::string& name) {
  if (name.size() < 3 || name.size() > 128) return false;
  return name.find_first_not_of(
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789()./-_") ==
         std::string::npos;
}

}  // namespace

Result<const LaunchTemplate*> Backend::create_launch_template(const std::string& name,
                                                              const std::string& description,
                                                              json::object data, Tags tags) {
  if (!valid_name(name)) {
    return sim::AwsError{
        "InvalidLaunchTemplateName.MalformedException",
        "A launch template name must be between 3 and 128 characters, and may "
        "contain only letters, numbers, and the following characters: - ( ) . / _.",
        400};
  }
  for (const auto& [id, t] : templates_) {
    if (t.name == name) {
      return sim::AwsError{"InvalidLaunchTemplateName.AlreadyExistsException",
                           fmt::format("Launch template name already in use."), 400};
    }
  }
  LaunchTemplate t;
  t.id = sim::random_token(world_.rng().stream("ec2-ids"), "lt-", 17, "0123456789abcdef");
  t.name = name;
  t.created = world_.now();
  t.tags = std::move(tags);
  t.versions.push_back({1, description, world_.now(), std::move(data)});
  std::string id = t.id;
  world_.record("launch-template", id, fmt::format("created {} (version 1)", name));
  return &templates_.emplace(id, std::move(t)).first->second;
}

Result<const LaunchTemplate*> Backend::find_launch_template(const std::string& id_or_name,
                                                            bool by_name) const {
  for (const auto& [id, t] : templates_) {
    if (by_name ? t.name == id_or_name : t.id == id_or_name) return &t;
  }
  if (!by_name && id_or_name.rfind("lt-", 0) != 0) {
    return sim::AwsError{
        "InvalidLaunchTemplateId.Malformed",
        fmt::format("The specified ID for the launch template ({}) is not valid.", id_or_name),
        400};
  }
  return template_not_found(id_or_name, by_name);
}

std::vector<const LaunchTemplate*> Backend::launch_templates() const {
  std::vector<const LaunchTemplate*> out;
  for (const auto& [id, t] : templates_) out.push_back(&t);
  return out;
}

Result<const LaunchTemplateVersion*> Backend::launch_template_version(
    const LaunchTemplate& t, const std::string& version) const {
  int n = 0;
  if (version.empty() || version == "$Default") {
    n = t.default_version;
  } else if (version == "$Latest") {
    n = t.latest();
  } else {
    auto [p, ec] = std::from_chars(version.data(), version.data() + version.size(), n);
    if (ec != std::errc{} || p != version.data() + version.size() || n < 1) {
      return sim::AwsError{"InvalidLaunchTemplateId.VersionNotFound",
                           fmt::format("Could not find launch template version {} for launch "
                                       "template {}.",
                                       version, t.id),
                           400};
    }
  }
  if (n < 1 || n > t.latest()) {
    return sim::AwsError{"InvalidLaunchTemplateId.VersionNotFound",
                         fmt::format("Could not find launch template version {} for launch "
                                     "template {}.",
                                     version, t.id),
                         400};
  }
  return &t.versions[static_cast<std::size_t>(n - 1)];
}

Result<const LaunchTemplateVersion*> Backend::create_launch_template_version(
    const std::string& id_or_name, bool by_name, const std::string& source_version,
    const std::string& description, json::object data) {
  auto found = find_launch_template(id_or_name, by_name);
  if (!found.ok()) return found.error();
  LaunchTemplate& t = templates_.at(found.value()->id);
  if (!source_version.empty()) {
    auto source = launch_template_version(t, source_version);
    if (!source.ok()) return source.error();
    // The new version is the source's data with the given members replacing theirs.
    json::object merged = source.value()->data;
    for (auto& kv : data) merged[kv.key()] = kv.value();
    data = std::move(merged);
  }
  int number = t.latest() + 1;
  t.versions.push_back({number, description, world_.now(), std::move(data)});
  world_.record("launch-template", t.id, fmt::format("version {} created", number));
  return &t.versions.back();
}

Result<const LaunchTemplate*> Backend::modify_launch_template(const std::string& id_or_name,
                                                              bool by_name,
                                                              const std::string& default_version) {
  auto found = find_launch_template(id_or_name, by_name);
  if (!found.ok()) return found.error();
  LaunchTemplate& t = templates_.at(found.value()->id);
  if (!default_version.empty()) {
    auto v = launch_template_version(t, default_version);
    if (!v.ok()) return v.error();
    t.default_version = v.value()->number;
    world_.record("launch-template", t.id, fmt::format("default version is {}", t.default_version));
  }
  return &t;
}

Result<LaunchTemplate> Backend::delete_launch_template(const std::string& id_or_name,
                                                       bool by_name) {
  auto found = find_launch_template(id_or_name, by_name);
  if (!found.ok()) return found.error();
  LaunchTemplate t = *found.value();
  templates_.erase(t.id);
  world_.record("launch-template", t.id, "deleted");
  return t;
}

}  // namespace deploysim::fake::ec2
