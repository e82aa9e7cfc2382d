#include "simulator/core/sim_time.h"

#include <gtest/gtest.h>

namespace deploysim::sim {
namespace {

using namespace std::chrono_literals;

TEST(DurationTest, ParsesEveryUnit) {
  EXPECT_EQ(parse_duration("250ms"), SimDuration(250));
  EXPECT_EQ(parse_duration("90s"), SimDuration(90s));
  EXPECT_EQ(parse_duration("15m"), SimDuration(15min));
  EXPECT_EQ(parse_duration("2h"), SimDuration(2h));
  EXPECT_EQ(parse_duration("1.5h"), SimDuration(90min));
  EXPECT_EQ(parse_duration("2d"), SimDuration(48h));
}

TEST(DurationTest, RejectsMalformedDurations) {
  for (const char* bad : {"", "s", "15", "15x", "-5s", "1.5ms", "h2", "1 h"}) {
    EXPECT_FALSE(parse_duration(bad)) << bad;
  }
}

TEST(DurationTest, FormatsTheShortestExactForm) {
  EXPECT_EQ(format_duration(SimDuration(90s)), "1m30s");
  EXPECT_EQ(format_duration(SimDuration(48h)), "2d");
  EXPECT_EQ(format_duration(SimDuration(1500)), "1s500ms");
  EXPECT_EQ(format_duration(SimDuration(0)), "0s");
}

TEST(Iso8601Test, RoundTripsAsTheAwsCliPrints) {
  auto t = parse_iso8601("2026-01-01T00:05:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_iso8601(*t), "2026-01-01T00:05:00+00:00");
  EXPECT_EQ(format_iso8601(*t + 1500ms), "2026-01-01T00:05:01.500000+00:00");
}

TEST(Iso8601Test, AcceptsOffsetsFractionsAndDates) {
  EXPECT_EQ(parse_iso8601("2026-01-01T02:00:00+02:00"), parse_iso8601("2026-01-01T00:00:00Z"));
  EXPECT_EQ(parse_iso8601("2026-01-01"), parse_iso8601("2026-01-01T00:00:00Z"));
  EXPECT_EQ(parse_iso8601("2026-01-01T00:00:00.250Z")->ms() % 1000, 250);
  EXPECT_EQ(format_iso8601(*parse_iso8601("1969-12-31T23:59:59Z")), "1969-12-31T23:59:59+00:00");
}

TEST(Iso8601Test, RejectsInvalidTimes) {
  for (const char* bad : {"2026-13-01T00:00:00Z", "2026-02-30", "yesterday", "2026-01-01T25:00:00Z",
                          "2026-01-01T00:00:00Zjunk"}) {
    EXPECT_FALSE(parse_iso8601(bad)) << bad;
  }
}

TEST(ElapsedTest, ShowsDaysWhenLong) {
  EXPECT_EQ(format_elapsed(SimDuration(3723s)), "T+01:02:03");
  EXPECT_EQ(format_elapsed(SimDuration(49h)), "T+2d01:00:00");
}

}  // namespace
}  // namespace deploysim::sim
