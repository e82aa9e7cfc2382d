// Digests and encodings (OpenSSL's libcrypto): S3 ETags are MD5s, state blobs are base64.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace deploysim::sim {

std::string md5_hex(std::string_view data);
std::string sha256_hex(std::string_view data);
std::string base64_encode(std::string_view data);
std::optional<std::string> base64_decode(std::string_view text);
bool is_valid_utf8(std::string_view s);

}  // namespace deploysim::sim
