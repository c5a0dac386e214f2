#pragma once

#include <string>
#include <string_view>

namespace gateway::testing {

/// A keyring (the JSON of security.keyring) whose one key "k1" is 32 bytes of `fill` and whose index key is 32 bytes
/// of 0x11: a key the tests know, to build tokens the gateway did not make.
std::string fixedKeyring(unsigned char fill);

/// `value` as a gateway sealed it before values were bound to their rows, under fixedKeyring(fill)'s k1:
/// "e1:k1:<base64 of nonce || ciphertext || tag>" with AES-256-GCM over header || context, or "z1:k1:…" over an
/// 8-byte little-endian length and a zlib stream of `value` when `deflate`. Built with OpenSSL and zlib directly.
std::string unboundToken(unsigned char fill, std::string_view value, std::string_view context, bool deflate);

}  // namespace gateway::testing
