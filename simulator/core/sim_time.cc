#include "simulator/core/sim_time.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace deploysim::sim {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

bool read_int(std::string_view& s, std::size_t n, int& out) {
  if (s.size() < n) return false;
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + n, v);
  if (ec != std::errc{} || p != s.data() + n) return false;
  out = v;
  s.remove_prefix(n);
  return true;
}

bool expect_char(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

}  // namespace

std::optional<SimDuration> parse_duration(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
    ++i;
  }
  if (i == 0 || i == text.size()) return std::nullopt;
  double value = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + i, value);
  if (ec != std::errc{} || p != text.data() + i || value < 0) return std::nullopt;
  std::string_view unit = text.substr(i);
  double ms_per_unit = 0;
  if (unit == "ms") {
    ms_per_unit = 1;
  } else if (unit == "s") {
    ms_per_unit = 1000;
  } else if (unit == "m") {
    ms_per_unit = 60'000;
  } else if (unit == "h") {
    ms_per_unit = 3'600'000;
  } else if (unit == "d") {
    ms_per_unit = 86'400'000;
  } else {
    return std::nullopt;
  }
  double ms = value * ms_per_unit;
  if (ms > 1e15 || ms != std::floor(ms)) return std::nullopt;
  return SimDuration{static_cast<std::int64_t>(ms)};
}

std::string format_duration(SimDuration d) {
  std::int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  const std::pair<std::int64_t, const char*> units[] = {
      {86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1000, "s"}, {1, "ms"}};
  for (auto [size, name] : units) {
    if (ms >= size) {
      out += fmt::format("{}{}", ms / size, name);
      ms %= size;
    }
  }
  return out;
}

std::optional<SimTime> parse_iso8601(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!read_int(s, 4, y) || !expect_char(s, '-') || !read_int(s, 2, mo) || !expect_char(s, '-') ||
      !read_int(s, 2, d)) {
    return std::nullopt;
  }
  std::int64_t frac_ms = 0;
  if (!s.empty()) {
    if (s.front() != 'T' && s.front() != 't' && s.front() != ' ') return std::nullopt;
    s.remove_prefix(1);
    if (!read_int(s, 2, h) || !expect_char(s, ':') || !read_int(s, 2, mi) || !expect_char(s, ':') ||
        !read_int(s, 2, sec)) {
      return std::nullopt;
    }
    if (!s.empty() && s.front() == '.') {
      s.remove_prefix(1);
      int digits = 0;
      while (!s.empty() && std::isdigit(static_cast<unsigned char>(s.front()))) {
        if (digits < 3) frac_ms = frac_ms * 10 + (s.front() - '0');
        ++digits;
        s.remove_prefix(1);
      }
      if (digits == 0) return std::nullopt;
      for (int i = digits; i < 3; ++i) frac_ms *= 10;
    }
  }
  std::int64_t offset_min = 0;
  if (s == "Z" || s == "z") {
    s = {};
  } else if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    int sign = s.front() == '-' ? -1 : 1;
    s.remove_prefix(1);
    int oh = 0, om = 0;
    if (!read_int(s, 2, oh) || !expect_char(s, ':') || !read_int(s, 2, om)) return std::nullopt;
    offset_min = sign * (oh * 60 + om);
  }
  if (!s.empty()) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{unsigned(mo)},
                                  std::chrono::day{unsigned(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  std::int64_t days_since = sys_days{ymd}.time_since_epoch().count();
  std::int64_t ms = ((days_since * 24 + h) * 60 + mi - offset_min) * 60'000 + sec * 1000 + frac_ms;
  return SimTime::from_ms(ms);
}

std::string format_iso8601(SimTime t) {
  std::int64_t ms = t.ms();
  std::int64_t day = ms >= 0 ? ms / 86'400'000 : -((-ms + 86'399'999) / 86'400'000);
  std::int64_t in_day = ms - day * 86'400'000;
  std::chrono::year_month_day ymd{sys_days{days{day}}};
  std::int64_t secs = in_day / 1000;
  std::string out =
      fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", int(ymd.year()), unsigned(ymd.month()),
                  unsigned(ymd.day()), secs / 3600, (secs / 60) % 60, secs % 60);
  if (in_day % 1000 != 0) out += fmt::format(".{:03}000", in_day % 1000);
  out += "+00:00";
  return out;
}

std::string format_elapsed(SimDuration d) {
  std::int64_t s = d.count() / 1000;
  if (s >= 86'400) {
    return fmt::format("T+{}d{:02}:{:02}:{:02}", s / 86'400, (s / 3600) % 24, (s / 60) % 60,
                       s % 60);
  }
  return fmt::format("T+{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
}

}  // namespace deploysim::sim
