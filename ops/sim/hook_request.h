#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace deptsim {

/// True when `header` is "sha256=<64 hex digits>" and the digits are the HMAC-SHA256 of `body` with `secret`
/// (either case). The digests are compared in constant time.
bool signatureMatches(std::string_view header, std::string_view secret, std::string_view body);

/// The body with the whitespace between its tokens removed (so it fits one line of received.jsonl), or nullopt
/// unless it is one JSON object or array in valid UTF-8. Strings and numbers are kept byte for byte.
std::optional<std::string> compactJsonBody(std::string_view body);

}  // namespace deptsim
