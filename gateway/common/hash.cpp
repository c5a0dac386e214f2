#include "gateway/common/hash.h"

#include <openssl/sha.h>

namespace gateway {

std::string sha256Hex(std::string_view data) {
    // OpenSSL's SHA-256 uses the CPU's SHA extensions where present: several times Poco's portable one, and
    // every staged record and raw batch is hashed.
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
    static const char kHex[] = "0123456789abcdef";
    std::string hex(2 * SHA256_DIGEST_LENGTH, '0');
    for (std::size_t i = 0; i < SHA256_DIGEST_LENGTH; ++i) {
        hex[2 * i] = kHex[digest[i] >> 4];
        hex[2 * i + 1] = kHex[digest[i] & 0x0F];
    }
    return hex;
}

}  // namespace gateway
