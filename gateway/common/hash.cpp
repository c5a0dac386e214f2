#include "gateway/common/hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <stdexcept>

namespace gateway {

namespace {

std::string hex(const unsigned char* digest, std::size_t size) {
    static const char kHex[] = "0123456789abcdef";
    std::string text(2 * size, '0');
    for (std::size_t i = 0; i < size; ++i) {
        text[2 * i] = kHex[digest[i] >> 4];
        text[2 * i + 1] = kHex[digest[i] & 0x0F];
    }
    return text;
}

}  // namespace

std::string sha256Hex(std::string_view data) {
    // OpenSSL's SHA-256 uses the CPU's SHA extensions where present: several times Poco's portable one, and
    // every staged record and raw batch is hashed.
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
    return hex(digest, SHA256_DIGEST_LENGTH);
}

std::string hmacSha256Hex(std::string_view key, std::string_view data) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    unsigned int length = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length) == nullptr ||
        length != SHA256_DIGEST_LENGTH) {
        throw std::runtime_error("HMAC-SHA256 failed");
    }
    return hex(digest, length);
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace gateway
