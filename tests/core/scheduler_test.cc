#include "simulator/core/scheduler.h"

#include <gtest/gtest.h>

#include <vector>

namespace deploysim::sim {
namespace {

using namespace std::chrono_literals;
const SimTime kStart = SimTime::from_ms(1'000'000);

TEST(SchedulerTest, FiresEventsInDueTimeOrder) {
  Scheduler s(kStart);
  std::vector<int> order;
  s.after(30s, [&] { order.push_back(3); });
  s.after(10s, [&] { order.push_back(1); });
  s.after(20s, [&] { order.push_back(2); });
  s.run_until(kStart + 1h);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(SchedulerTest, FiresEqualTimeEventsInScheduleOrder) {
  Scheduler s(kStart);
  std::vector<int> order;
  for (int i = 0; i < 5; ++i) s.after(5s, [&, i] { order.push_back(i); });
  s.run_until(kStart + 5s);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(SchedulerTest, EventsScheduledDuringAnInstantRunInThatInstant) {
  Scheduler s(kStart);
  std::vector<std::string> seen;
  s.after(1s, [&] {
    seen.push_back("a");
    s.after(0s, [&] { seen.push_back("a-child"); });
  });
  s.after(1s, [&] { seen.push_back("b"); });
  EXPECT_EQ(s.run_next_instant(), 3u);
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "a-child"}));
  EXPECT_EQ(s.now(), kStart + 1s);
}

TEST(SchedulerTest, RunUntilStopsAtTheLimitAndMovesTheClockThere) {
  Scheduler s(kStart);
  int fired = 0;
  s.after(10s, [&] { ++fired; });
  s.after(11s, [&] { ++fired; });
  s.run_until(kStart + 10s);
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(s.now(), kStart + 10s);
  EXPECT_EQ(s.pending(), 1u);
}

TEST(SchedulerTest, ClockJumpsOverEmptyTime) {
  Scheduler s(kStart);
  s.run_until(kStart + 48h);
  EXPECT_EQ(s.now(), kStart + 48h);
  EXPECT_EQ(s.events_run(), 0u);
}

TEST(SchedulerTest, CancelledEventsNeverFire) {
  Scheduler s(kStart);
  int fired = 0;
  EventId id = s.after(1s, [&] { ++fired; });
  s.after(2s, [&] { ++fired; });
  EXPECT_TRUE(s.cancel(id));
  EXPECT_FALSE(s.cancel(id));
  EXPECT_EQ(s.pending(), 1u);
  s.run_until(kStart + 1h);
  EXPECT_EQ(fired, 1);
}

TEST(SchedulerTest, PastDueTimesAreClampedToNow) {
  Scheduler s(kStart);
  SimTime fired_at;
  s.at(kStart - 1h, [&] { fired_at = s.now(); });
  s.run_next_instant();
  EXPECT_EQ(fired_at, kStart);
}

TEST(SchedulerTest, ZeroDelaySelfReschedulingIsALivenessErrorNotAHang) {
  Scheduler s(kStart);
  s.set_max_events_per_instant(10'000);
  std::function<void()> again = [&] { s.after(0s, again); };
  s.after(1s, again);
  EXPECT_THROW(s.run_next_instant(), LivenessError);
}

}  // namespace
}  // namespace deploysim::sim
