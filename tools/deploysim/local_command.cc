// deploysim local: codedeploy-local's flags and checks, one deployment into a sandboxed fake
// instance, every event's outcome shown (the real tool hides script errors). Exit 0 / 1.
#include <fmt/format.h>
#include <unistd.h>
#include <boost/json.hpp>

#include <chrono>
#include <iostream>
#include <random>

#include "fake_services/codedeploy_agent/agent.h"
#include "simulator/core/ids.h"
#include "tools/deploysim/commands.h"

namespace deploysim::cli {
namespace fs = std::filesystem;
namespace agent = fake::agent;

namespace {

const std::vector<std::string> kDefaultEvents = {
    "BeforeBlockTraffic", "AfterBlockTraffic", "ApplicationStop",
    "DownloadBundle",     "BeforeInstall",     "Install",
    "AfterInstall",       "ApplicationStart",  "ValidateService",
    "BeforeAllowTraffic", "AfterAllowTraffic"};
const std::vector<std::string> kPreviousRevisionEvents = {"BeforeBlockTraffic", "AfterBlockTraffic",
                                                          "ApplicationStop"};
// codedeploy-local's "new revision" events: BeforeInstall is (as in the real tool) left out.
const std::vector<std::string> kNewRevisionEvents = {"AfterInstall", "ApplicationStart",
                                                     "ValidateService", "BeforeAllowTraffic",
                                                     "AfterAllowTraffic"};

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::vector<std::string> split_events(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t c = text.find(',', start);
    std::string e = text.substr(start, c == std::string::npos ? std::string::npos : c - start);
    if (!e.empty()) out.push_back(e);
    if (c == std::string::npos) break;
    start = c + 1;
  }
  return out;
}

bool any_before(const std::vector<std::string>& events, const std::string& marker,
                const std::vector<std::string>& forbidden) {
  for (const auto& e : events) {
    if (e == marker) return false;
    if (contains(forbidden, e)) return true;
  }
  return false;
}

// The deployer's events: DownloadBundle and Install added when missing, swapped when reversed.
std::vector<std::string> plan_events(const LocalFlags& f) {
  if (f.events.empty()) return kDefaultEvents;
  std::vector<std::string> events = split_events(f.events);
  std::string previous = fmt::format("{}", fmt::join(kPreviousRevisionEvents, ","));
  if (contains(events, "DownloadBundle")) {
    std::vector<std::string> forbidden = kNewRevisionEvents;
    forbidden.push_back("Install");
    if (any_before(events, "DownloadBundle", forbidden)) {
      throw UsageError(
          fmt::format("The only events that can be specified before DownloadBundle "
                      "are {}. Please fix the order of your specified events: {}",
                      previous, f.events));
    }
  }
  if (contains(events, "Install") && any_before(events, "Install", kNewRevisionEvents)) {
    throw UsageError(
        fmt::format("The only events that can be specified before Install are "
                    "{},DownloadBundle,BeforeInstall. Please fix the order of your "
                    "specified events: {}",
                    previous, f.events));
  }
  auto dl = std::find(events.begin(), events.end(), "DownloadBundle");
  auto in = std::find(events.begin(), events.end(), "Install");
  if (dl == events.end() && in == events.end()) {
    events.insert(events.begin(), {"DownloadBundle", "Install"});
  } else if (dl == events.end()) {
    events.insert(in, "DownloadBundle");
  } else if (in == events.end()) {
    events.insert(dl + 1, "Install");
  } else if (in < dl) {
    std::iter_swap(in, dl);
  }
  return events;
}

agent::Revision check_location(const LocalFlags& f, const std::string& location,
                               const std::string& appspec_name) {
  auto type = agent::parse_bundle_type(f.type);
  if (!type) {
    throw UsageError(
        fmt::format("type {} is not a valid type. Must be one of tgz,tar,zip,directory", f.type));
  }
  if (location.rfind("http://", 0) == 0) {
    throw UsageError(fmt::format(
        "location {} cannot be http, only encrypted (https) url endpoints supported", location));
  }
  if (location.rfind("https://", 0) == 0 || location.rfind("s3://", 0) == 0) {
    throw UsageError(
        fmt::format("location {} is remote: deploysim local works offline; download "
                    "the bundle and give its path",
                    location));
  }
  std::string path = location.rfind("file://", 0) == 0 ? location.substr(7) : location;
  if (!fs::exists(path)) {
    throw UsageError(fmt::format(
        "location {} is specified as a file or directory which does not exist", location));
  }
  if (*type == agent::BundleType::Directory && fs::is_regular_file(path)) {
    throw UsageError(
        fmt::format("location {} is specified with type directory but it is a file", location));
  }
  if (*type != agent::BundleType::Directory && fs::is_directory(path)) {
    throw UsageError(fmt::format(
        "location {} is specified as a compressed local file but it is a directory", location));
  }
  if (*type == agent::BundleType::Directory) {
    bool named = !appspec_name.empty();
    bool found = named ? fs::exists(fs::path(path) / appspec_name)
                       : fs::exists(fs::path(path) / "appspec.yml") ||
                             fs::exists(fs::path(path) / "appspec.yaml");
    if (!found) {
      std::string name = named ? appspec_name : "appspec.yml or appspec.yaml";
      std::string at = named ? fmt::format("{}/{}", location, appspec_name)
                             : fmt::format("{}/appspec.yml or {}/appspec.yaml", location, location);
      throw UsageError(fmt::format(
          "Expecting appspec file at location {} but it is not found there. Please either run "
          "the CLI from within a directory containing the {} file or specify a bundle location "
          "containing an {} file in its root directory",
          at, name, name));
    }
  }
  agent::Revision rev;
  rev.kind = *type == agent::BundleType::Directory ? agent::Revision::Kind::LocalDirectory
                                                   : agent::Revision::Kind::LocalFile;
  rev.bundle_type = *type;
  rev.local_path = fs::absolute(path);
  return rev;
}

std::string ms(double seconds) {
  return fmt::format("{:.0f} ms", seconds * 1000);
}

}  // namespace

