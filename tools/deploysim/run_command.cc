// deploysim run: replays scenario files. Exit 0 all passed, 1 a step failed, 2 a file is invalid.
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <iostream>

#include "fake_services/all/install.h"
#include "simulator/scenario/report.h"
#include "simulator/scenario/runner.h"
#include "simulator/scenario/timeline.h"
#include "simulator/store/store.h"
#include "tools/deploysim/commands.h"

namespace deploysim::cli {
namespace {

// "I/N" with 1 <= I <= N; the files of shard I are those at positions I-1, I-1+N, ...
bool parse_shard(const std::string& text, std::size_t& index, std::size_t& count) {
  std::size_t slash = text.find('/');
  if (slash == std::string::npos) return false;
  try {
    std::size_t used = 0;
    index = std::stoul(text.substr(0, slash), &used);
    if (used != slash) return false;
    count = std::stoul(text.substr(slash + 1), &used);
    if (used != text.size() - slash - 1) return false;
  } catch (const std::exception&) {
    return false;
  }
  return count >= 1 && index >= 1 && index <= count;
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace

void add_run_command(CLI::App& app, RunFlags& f) {
  CLI::App* run = app.add_subcommand("run", "Replay scenario files (see scenario-format.md)");
  run->add_option("files", f.files, "Scenario files (*.yaml)")->required();
  run->add_option("--json", f.json_path, "Write machine-readable results to FILE");
  run->add_option("--junit", f.junit_path, "Write JUnit XML (one test case per scenario)");
  run->add_option("--state", f.state_path, "Keep the simulated world in this SQLite file");
  run->add_option("--seed", f.seed, "Override every scenario's seed");
  run->add_option("--shard", f.shard, "Run only the I-th of N equal shares of the files (I/N)");
  run->add_option("--report", f.report_path,
                  "Write a timeline of each scenario as one self-contained HTML page");
  run->add_flag("--summary", f.summary, "After each scenario, print a table of its instances");
  run->add_flag("--story", f.story,
                "Under each step, print what happened meanwhile to instances, groups, "
                "deployments, targets and alarms");
  run->add_flag("-q,--quiet", f.quiet, "No progress lines on stderr");
}

int run_command(const RunFlags& f) {
  std::vector<std::string> files = f.files;
  if (!f.shard.empty()) {
    std::size_t index = 0, count = 0;
    if (!parse_shard(f.shard, index, count)) {
      std::cerr << fmt::format("deploysim run: --shard takes I/N with 1 <= I <= N, not '{}'\n",
                               f.shard);
      return 2;
    }
    std::vector<std::string> mine;
    for (std::size_t i = index - 1; i < files.size(); i += count) mine.push_back(files[i]);
    files = std::move(mine);
  }
  std::vector<scenario::ScenarioOutcome> outcomes;
  bool invalid = false, failed = false;
  scenario::RunOptions options{f.seed,
                               f.state_path,
                               f.quiet ? nullptr : &std::cerr,
                               !f.report_path.empty(),
                               f.summary && !f.quiet,
                               f.story && !f.quiet};
  for (const auto& file : files) {
    auto started = std::chrono::steady_clock::now();
    scenario::ScenarioOutcome outcome;
    try {
      scenario::Scenario s = scenario::load_scenario(file, fake::models());
      outcome = scenario::run_scenario(
          s, fake::models(), [](world::World& w) { fake::install_services(w); }, options);
    } catch (const scenario::LoadError& e) {
      outcome.file = file;
      outcome.load_failed = true;
      outcome.load_error = e.what();
      std::cerr << e.what() << "\n";
    } catch (const store::StoreError& e) {
      outcome.file = file;
      outcome.load_failed = true;
      outcome.load_error = e.what();
      std::cerr << "deploysim run: " << e.what() << "\n";
    }
    outcome.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    invalid |= outcome.load_failed;
    failed |= !outcome.load_failed && !outcome.passed;
    outcomes.push_back(std::move(outcome));
  }
  if (!f.json_path.empty() && !write_file(f.json_path, scenario::json_report(outcomes))) {
    std::cerr << fmt::format("deploysim run: cannot write {}\n", f.json_path);
    return 2;
  }
  if (!f.junit_path.empty() && !write_file(f.junit_path, scenario::junit_report(outcomes))) {
    std::cerr << fmt::format("deploysim run: cannot write {}\n", f.junit_path);
    return 2;
  }
  if (!f.report_path.empty() && !write_file(f.report_path, scenario::html_report(outcomes))) {
    std::cerr << fmt::format("deploysim run: cannot write {}\n", f.report_path);
    return 2;
  }
  std::size_t passed = 0;
  for (const auto& o : outcomes) passed += o.passed ? 1 : 0;
  if (!f.quiet) {
    std::cerr << fmt::format("{} of {} scenarios passed\n", passed, outcomes.size());
  }
  return invalid ? 2 : failed ? 1 : 0;
}

}  // namespace deploysim::cli
