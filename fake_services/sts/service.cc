#include "fake_services/sts/service.h"

namespace deploysim::fake::sts {

Service::Service(world::World& world) : world_(world) {
  table_.add("GetCallerIdentity", this, &Service::get_caller_identity);
}

sim::Result<json::object> Service::get_caller_identity(const api::Call& c) {
  return json::object{
      {"UserId", c.principal.id}, {"Account", world_.config().account}, {"Arn", c.principal.arn}};
}

}  // namespace deploysim::fake::sts
