#include "simulator/core/ids.h"

namespace deploysim::sim {
namespace {
constexpr std::string_view kHex = "0123456789abcdef";
constexpr std::string_view kUpperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

bool all_of(std::string_view s, std::string_view alphabet) {
  return s.find_first_not_of(alphabet) == std::string_view::npos;
}
}  // namespace

std::string random_token(Rng& rng, std::string_view prefix, std::size_t length,
                         std::string_view alphabet) {
  std::string out(prefix);
  out.reserve(prefix.size() + length);
  for (std::size_t i = 0; i < length; ++i) out += alphabet[rng.below(alphabet.size())];
  return out;
}

std::string deployment_id(Rng& rng) {
  return random_token(rng, "d-", 9, kUpperAlnum);
}
std::string instance_id(Rng& rng) {
  return random_token(rng, "i-", 17, kHex);
}
std::string image_id(Rng& rng) {
  return random_token(rng, "ami-", 17, kHex);
}

std::string uuid(Rng& rng) {
  std::string s = random_token(rng, "", 32, kHex);
  s[12] = '4';
  s[16] = kHex[8 + rng.below(4)];
  return s.substr(0, 8) + "-" + s.substr(8, 4) + "-" + s.substr(12, 4) + "-" + s.substr(16, 4) +
         "-" + s.substr(20);
}

std::string request_id(Rng& rng) {
  return uuid(rng);
}

std::string iam_unique_id(Rng& rng, std::string_view prefix) {
  return random_token(rng, prefix, 17, kUpperAlnum);
}

bool is_deployment_id(std::string_view s) {
  return s.size() == 11 && s.substr(0, 2) == "d-" && all_of(s.substr(2), kUpperAlnum);
}

bool is_instance_id(std::string_view s) {
  return s.size() == 19 && s.substr(0, 2) == "i-" && all_of(s.substr(2), kHex);
}

}  // namespace deploysim::sim
