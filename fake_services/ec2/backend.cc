#include "fake_services/ec2/backend.h"

#include <fmt/format.h>

#include <algorithm>

#include "fake_services/ec2/errors.h"
#include "simulator/core/digest.h"
#include "simulator/core/ids.h"

namespace deploysim::fake::ec2 {
namespace fs = std::filesystem;
namespace {

constexpr const char* kAmazonOwner = "137112412989";
constexpr const char* kCanonicalOwner = "099720109477";

struct StateInfo {
  State state;
  int code;
  std::string_view name;
};
constexpr StateInfo kStates[] = {{State::Pending, 0, "pending"},
                                 {State::Running, 16, "running"},
                                 {State::ShuttingDown, 32, "shutting-down"},
                                 {State::Terminated, 48, "terminated"},
                                 {State::Stopping, 64, "stopping"},
                                 {State::Stopped, 80, "stopped"}};

std::string gmt(sim::SimTime t) {
  std::string iso = sim::format_iso8601(t);  // 2026-01-01T00:00:00+00:00
  return iso.substr(0, 10) + " " + iso.substr(11, 8) + " GMT";
}

void copy_tree(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  fs::copy(from, to,
           fs::copy_options::recursive | fs::copy_options::copy_symlinks |
               fs::copy_options::overwrite_existing);
}

}  // namespace

int state_code(State s) {
  for (const auto& i : kStates) {
    if (i.state == s) return i.code;
  }
  return 0;
}
std::string_view state_name(State s) {
  for (const auto& i : kStates) {
    if (i.state == s) return i.name;
  }
  return "pending";
}
std::optional<State> parse_state(std::string_view name) {
  for (const auto& i : kStates) {
    if (i.name == name) return i.state;
  }
  return std::nullopt;
}

bool wildcard_match(std::string_view text, std::string_view pattern) {
  std::size_t t = 0, p = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Backend::Backend(world::World& world) : world_(world) {
  add_catalogue();
}

// Public base images, the same IDs in every run of a region (no agent installed on them).
void Backend::add_catalogue() {
  struct Base {
    const char* name;
    const char* description;
    const char* owner;
    const char* alias;
  };
  const Base bases[] = {
      {"al2023-ami-2023.6.20241010.0-kernel-6.1-x86_64",
       "Amazon Linux 2023 AMI 2023.6.20241010.0 x86_64 HVM kernel-6.1", kAmazonOwner, "amazon"},
      {"ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20241004",
       "Canonical, Ubuntu, 24.04, amd64 noble image", kCanonicalOwner, ""}};
  for (const auto& b : bases) {
    Image img;
    img.id = "ami-" + sim::md5_hex(world_.config().region + "/" + b.name).substr(0, 17);
    img.name = b.name;
    img.description = b.description;
    img.owner_id = b.owner;
    img.owner_alias = b.alias;
    img.is_public = true;
    img.created = *sim::parse_iso8601("2024-10-10T00:00:00Z");
    images_.emplace(img.id, std::move(img));
  }
}

std::vector<std::string> Backend::zones() const {
  const std::string& r = world_.config().region;
  std::string letters = r == "us-east-1" ? "abcdef" : "abc";
  std::vector<std::string> out;
  for (char c : letters) out.push_back(r + c);
  return out;
}

void Backend::record(const Instance& i, const std::string& message) {
  world_.record("instance", i.id, message);
}

void Backend::arm(Instance& i, State then) {
  std::string id = i.id;
  i.transition_event = world_.scheduler().at(*i.transition_due, [this, id, then] {
    Instance& inst = instances_.at(id);
    State before = inst.state;
    inst.state = then;
    inst.transition_due.reset();
    inst.transition_event.reset();
    record(inst, fmt::format("{} -> {}", state_name(before), state_name(then)));
    publish(inst);
  });
}

void Backend::transition(Instance& i, State to, sim::SimDuration after, State then) {
  if (i.transition_event) world_.scheduler().cancel(*i.transition_event);
  State before = i.state;
  i.state = to;
  i.transition_due = world_.now() + after;
  record(i, fmt::format("{} -> {}", state_name(before), state_name(to)));
  publish(i);
  arm(i, then);
}

void Backend::publish(const Instance& i) {
  world_.publish(kStateChange, {{"instance-id", i.id}, {"state", state_name(i.state)}});
}

Result<std::vector<const Instance*>> Backend::run_instances(const RunRequest& req) {
  if (req.image_id.empty()) return errors::missing("ImageId");
  if (req.image_id.rfind("ami-", 0) != 0) return errors::image_malformed(req.image_id);
  auto image = find_image(req.image_id);
  if (!image.ok()) return image.error();
  if (image.value()->state != "available") {
    return errors::image_unavailable(req.image_id, image.value()->state);
  }
  if (req.min_count < 1) {
    return errors::invalid_value(std::to_string(req.min_count), "MinCount",
                                 "MinCount must be greater than or equal to 1.");
  }
  if (req.max_count < req.min_count) {
    return errors::invalid_value(std::to_string(req.max_count), "MaxCount",
                                 "MaxCount must be greater than or equal to MinCount.");
  }
  auto zs = zones();
  std::string zone = req.zone.empty() ? zs.front() : req.zone;
  if (std::find(zs.begin(), zs.end(), zone) == zs.end()) return errors::invalid_zone(zone);
  // sim.InjectFault LaunchFails: no capacity in the zone, as EC2 says it.
  std::string group;
  for (const auto& [key, value] : req.tags) {
    if (key == "aws:autoscaling:groupName") group = value;
  }
  if (world_.fire_fault("LaunchFails", "", group, "")) {
    std::string others;
    for (const auto& z : zs) {
      if (z != zone) others += (others.empty() ? "" : ", ") + z;
    }
    return sim::AwsError{
        "InsufficientInstanceCapacity",
        fmt::format("We currently do not have sufficient {} capacity in the Availability Zone "
                    "you requested ({}). Our system will be working on provisioning additional "
                    "capacity. You can currently get {} capacity by not specifying an "
                    "Availability Zone in your request or choosing {}.",
                    req.instance_type, zone, req.instance_type, others),
        500};
  }
  sim::Rng& ids = world_.rng().stream("ec2-ids");
  std::string reservation = sim::random_token(ids, "r-", 17, "0123456789abcdef");
  std::vector<const Instance*> out;
  for (int n = 0; n < req.max_count; ++n) {
    Instance i;
    i.id = sim::instance_id(ids);
    i.reservation_id = reservation;
    i.image_id = req.image_id;
    i.instance_type = req.instance_type;
    i.zone = zone;
    i.subnet_id =
        req.subnet_id.empty() ? "subnet-" + sim::md5_hex(zone).substr(0, 17) : req.subnet_id;
    sim::Rng& ip = world_.rng().stream("ec2-ip");
    i.private_ip = fmt::format("172.31.{}.{}", ip.below(256), 1 + ip.below(254));
    i.iam_profile_arn = req.iam_profile_arn;
    i.launch_index = n;
    i.launch_time = world_.now();
    i.tags = req.tags;
    i.agent_installed = image.value()->agent_installed;
    i.agent_running = i.agent_installed;
    auto [it, fresh] = instances_.emplace(i.id, std::move(i));
    launch_order_.push_back(it->first);
    record(it->second, fmt::format("launched from {} in {}{}", req.image_id, zone,
                                   it->second.agent_installed ? " with the CodeDeploy agent" : ""));
    it->second.state = State::Pending;
    it->second.transition_due = world_.now() + world_.timing("instance_boot");
    arm(it->second, State::Running);
    out.push_back(&it->second);
  }
  return out;
}

Result<Instance*> Backend::mutable_instance(const std::string& id) {
  if (id.rfind("i-", 0) != 0) return errors::instance_malformed(id);
  auto it = instances_.find(id);
  if (it == instances_.end()) return errors::instance_not_found({id});
  return &it->second;
}

Result<std::vector<const Instance*>> Backend::find_instances(
    const std::vector<std::string>& ids) const {
  std::vector<const Instance*> out;
  std::vector<std::string> missing;
  for (const auto& id : ids) {
    if (id.rfind("i-", 0) != 0) return errors::instance_malformed(id);
    auto it = instances_.find(id);
    if (it == instances_.end()) {
      missing.push_back(id);
    } else {
      out.push_back(&it->second);
    }
  }
  if (!missing.empty()) return errors::instance_not_found(missing);
  return out;
}

std::vector<const Instance*> Backend::instances() const {
  std::vector<const Instance*> out;
  for (const auto& id : launch_order_) out.push_back(&instances_.at(id));
  return out;
}

// Stop and terminate alike: the reasons EC2 records for a user's request, then the transition.
void Backend::user_shutdown(Instance& i, State to, State then) {
  i.state_reason_code = "Client.UserInitiatedShutdown";
  i.state_reason_message = "Client.UserInitiatedShutdown: User initiated shutdown";
  i.transition_reason = fmt::format("User initiated ({})", gmt(world_.now()));
  i.agent_running = false;
  transition(i, to, world_.timing("instance_shutdown"), then);
}

Result<std::vector<StateChange>> Backend::terminate(const std::vector<std::string>& ids) {
  auto found = find_instances(ids);
  if (!found.ok()) return found.error();
  std::vector<StateChange> changes;
  for (const auto& id : ids) {
    Instance& i = instances_.at(id);
    State before = i.state;
    if (i.state != State::Terminated && i.state != State::ShuttingDown) {
      user_shutdown(i, State::ShuttingDown, State::Terminated);
    }
    changes.push_back({id, before, i.state});
  }
  return changes;
}

Result<std::vector<StateChange>> Backend::stop(const std::vector<std::string>& ids) {
  auto found = find_instances(ids);
  if (!found.ok()) return found.error();
  for (const Instance* i : found.value()) {
    if (i->state == State::Terminated || i->state == State::ShuttingDown ||
        i->state == State::Pending) {
      return errors::incorrect_state(i->id, "stopped");
    }
  }
  std::vector<StateChange> changes;
  for (const auto& id : ids) {
    Instance& i = instances_.at(id);
    State before = i.state;
    if (i.state == State::Running) {
      user_shutdown(i, State::Stopping, State::Stopped);
    }
    changes.push_back({id, before, i.state});
  }
  return changes;
}

Result<std::vector<StateChange>> Backend::start(const std::vector<std::string>& ids) {
  auto found = find_instances(ids);
  if (!found.ok()) return found.error();
  for (const Instance* i : found.value()) {
    if (i->state != State::Stopped && i->state != State::Running && i->state != State::Pending) {
      return errors::incorrect_state(i->id, "started");
    }
  }
  std::vector<StateChange> changes;
  for (const auto& id : ids) {
    Instance& i = instances_.at(id);
    State before = i.state;
    if (i.state == State::Stopped) {
      i.state_reason_code.clear();
      i.state_reason_message.clear();
      i.transition_reason.clear();
      i.agent_running = i.agent_installed;  // the agent's service starts at boot
      transition(i, State::Pending, world_.timing("instance_boot"), State::Running);
    }
    changes.push_back({id, before, i.state});
  }
  return changes;
}

Result<sim::Ok> Backend::reboot(const std::vector<std::string>& ids) {
  auto found = find_instances(ids);
  if (!found.ok()) return found.error();
  for (const Instance* i : found.value()) {
    if (i->state == State::Terminated) return errors::incorrect_state(i->id, "rebooted");
    record(*i, "rebooted");
  }
  return sim::Ok{};
}

// The tags of a taggable resource: an image (ami-...) or an instance.
Result<Tags*> Backend::tags_of(const std::string& resource) {
  if (resource.rfind("ami-", 0) == 0) {
    auto it = images_.find(resource);
    if (it == images_.end()) return errors::image_not_found(resource);
    return &it->second.tags;
  }
  auto inst = mutable_instance(resource);
  if (!inst.ok()) return inst.error();
  return &inst.value()->tags;
}

Result<sim::Ok> Backend::create_tags(const std::vector<std::string>& resources, const Tags& tags) {
  for (const auto& r : resources) {
    auto resolved = tags_of(r);
    if (!resolved.ok()) return resolved.error();
    Tags* target = resolved.value();
    // (No structured bindings here: clang 14 cannot capture them in a lambda.)
    for (const auto& tag : tags) {
      auto it = std::find_if(target->begin(), target->end(),
                             [&](const auto& t) { return t.first == tag.first; });
      if (it == target->end()) {
        target->push_back(tag);
      } else {
        it->second = tag.second;
      }
    }
  }
  return sim::Ok{};
}

Result<sim::Ok> Backend::delete_tags(const std::vector<std::string>& resources, const Tags& tags) {
  for (const auto& r : resources) {
    auto resolved = tags_of(r);
    if (!resolved.ok()) return resolved.error();
    Tags* target = resolved.value();
    // A key alone deletes the tag; a key with a value deletes it only when the value matches.
    std::erase_if(*target, [&](const auto& t) {
      return std::any_of(tags.begin(), tags.end(), [&](const auto& d) {
        return d.first == t.first && (d.second.empty() || d.second == t.second);
      });
    });
  }
  return sim::Ok{};
}

std::vector<const Image*> Backend::images() const {
  std::vector<const Image*> out;
  for (const auto& [id, img] : images_) {
    if (img.state != "deregistered") out.push_back(&img);
  }
  return out;
}

Result<const Image*> Backend::find_image(const std::string& id) const {
  if (id.rfind("ami-", 0) != 0) return errors::image_malformed(id);
  auto it = images_.find(id);
  if (it == images_.end() || it->second.state == "deregistered") return errors::image_not_found(id);
  return &it->second;
}

Result<std::string> Backend::create_image(const std::string& instance_id, const std::string& name,
                                          const std::string& description) {
  auto inst = mutable_instance(instance_id);
  if (!inst.ok()) return inst.error();
  Instance& i = *inst.value();
  if (i.state != State::Running && i.state != State::Stopped) {
    return errors::incorrect_state(i.id, "imaged");
  }
  for (const auto& [id, img] : images_) {
    if (img.name == name && img.owner_id == world_.config().account &&
        img.state != "deregistered") {
      return sim::AwsError{"InvalidAMIName.Duplicate",
                           fmt::format("AMI name {} is already in use by AMI {}", name, id), 400};
    }
  }
  Image img;
  img.id = sim::image_id(world_.rng().stream("ec2-ids"));
  img.name = name;
  img.description = description;
  img.owner_id = world_.config().account;
  img.state = "pending";
  img.created = world_.now();
  img.source_instance = i.id;
  img.agent_installed = i.agent_installed;
  fs::path root = world_.scratch_dir() / "instances" / i.id;
  if (fs::exists(root)) {
    fs::path snapshot = world_.scratch_dir() / "images" / img.id;
    copy_tree(root, snapshot);
    img.files = snapshot.string();
  }
  img.available_at = world_.now() + world_.timing("image_create");
  std::string id = img.id;
  world_.record("image", id,
                fmt::format("created from {} (agent {})", i.id,
                            i.agent_installed ? "installed" : "not installed"));
  images_.emplace(id, std::move(img));
  world_.scheduler().at(*images_.at(id).available_at, [this, id] {
    Image& ready = images_.at(id);
    if (ready.state != "pending") return;
    ready.state = "available";
    ready.available_at.reset();
    world_.record("image", id, "pending -> available");
  });
  return id;
}

Result<sim::Ok> Backend::deregister_image(const std::string& id) {
  auto img = find_image(id);
  if (!img.ok()) return img.error();
  if (img.value()->owner_id != world_.config().account) {
    return sim::AwsError{"AuthFailure", fmt::format("Not authorized for image:{}", id), 400};
  }
  images_.at(id).state = "deregistered";
  world_.record("image", id, "deregistered");
  return sim::Ok{};
}

Result<fs::path> Backend::instance_root(const std::string& id) {
  auto inst = mutable_instance(id);
  if (!inst.ok()) return inst.error();
  fs::path root = world_.scratch_dir() / "instances" / id;
  if (!fs::exists(root)) {
    // Lazily: an instance gets its image's files the first time anything touches them.
    const Image& img = images_.at(inst.value()->image_id);
    if (!img.files.empty() && fs::exists(img.files)) {
      copy_tree(img.files, root);
    } else {
      fs::create_directories(root);
    }
  }
  return root;
}

Result<sim::Ok> Backend::install_agent(const std::string& id) {
  auto inst = mutable_instance(id);
  if (!inst.ok()) return inst.error();
  if (inst.value()->state != State::Running) {
    return errors::incorrect_state(id, "given the CodeDeploy agent (it is not running)");
  }
  inst.value()->agent_installed = true;
  inst.value()->agent_running = true;
  record(*inst.value(), "CodeDeploy agent installed and running");
  return sim::Ok{};
}

Result<sim::Ok> Backend::set_agent_running(const std::string& id, bool running) {
  auto inst = mutable_instance(id);
  if (!inst.ok()) return inst.error();
  if (!inst.value()->agent_installed) {
    return sim::AwsError{"AgentNotInstalled",
                         fmt::format("The CodeDeploy agent is not installed on {}", id), 400};
  }
  inst.value()->agent_running = running;
  record(*inst.value(), running ? "CodeDeploy agent started" : "CodeDeploy agent stopped");
  return sim::Ok{};
}

}  // namespace deploysim::fake::ec2
