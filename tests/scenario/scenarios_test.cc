// Every scenario under scenarios/ runs in the suite, twice: it must pass, and the same seed must
// give the same journal byte for byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "fake_services/all/install.h"
#include "simulator/scenario/runner.h"

namespace deploysim::scenario {
namespace {

std::vector<std::string> scenario_files() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(DEPLOYSIM_SCENARIOS_DIR)) {
    if (e.path().extension() != ".yaml") continue;
    if (e.path().string().find("/bundles/") != std::string::npos) continue;
    files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class ScenarioFileTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioFileTest, PassesAndReplaysIdentically) {
  Scenario s = load_scenario(GetParam(), fake::models());
  ScenarioOutcome first =
      run_scenario(s, fake::models(), [](world::World& w) { fake::install_services(w); }, {});
  ASSERT_TRUE(first.passed) << first.failure_summary();
  ScenarioOutcome second =
      run_scenario(s, fake::models(), [](world::World& w) { fake::install_services(w); }, {});
  EXPECT_EQ(first.journal, second.journal);
  EXPECT_FALSE(first.journal.empty());
}

INSTANTIATE_TEST_SUITE_P(Scenarios, ScenarioFileTest, ::testing::ValuesIn(scenario_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = std::filesystem::path(info.param).stem().string();
                           for (auto& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace deploysim::scenario
