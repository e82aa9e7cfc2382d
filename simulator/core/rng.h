// Named, seeded random streams. Each stream is derived from (seed, name) alone, so adding a
// stream, or drawing more from one, never changes what another stream yields.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace deploysim::sim {

// xoshiro256** (Blackman & Vigna): small, fast, and identical on every platform.
class Rng {
 public:
  Rng() = default;
  Rng(std::uint64_t seed, std::string_view stream_name);

  std::uint64_t next();
  // Uniform in [0, bound); bound > 0. Rejection sampling, so there is no modulo bias.
  std::uint64_t below(std::uint64_t bound);

  std::array<std::uint64_t, 4> state() const { return s_; }
  void set_state(const std::array<std::uint64_t, 4>& s) { s_ = s; }

 private:
  std::array<std::uint64_t, 4> s_{};
};

class RngStreams {
 public:
  explicit RngStreams(std::uint64_t seed) : seed_(seed) {}
  std::uint64_t seed() const { return seed_; }
  // The stream named `name`, created on first use.
  Rng& stream(std::string_view name);
  const std::map<std::string, Rng, std::less<>>& streams() const { return streams_; }
  void restore(std::string name, const std::array<std::uint64_t, 4>& state);

 private:
  std::uint64_t seed_;
  std::map<std::string, Rng, std::less<>> streams_;
};

}  // namespace deploysim::sim
