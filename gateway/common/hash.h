#pragma once

#include <string>
#include <string_view>

namespace gateway {

/// Lower-case hex SHA-256 of `data`.
std::string sha256Hex(std::string_view data);

/// Lower-case hex HMAC-SHA256 of `data` keyed with `key`.
std::string hmacSha256Hex(std::string_view key, std::string_view data);

/// Whether a and b are equal, in a time that depends on their lengths only: for secrets and their digests.
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace gateway
