#include "fake_services/all/install.h"

#include "fake_services/autoscaling/service.h"
#include "fake_services/cloudwatch/service.h"
#include "fake_services/codedeploy/service.h"
#include "fake_services/ec2/service.h"
#include "fake_services/elbv2/service.h"
#include "fake_services/iam/service.h"
#include "fake_services/s3/service.h"
#include "fake_services/sim/service.h"
#include "fake_services/sts/service.h"

namespace deploysim::models {
const std::vector<std::pair<std::string, std::string>>& embedded_models();
}

namespace deploysim::fake {

const api::ModelRegistry& models() {
  static const api::ModelRegistry registry = [] {
    api::ModelRegistry r;
    for (const auto& [name, text] : deploysim::models::embedded_models()) {
      r.add(name, text);
    }
    return r;
  }();
  return registry;
}

void install_services(world::World& world, const std::set<std::string>& except) {
  auto add = [&](std::string_view name, auto adder) {
    if (!except.count(std::string(name))) adder();
  };
  add("iam", [&] { world.add_service<iam::Service>(); });
  add("ec2", [&] { world.add_service<ec2::Service>(); });
  add("elbv2", [&] { world.add_service<elbv2::Service>(); });
  add("cloudwatch", [&] { world.add_service<cloudwatch::Service>(); });
  add("autoscaling", [&] { world.add_service<autoscaling::Service>(); });
  add("codedeploy", [&] { world.add_service<codedeploy::Service>(); });
  add("s3", [&] { world.add_service<s3::Service>(); });
  add("sts", [&] { world.add_service<sts::Service>(); });
  add("sim", [&] { world.add_service<sim_service::Service>(); });
}

}  // namespace deploysim::fake
