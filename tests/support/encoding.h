#pragma once

#include <optional>
#include <string>

namespace gateway::testing {

/// Converts `bytes` from one charset to another with glibc iconv; nullopt when they are not valid in `from`.
/// Throws std::runtime_error when iconv does not know the charsets.
std::optional<std::string> convertEncoding(const std::string& bytes, const char* from, const char* to = "UTF-8");

/// UTF-8 text as GB18030, to build fixtures from readable text. Throws if it cannot be encoded.
std::string toGb18030(const std::string& utf8);

/// Percent-encodes every byte but the unreserved ones, so that any string reaches a server as that string.
std::string encode(const std::string& value);

}  // namespace gateway::testing
