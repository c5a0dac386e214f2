// Bearer tokens: the JWT verifier for each algorithm it accepts. A token the fuzzer writes from scratch rarely
// carries a valid signature, so half the inputs are signed here with the verifier's own HS256 secret, which lets
// the header and claims behind the signature check be explored too.
//
// Input: byte 0 even: a token as a client sends it, checked by the HS256, RS256 and ES256 verifiers.
//        byte 0 odd: the header JSON, a NUL byte, then the payload JSON, signed with HS256 and checked.
#include "gateway/security/jwt.h"
#include "tests/fuzz/fuzz_check.h"

#include <Poco/Timestamp.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using gateway::fuzz::check;
namespace security = gateway::security;

const std::string kSecret = "a fuzzing secret of at least thirty-two bytes";
// 2026-11-01T00:00:00Z, so that the seeds' exp and nbf claims stay meaningful.
const Poco::Timestamp kNow = Poco::Timestamp::fromEpochTime(1793491200);

/// A fresh key pair's public half in PEM; the private half is not needed to verify.
std::string publicKeyPem(EVP_PKEY* key) {
    check(key != nullptr, "generate a key");
    BIO* bio = BIO_new(BIO_s_mem());
    check(bio != nullptr && PEM_write_bio_PUBKEY(bio, key) == 1, "write a public key");
    char* text = nullptr;
    const long length = BIO_get_mem_data(bio, &text);
    std::string pem(text, static_cast<std::size_t>(length));
    BIO_free(bio);
    EVP_PKEY_free(key);
    return pem;
}

security::JwtVerifier makeVerifier(const std::string& algorithm) {
    security::JwtSettings settings;
    settings.issuer = "https://idp.example";
    settings.audience = "childgateway";
    settings.algorithm = algorithm;
    if (algorithm == "HS256") {
        settings.secret = kSecret;
    } else if (algorithm == "RS256") {
        settings.public_key_pem = publicKeyPem(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048}));
    } else {
        settings.public_key_pem = publicKeyPem(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    }
    return security::JwtVerifier(settings);
}

const std::vector<security::JwtVerifier>& verifiers() {
    static const std::vector<security::JwtVerifier> all = [] {
        std::vector<security::JwtVerifier> made;
        for (const char* algorithm : {"HS256", "RS256", "ES256"}) {
            made.push_back(makeVerifier(algorithm));
        }
        return made;
    }();
    return all;
}

std::string signedToken(std::string_view header, std::string_view payload) {
    const std::string input = security::base64Url(header) + "." + security::base64Url(payload);
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data(), &length);
    return input + "." + security::base64Url(std::string_view(reinterpret_cast<const char*>(digest.data()), length));
}

void checkResult(const security::JwtResult& result) {
    check(result.ok() == result.failure.empty(), "a token is either accepted or refused with a reason");
    if (result.ok()) {
        check(!result.client->id.empty() && !result.client->roles.empty(), "an accepted token names a client");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) {
        return 0;
    }
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (data[0] % 2 == 0) {
        for (const security::JwtVerifier& verifier : verifiers()) {
            checkResult(verifier.verify(rest, kNow));
        }
        return 0;
    }
    const std::size_t nul = rest.find('\0');
    if (nul == std::string_view::npos) {
        return 0;
    }
    checkResult(verifiers().front().verify(signedToken(rest.substr(0, nul), rest.substr(nul + 1)), kNow));
    return 0;
}
