// Saving and restoring EC2's state (--state): pending transitions are kept as their due time and
// re-armed on load.
#include "fake_services/ec2/backend.h"

#include "simulator/api/params.h"

namespace deploysim::fake::ec2 {
namespace {

using namespace api::params;

json::array tags_json(const Tags& tags) {
  json::array out;
  for (const auto& [k, v] : tags) out.push_back(json::array{json::string(k), json::string(v)});
  return out;
}

Tags tags_from(const json::value& v) {
  Tags out;
  for (const auto& t : v.as_array()) {
    out.emplace_back(std::string(t.as_array()[0].as_string()),
                     std::string(t.as_array()[1].as_string()));
  }
  return out;
}

}  // namespace

json::value Backend::save_state() const {
  json::array instances;
  for (const auto& id : launch_order_) {
    const Instance& i = instances_.at(id);
    json::object o{{"id", i.id},
                   {"reservation", i.reservation_id},
                   {"image", i.image_id},
                   {"type", i.instance_type},
                   {"zone", i.zone},
                   {"subnet", i.subnet_id},
                   {"ip", i.private_ip},
                   {"profile", i.iam_profile_arn},
                   {"index", i.launch_index},
                   {"launched_ms", i.launch_time.ms()},
                   {"state", state_name(i.state)},
                   {"reason_code", i.state_reason_code},
                   {"reason_message", i.state_reason_message},
                   {"transition_reason", i.transition_reason},
                   {"tags", tags_json(i.tags)},
                   {"agent_installed", i.agent_installed},
                   {"agent_running", i.agent_running}};
    if (i.transition_due) o["due_ms"] = i.transition_due->ms();
    instances.push_back(std::move(o));
  }
  json::array images;
  for (const auto& [id, img] : images_) {
    if (img.owner_id != world_.config().account) continue;  // the catalogue is rebuilt
    json::object o{{"id", img.id},
                   {"name", img.name},
                   {"description", img.description},
                   {"state", img.state},
                   {"created_ms", img.created.ms()},
                   {"source", img.source_instance},
                   {"agent_installed", img.agent_installed},
                   {"tags", tags_json(img.tags)}};
    if (img.available_at) o["available_ms"] = img.available_at->ms();
    images.push_back(std::move(o));
  }
  json::array templates;
  for (const auto& [id, t] : templates_) {
    json::array versions;
    for (const auto& v : t.versions) {
      versions.push_back(json::object{
          {"description", v.description}, {"created_ms", v.created.ms()}, {"data", v.data}});
    }
    templates.push_back(json::object{{"id", t.id},
                                     {"name", t.name},
                                     {"created_ms", t.created.ms()},
                                     {"default", t.default_version},
                                     {"tags", tags_json(t.tags)},
                                     {"versions", std::move(versions)}});
  }
  return json::object{{"instances", std::move(instances)},
                      {"images", std::move(images)},
                      {"launch_templates", std::move(templates)}};
}

void Backend::load_state(const json::value& state) {
  if (const auto* list = state.as_object().if_contains("launch_templates")) {
    for (const auto& v : list->as_array()) {
      const json::object& o = v.as_object();
      LaunchTemplate t;
      t.id = str(o, "id");
      t.name = str(o, "name");
      t.created = sim::SimTime::from_ms(o.at("created_ms").to_number<std::int64_t>());
      t.default_version = o.at("default").to_number<int>();
      t.tags = tags_from(o.at("tags"));
      int n = 0;
      for (const auto& ver : o.at("versions").as_array()) {
        const json::object& vo = ver.as_object();
        t.versions.push_back({++n, str(vo, "description"),
                              sim::SimTime::from_ms(vo.at("created_ms").to_number<std::int64_t>()),
                              vo.at("data").as_object()});
      }
      templates_.insert_or_assign(t.id, std::move(t));
    }
  }
  for (const auto& v : state.at("images").as_array()) {
    const json::object& o = v.as_object();
    Image img;
    img.id = str(o, "id");
    img.name = str(o, "name");
    img.description = str(o, "description");
    img.owner_id = world_.config().account;
    img.state = str(o, "state");
    img.created = sim::SimTime::from_ms(o.at("created_ms").to_number<std::int64_t>());
    img.source_instance = str(o, "source");
    img.agent_installed = o.at("agent_installed").as_bool();
    img.tags = tags_from(o.at("tags"));
    std::string id = img.id;
    images_.insert_or_assign(id, std::move(img));
    if (auto it = o.find("available_ms"); it != o.end()) {
      images_.at(id).available_at = sim::SimTime::from_ms(it->value().to_number<std::int64_t>());
      world_.scheduler().at(*images_.at(id).available_at, [this, id] {
        images_.at(id).state = "available";
        images_.at(id).available_at.reset();
        world_.record("image", id, "pending -> available");
      });
    }
  }
  for (const auto& v : state.at("instances").as_array()) {
    const json::object& o = v.as_object();
    Instance i;
    i.id = str(o, "id");
    i.reservation_id = str(o, "reservation");
    i.image_id = str(o, "image");
    i.instance_type = str(o, "type");
    i.zone = str(o, "zone");
    i.subnet_id = str(o, "subnet");
    i.private_ip = str(o, "ip");
    i.iam_profile_arn = str(o, "profile");
    i.launch_index = o.at("index").to_number<int>();
    i.launch_time = sim::SimTime::from_ms(o.at("launched_ms").to_number<std::int64_t>());
    i.state = *parse_state(str(o, "state"));
    i.state_reason_code = str(o, "reason_code");
    i.state_reason_message = str(o, "reason_message");
    i.transition_reason = str(o, "transition_reason");
    i.tags = tags_from(o.at("tags"));
    i.agent_installed = o.at("agent_installed").as_bool();
    i.agent_running = o.at("agent_running").as_bool();
    std::string id = i.id;
    launch_order_.push_back(id);
    instances_.insert_or_assign(id, std::move(i));
    if (auto it = o.find("due_ms"); it != o.end()) {
      Instance& inst = instances_.at(id);
      inst.transition_due = sim::SimTime::from_ms(it->value().to_number<std::int64_t>());
      State then = inst.state == State::Pending    ? State::Running
                   : inst.state == State::Stopping ? State::Stopped
                                                   : State::Terminated;
      arm(inst, then);
    }
  }
}

}  // namespace deploysim::fake::ec2
