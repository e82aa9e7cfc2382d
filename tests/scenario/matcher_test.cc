#include "simulator/scenario/matcher.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>
#include <boost/json/parse.hpp>

namespace deploysim::scenario {
namespace {

class MatcherTest : public ::testing::Test {
 protected:
  MatcherTest() {
    bindings.set("v1", "d-ABCDEFGHI");
    bindings.set("n", 3);
    bindings.set("ids", json::array{"a", "b"});
  }
  std::optional<Mismatch> check(const std::string& yaml, const std::string& json_text) {
    ConvertContext ctx{"t.yaml", ".", &bindings, true};
    auto m = Matcher::compile(YAML::Load(yaml), ctx);
    json::value actual = json::parse(json_text);
    return m->match(&actual, bindings);
  }
  bool matches(const std::string& yaml, const std::string& json_text) {
    return !check(yaml, json_text).has_value();
  }
  LoadError compile_error(const std::string& yaml) {
    ConvertContext ctx{"t.yaml", ".", &bindings, true};
    try {
      Matcher::compile(YAML::Load(yaml), ctx);
    } catch (const LoadError& e) {
      return e;
    }
    ADD_FAILURE() << "no error for " << yaml;
    return LoadError({}, "");
  }
  Bindings bindings;
};

TEST_F(MatcherTest, ScalarsMatchByValueAndStringsExactly) {
  EXPECT_TRUE(matches("{a: 4}", R"({"a": 4.0})"));
  EXPECT_TRUE(matches("{a: Succeeded}", R"({"a": "Succeeded"})"));
  EXPECT_FALSE(matches("{a: succeeded}", R"({"a": "Succeeded"})"));
  EXPECT_TRUE(matches("{a: true, b: null}", R"({"a": true, "b": null})"));
  EXPECT_TRUE(matches("{a: '123456789012'}", R"({"a": "123456789012"})"));
  EXPECT_TRUE(matches("{a: 123456789012}", R"({"a": "123456789012"})"));
}

TEST_F(MatcherTest, AQuotedScalarDoesNotMatchANumber) {
  auto miss = check("{a: '5'}", R"({"a": 5})");
  ASSERT_TRUE(miss);
  EXPECT_EQ(miss->reason, "expected string '5', got integer 5");
}

TEST_F(MatcherTest, MappingsIgnoreUnlistedKeysButNeedListedOnes) {
  EXPECT_TRUE(matches("{a: 1}", R"({"a": 1, "b": 2})"));
  auto miss = check("{a: 1, c: 2}", R"({"a": 1, "b": 2})");
  ASSERT_TRUE(miss);
  EXPECT_EQ(miss->path, "c");
  EXPECT_EQ(miss->reason, "expected '2', got nothing (the key is missing)");
}

TEST_F(MatcherTest, SequencesNeedTheSameLength) {
  EXPECT_TRUE(matches("[1, 2]", "[1, 2]"));
  auto miss = check("{xs: [1, 2]}", R"({"xs": [1, 2, 3]})");
  ASSERT_TRUE(miss);
  EXPECT_EQ(miss->path, "xs");
  EXPECT_EQ(miss->reason, "expected a list of 2 elements, got 3");
}

TEST_F(MatcherTest, ReportsTheFirstDifferingPathDeepInside) {
  auto miss =
      check("{Groups: [{Instances: {$each: {State: InService}}}]}",
            R"({"Groups": [{"Instances": [{"State": "InService"}, {"State": "Pending"}]}]})");
  ASSERT_TRUE(miss);
  EXPECT_EQ(miss->path, "Groups.0.Instances.1.State");
  EXPECT_EQ(miss->reason, "expected string 'InService', got string \"Pending\"");
}

TEST_F(MatcherTest, CountAndEachCombine) {
  EXPECT_TRUE(matches("{$count: 2, $each: {s: ok}}", R"([{"s": "ok"}, {"s": "ok"}])"));
  EXPECT_FALSE(matches("{$count: 3, $each: {s: ok}}", R"([{"s": "ok"}, {"s": "ok"}])"));
  EXPECT_EQ(check("{$count: 3}", "[1]")->reason, "expected 3 elements, got 1");
}

TEST_F(MatcherTest, ContainsAndNone) {
  EXPECT_TRUE(matches("{$contains: {s: bad}}", R"([{"s": "ok"}, {"s": "bad"}])"));
  EXPECT_FALSE(matches("{$contains: {s: gone}}", R"([{"s": "ok"}])"));
  EXPECT_TRUE(matches("{$none: {s: bad}}", R"([{"s": "ok"}])"));
  auto miss = check("{$none: {s: bad}}", R"([{"s": "ok"}, {"s": "bad"}])");
  ASSERT_TRUE(miss);
  EXPECT_EQ(miss->path, "1");
}

TEST_F(MatcherTest, RegexMatchesTheWholeString) {
  EXPECT_TRUE(matches("{$regex: 'd-[A-Z0-9]{9}'}", R"("d-ABCDEFGHI")"));
  EXPECT_FALSE(matches("{$regex: 'd-[A-Z0-9]{3}'}", R"("d-ABCDEFGHI")"));
  EXPECT_FALSE(matches("{$regex: 'x'}", "5"));
  EXPECT_TRUE(matches("{$regex: 'deployment ${v1} .*'}", R"("deployment d-ABCDEFGHI done")"));
  EXPECT_FALSE(matches("{$regex: 'deployment ${v1}'}", R"("deployment d-XXXXXXXXX")"));
}

TEST_F(MatcherTest, AbsentChecksKeyPresence) {
  EXPECT_TRUE(matches("{a: {$absent: true}}", R"({"b": 1})"));
  EXPECT_FALSE(matches("{a: {$absent: true}}", R"({"a": null})"));
  EXPECT_TRUE(matches("{a: {$absent: false}}", R"({"a": 1})"));
}

TEST_F(MatcherTest, NumericComparisons) {
  EXPECT_TRUE(matches("{$gt: 1, $lt: 3}", "2"));
  EXPECT_TRUE(matches("{$gte: 2, $lte: 2}", "2"));
  EXPECT_FALSE(matches("{$gt: 2}", "2"));
  EXPECT_EQ(check("{$lt: 2}", R"("two")")->reason, "$lt expects a number, got string \"two\"");
}

TEST_F(MatcherTest, AnyNeedsOneAlternative) {
  EXPECT_TRUE(matches("{$any: [Succeeded, Failed]}", R"("Failed")"));
  EXPECT_FALSE(matches("{$any: [Succeeded, Failed]}", R"("InProgress")"));
}

TEST_F(MatcherTest, SavedValuesKeepTheirTypes) {
  EXPECT_TRUE(matches("{id: '${v1}', n: '${n}', ids: '${ids}'}",
                      R"({"id": "d-ABCDEFGHI", "n": 3, "ids": ["a", "b"]})"));
  EXPECT_FALSE(matches("{ids: '${ids}'}", R"({"ids": ["a"]})"));
  EXPECT_TRUE(matches("{arn: 'deployment/${v1}'}", R"({"arn": "deployment/d-ABCDEFGHI"})"));
}

TEST_F(MatcherTest, BadOperatorsAreLoadErrorsWithTheirPlace) {
  auto e = compile_error("{a: {$cuont: 1}}");
  EXPECT_EQ(e.where.line, 1);
  EXPECT_EQ(e.where.col, 6);
  EXPECT_NE(e.bare_message.find("unknown matcher operator '$cuont'"), std::string::npos);
  EXPECT_NE(compile_error("{$regex: '('}").bare_message.find("invalid regular expression"),
            std::string::npos);
  EXPECT_NE(compile_error("{$count: many}").bare_message.find("takes a number"), std::string::npos);
  EXPECT_NE(compile_error("{$count: 1, key: 2}").bare_message.find("not both"), std::string::npos);
  EXPECT_NE(compile_error("{$any: []}").bare_message.find("non-empty list"), std::string::npos);
  EXPECT_NE(compile_error("{a: '${nobody}'}").bare_message.find("unknown name"), std::string::npos);
}

TEST(InterpolationTest, ReplacesNamesAndRendersNonStrings) {
  Bindings b;
  b.set("app", "web");
  b.set("n", 2);
  b.set("list", json::array{1, 2});
  Location where{"t.yaml", 1, 1};
  EXPECT_EQ(interpolate("${app}-asg-${n}", b, where), "web-asg-2");
  EXPECT_EQ(interpolate("ids=${list}", b, where), "ids=[1,2]");
  EXPECT_EQ(interpolate("no refs", b, where), "no refs");
  EXPECT_THROW(interpolate("${missing}", b, where), LoadError);
  EXPECT_EQ(whole_reference("${app}"), "app");
  EXPECT_FALSE(whole_reference("x${app}"));
  EXPECT_FALSE(whole_reference("${a}${b}"));
  EXPECT_EQ(references("${a} and ${b}"), (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace deploysim::scenario
