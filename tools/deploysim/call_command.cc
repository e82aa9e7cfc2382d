// deploysim call SERVICE OPERATION: one AWS call through the dispatcher, printed as the AWS CLI
// would (its JSON output; errors on stderr with exit status 254).
#include <fmt/format.h>
#include <boost/json/parse.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

#include "fake_services/all/install.h"
#include "simulator/core/digest.h"
#include "simulator/store/store.h"
#include "tools/deploysim/commands.h"

namespace deploysim::cli {
namespace {

constexpr int kParamValidationRc = 252;  // the AWS CLI's PARAM_VALIDATION_ERROR_RC
constexpr int kClientErrorRc = 254;      // the AWS CLI's CLIENT_ERROR_RC

std::optional<std::string> read_input(const std::string& input, std::string& error) {
  if (input.empty() || input[0] != '@') return input;
  std::ifstream in(input.substr(1), std::ios::binary);
  if (!in) {
    error = fmt::format("cannot read '{}'", input.substr(1));
    return std::nullopt;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// A body that is not text cannot go into JSON as is: show it base64-encoded instead.
void make_printable(json::object& body) {
  auto it = body.find("Body");
  if (it == body.end() || !it->value().is_string()) return;
  std::string_view data = it->value().as_string();
  if (sim::is_valid_utf8(data)) return;
  json::string encoded(sim::base64_encode(data));
  body.erase(it);
  body["BodyBase64"] = std::move(encoded);
}

}  // namespace

void add_call_command(CLI::App& app, CallFlags& f) {
  CLI::App* call = app.add_subcommand(
      "call", "Make one AWS call (the response is printed as JSON; errors exit 254)");
  call->add_option("service", f.service, "iam, sts, ec2, autoscaling, codedeploy, s3, ...")
      ->required();
  call->add_option("operation", f.operation, "The AWS operation name, e.g. PutObject")->required();
  call->add_option("--input", f.input, "The request as JSON, or @FILE");
  call->add_option("--state", f.state_path, "Use and keep the world in this SQLite file");
  call->add_option("--as", f.as, "The principal: root (default), user/NAME or role/NAME");
}

int call_command(const CallFlags& f) {
  std::string error;
  auto text = read_input(f.input, error);
  json::value input;
  if (text) {
    boost::system::error_code ec;
    input = json::parse(*text, ec);
    if (ec)
      error = fmt::format("Invalid JSON: {}", ec.message());
    else if (!input.is_object())
      error = "the request must be a JSON object";
  }
  if (!error.empty()) {
    std::cerr << fmt::format("Error parsing parameter '--input': {}\n", error);
    return kParamValidationRc;
  }
  try {
    std::unique_ptr<store::Store> st;
    world::WorldConfig config;
    if (!f.state_path.empty()) {
      st = std::make_unique<store::Store>(f.state_path);
      if (auto saved = st->saved_config()) config = *saved;
    }
    world::World w(config, fake::models());
    fake::install_services(w);
    if (st && st->saved_config()) st->load_into(w);
    auto who = w.dispatcher().resolve_principal(f.as, w.config().account);
    sim::Result<api::Response> result =
        who.ok() ? w.dispatcher().call(
                       api::Call{f.service, f.operation, input.as_object(), who.value(), ".", true})
                 : sim::Result<api::Response>(who.error());
    if (st) st->save(w);
    if (!result.ok()) {
      json::object err{{"Error", json::object{{"Code", result.error().code},
                                              {"Message", result.error().message}}}};
      std::cerr << sim::pretty_json(err) << "\n";
      return kClientErrorRc;
    }
    make_printable(result->body);
    std::cout << sim::pretty_json(result->body) << "\n";
    return 0;
  } catch (const store::StoreError& e) {
    std::cerr << "deploysim call: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace deploysim::cli
