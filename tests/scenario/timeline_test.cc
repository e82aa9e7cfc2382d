// The timeline behind --report and --summary, read from the headline scenario: instances held in
// Pending:Wait while their automatic deployment runs, the failed launch that ends in Terminated.
#include <gtest/gtest.h>

#include "fake_services/all/install.h"
#include "simulator/scenario/runner.h"
#include "simulator/scenario/timeline.h"

namespace deploysim::scenario {
namespace {

const ScenarioOutcome& headline() {
  static const ScenarioOutcome outcome = [] {
    Scenario s = load_scenario(
        std::string(DEPLOYSIM_SCENARIOS_DIR) + "/codedeploy_autoscaling.yaml", fake::models());
    RunOptions options;
    options.timeline = true;
    return run_scenario(
        s, fake::models(), [](world::World& w) { fake::install_services(w); }, options);
  }();
  return outcome;
}

std::string str(const json::value& v, const char* key) {
  return std::string(v.as_object().at(key).as_string());
}
double num(const json::value& v, const char* key) {
  return v.as_object().at(key).to_number<double>();
}

std::vector<std::string> states(const json::value& lane) {
  std::vector<std::string> out;
  for (const auto& s : lane.at("spans").as_array()) out.push_back(str(s, "state"));
  return out;
}

TEST(TimelineTest, LaunchedInstancesWaitInPendingWaitWhileTheirDeploymentRuns) {
  const ScenarioOutcome& o = headline();
  ASSERT_TRUE(o.passed) << o.failure_summary();
  const json::object& t = o.timeline;
  EXPECT_DOUBLE_EQ(num(t, "end"), static_cast<double>(o.simulated.count()) / 1000.0);
  int held = 0;
  for (const auto& lane : t.at("lanes").as_array()) {
    auto s = states(lane);
    auto wait = std::find(s.begin(), s.end(), "Pending:Wait");
    if (wait == s.end() || s.back() != "InService") continue;
    ++held;
    EXPECT_EQ(s.front(), "Pending");
    EXPECT_EQ(str(lane, "group"), "web-asg");
    const json::value& span = lane.at("spans").as_array()[wait - s.begin()];
    // Its automatic deployment's events all ran inside the Pending:Wait span.
    int inside = 0;
    for (const auto& e : t.at("events").as_array()) {
      if (str(e, "lane") != str(lane, "id")) continue;
      if (num(e, "from") >= num(span, "from") && num(e, "to") <= num(span, "to")) ++inside;
    }
    EXPECT_GE(inside, 1) << str(lane, "id");
  }
  EXPECT_GE(held, 2);
}

TEST(TimelineTest, AFailedLaunchShowsItsDiagnosticsAndEndsTerminated) {
  const json::object& t = headline().timeline;
  int failed = 0;
  for (const auto& e : t.at("events").as_array()) {
    if (str(e, "status") != "Failed") continue;
    ++failed;
    EXPECT_EQ(str(e, "name"), "DownloadBundle");
    EXPECT_FALSE(str(e, "errorCode").empty());
    EXPECT_NE(str(e, "message").find("AccessDenied"), std::string::npos) << str(e, "message");
    for (const auto& lane : t.at("lanes").as_array()) {
      if (str(lane, "id") == str(e, "lane")) {
        EXPECT_EQ(states(lane).back(), "Terminated");
      }
    }
  }
  EXPECT_EQ(failed, 1);
  bool failed_deployment = false;
  for (const auto& d : t.at("deployments").as_array()) {
    EXPECT_LE(num(d, "from"), num(d, "to"));
    if (str(d, "status") == "Failed") {
      failed_deployment = true;
      EXPECT_EQ(str(d, "creator"), "autoscaling");
      EXPECT_FALSE(str(d, "error").empty());
    }
  }
  EXPECT_TRUE(failed_deployment);
}

TEST(TimelineTest, ScalingActivitiesComeInTimeOrder) {
  const json::object& t = headline().timeline;
  const json::array& a = t.at("activities").as_array();
  ASSERT_GE(a.size(), 4u);
  for (std::size_t i = 1; i < a.size(); ++i) EXPECT_LE(num(a[i - 1], "from"), num(a[i], "from"));
  EXPECT_EQ(str(a[0], "group"), "web-asg");
  EXPECT_NE(str(a[0], "description").find("Launching a new EC2 instance"), std::string::npos);
}

TEST(TimelineTest, ADeletedGroupsActivitiesStayOnTheTimeline) {
  Scenario s = load_scenario(std::string(DEPLOYSIM_SCENARIOS_DIR) + "/08_blue_green_copy.yaml",
                             fake::models());
  RunOptions options;
  options.timeline = true;
  ScenarioOutcome o = run_scenario(
      s, fake::models(), [](world::World& w) { fake::install_services(w); }, options);
  ASSERT_TRUE(o.passed) << o.failure_summary();
  int original = 0, copy = 0;
  for (const auto& a : o.timeline.at("activities").as_array()) {
    std::string group = str(a, "group");
    original += group == "site";
    copy += group.rfind("CodeDeploy_production_d-", 0) == 0;
  }
  EXPECT_EQ(original, 2);  // the deleted original's two launches
  EXPECT_GE(copy, 2);
}

TEST(TimelineTest, SummaryHasOneLinePerInstance) {
  const json::object& t = headline().timeline;
  std::string table = summary_table(t);
  std::size_t lines = std::count(table.begin(), table.end(), '\n');
  EXPECT_EQ(lines, t.at("lanes").as_array().size() + 1);
  EXPECT_NE(table.find("last deployment"), std::string::npos);
  EXPECT_NE(table.find("Succeeded"), std::string::npos);
  EXPECT_NE(table.find("Terminated"), std::string::npos);
}

TEST(TimelineTest, HtmlReportIsSelfContainedAndEscapesTheData) {
  ScenarioOutcome o = headline();
  o.name = "a name with </script><script>alert(1)</script>";
  std::string page = html_report({o});
  EXPECT_EQ(page.find("alert(1)</script>"), std::string::npos);
  EXPECT_NE(page.find("\\u003c/script>"), std::string::npos);
  EXPECT_EQ(page.find("http://"), page.find("http://www.w3.org/2000/svg"));  // no fetches
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_EQ(page.find("<script src"), std::string::npos);
  EXPECT_NE(page.find("\"lanes\":[{"), std::string::npos);
}

}  // namespace
}  // namespace deploysim::scenario
