#include "fake_services/ec2/service.h"

#include <fmt/format.h>

#include "fake_services/iam/pass_role.h"
#include "simulator/api/params.h"

namespace deploysim::fake::ec2 {
namespace {

using namespace api::params;

Tags tags_of(const json::value& list) {
  Tags out;
  for (const auto& t : list.as_array()) {
    const json::object& o = t.as_object();
    out.emplace_back(str(o, "Key"), str(o, "Value"));
  }
  return out;
}

json::array tags_json(const Tags& tags) {
  json::array out;
  for (const auto& [k, v] : tags) out.push_back(json::object{{"Key", k}, {"Value", v}});
  return out;
}

json::object state_json(State s) {
  return {{"Code", state_code(s)}, {"Name", state_name(s)}};
}

json::object instance_json(const Instance& i, const std::string& region) {
  std::string host = "ip-" + i.private_ip;
  std::replace(host.begin(), host.end(), '.', '-');
  std::string dns =
      host + (region == "us-east-1" ? ".ec2.internal" : "." + region + ".compute.internal");
  json::object o{
      {"AmiLaunchIndex", i.launch_index},
      {"ImageId", i.image_id},
      {"InstanceId", i.id},
      {"InstanceType", i.instance_type},
      {"LaunchTime", sim::format_iso8601(i.launch_time)},
      {"Monitoring", {{"State", "disabled"}}},
      {"Placement", {{"AvailabilityZone", i.zone}, {"GroupName", ""}, {"Tenancy", "default"}}},
      {"PrivateDnsName", dns},
      {"PrivateIpAddress", i.private_ip},
      {"State", state_json(i.state)},
      {"StateTransitionReason", i.transition_reason},
      {"SubnetId", i.subnet_id},
      {"VpcId", "vpc-" + std::string(17, '0')},
      {"Architecture", "x86_64"},
      {"Hypervisor", "xen"},
      {"RootDeviceName", "/dev/xvda"},
      {"RootDeviceType", "ebs"},
      {"VirtualizationType", "hvm"},
      {"PlatformDetails", "Linux/UNIX"}};
  if (!i.iam_profile_arn.empty())
    o["IamInstanceProfile"] = json::object{{"Arn", i.iam_profile_arn}};
  if (!i.state_reason_code.empty()) {
    o["StateReason"] =
        json::object{{"Code", i.state_reason_code}, {"Message", i.state_reason_message}};
  }
  if (!i.tags.empty()) o["Tags"] = tags_json(i.tags);
  return o;
}

json::object image_json(const Image& img) {
  json::object o{{"Architecture", "x86_64"},
                 {"CreationDate", sim::format_iso8601(img.created)},
                 {"ImageId", img.id},
                 {"ImageLocation",
                  (img.owner_alias.empty() ? img.owner_id : img.owner_alias) + "/" + img.name},
                 {"ImageType", "machine"},
                 {"Public", img.is_public},
                 {"OwnerId", img.owner_id},
                 {"PlatformDetails", img.platform_details},
                 {"State", img.state},
                 {"Description", img.description},
                 {"Hypervisor", "xen"},
                 {"Name", img.name},
                 {"RootDeviceName", "/dev/xvda"},
                 {"RootDeviceType", "ebs"},
                 {"VirtualizationType", "hvm"}};
  if (!img.owner_alias.empty()) o["ImageOwnerAlias"] = img.owner_alias;
  if (!img.tags.empty()) o["Tags"] = tags_json(img.tags);
  return o;
}

json::array changes_json(const std::vector<StateChange>& changes) {
  json::array out;
  for (const auto& c : changes) {
    out.push_back(json::object{{"CurrentState", state_json(c.current)},
                               {"InstanceId", c.id},
                               {"PreviousState", state_json(c.previous)}});
  }
  return out;
}

std::vector<Filter> filters_of(const json::object& p) {
  std::vector<Filter> out;
  if (auto it = p.find("Filters"); it != p.end()) {
    for (const auto& f : it->value().as_array()) {
      out.push_back({str(f.as_object(), "Name"), strings(f.as_object(), "Values")});
    }
  }
  return out;
}

}  // namespace

Service::Service(world::World& world) : world_(world), backend_(world) {
  table_.add("RunInstances", this, &Service::run_instances);
  table_.add("DescribeInstances", this, &Service::describe_instances);
  table_.add("DescribeInstanceStatus", this, &Service::describe_instance_status);
  table_.add("TerminateInstances", this, &Service::terminate_instances);
  table_.add("StopInstances", this, &Service::stop_instances);
  table_.add("StartInstances", this, &Service::start_instances);
  table_.add("RebootInstances", this, &Service::reboot_instances);
  table_.add("CreateTags", this, &Service::create_tags);
  table_.add("DeleteTags", this, &Service::delete_tags);
  table_.add("DescribeTags", [this](const api::Call& c) -> R {
    json::array tags;
    for (const auto& e : backend_.describe_tags(filters_of(c.params))) {
      tags.push_back(json::object{{"Key", e.key},
                                  {"ResourceId", e.resource_id},
                                  {"ResourceType", e.resource_type},
                                  {"Value", e.value}});
    }
    return json::object{{"Tags", std::move(tags)}};
  });
  table_.add("DescribeImages", this, &Service::describe_images);
  table_.add("CreateImage", this, &Service::create_image);
  table_.add("DeregisterImage", this, &Service::deregister_image);
  table_.add("CreateLaunchTemplate", this, &Service::create_launch_template);
  table_.add("CreateLaunchTemplateVersion", this, &Service::create_launch_template_version);
  table_.add("ModifyLaunchTemplate", this, &Service::modify_launch_template);
  table_.add("DescribeLaunchTemplates", this, &Service::describe_launch_templates);
  table_.add("DescribeLaunchTemplateVersions", this, &Service::describe_launch_template_versions);
  table_.add("DeleteLaunchTemplate", this, &Service::delete_launch_template);
}

Service::R Service::run_instances(const api::Call& c) {
  RunRequest req;
  if (auto it = c.params.find("LaunchTemplate"); it != c.params.end()) {
    auto applied = apply_launch_template(it->value().as_object(), req);
    if (!applied.ok()) return applied.error();
  }
  if (auto id = str(c.params, "ImageId"); !id.empty()) req.image_id = id;
  req.min_count = c.params.at("MinCount").to_number<int>();
  req.max_count = c.params.at("MaxCount").to_number<int>();
  if (auto t = str(c.params, "InstanceType"); !t.empty()) req.instance_type = t;
  if (auto it = c.params.find("Placement"); it != c.params.end()) {
    if (auto z = str(it->value().as_object(), "AvailabilityZone"); !z.empty()) req.zone = z;
  }
  if (auto s = str(c.params, "SubnetId"); !s.empty()) req.subnet_id = s;
  if (auto it = c.params.find("IamInstanceProfile"); it != c.params.end()) {
    req.profile_arn = str(it->value().as_object(), "Arn");
    req.profile_name = str(it->value().as_object(), "Name");
  }
  if (auto checked = check_instance_profile(req, c.principal); !checked.ok()) {
    return checked.error();
  }
  if (auto it = c.params.find("TagSpecifications"); it != c.params.end()) {
    for (const auto& spec : it->value().as_array()) {
      const json::object& s = spec.as_object();
      if (str(s, "ResourceType") == "instance" && s.contains("Tags")) {
        Tags t = tags_of(s.at("Tags"));
        req.tags.insert(req.tags.end(), t.begin(), t.end());
      }
    }
  }
  auto launched = backend_.run_instances(req);
  if (!launched.ok()) return launched.error();
  json::array instances;
  for (const Instance* i : launched.value())
    instances.push_back(instance_json(*i, world_.config().region));
  return json::object{{"Groups", json::array{}},
                      {"Instances", std::move(instances)},
                      {"OwnerId", world_.config().account},
                      {"ReservationId", launched.value().front()->reservation_id}};
}

// The instance profile named by the request or its launch template must exist in IAM, and the
// caller must be allowed to pass its role to EC2.
sim::Result<sim::Ok> Service::check_instance_profile(RunRequest& req,
                                                     const api::Principal& caller) {
  if (req.profile_arn.empty() && req.profile_name.empty()) return sim::Ok{};
  auto check =
      iam::check_instance_profile(world_, caller, req.profile_arn, req.profile_name, "ec2");
  if (!check.found) {
    return sim::AwsError{
        "InvalidParameterValue",
        !req.profile_arn.empty()
            ? fmt::format("Value ({}) for parameter iamInstanceProfile.arn is invalid. Invalid "
                          "IAM Instance Profile ARN",
                          req.profile_arn)
            : fmt::format("Value ({}) for parameter iamInstanceProfile.name is invalid. Invalid "
                          "IAM Instance Profile name",
                          req.profile_name),
        400};
  }
  if (check.denied) return *check.denied;
  req.iam_profile_arn = check.arn;
  return sim::Ok{};
}

Service::R Service::describe_instances(const api::Call& c) {
  auto selected =
      backend_.describe_instances(strings(c.params, "InstanceIds"), filters_of(c.params));
  if (!selected.ok()) return selected.error();
  // Grouped by reservation, in launch order.
  json::array reservations;
  std::map<std::string, std::size_t> index;
  for (const Instance* i : selected.value()) {
    auto [it, fresh] = index.emplace(i->reservation_id, reservations.size());
    if (fresh) {
      reservations.push_back(json::object{{"Groups", json::array{}},
                                          {"Instances", json::array{}},
                                          {"OwnerId", world_.config().account},
                                          {"ReservationId", i->reservation_id}});
    }
    reservations[it->second].as_object()["Instances"].as_array().push_back(
        instance_json(*i, world_.config().region));
  }
  return json::object{{"Reservations", std::move(reservations)}};
}

Service::R Service::describe_instance_status(const api::Call& c) {
  std::vector<std::string> ids = strings(c.params, "InstanceIds");
  auto found = ids.empty() ? sim::Result<std::vector<const Instance*>>(backend_.instances())
                           : backend_.find_instances(ids);
  if (!found.ok()) return found.error();
  bool all =
      c.params.contains("IncludeAllInstances") && c.params.at("IncludeAllInstances").as_bool();
  json::array statuses;
  for (const Instance* i : found.value()) {
    if (!all && i->state != State::Running) continue;
    json::object ok{
        {"Status", i->state == State::Running ? "ok" : "not-applicable"},
        {"Details", json::array{json::object{
                        {"Name", "reachability"},
                        {"Status", i->state == State::Running ? "passed" : "not-applicable"}}}}};
    statuses.push_back(json::object{{"AvailabilityZone", i->zone},
                                    {"InstanceId", i->id},
                                    {"InstanceState", state_json(i->state)},
                                    {"InstanceStatus", ok},
                                    {"SystemStatus", ok}});
  }
  return json::object{{"InstanceStatuses", std::move(statuses)}};
}

Service::R Service::terminate_instances(const api::Call& c) {
  auto r = backend_.terminate(strings(c.params, "InstanceIds"));
  if (!r.ok()) return r.error();
  return json::object{{"TerminatingInstances", changes_json(r.value())}};
}

Service::R Service::stop_instances(const api::Call& c) {
  auto r = backend_.stop(strings(c.params, "InstanceIds"));
  if (!r.ok()) return r.error();
  return json::object{{"StoppingInstances", changes_json(r.value())}};
}

Service::R Service::start_instances(const api::Call& c) {
  auto r = backend_.start(strings(c.params, "InstanceIds"));
  if (!r.ok()) return r.error();
  return json::object{{"StartingInstances", changes_json(r.value())}};
}

Service::R Service::reboot_instances(const api::Call& c) {
  auto r = backend_.reboot(strings(c.params, "InstanceIds"));
  if (!r.ok()) return r.error();
  return json::object{};
}

Service::R Service::create_tags(const api::Call& c) {
  auto r = backend_.create_tags(strings(c.params, "Resources"), tags_of(c.params.at("Tags")));
  if (!r.ok()) return r.error();
  return json::object{};
}

Service::R Service::delete_tags(const api::Call& c) {
  Tags tags;
  if (auto it = c.params.find("Tags"); it != c.params.end()) tags = tags_of(it->value());
  auto r = backend_.delete_tags(strings(c.params, "Resources"), tags);
  if (!r.ok()) return r.error();
  return json::object{};
}

Service::R Service::describe_images(const api::Call& c) {
  auto selected = backend_.describe_images(strings(c.params, "ImageIds"),
                                           strings(c.params, "Owners"), filters_of(c.params));
  if (!selected.ok()) return selected.error();
  json::array images;
  for (const Image* img : selected.value()) images.push_back(image_json(*img));
  return json::object{{"Images", std::move(images)}};
}

Service::R Service::create_image(const api::Call& c) {
  auto id = backend_.create_image(str(c.params, "InstanceId"), str(c.params, "Name"),
                                  str(c.params, "Description"));
  if (!id.ok()) return id.error();
  return json::object{{"ImageId", id.value()}};
}

Service::R Service::deregister_image(const api::Call& c) {
  auto r = backend_.deregister_image(str(c.params, "ImageId"));
  if (!r.ok()) return r.error();
  return json::object{};
}

// EC2 authorizes instance actions per instance, image and template actions on their ARNs, and
// Describe* on "*".
std::vector<api::AuthRequest> Service::authorization(const api::Call& c) const {
  const std::string& region = world_.config().region;
  const std::string& account = world_.config().account;
  auto arn = [&](std::string_view id) -> std::string {
    if (id.starts_with("i-"))
      return fmt::format("arn:aws:ec2:{}:{}:instance/{}", region, account, id);
    if (id.starts_with("ami-")) return fmt::format("arn:aws:ec2:{}::image/{}", region, id);
    if (id.starts_with("lt-")) {
      return fmt::format("arn:aws:ec2:{}:{}:launch-template/{}", region, account, id);
    }
    return "*";
  };
  std::string action = "ec2:" + c.operation;
  std::vector<api::AuthRequest> out;
  for (const char* member : {"InstanceIds", "Resources"}) {
    if (c.operation.starts_with("Describe")) break;
    for (const auto& id : strings(c.params, member)) out.push_back({action, arn(id), {}});
  }
  if (!out.empty()) return out;
  if (c.operation == "CreateImage") return {{action, arn(str(c.params, "InstanceId")), {}}};
  if (c.operation == "DeregisterImage") return {{action, arn(str(c.params, "ImageId")), {}}};
  if (c.operation == "RunInstances") {
    api::AuthRequest r{action, fmt::format("arn:aws:ec2:{}:{}:instance/*", region, account), {}};
    if (auto type = opt_str(c.params, "InstanceType")) r.context["ec2:InstanceType"] = {*type};
    return {r};
  }
  if (!c.operation.starts_with("Describe") && c.operation != "CreateLaunchTemplate") {
    std::string id = str(c.params, "LaunchTemplateId");
    if (id.empty()) {
      if (auto name = opt_str(c.params, "LaunchTemplateName")) {
        if (auto t = backend_.find_launch_template(*name, true); t.ok()) id = t.value()->id;
      }
    }
    if (!id.empty()) return {{action, arn(id), {}}};
  }
  return {{action, "*", {}}};
}

}  // namespace deploysim::fake::ec2
