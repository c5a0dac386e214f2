#include "tests/support/sealed_tokens.h"

#include "gateway/vault/keyring.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <zlib.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

namespace gateway::testing {

namespace {

std::string base64Of(const std::vector<unsigned char>& bytes) {
    return vault::base64::encode(bytes.data(), bytes.size());
}

void check(bool ok, const char* what) {
    if (!ok) {
        throw std::runtime_error(std::string("unboundToken: ") + what + " failed");
    }
}

}  // namespace

std::string fixedKeyring(unsigned char fill) {
    return R"({"current": "k1", "index_key": ")" + base64Of(std::vector<unsigned char>(32, 0x11)) +
           R"(", "keys": [{"id": "k1", "key": ")" + base64Of(std::vector<unsigned char>(32, fill)) + R"("}]})";
}

std::string unboundToken(unsigned char fill, std::string_view value, std::string_view context, bool deflate) {
    std::string plaintext(value);
    if (deflate) {
        uLongf size = compressBound(static_cast<uLong>(value.size()));
        std::string packed(8 + size, '\0');
        for (std::size_t i = 0; i < 8; ++i) {
            packed[i] = static_cast<char>((std::uint64_t{value.size()} >> (8 * i)) & 0xFF);
        }
        check(compress(reinterpret_cast<Bytef*>(packed.data() + 8), &size, reinterpret_cast<const Bytef*>(value.data()),
                       static_cast<uLong>(value.size())) == Z_OK,
              "zlib");
        packed.resize(8 + size);
        plaintext = std::move(packed);
    }
    const std::string header = deflate ? "z1:k1:" : "e1:k1:";
    const std::string aad = header + std::string(context);
    const std::vector<unsigned char> key(32, fill);
    std::vector<unsigned char> raw(12 + plaintext.size() + 16);
    unsigned char* tag = raw.data() + 12 + plaintext.size();
    check(RAND_bytes(raw.data(), 12) == 1, "RAND_bytes");
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    int length = 0;
    check(ctx != nullptr && EVP_EncryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), key.data(), raw.data(), nullptr) == 1 &&
              EVP_EncryptUpdate(ctx.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(aad.data()),
                                static_cast<int>(aad.size())) == 1 &&
              EVP_EncryptUpdate(ctx.get(), raw.data() + 12, &length,
                                reinterpret_cast<const unsigned char*>(plaintext.data()),
                                static_cast<int>(plaintext.size())) == 1 &&
              EVP_EncryptFinal_ex(ctx.get(), tag, &length) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, tag) == 1,
          "AES-256-GCM");
    return header + base64Of(raw);
}

}  // namespace gateway::testing
