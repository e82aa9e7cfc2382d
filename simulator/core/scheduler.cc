#include "simulator/core/scheduler.h"

#include <fmt/format.h>

namespace deploysim::sim {

EventId Scheduler::at(SimTime due, Action action) {
  if (due < now_) due = now_;
  EventId id = next_seq_++;
  queue_.push(Entry{due, id, std::move(action)});
  state_.push_back(State::Pending);
  return id;
}

bool Scheduler::cancel(EventId id) {
  if (id >= state_.size() || state_[id] != State::Pending) return false;
  state_[id] = State::Cancelled;
  ++cancelled_in_queue_;
  return true;
}

void Scheduler::drop_cancelled_top() {
  while (!queue_.empty() && state_[queue_.top().seq] == State::Cancelled) {
    state_[queue_.top().seq] = State::Done;
    --cancelled_in_queue_;
    queue_.pop();
  }
}

std::optional<SimTime> Scheduler::next_due() {
  drop_cancelled_top();
  if (queue_.empty()) return std::nullopt;
  return queue_.top().due;
}

std::size_t Scheduler::run_next_instant() {
  std::optional<SimTime> due = next_due();
  if (!due) return 0;
  now_ = *due;
  std::size_t ran = 0;
  while (true) {
    drop_cancelled_top();
    if (queue_.empty() || queue_.top().due != now_) break;
    Action action = std::move(queue_.top().action);
    state_[queue_.top().seq] = State::Done;
    queue_.pop();
    ++ran;
    ++events_run_;
    if (ran > max_per_instant_) {
      throw LivenessError(fmt::format(
          "more than {} events ran at one simulated instant: something reschedules itself "
          "without letting time pass",
          max_per_instant_));
    }
    action();
  }
  return ran;
}

std::size_t Scheduler::run_until(SimTime until) {
  std::size_t ran = 0;
  while (true) {
    std::optional<SimTime> due = next_due();
    if (!due || *due > until) break;
    ran += run_next_instant();
  }
  if (until > now_) now_ = until;
  return ran;
}

void Scheduler::restore_clock(SimTime now) {
  now_ = now;
}

}  // namespace deploysim::sim
