// The virtual clock: a queue of actions ordered by (due time, sequence number).
// The loop jumps straight to the next due event, so an hour of simulated waiting costs nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <vector>

#include "simulator/core/sim_time.h"

namespace deploysim::sim {

using EventId = std::uint64_t;

// Raised when one simulated instant runs more events than any sane model needs: an action that
// reschedules itself at zero delay would otherwise hang the run.
struct LivenessError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Scheduler {
 public:
  using Action = std::function<void()>;
  static constexpr std::uint64_t kDefaultMaxEventsPerInstant = 5'000'000;

  explicit Scheduler(SimTime start) : now_(start) {}

  SimTime now() const { return now_; }
  void set_max_events_per_instant(std::uint64_t n) { max_per_instant_ = n; }
  // Schedules `action` at `due` (clamped to now: the past cannot be scheduled).
  EventId at(SimTime due, Action action);
  EventId after(SimDuration delay, Action action) { return at(now_ + delay, std::move(action)); }
  // True when the event was still pending.
  bool cancel(EventId id);

  std::optional<SimTime> next_due();
  std::size_t pending() const { return queue_.size() - cancelled_in_queue_; }
  std::uint64_t events_run() const { return events_run_; }

  // Runs every event of the next due instant, including those scheduled for that same instant
  // while it runs; the clock moves to that instant. Returns the number run (0: queue empty).
  std::size_t run_next_instant();
  // Runs every event due at or before `until`, one instant after another, then sets the clock to
  // `until` (never backwards).
  std::size_t run_until(SimTime until);

  // Restores the clock of a saved world; only valid while nothing is pending.
  void restore_clock(SimTime now);

 private:
  struct Entry {
    SimTime due;
    EventId seq;
    // Mutable so the action can be moved out of the priority queue's top.
    mutable Action action;
    bool operator>(const Entry& o) const { return due != o.due ? due > o.due : seq > o.seq; }
  };
  void drop_cancelled_top();

  SimTime now_;
  EventId next_seq_ = 1;
  std::uint64_t max_per_instant_ = kDefaultMaxEventsPerInstant;
  std::uint64_t events_run_ = 0;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue_;
  // One byte per event ever scheduled, indexed by sequence number (dense, from 1): cheaper than
  // a hash set, and never iterated.
  enum class State : std::uint8_t { Pending, Done, Cancelled };
  std::vector<State> state_{State::Done};
  std::size_t cancelled_in_queue_ = 0;
};

}  // namespace deploysim::sim
