#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "simulator/core/ids.h"
#include "simulator/core/rng.h"

namespace deploysim::sim {
namespace {

TEST(RngTest, SameSeedAndNameGiveTheSameSequence) {
  Rng a(42, "ids"), b(42, "ids");
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next(), b.next());
}

TEST(RngTest, DifferentSeedsOrNamesGiveDifferentSequences) {
  EXPECT_NE(Rng(42, "ids").next(), Rng(43, "ids").next());
  EXPECT_NE(Rng(42, "ids").next(), Rng(42, "request-id").next());
}

TEST(RngTest, DrawingFromOneStreamDoesNotDisturbAnother) {
  RngStreams one(7), two(7);
  for (int i = 0; i < 50; ++i) one.stream("noise").next();
  EXPECT_EQ(one.stream("ids").next(), two.stream("ids").next());
}

TEST(RngTest, BelowStaysInRangeAndCoversIt) {
  Rng r(1, "x");
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    auto v = r.below(6);
    ASSERT_LT(v, 6u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 6u);
}

TEST(RngTest, RestoredStateContinuesTheSequence) {
  RngStreams a(9);
  a.stream("s").next();
  RngStreams b(9);
  b.restore("s", a.stream("s").state());
  EXPECT_EQ(a.stream("s").next(), b.stream("s").next());
}

TEST(IdsTest, IdsHaveAwsShapes) {
  Rng r(1, "ids");
  EXPECT_TRUE(std::regex_match(deployment_id(r), std::regex("d-[A-Z0-9]{9}")));
  EXPECT_TRUE(std::regex_match(instance_id(r), std::regex("i-[0-9a-f]{17}")));
  EXPECT_TRUE(std::regex_match(image_id(r), std::regex("ami-[0-9a-f]{17}")));
  EXPECT_TRUE(std::regex_match(
      request_id(r),
      std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  EXPECT_TRUE(std::regex_match(iam_unique_id(r, "AIDA"), std::regex("AIDA[A-Z0-9]{17}")));
}

TEST(IdsTest, SameSeedGivesSameIds) {
  Rng a(5, "ids"), b(5, "ids");
  EXPECT_EQ(deployment_id(a), deployment_id(b));
  EXPECT_EQ(instance_id(a), instance_id(b));
}

TEST(IdsTest, RecognisesIds) {
  EXPECT_TRUE(is_deployment_id("d-ABCDEF123"));
  EXPECT_FALSE(is_deployment_id("d-abcdef123"));
  EXPECT_FALSE(is_deployment_id("d-ABCDEF12"));
  EXPECT_TRUE(is_instance_id("i-0123456789abcdef0"));
  EXPECT_FALSE(is_instance_id("i-0123456789ABCDEF0"));
}

}  // namespace
}  // namespace deploysim::sim
