#include "ops/sim/hook_request.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <rapidjson/document.h>

#include <array>
#include <stdexcept>

namespace deptsim {

namespace {

constexpr std::size_t kDigestBytes = 32;
constexpr std::string_view kSchemePrefix = "sha256=";

std::array<unsigned char, kDigestBytes> hmacSha256(std::string_view secret, std::string_view body) {
    std::array<unsigned char, kDigestBytes> digest{};
    unsigned int length = 0;
    if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
             reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest.data(), &length) == nullptr ||
        length != kDigestBytes) {
        throw std::runtime_error("HMAC-SHA256 failed");
    }
    return digest;
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

bool isJsonSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace

std::string hmacSha256Hex(std::string_view secret, std::string_view body) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(kDigestBytes * 2);
    for (const unsigned char byte : hmacSha256(secret, body)) {
        hex += kDigits[byte >> 4];
        hex += kDigits[byte & 0x0f];
    }
    return hex;
}

bool signatureMatches(std::string_view header, std::string_view secret, std::string_view body) {
    if (header.substr(0, kSchemePrefix.size()) != kSchemePrefix) {
        return false;
    }
    const std::string_view hex = header.substr(kSchemePrefix.size());
    if (hex.size() != kDigestBytes * 2) {
        return false;
    }
    std::array<unsigned char, kDigestBytes> given{};
    for (std::size_t i = 0; i < kDigestBytes; ++i) {
        const int high = hexValue(hex[2 * i]);
        const int low = hexValue(hex[2 * i + 1]);
        if (high < 0 || low < 0) {
            return false;
        }
        given[i] = static_cast<unsigned char>(high * 16 + low);
    }
    const auto expected = hmacSha256(secret, body);
    return CRYPTO_memcmp(given.data(), expected.data(), kDigestBytes) == 0;
}

std::optional<std::string> compactJsonBody(std::string_view body) {
    rapidjson::Document document;
    // Without kParseStopWhenDoneFlag anything but whitespace after the value is an error.
    document.Parse<rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
    if (document.HasParseError() || !(document.IsObject() || document.IsArray())) {
        return std::nullopt;
    }
    std::string compact;
    compact.reserve(body.size());
    bool in_string = false;
    bool escaped = false;
    for (const char c : body) {
        if (in_string) {
            compact += c;
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
            compact += c;
        } else if (!isJsonSpace(c)) {
            compact += c;
        }
    }
    return compact;
}

}  // namespace deptsim