void add_local_command(CLI::App& app, LocalFlags& f) {
  CLI::App* l = app.add_subcommand(
      "local", "Deploy a bundle into a sandboxed fake instance, as codedeploy-local does");
  l->add_option("-l,--bundle-location", f.bundle_location, "Bundle folder or archive (default: .)");
  l->add_option("-t,--type", f.type, "tgz, tar, zip or directory (default: directory)");
  l->add_option("-b,--file-exists-behavior", f.file_exists_behavior,
                "DISALLOW, OVERWRITE or RETAIN (default: DISALLOW; the AppSpec's wins)");
  l->add_option("-g,--deployment-group", f.deployment_group,
                "Deployment group ID: the folder under the deployment root");
  l->add_option("-d,--deployment-group-name", f.deployment_group_name,
                "DEPLOYMENT_GROUP_NAME for the hooks (default: LocalFleet)");
  l->add_option("-a,--application-name", f.application_name,
                "APPLICATION_NAME for the hooks (default: the bundle location)");
  l->add_option("-e,--events", f.events, "Comma-separated events to run, in order");
  l->add_option("-A,--appspec-filename", f.appspec_filename,
                "The AppSpec file's name (default: appspec.yml, then appspec.yaml)");
  l->add_option("--instance-root", f.instance_root,
                "Keep the instance in this folder, so the next run continues it");
  l->add_flag("--json", f.json, "Print the result as JSON on stdout");
  l->add_flag("--no-sandbox", f.no_sandbox, "Run hooks without bubblewrap (the fallback)");
}

