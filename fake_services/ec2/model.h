// EC2's plain data: instances, images. No JSON here.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "simulator/core/json.h"
#include "simulator/core/scheduler.h"
#include "simulator/core/sim_time.h"

namespace deploysim::fake::ec2 {

enum class State { Pending, Running, ShuttingDown, Terminated, Stopping, Stopped };

// AWS's codes and names, in one table.
int state_code(State s);
std::string_view state_name(State s);
std::optional<State> parse_state(std::string_view name);

using Tags = std::vector<std::pair<std::string, std::string>>;  // in the order they were set

struct Instance {
  std::string id;
  std::string reservation_id;
  std::string image_id;
  std::string instance_type = "t3.micro";
  std::string zone;
  std::string subnet_id;
  std::string private_ip;
  std::string iam_profile_arn;  // as given; checked against IAM when IAM is simulated
  int launch_index = 0;
  sim::SimTime launch_time;
  State state = State::Pending;
  std::string state_reason_code;  // StateReason
  std::string state_reason_message;
  std::string transition_reason;  // StateTransitionReason
  Tags tags;
  bool agent_installed = false;
  bool agent_running = false;
  // The scheduled end of a transition (pending -> running, ...): kept as data for saved worlds.
  std::optional<sim::SimTime> transition_due;
  std::optional<sim::EventId> transition_event;
};

struct Image {
  std::string id;
  std::string name;
  std::string description;
  std::string owner_id;
  std::string owner_alias;  // "amazon" for Amazon's images, "" for the account's
  std::string platform_details = "Linux/UNIX";
  bool is_public = false;
  std::string state = "available";  // pending | available | deregistered
  sim::SimTime created;
  std::string source_instance;
  bool agent_installed = false;
  std::string files;  // host folder holding the snapshot of the instance's files ("": none)
  std::optional<sim::SimTime> available_at;
  Tags tags;
};

struct LaunchTemplateVersion {
  int number = 1;
  std::string description;
  sim::SimTime created;
  // Kept in the AWS shape (LaunchTemplateData): deploysim reads a few members (ImageId,
  // InstanceType, IamInstanceProfile, Placement, TagSpecifications) and shows the rest back as
  // given.
  json::object data;
};

struct LaunchTemplate {
  std::string id;  // lt- + 17 hex
  std::string name;
  sim::SimTime created;
  int default_version = 1;
  std::vector<LaunchTemplateVersion> versions;  // number N at index N-1
  Tags tags;
  int latest() const { return static_cast<int>(versions.size()); }
};

}  // namespace deploysim::fake::ec2
