#include "gateway/audit/digest.h"

#include "gateway/common/error.h"

#include <openssl/evp.h>

namespace gateway::audit {

std::string_view hashAlgorithmName(HashAlgorithm algorithm) {
    return algorithm == HashAlgorithm::Sm3 ? "sm3" : "sha256";
}

std::optional<HashAlgorithm> parseHashAlgorithm(std::string_view name) {
    if (name == "sha256") {
        return HashAlgorithm::Sha256;
    }
    if (name == "sm3") {
        return HashAlgorithm::Sm3;
    }
    return std::nullopt;
}

std::string toHex(const Hash& hash) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string text(2 * hash.size(), '0');
    for (std::size_t i = 0; i < hash.size(); ++i) {
        text[2 * i] = kHex[hash[i] >> 4];
        text[2 * i + 1] = kHex[hash[i] & 0x0F];
    }
    return text;
}

std::optional<Hash> hashFromHex(std::string_view text) {
    if (text.size() != 64) {
        return std::nullopt;
    }
    const auto nibble = [](char c) -> int {
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
    };
    Hash hash{};
    for (std::size_t i = 0; i < hash.size(); ++i) {
        const int high = nibble(text[2 * i]);
        const int low = nibble(text[2 * i + 1]);
        if (high < 0 || low < 0) {
            return std::nullopt;
        }
        hash[i] = static_cast<std::uint8_t>(high << 4 | low);
    }
    return hash;
}

void Digest::MdFree::operator()(evp_md_st* md) const {
    EVP_MD_free(md);
}

void Digest::CtxFree::operator()(evp_md_ctx_st* ctx) const {
    EVP_MD_CTX_free(ctx);
}

Digest::Digest(HashAlgorithm algorithm)
    : algorithm_(algorithm),
      md_(EVP_MD_fetch(nullptr, algorithm == HashAlgorithm::Sm3 ? "SM3" : "SHA256", nullptr)),
      ctx_(EVP_MD_CTX_new()) {
    if (!md_ || !ctx_) {
        throw GatewayError(ErrorCode::InvalidConfig,
                           "this OpenSSL does not provide the hash " + std::string(hashAlgorithmName(algorithm)));
    }
}

Digest::~Digest() = default;

void Digest::begin() {
    if (EVP_DigestInit_ex2(ctx_.get(), md_.get(), nullptr) != 1) {
        throw GatewayError(ErrorCode::Internal, "could not start a hash");
    }
}

void Digest::update(const void* data, std::size_t size) {
    if (EVP_DigestUpdate(ctx_.get(), data, size) != 1) {
        throw GatewayError(ErrorCode::Internal, "could not hash");
    }
}

Hash Digest::final() {
    Hash hash{};
    unsigned int size = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), hash.data(), &size) != 1 || size != hash.size()) {
        throw GatewayError(ErrorCode::Internal, "could not finish a hash");
    }
    return hash;
}

}  // namespace gateway::audit
