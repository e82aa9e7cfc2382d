// Bad scenario files get file:line:col and a message that says what is wrong.
#include <gtest/gtest.h>

#include "fake_services/all/install.h"
#include "simulator/scenario/scenario.h"

namespace deploysim::scenario {
namespace {

Scenario load(const std::string& text) {
  return parse_scenario(text, "story.yaml", ".", fake::models());
}

// The error for `text`, as "line:col: message".
std::string error_of(const std::string& text) {
  try {
    load(text);
  } catch (const LoadError& e) {
    return std::to_string(e.where.line) + ":" + std::to_string(e.where.col) + ": " + e.bare_message;
  }
  return "no error";
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

TEST(LoaderTest, LoadsEveryStepKindWithDefaults) {
  Scenario s = load(R"(name: all kinds
steps:
  - s3.CreateBucket: {Bucket: b-one}
    save: {where: Location}
  - expect:
      s3.HeadBucket: {Bucket: b-one}
      match: {}
  - wait:
      s3.ListBuckets: {}
      match: {Buckets: {$count: 1}}
      timeout: 5m
  - advance: 90s
)");
  EXPECT_EQ(s.name, "all kinds");
  EXPECT_EQ(s.config.seed, 1u);
  EXPECT_EQ(s.config.account, "123456789012");
  ASSERT_EQ(s.steps.size(), 4u);
  EXPECT_EQ(s.steps[0].kind, Step::Kind::Call);
  EXPECT_EQ(s.steps[0].save.at(0).first, "where");
  EXPECT_EQ(s.steps[1].label(), "expect s3.HeadBucket");
  EXPECT_EQ(s.steps[2].timeout, std::chrono::minutes(5));
  EXPECT_EQ(s.steps[3].advance, std::chrono::seconds(90));
  EXPECT_EQ(s.steps[3].where.line, 12);
}

TEST(LoaderTest, TopLevelSettingsAreRead) {
  Scenario s = load(R"(name: settings
seed: 7
account: "210987654321"
region: eu-west-1
start_time: 2026-03-01T12:00:00Z
agent: {mode: simulated, hook_duration: 5s}
timings: {instance_boot: 10s}
vars: {app: web, n: 3}
steps: []
)");
  EXPECT_EQ(s.config.seed, 7u);
  EXPECT_EQ(s.config.account, "210987654321");
  EXPECT_EQ(s.config.region, "eu-west-1");
  EXPECT_EQ(s.config.agent.mode, "simulated");
  EXPECT_EQ(s.config.agent.hook_duration, std::chrono::seconds(5));
  EXPECT_EQ(s.config.timings.at("instance_boot"), std::chrono::seconds(10));
  EXPECT_EQ(s.vars.at("n"), 3);
}

TEST(LoaderTest, YamlSyntaxErrorsHaveAPlace) {
  EXPECT_EQ(error_of("name: x\nsteps:\n  - s3.ListBuckets: {\n"), "4:1: end of map flow not found");
}

TEST(LoaderTest, UnknownStepKind) {
  EXPECT_TRUE(
      starts_with(error_of("name: x\nsteps:\n  - sleep: 5s\n"), "3:5: unknown step kind 'sleep'"));
}

TEST(LoaderTest, UnknownServiceAndOperationSuggestNames) {
  EXPECT_TRUE(starts_with(error_of("name: x\nsteps:\n  - s4.ListBuckets: {}\n"),
                          "3:5: unknown service 's4' (did you mean 's3'?)"));
  EXPECT_TRUE(starts_with(error_of("name: x\nsteps:\n  - s3.ListBucket: {}\n"),
                          "3:5: s3 has no operation 'ListBucket'; did you mean ListBuckets, "));
}

TEST(LoaderTest, UnknownMemberPointsAtTheKey) {
  std::string e = error_of(
      "name: x\nsteps:\n  - s3.PutObject:\n      Bucket: b\n      Key: k\n      Bdy: hi\n");
  EXPECT_TRUE(
      starts_with(e, "6:7: unknown member 'Bdy' of PutObjectRequest (did you mean 'Body'?)"))
      << e;
}

TEST(LoaderTest, NestedUnknownMemberAndWrongKinds) {
  EXPECT_TRUE(starts_with(error_of("name: x\nsteps:\n  - s3.CreateBucket:\n      Bucket: b-one\n"
                                   "      CreateBucketConfiguration: {Location: eu-west-1}\n"),
                          "5:35: unknown member 'Location' of CreateBucketConfiguration"));
  EXPECT_EQ(error_of("name: x\nsteps:\n  - s3.ListObjectsV2: {Bucket: b, MaxKeys: lots}\n"),
            "3:44: expected an integer (MaxKeys), got 'lots'");
  EXPECT_TRUE(starts_with(error_of("name: x\nsteps:\n  - s3.ListObjectsV2: {Bucket: [b]}\n"),
                          "3:32: expected a string (BucketName), got a sequence"));
}

TEST(LoaderTest, UnknownNamesAreCaughtBeforeRunning) {
  EXPECT_EQ(error_of("name: x\nvars: {app: web}\nsteps:\n  - s3.CreateBucket: {Bucket: '${ap}'}\n"),
            "4:31: unknown name '${ap}'; did you mean ${app}?");
  // A saved name is known only after the step that saves it.
  EXPECT_TRUE(
      starts_with(error_of("name: x\nsteps:\n  - s3.CreateBucket: {Bucket: '${loc}'}\n"
                           "  - s3.CreateBucket: {Bucket: b-two}\n    save: {loc: Location}\n"),
                  "3:31: unknown name '${loc}'"));
  EXPECT_NO_THROW(
      load("name: x\nsteps:\n  - s3.CreateBucket: {Bucket: b-two}\n"
           "    save: {loc: Location}\n  - s3.HeadBucket: {Bucket: '${loc}'}\n"));
}

TEST(LoaderTest, DuplicateKeysAreRefusedNotSilentlyDropped) {
  EXPECT_EQ(error_of("name: x\nsteps:\n  - s3.HeadBucket: {Bucket: a-b, Bucket: c-d}\n"),
            "3:34: duplicate key 'Bucket' (first at line 3)");
}

TEST(LoaderTest, BadTopLevelValues) {
  EXPECT_TRUE(starts_with(error_of("name: x\nsede: 4\nsteps: []\n"),
                          "2:1: unknown top-level key 'sede'; did you mean 'seed'?"));
  EXPECT_EQ(error_of("steps: []\n"), "1:1: missing required key 'name'");
  EXPECT_EQ(error_of("name: x\n"), "1:1: missing required key 'steps'");
  EXPECT_EQ(error_of("name: x\nseed: -1\nsteps: []\n"), "2:7: seed must be a whole number >= 0");
  EXPECT_TRUE(starts_with(error_of("name: x\naccount: 12345\nsteps: []\n"),
                          "2:10: account must be 12 digits"));
  EXPECT_TRUE(starts_with(error_of("name: x\ntimings: {boot: 1s}\nsteps: []\n"),
                          "2:11: unknown timing 'boot'; timings: agent_poll, health_check, image_create, "
                          "instance_boot, instance_shutdown"));
  EXPECT_TRUE(starts_with(error_of("name: x\nagent: {mode: fake}\nsteps: []\n"),
                          "2:15: agent.mode must be real or simulated"));
  EXPECT_EQ(error_of("name: x\nsettings: {launch: wait}\nsteps: []\n"),
            "2:12: unknown setting 'launch'; settings: codedeploy.launch_without_revision");
  EXPECT_EQ(error_of("name: x\nsettings: {codedeploy.launch_without_revision: later}\nsteps: []\n"),
            "2:48: settings.codedeploy.launch_without_revision must be continue or wait, not 'later'");
  EXPECT_EQ(error_of("name: x\nsettings: [wait]\nsteps: []\n"),
            "2:11: 'settings' must be a mapping of names to values");
  EXPECT_TRUE(starts_with(error_of("name: x\nsteps:\n  - advance: soon\n"),
                          "3:14: advance: 'soon' is not a duration"));
  EXPECT_EQ(error_of("- just a list\n"),
            "1:1: a scenario is a mapping with at least 'name' and 'steps'");
}

TEST(LoaderTest, MisplacedStepKeys) {
  EXPECT_TRUE(starts_with(error_of("name: x\nsteps:\n  - advance: 1s\n    as: user/bob\n"),
                          "4:9: 'as' goes with a call"));
  EXPECT_TRUE(starts_with(error_of("name: x\nsteps:\n  - s3.ListBuckets: {}\n    as: bob\n"),
                          "4:9: as: 'bob' is not a principal"));
  EXPECT_TRUE(starts_with(error_of("name: x\nsteps:\n  - s3.ListBuckets: {}\n    advance: 1s\n"),
                          "4:5: one step, one action"));
  EXPECT_TRUE(starts_with(error_of("name: x\nsteps:\n  - expect: {match: {}}\n"),
                          "3:13: 'expect' needs a call"));
  EXPECT_TRUE(
      starts_with(error_of("name: x\nsteps:\n  - expect: {s3.ListBuckets: {}, timeout: 1m}\n"),
                  "3:34: unknown key 'timeout' in 'expect'"));
  EXPECT_TRUE(starts_with(
      error_of("name: x\nsteps:\n  - expect: {s3.ListBuckets: {}}\n    expect_error: X\n"),
      "4:19: 'expect_error' goes with a call step"));
}

TEST(LoaderTest, MissingFileIsAnErrorNamingIt) {
  try {
    load_scenario("/nonexistent/story.yaml", fake::models());
    FAIL();
  } catch (const LoadError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/story.yaml: error: cannot read the file");
  }
}

}  // namespace
}  // namespace deploysim::scenario
