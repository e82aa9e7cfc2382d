// EC2 semantics for one account and region: instances whose states change in simulated time,
// a catalogue of public base images plus the account's own, tags, and each instance's file system.
#pragma once

#include <filesystem>
#include <map>
#include <vector>

#include "fake_services/ec2/model.h"
#include "simulator/api/service.h"
#include "simulator/core/aws_error.h"
#include "simulator/world/world.h"

namespace deploysim::fake::ec2 {

using sim::Result;

// What EC2 publishes in the world on every instance state change (detail: instance-id, state),
// as it sends "EC2 Instance State-change Notification" events to EventBridge.
inline constexpr std::string_view kStateChange = "EC2 Instance State-change Notification";

struct RunRequest {
  std::string image_id;
  int min_count = 1;
  int max_count = 1;
  std::string instance_type = "t3.micro";
  std::string zone;
  std::string subnet_id;
  std::string iam_profile_arn;
  // IamInstanceProfile as requested (Arn or Name); checked against IAM by the service layer.
  std::string profile_arn, profile_name;
  Tags tags;
};

// An EC2 filter: Name and Values, values with * and ? wildcards.
struct Filter {
  std::string name;
  std::vector<std::string> values;
  bool any(std::string_view actual) const;
};

struct StateChange {
  std::string id;
  State previous;
  State current;
};

class Backend {
 public:
  explicit Backend(world::World& world);

  Result<std::vector<const Instance*>> run_instances(const RunRequest& request);
  // The instances with these IDs (all of them, in the order asked), or the error AWS gives.
  Result<std::vector<const Instance*>> find_instances(const std::vector<std::string>& ids) const;
  std::vector<const Instance*> instances() const;  // in launch order
  // DescribeInstances / DescribeImages selections (describe.cc).
  Result<std::vector<const Instance*>> describe_instances(const std::vector<std::string>& ids,
                                                          const std::vector<Filter>& filters) const;
  Result<std::vector<const Image*>> describe_images(const std::vector<std::string>& ids,
                                                    const std::vector<std::string>& owners,
                                                    const std::vector<Filter>& filters) const;
  Result<std::vector<StateChange>> terminate(const std::vector<std::string>& ids);
  Result<std::vector<StateChange>> stop(const std::vector<std::string>& ids);
  Result<std::vector<StateChange>> start(const std::vector<std::string>& ids);
  Result<sim::Ok> reboot(const std::vector<std::string>& ids);
  // Tags on instances and images.
  Result<sim::Ok> create_tags(const std::vector<std::string>& resources, const Tags& tags);
  Result<sim::Ok> delete_tags(const std::vector<std::string>& resources, const Tags& tags);
  // DescribeTags: every tag of instances, the account's images and launch templates, filtered
  // by resource-id, resource-type, key and value.
  struct TagEntry {
    std::string resource_id, resource_type, key, value;
  };
  std::vector<TagEntry> describe_tags(const std::vector<Filter>& filters) const;

  std::vector<const Image*> images() const;  // catalogue first, then the account's, by ID
  Result<const Image*> find_image(const std::string& id) const;
  Result<std::string> create_image(const std::string& instance_id, const std::string& name,
                                   const std::string& description);
  Result<sim::Ok> deregister_image(const std::string& id);

  // What the CodeDeploy agent and `sim` need of an instance.
  Result<std::filesystem::path> instance_root(const std::string& id);  // created on first use
  Result<sim::Ok> install_agent(const std::string& id);
  Result<sim::Ok> set_agent_running(const std::string& id, bool running);

  // Launch templates (launch_templates.cc). `version` is "$Latest", "$Default" or a number.
  Result<const LaunchTemplate*> create_launch_template(const std::string& name,
                                                       const std::string& description,
                                                       json::object data, Tags tags);
  Result<const LaunchTemplateVersion*> create_launch_template_version(
      const std::string& id_or_name, bool by_name, const std::string& source_version,
      const std::string& description, json::object data);
  Result<const LaunchTemplate*> modify_launch_template(const std::string& id_or_name, bool by_name,
                                                       const std::string& default_version);
  Result<const LaunchTemplate*> find_launch_template(const std::string& id_or_name,
                                                     bool by_name) const;
  std::vector<const LaunchTemplate*> launch_templates() const;
  Result<const LaunchTemplateVersion*> launch_template_version(const LaunchTemplate& t,
                                                               const std::string& version) const;
  Result<LaunchTemplate> delete_launch_template(const std::string& id_or_name, bool by_name);

  std::vector<std::string> zones() const;
  json::value save_state() const;
  void load_state(const json::value& state);

 private:
  Result<Instance*> mutable_instance(const std::string& id);
  Result<Tags*> tags_of(const std::string& resource);
  void transition(Instance& i, State to, sim::SimDuration after, State then);
  void publish(const Instance& i);
  void arm(Instance& i, State then);
  void user_shutdown(Instance& i, State to, State then);
  void add_catalogue();
  void record(const Instance& i, const std::string& message);

  world::World& world_;
  std::map<std::string, Instance> instances_;
  std::vector<std::string> launch_order_;
  std::map<std::string, Image> images_;
  std::map<std::string, LaunchTemplate> templates_;  // by ID
};

bool wildcard_match(std::string_view text, std::string_view pattern);  // EC2 filters: * and ?

}  // namespace deploysim::fake::ec2