int local_command(const LocalFlags& f) {
  std::string location = f.bundle_location.empty() ? "." : f.bundle_location;
  agent::DeploymentSpec d;
  std::vector<std::string> events;
  try {
    d.revision = check_location(f, location, f.appspec_filename);
    events = plan_events(f);
  } catch (const UsageError& e) {
    std::cerr << "ERROR: " << e.what() << "\n";
    return 1;
  }
  // Outside the simulation: a fresh ID from the host's randomness, as the real tool does.
  sim::Rng rng(std::random_device{}(), "local");
  d.deployment_id = sim::deployment_id(rng) + "-local";
  d.group_id = f.deployment_group;
  d.group_name = f.deployment_group_name;
  d.application_name = f.application_name.empty() ? location : f.application_name;
  d.appspec_filename = f.appspec_filename.empty() ? "appspec.yml" : f.appspec_filename;
  d.file_exists_behavior = f.file_exists_behavior;
  d.all_possible_events = kDefaultEvents;
  for (const auto& e : events) {
    if (!contains(d.all_possible_events, e)) d.all_possible_events.push_back(e);
  }
  bool keep = !f.instance_root.empty();
  fs::path scratch = fs::temp_directory_path() / fmt::format("deploysim-local-{}", getpid());
  fs::path root = keep ? fs::absolute(f.instance_root) : scratch / "instance";
  fs::create_directories(root);
  // scripts.log stamps are the host's local time, as the real agent writes them.
  auto host_time = [] {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return std::string(buf);
  };
  agent::Agent a({root, scratch / "sandbox", 5, !f.no_sandbox, true, host_time, nullptr, nullptr});

  std::string dir = a.deployment_dir(d);
  fs::path log = a.host(dir + "/logs/scripts.log");
  if (!f.json) {
    std::cout << fmt::format(
        "Starting to execute deployment from within folder {}\n"
        "  instance root: {}{}\n",
        dir, root.string(), keep ? "" : " (removed afterwards)");
  }
  boost::json::array json_events;
  bool failed = false;
  for (const auto& event : events) {
    if (failed) {
      json_events.push_back({{"event", event}, {"status", "Skipped"}});
      if (!f.json) std::cout << fmt::format("  - {:<20} skipped\n", event);
      continue;
    }
    auto started = std::chrono::steady_clock::now();
    agent::EventResult r = a.run_event(d, event);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    bool skipped =
        r.succeeded && r.scripts.empty() && event != "DownloadBundle" && event != "Install";
    std::string status = !r.succeeded ? "Failed" : skipped ? "Skipped" : "Succeeded";
    boost::json::object je{{"event", event},
                           {"status", status},
                           {"errorCode", r.error_code},
                           {"milliseconds", static_cast<std::int64_t>(seconds * 1000)}};
    boost::json::array scripts;
    for (const auto& s : r.scripts) scripts.push_back(boost::json::string(s));
    je["scripts"] = scripts;
    if (!r.revision_dir.empty()) je["revisionDirectory"] = r.revision_dir;
    if (!r.succeeded) {
      je["scriptName"] = r.script_name;
      je["message"] = r.message;
      je["logTail"] = r.log_tail;
    }
    json_events.push_back(std::move(je));
    if (!f.json) {
      std::string why;
      if (skipped) {
        why = r.revision_dir.empty() ? "no previous successful revision: nothing to run"
                                     : "no scripts for this event";
      } else if (!r.scripts.empty()) {
        why = fmt::format("{}{}", fmt::join(r.scripts, ", "),
                          r.revision_dir != dir && !r.revision_dir.empty()
                              ? fmt::format(" (from {})", r.revision_dir)
                              : "");
      }
      std::cout << fmt::format("  {} {:<20} {:>7}  {}\n", r.succeeded ? "✓" : "✗", event,
                               ms(seconds), why);
      for (const auto& note : r.notes) std::cout << "      note: " << note << "\n";
      if (!r.succeeded) {
        std::cout << fmt::format("      error code {}: {}\n", r.error_code, r.message);
        if (!r.log_tail.empty()) {
          std::cout << "      log tail:\n";
          std::stringstream tail(r.log_tail);
          std::string line;
          while (std::getline(tail, line)) std::cout << "        " << line << "\n";
        }
      }
    }
    failed = !r.succeeded;
  }
  a.end_deployment();
  if (f.json) {
    boost::json::object out{{"deploymentId", d.deployment_id},
                            {"deploymentGroupId", d.group_id},
                            {"deploymentDirectory", dir},
                            {"instanceRoot", root.string()},
                            {"status", failed ? "Failed" : "Succeeded"},
                            {"events", json_events}};
    std::cout << boost::json::serialize(out) << "\n";
  } else {
    if (fs::exists(log)) {
      std::cout << fmt::format("See the deployment log at {}{}\n", log.string(),
                               keep ? "" : " (kept only with --instance-root)");
    }
    std::cout << (failed ? "Local deployment failed\n"
                         : "AppSpec file valid. Local deployment successful\n");
  }
  std::error_code ec;
  fs::remove_all(scratch, ec);
  return failed ? 1 : 0;
}

}  // namespace deploysim::cli
