// The runner: waits that let simulated time run (and never hang), saves, failures and state files.
#include "simulator/scenario/runner.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "fake_services/all/install.h"

namespace deploysim::scenario {
namespace {

using namespace std::chrono_literals;

// A stand-in Auto Scaling: SetDesiredCapacity brings instances InService one every 40 s.
class TickerService : public api::Service {
 public:
  explicit TickerService(world::World& w) : world_(w) {
    table_.add("SetDesiredCapacity", [this](const api::Call& c) -> api::Result<json::object> {
      auto wanted = c.params.at("DesiredCapacity").to_number<int>();
      for (int i = 0; i < wanted; ++i) {
        world_.scheduler().after(40s * (i + 1), [this] {
          ++in_service_;
          world_.record("instance", "web", "InService");
        });
      }
      return json::object{};
    });
    table_.add("DescribeAutoScalingGroups", [this](const api::Call&) -> api::Result<json::object> {
      json::array instances;
      for (int i = 0; i < in_service_; ++i) {
        instances.push_back(json::object{{"LifecycleState", "InService"}});
      }
      return json::object{
          {"AutoScalingGroups",
           json::array{json::object{{"AutoScalingGroupName", "web"}, {"Instances", instances}}}}};
    });
  }
  std::string_view name() const override { return "autoscaling"; }
  const api::OperationTable& operations() const override { return table_; }

