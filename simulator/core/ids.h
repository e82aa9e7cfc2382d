// AWS-shaped identifiers, each drawn from a named RNG stream so the same seed gives the same IDs.
#pragma once

#include <string>
#include <string_view>

#include "simulator/core/rng.h"

namespace deploysim::sim {

// `prefix` followed by `length` characters drawn from `alphabet`.
std::string random_token(Rng& rng, std::string_view prefix, std::size_t length,
                         std::string_view alphabet);

std::string deployment_id(Rng& rng);  // d-XXXXXXXXX (9 upper-case alphanumerics)
std::string instance_id(Rng& rng);    // i- + 17 lower-case hex
std::string image_id(Rng& rng);       // ami- + 17 lower-case hex
std::string uuid(Rng& rng);           // 8-4-4-4-12 lower-case hex, version 4 layout
std::string request_id(Rng& rng);     // as AWS request IDs: a UUID
std::string iam_unique_id(Rng& rng, std::string_view prefix);  // AIDA/AROA/... + 17 [A-Z0-9]

bool is_deployment_id(std::string_view s);
bool is_instance_id(std::string_view s);

}  // namespace deploysim::sim
