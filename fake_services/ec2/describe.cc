// What DescribeInstances and DescribeImages select: IDs, owners and EC2 filters (every filter
// must match; within one, any of its values, with * and ?).
#include "fake_services/ec2/backend.h"

#include <algorithm>

namespace deploysim::fake::ec2 {
namespace {

bool instance_matches(const Instance& i, const Filter& f) {
  const std::string& name = f.name;
  if (name == "instance-id") return f.any(i.id);
  if (name == "instance-state-name") return f.any(state_name(i.state));
  if (name == "image-id") return f.any(i.image_id);
  if (name == "availability-zone") return f.any(i.zone);
  if (name == "tag-key") {
    return std::any_of(i.tags.begin(), i.tags.end(), [&](const auto& t) { return f.any(t.first); });
  }
  if (name.rfind("tag:", 0) == 0) {
    std::string key = name.substr(4);
    return std::any_of(i.tags.begin(), i.tags.end(),
                       [&](const auto& t) { return t.first == key && f.any(t.second); });
  }
  return false;  // a filter deploysim does not know matches nothing (see README)
}

bool image_matches(const Image& img, const Filter& f) {
  if (f.name == "name") return f.any(img.name);
  if (f.name == "state") return f.any(img.state);
  if (f.name == "image-id") return f.any(img.id);
  if (f.name == "owner-alias") return f.any(img.owner_alias);
  if (f.name == "owner-id") return f.any(img.owner_id);
  return false;
}

}  // namespace

bool Filter::any(std::string_view actual) const {
  return std::any_of(values.begin(), values.end(),
                     [&](const std::string& v) { return wildcard_match(actual, v); });
}

Result<std::vector<const Instance*>> Backend::describe_instances(
    const std::vector<std::string>& ids, const std::vector<Filter>& filters) const {
  std::vector<const Instance*> candidates;
  if (ids.empty()) {
    candidates = instances();
  } else {
    auto found = find_instances(ids);
    if (!found.ok()) return found.error();
    candidates = found.value();
  }
  std::vector<const Instance*> out;
  for (const Instance* i : candidates) {
    if (std::all_of(filters.begin(), filters.end(),
                    [&](const Filter& f) { return instance_matches(*i, f); })) {
      out.push_back(i);
    }
  }
  return out;
}

Result<std::vector<const Image*>> Backend::describe_images(
    const std::vector<std::string>& ids, const std::vector<std::string>& owners,
    const std::vector<Filter>& filters) const {
  std::vector<const Image*> candidates;
  if (ids.empty()) {
    candidates = images();
  } else {
    for (const auto& id : ids) {
      auto img = find_image(id);
      if (!img.ok()) return img.error();
      candidates.push_back(img.value());
    }
  }
  const std::string& account = world_.config().account;
  std::vector<const Image*> out;
  for (const Image* img : candidates) {
    bool owner_ok =
        owners.empty() || std::any_of(owners.begin(), owners.end(), [&](const std::string& o) {
          return o == img->owner_id || (!img->owner_alias.empty() && o == img->owner_alias) ||
                 (o == "self" && img->owner_id == account);
        });
    if (owner_ok && std::all_of(filters.begin(), filters.end(),
                                [&](const Filter& f) { return image_matches(*img, f); })) {
      out.push_back(img);
    }
  }
  return out;
}

std::vector<Backend::TagEntry> Backend::describe_tags(const std::vector<Filter>& filters) const {
  std::vector<TagEntry> all;
  for (const auto& id : launch_order_) {
    for (const auto& [k, v] : instances_.at(id).tags) all.push_back({id, "instance", k, v});
  }
  for (const auto& [id, img] : images_) {
    for (const auto& [k, v] : img.tags) all.push_back({id, "image", k, v});
  }
  for (const auto& [id, t] : templates_) {
    for (const auto& [k, v] : t.tags) all.push_back({id, "launch-template", k, v});
  }
  std::vector<TagEntry> out;
  for (const auto& e : all) {
    bool keep = true;
    for (const Filter& f : filters) {
      std::string_view actual = f.name == "resource-id"     ? e.resource_id
                                : f.name == "resource-type" ? e.resource_type
                                : f.name == "key"           ? e.key
                                : f.name == "value"         ? e.value
                                                            : std::string_view();
      keep = keep && f.any(actual);
    }
    if (keep) out.push_back(e);
  }
  return out;
}

}  // namespace deploysim::fake::ec2
