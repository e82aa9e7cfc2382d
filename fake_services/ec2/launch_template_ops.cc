// The launch template operations of the ec2 table (decode -> backend -> encode).
#include <fmt/format.h>

#include "fake_services/ec2/service.h"

#include "simulator/api/params.h"

namespace deploysim::fake::ec2 {
namespace {

using namespace api::params;

json::object template_json(const LaunchTemplate& t, const std::string& account) {
  json::object o{{"LaunchTemplateId", t.id},
                 {"LaunchTemplateName", t.name},
                 {"CreateTime", sim::format_iso8601(t.created)},
                 {"CreatedBy", fmt::format("arn:aws:iam::{}:root", account)},
                 {"DefaultVersionNumber", t.default_version},
                 {"LatestVersionNumber", t.latest()}};
  if (!t.tags.empty()) {
    json::array tags;
    for (const auto& [k, v] : t.tags) tags.push_back(json::object{{"Key", k}, {"Value", v}});
    o["Tags"] = std::move(tags);
  }
  return o;
}

json::object version_json(const LaunchTemplate& t, const LaunchTemplateVersion& v,
                          const std::string& account) {
  json::object o{{"LaunchTemplateId", t.id},
                 {"LaunchTemplateName", t.name},
                 {"VersionNumber", v.number},
                 {"CreateTime", sim::format_iso8601(v.created)},
                 {"CreatedBy", fmt::format("arn:aws:iam::{}:root", account)},
                 {"DefaultVersion", v.number == t.default_version},
                 {"LaunchTemplateData", v.data}};
  if (!v.description.empty()) o["VersionDescription"] = v.description;
  return o;
}

// Which template a request names: by ID or by name, exactly one of them.
sim::Result<std::pair<std::string, bool>> named(const json::object& p) {
  std::string id = str(p, "LaunchTemplateId"), name = str(p, "LaunchTemplateName");
  if (id.empty() == name.empty()) {
    return sim::AwsError{"MissingParameter",
                         "The request must include either the launch template ID or the launch "
                         "template name, but not both.",
                         400};
  }
  return std::make_pair(id.empty() ? name : id, id.empty());
}

}  // namespace

sim::Result<sim::Ok> Service::apply_launch_template(const json::object& spec, RunRequest& req) {
  auto which = named(spec);
  if (!which.ok()) return which.error();
  auto t = backend_.find_launch_template(which->first, which->second);
  if (!t.ok()) return t.error();
  auto v = backend_.launch_template_version(*t.value(), str(spec, "Version"));
  if (!v.ok()) return v.error();
  const json::object& d = v.value()->data;
  req.image_id = str(d, "ImageId");
  if (auto type = str(d, "InstanceType"); !type.empty()) req.instance_type = type;
  if (auto it = d.find("Placement"); it != d.end())
    req.zone = str(it->value().as_object(), "AvailabilityZone");
  if (auto it = d.find("IamInstanceProfile"); it != d.end()) {
    req.profile_arn = str(it->value().as_object(), "Arn");
    req.profile_name = str(it->value().as_object(), "Name");
  }
  if (auto it = d.find("TagSpecifications"); it != d.end()) {
    for (const auto& s : it->value().as_array()) {
      const json::object& spec_obj = s.as_object();
      if (str(spec_obj, "ResourceType") != "instance" || !spec_obj.contains("Tags")) continue;
      for (const auto& tag : spec_obj.at("Tags").as_array()) {
        req.tags.emplace_back(str(tag.as_object(), "Key"), str(tag.as_object(), "Value"));
      }
    }
  }
  if (req.image_id.empty()) {
    return sim::AwsError{"InvalidParameterValue",
                         fmt::format("The launch template {} version {} does not specify an "
                                     "ImageId, and the request does not either.",
                                     t.value()->id, v.value()->number),
                         400};
  }
  return sim::Ok{};
}

Service::R Service::create_launch_template(const api::Call& c) {
  Tags tags;
  if (auto it = c.params.find("TagSpecifications"); it != c.params.end()) {
    for (const auto& s : it->value().as_array()) {
      if (!s.as_object().contains("Tags")) continue;
      for (const auto& tag : s.as_object().at("Tags").as_array()) {
        tags.emplace_back(str(tag.as_object(), "Key"), str(tag.as_object(), "Value"));
      }
    }
  }
  auto t = backend_.create_launch_template(str(c.params, "LaunchTemplateName"),
                                           str(c.params, "VersionDescription"),
                                           c.params.at("LaunchTemplateData").as_object(), tags);
  if (!t.ok()) return t.error();
  return json::object{{"LaunchTemplate", template_json(*t.value(), world_.config().account)}};
}

Service::R Service::create_launch_template_version(const api::Call& c) {
  auto which = named(c.params);
  if (!which.ok()) return which.error();
  auto v = backend_.create_launch_template_version(
      which->first, which->second, str(c.params, "SourceVersion"),
      str(c.params, "VersionDescription"), c.params.at("LaunchTemplateData").as_object());
  if (!v.ok()) return v.error();
  auto t = backend_.find_launch_template(which->first, which->second);
  return json::object{
      {"LaunchTemplateVersion", version_json(*t.value(), *v.value(), world_.config().account)}};
}

Service::R Service::modify_launch_template(const api::Call& c) {
  auto which = named(c.params);
  if (!which.ok()) return which.error();
  auto t =
      backend_.modify_launch_template(which->first, which->second, str(c.params, "DefaultVersion"));
  if (!t.ok()) return t.error();
  return json::object{{"LaunchTemplate", template_json(*t.value(), world_.config().account)}};
}

Service::R Service::describe_launch_templates(const api::Call& c) {
  json::array out;
  auto add_all = [&](std::string_view key, bool by_name) -> sim::Result<sim::Ok> {
    auto it = c.params.find(key);
    if (it == c.params.end()) return sim::Ok{};
    for (const auto& v : it->value().as_array()) {
      auto t = backend_.find_launch_template(std::string(v.as_string()), by_name);
      if (!t.ok()) return t.error();
      out.push_back(template_json(*t.value(), world_.config().account));
    }
    return sim::Ok{};
  };
  if (!c.params.contains("LaunchTemplateIds") && !c.params.contains("LaunchTemplateNames")) {
    for (const LaunchTemplate* t : backend_.launch_templates()) {
      out.push_back(template_json(*t, world_.config().account));
    }
  }
  if (auto r = add_all("LaunchTemplateIds", false); !r.ok()) return r.error();
  if (auto r = add_all("LaunchTemplateNames", true); !r.ok()) return r.error();
  return json::object{{"LaunchTemplates", std::move(out)}};
}

Service::R Service::describe_launch_template_versions(const api::Call& c) {
  auto which = named(c.params);
  if (!which.ok()) return which.error();
  auto t = backend_.find_launch_template(which->first, which->second);
  if (!t.ok()) return t.error();
  json::array out;
  auto it = c.params.find("Versions");
  if (it == c.params.end()) {
    for (const auto& v : t.value()->versions)
      out.push_back(version_json(*t.value(), v, world_.config().account));
  } else {
    for (const auto& name : it->value().as_array()) {
      auto v = backend_.launch_template_version(*t.value(), std::string(name.as_string()));
      if (!v.ok()) return v.error();
      out.push_back(version_json(*t.value(), *v.value(), world_.config().account));
    }
  }
  return json::object{{"LaunchTemplateVersions", std::move(out)}};
}

Service::R Service::delete_launch_template(const api::Call& c) {
  auto which = named(c.params);
  if (!which.ok()) return which.error();
  auto t = backend_.delete_launch_template(which->first, which->second);
  if (!t.ok()) return t.error();
  return json::object{{"LaunchTemplate", template_json(t.value(), world_.config().account)}};
}

}  // namespace deploysim::fake::ec2
