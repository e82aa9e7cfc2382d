// The journal: every simulated event with its simulated time, in the order it happened.
// Same scenario + same seed => the same journal, byte for byte (the determinism test checks it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "simulator/core/sim_time.h"

namespace deploysim::journal {

struct Entry {
  std::uint64_t seq = 0;
  sim::SimTime time;
  std::string kind;     // "call", "error", "s3", "instance", ...: who or what produced it
  std::string subject;  // what it is about: "s3.CreateBucket", a bucket, an instance ID
  std::string message;  // one line, for people
};

class Journal {
 public:
  const Entry& add(sim::SimTime time, std::string kind, std::string subject, std::string message);
  const std::vector<Entry>& entries() const { return entries_; }
  std::size_t size() const { return entries_.size(); }
  // Appends entries loaded from a saved world (their seq numbers are kept).
  void restore(std::vector<Entry> entries);
  // "2026-01-01T00:00:00+00:00 #12 call s3.PutObject: ..." — one line per entry.
  static std::string render(const Entry& e);
  std::string render_all() const;

 private:
  std::vector<Entry> entries_;
  std::uint64_t next_seq_ = 1;
};

}  // namespace deploysim::journal
