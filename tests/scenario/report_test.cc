#include "simulator/scenario/report.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace deploysim::scenario {
namespace {

std::vector<ScenarioOutcome> sample() {
  ScenarioOutcome ok;
  ok.file = "a.yaml";
  ok.name = "passes";
  ok.passed = true;
  ok.seed = 1;
  ok.steps.push_back({"s3.ListBuckets", {"a.yaml", 3, 5}, true, {}, json::object{}, ""});
  ScenarioOutcome bad;
  bad.file = "b.yaml";
  bad.name = "fails <badly> & loudly";
  bad.seed = 7;
  bad.steps.push_back({"s3.DeleteBucket",
                       {"b.yaml", 4, 5},
                       false,
                       {},
                       json::object{},
                       "NoSuchBucket: The specified bucket does not exist\n  call: ..."});
  ScenarioOutcome invalid;
  invalid.file = "c.yaml";
  invalid.load_failed = true;
  invalid.load_error = "c.yaml:2:1: error: unknown top-level key 'sede'";
  return {ok, bad, invalid};
}

TEST(ReportTest, JunitHasOneCasePerScenarioWithFailuresAndErrors) {
  std::string xml = junit_report(sample());
  EXPECT_NE(xml.find("tests=\"3\" failures=\"1\" errors=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("name=\"fails &lt;badly&gt; &amp; loudly\""), std::string::npos);
  EXPECT_NE(xml.find("<failure message=\"step 1 (b.yaml:4:5): s3.DeleteBucket\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("reproduce: deploysim run --seed 7 b.yaml"), std::string::npos);
  EXPECT_NE(
      xml.find("<error message=\"c.yaml:2:1: error: unknown top-level key &apos;sede&apos;\"/>"),
      std::string::npos)
      << xml;
}

TEST(ReportTest, JsonReportIsParseableAndCountsOutcomes) {
  json::value v = json::parse(json_report(sample()));
  EXPECT_EQ(v.at("passed"), 1u);
  EXPECT_EQ(v.at("failed"), 2u);
  const auto& scenarios = v.at("scenarios").as_array();
  EXPECT_EQ(scenarios[0].at("outcome"), "passed");
  EXPECT_EQ(scenarios[1].at("steps").as_array()[0].at("outcome"), "failed");
  EXPECT_EQ(scenarios[1].at("steps").as_array()[0].at("location"), "b.yaml:4:5");
  EXPECT_EQ(scenarios[2].at("outcome"), "invalid");
}

}  // namespace
}  // namespace deploysim::scenario
