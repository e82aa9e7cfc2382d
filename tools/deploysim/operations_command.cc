// deploysim operations: what each service simulates, read from the services' own operation
// tables and AWS's models (the README's list is this command's output).
#include <fmt/format.h>

#include <iostream>

#include "fake_services/all/install.h"
#include "tools/deploysim/commands.h"

namespace deploysim::cli {

void add_operations_command(CLI::App& app) {
  app.add_subcommand("operations",
                     "List the operations each service simulates (Markdown, as in the README)");
}

int operations_command() {
  world::World w(world::WorldConfig{}, fake::models());
  fake::install_services(w);
  std::string out;
  for (const auto& [name, service] : w.services()) {
    std::vector<std::string> simulated = service->operations().names();
    const api::ServiceModel* model = fake::models().find(name);
    std::size_t modelled = model ? model->operation_names().size() : simulated.size();
    out += fmt::format("- **{}** ({} of {} operations{}): {}\n", name, simulated.size(),
                       modelled,
                       name == "sim" ? "; deploysim's own" : " in AWS's model",
                       fmt::join(simulated, ", "));
  }
  std::cout << out;
  return 0;
}

}  // namespace deploysim::cli