 private:
  world::World& world_;
  api::OperationTable table_;
  int in_service_ = 0;
};

void install(world::World& w) {
  fake::install_services(w, {"autoscaling"});
  w.add_service<TickerService>();
}

class RunnerTest : public ::testing::Test {
 protected:
  RunnerTest() {
    dir = std::filesystem::temp_directory_path() /
          ("deploysim-runner-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir);
  }
  ~RunnerTest() override { std::filesystem::remove_all(dir); }

  ScenarioOutcome run(const std::string& text, RunOptions options = {}) {
    Scenario s = parse_scenario(text, (dir / "story.yaml").string(), dir.string(), fake::models());
    return run_scenario(s, fake::models(), install, options);
  }
  std::filesystem::path dir;
};

const char* kScaleOut = R"(name: scale out
steps:
  - autoscaling.SetDesiredCapacity: {AutoScalingGroupName: web, DesiredCapacity: 3}
  - wait:
      autoscaling.DescribeAutoScalingGroups: {AutoScalingGroupNames: [web]}
      match: {AutoScalingGroups: [{Instances: {$count: 3, $each: {LifecycleState: InService}}}]}
      timeout: %s
)";

std::string with_timeout(const char* tmpl, const std::string& timeout) {
  std::string s = tmpl;
  s.replace(s.find("%s"), 2, timeout);
  return s;
}

TEST_F(RunnerTest, WaitLetsSimulatedTimeRunUntilTheResponseMatches) {
  auto o = run(with_timeout(kScaleOut, "1h"));
  ASSERT_TRUE(o.passed) << o.failure_summary();
  // The third instance arrives at 120 s: the wait ends at that instant, not at the timeout.
  EXPECT_EQ(o.simulated, 120s);
}

TEST_F(RunnerTest, WaitFailsAtItsTimeoutShowingTheLastResponse) {
  auto o = run(with_timeout(kScaleOut, "100s"));
  ASSERT_FALSE(o.passed);
  EXPECT_EQ(o.simulated, 100s);
  const std::string& f = o.steps.back().failure;
  EXPECT_NE(f.find("differs at AutoScalingGroups.0.Instances: expected 3 elements, got 2"),
            std::string::npos)
      << f;
  EXPECT_NE(f.find("waited 1m40s of simulated time"), std::string::npos) << f;
  EXPECT_NE(f.find("\"LifecycleState\": \"InService\""), std::string::npos) << f;
}

TEST_F(RunnerTest, AWaitWithNothingScheduledTimesOutInsteadOfHanging) {
  auto o = run(R"(name: nothing happens
steps:
  - wait:
      autoscaling.DescribeAutoScalingGroups: {}
      match: {AutoScalingGroups: [{Instances: {$count: 1}}]}
      timeout: 48h
)");
  EXPECT_FALSE(o.passed);
  EXPECT_EQ(o.simulated, 48h);
}

TEST_F(RunnerTest, AdvanceRunsEventsDueInTheWindowOnly) {
  auto o = run(R"(name: advance
steps:
  - autoscaling.SetDesiredCapacity: {AutoScalingGroupName: web, DesiredCapacity: 3}
  - advance: 90s
  - expect:
      autoscaling.DescribeAutoScalingGroups: {}
      match: {AutoScalingGroups: [{Instances: {$count: 2}}]}
)");
  EXPECT_TRUE(o.passed) << o.failure_summary();
  EXPECT_EQ(o.simulated, 90s);
}

TEST_F(RunnerTest, SavedValuesFlowIntoLaterStepsWithTheirTypes) {
  auto o = run(R"(name: saves
vars: {n: 2}
steps:
  - s3.CreateBucket: {Bucket: releases}
    save: {loc: Location}
  - s3.PutObject: {Bucket: releases, Key: note, Body: "${loc} and ${n}"}
  - expect:
      s3.GetObject: {Bucket: releases, Key: note}
      match: {Body: /releases and 2, ContentLength: 15}
    save: {len: ContentLength}
  - autoscaling.SetDesiredCapacity: {AutoScalingGroupName: web, DesiredCapacity: "${n}"}
  - advance: 1h
  - expect:
      autoscaling.DescribeAutoScalingGroups: {}
      match: {AutoScalingGroups: [{Instances: {$count: 2}}]}
)");
  EXPECT_TRUE(o.passed) << o.failure_summary();
}

TEST_F(RunnerTest, AFailedCallFailsTheScenarioWithTheAwsError) {
  auto o = run("name: x\nsteps:\n  - s3.DeleteBucket: {Bucket: missing}\n  - advance: 1s\n");
  ASSERT_FALSE(o.passed);
  EXPECT_EQ(o.steps.size(), 1u);  // later steps do not run
  EXPECT_EQ(o.steps[0].failure.rfind("NoSuchBucket: The specified bucket does not exist", 0), 0u);
  EXPECT_EQ(o.steps[0].response.at("Error").at("Code"), "NoSuchBucket");
}

TEST_F(RunnerTest, ExpectErrorNeedsThatExactCode) {
  EXPECT_TRUE(run("name: x\nsteps:\n  - s3.DeleteBucket: {Bucket: missing}\n"
                  "    expect_error: NoSuchBucket\n")
                  .passed);
  auto wrong =
      run("name: x\nsteps:\n  - s3.DeleteBucket: {Bucket: missing}\n"
          "    expect_error: BucketNotEmpty\n");
  EXPECT_EQ(wrong.steps[0].failure.rfind("expected error BucketNotEmpty, got NoSuchBucket", 0), 0u);
  auto none = run("name: x\nsteps:\n  - s3.ListBuckets: {}\n    expect_error: NoSuchBucket\n");
  EXPECT_EQ(none.steps[0].failure.rfind("expected error NoSuchBucket, but the call succeeded", 0),
            0u);
}

TEST_F(RunnerTest, ErrorResponsesCanBeMatched) {
  auto o = run(R"(name: x
steps:
  - expect:
      s3.HeadBucket: {Bucket: missing}
      match: {Error: {Code: "404"}}
)");
  EXPECT_TRUE(o.passed) << o.failure_summary();
}

TEST_F(RunnerTest, SavingAPathThatIsNotThereFailsTheStep) {
  auto o = run("name: x\nsteps:\n  - s3.ListBuckets: {}\n    save: {x: Buckets.0.Name}\n");
  ASSERT_FALSE(o.passed);
  EXPECT_NE(o.steps[0].failure.find("save: 'Buckets.0.Name' is not in the response"),
            std::string::npos);
}

TEST_F(RunnerTest, AsAnUnknownUserFailsTheStep) {
  auto o = run("name: x\nsteps:\n  - s3.ListBuckets: {}\n    as: user/mallory\n");
  ASSERT_FALSE(o.passed);
  EXPECT_EQ(o.steps[0].failure,
            "as: user/mallory: NoSuchEntity: The user with name mallory cannot be found.");
}

TEST_F(RunnerTest, BlobsReadFilesRelativeToTheScenario) {
  std::ofstream(dir / "body.txt") << "from a file";
  auto o = run(R"(name: x
steps:
  - s3.CreateBucket: {Bucket: releases}
  - s3.PutObject: {Bucket: releases, Key: k, Body: {file: body.txt}}
  - expect:
      s3.GetObject: {Bucket: releases, Key: k}
      match: {Body: from a file}
  - s3.PutObject: {Bucket: releases, Key: k, Body: {file: missing.txt}}
)");
  ASSERT_FALSE(o.passed);
  ASSERT_EQ(o.steps.size(), 4u);
  EXPECT_NE(o.steps[3].failure.find("cannot read file"), std::string::npos) << o.steps[3].failure;
  EXPECT_NE(o.steps[3].failure.find("story.yaml:8:"), std::string::npos) << o.steps[3].failure;
}

TEST_F(RunnerTest, TheSameSeedGivesTheSameJournalAndAnotherSeedDoesNot) {
  const char* text = "name: x\nsteps:\n  - s3.CreateBucket: {Bucket: releases}\n";
  auto a = run(text), b = run(text);
  EXPECT_EQ(a.journal, b.journal);
  RunOptions other;
  other.seed = 99;
  EXPECT_NE(run(text, other).journal, a.journal);
}

TEST_F(RunnerTest, AStateFileCarriesTheWorldIntoTheNextRun) {
  RunOptions options;
  options.state_path = (dir / "world.db").string();
  auto first = run(R"(name: first
steps:
  - s3.CreateBucket: {Bucket: releases}
  - s3.PutObject: {Bucket: releases, Key: v1, Body: one}
  - advance: 1h
)",
                   options);
  ASSERT_TRUE(first.passed) << first.failure_summary();
  auto second = run(R"(name: second
steps:
  - expect:
      s3.GetObject: {Bucket: releases, Key: v1}
      match: {Body: one, LastModified: "2026-01-01T00:00:00+00:00"}
  - s3.PutObject: {Bucket: releases, Key: v2, Body: two}
  - expect:
      s3.HeadObject: {Bucket: releases, Key: v2}
      match: {LastModified: "2026-01-01T01:00:00+00:00"}
)",
                    options);
  ASSERT_TRUE(second.passed) << second.failure_summary();
  // The journal continues: the first run's entries come first, numbered on.
  EXPECT_EQ(second.journal.rfind(first.journal, 0), 0u);
  EXPECT_GT(second.journal.size(), first.journal.size());
}

TEST_F(RunnerTest, AStateFileOfAnotherAccountIsRefused) {
  RunOptions options;
  options.state_path = (dir / "world.db").string();
  ASSERT_TRUE(run("name: a\nsteps: []\n", options).passed);
  EXPECT_THROW(run("name: b\naccount: '111111111111'\nsteps: []\n", options), LoadError);
}

TEST_F(RunnerTest, ProgressShowsTheClockAndEachStep) {
  std::ostringstream progress;
  RunOptions options;
  options.progress = &progress;
  run(with_timeout(kScaleOut, "1h"), options);
  std::string text = progress.str();
  EXPECT_NE(text.find("▶ scale out"), std::string::npos);
  EXPECT_NE(text.find("[T+00:00:00] ✓ autoscaling.SetDesiredCapacity"), std::string::npos) << text;
  EXPECT_NE(text.find("[T+00:02:00] ✓ wait autoscaling.DescribeAutoScalingGroups"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace deploysim::scenario
