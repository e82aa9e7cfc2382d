// Figures for the engine: scheduled no-op events per second against a baseline of calling the
// same no-op closures from a plain vector, and dispatcher calls per second.
#include <benchmark/benchmark.h>

#include <functional>
#include <vector>

#include "fake_services/all/install.h"
#include "simulator/core/scheduler.h"

namespace {

using namespace std::chrono_literals;
using deploysim::sim::Scheduler;
using deploysim::sim::SimTime;

constexpr int kEvents = 1'000'000;

// Baseline: the same closures, called in order, with no queue.
void BM_BaselineVectorOfClosures(benchmark::State& state) {
  for (auto _ : state) {
    std::vector<std::function<void()>> actions;
    actions.reserve(kEvents);
    std::uint64_t sum = 0;
    for (int i = 0; i < kEvents; ++i) actions.emplace_back([&sum] { ++sum; });
    for (auto& a : actions) a();
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
}

// 1,000,000 no-op events spread over simulated time, then run to completion.
void BM_SchedulerMillionNoOpEvents(benchmark::State& state) {
  for (auto _ : state) {
    Scheduler s(SimTime::from_ms(0));
    std::uint64_t sum = 0;
    for (int i = 0; i < kEvents; ++i) {
      s.after(std::chrono::milliseconds((std::int64_t{i} * 7919) % 86'400'000), [&sum] { ++sum; });
    }
    s.run_until(SimTime::from_ms(0) + 48h);
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
}

// Jumping over 48 hours with nothing due costs nothing.
void BM_SchedulerAdvance48hEmpty(benchmark::State& state) {
  for (auto _ : state) {
    Scheduler s(SimTime::from_ms(0));
    s.run_until(SimTime::from_ms(0) + 48h);
    benchmark::DoNotOptimize(s.now());
  }
}

// One AWS call through the whole dispatcher: request ID, shape validation, journal, handler.
void BM_DispatcherGetObject(benchmark::State& state) {
  deploysim::world::World w({}, deploysim::fake::models());
  deploysim::fake::install_services(w);
  (void)w.call("s3", "CreateBucket", {{"Bucket", "releases"}});
  (void)w.call("s3", "PutObject", {{"Bucket", "releases"}, {"Key", "k"}, {"Body", "hello"}});
  for (auto _ : state) {
    auto r = w.call("s3", "GetObject", {{"Bucket", "releases"}, {"Key", "k"}});
    benchmark::DoNotOptimize(r.ok());
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_BaselineVectorOfClosures)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SchedulerMillionNoOpEvents)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SchedulerAdvance48hEmpty);
BENCHMARK(BM_DispatcherGetObject);
BENCHMARK_MAIN();
