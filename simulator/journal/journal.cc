#include "simulator/journal/journal.h"

#include <fmt/format.h>

namespace deploysim::journal {

const Entry& Journal::add(sim::SimTime time, std::string kind, std::string subject,
                          std::string message) {
  entries_.push_back(
      Entry{next_seq_++, time, std::move(kind), std::move(subject), std::move(message)});
  return entries_.back();
}

void Journal::restore(std::vector<Entry> entries) {
  for (auto& e : entries) {
    next_seq_ = std::max(next_seq_, e.seq + 1);
    entries_.push_back(std::move(e));
  }
}

std::string Journal::render(const Entry& e) {
  return fmt::format("{} #{} {} {}: {}", sim::format_iso8601(e.time), e.seq, e.kind, e.subject,
                     e.message);
}

std::string Journal::render_all() const {
  std::string out;
  for (const auto& e : entries_) {
    out += render(e);
    out += '\n';
  }
  return out;
}

}  // namespace deploysim::journal
