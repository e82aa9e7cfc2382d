// Simulated time: the only clock inside simulator/ and fake_services/.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace deploysim::sim {

using SimDuration = std::chrono::milliseconds;

// An instant of simulated time, in milliseconds since the Unix epoch (UTC).
class SimTime {
 public:
  constexpr SimTime() = default;
  static constexpr SimTime from_ms(std::int64_t ms) { return SimTime{ms}; }
  constexpr std::int64_t ms() const { return ms_; }

  constexpr SimTime operator+(SimDuration d) const { return SimTime{ms_ + d.count()}; }
  constexpr SimTime operator-(SimDuration d) const { return SimTime{ms_ - d.count()}; }
  constexpr SimDuration operator-(SimTime o) const { return SimDuration{ms_ - o.ms_}; }
  constexpr SimTime& operator+=(SimDuration d) {
    ms_ += d.count();
    return *this;
  }
  constexpr auto operator<=>(const SimTime&) const = default;

 private:
  constexpr explicit SimTime(std::int64_t ms) : ms_(ms) {}
  std::int64_t ms_ = 0;
};

// "90s", "15m", "2h", "250ms", "1.5h": number and unit (ms, s, m, h, d). nullopt when malformed.
std::optional<SimDuration> parse_duration(std::string_view text);
// The shortest exact form: 90000ms -> "1m30s".
std::string format_duration(SimDuration d);

// ISO 8601 in UTC: "2026-01-01T00:00:00Z", fractions and "+00:00"/"+hh:mm" offsets accepted.
std::optional<SimTime> parse_iso8601(std::string_view text);
// As the AWS CLI prints timestamps: "2026-01-01T00:05:00+00:00" (".123000" when sub-second).
std::string format_iso8601(SimTime t);
// "T+01:02:03" relative to a start instant, for progress lines.
std::string format_elapsed(SimDuration d);

}  // namespace deploysim::sim
