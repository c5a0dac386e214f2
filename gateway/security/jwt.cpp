#include "gateway/security/jwt.h"

#include "gateway/common/config_tree.h"
#include "gateway/common/error.h"
#include "gateway/common/file.h"
#include "gateway/common/hash.h"
#include "gateway/common/utf8.h"

#include <Poco/Crypto/ECKey.h>
#include <Poco/Crypto/EVPPKey.h>
#include <Poco/Crypto/RSAKey.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <array>
#include <cstdlib>
#include <stdexcept>

namespace gateway::security {

namespace {

// Longer than any token an identity provider issues for an API client; bounds what an anonymous caller makes the
// gateway parse.
constexpr std::size_t kMaxTokenLength = 8192;
constexpr std::size_t kMinHmacSecret = 32;  // RFC 7518 §3.2: a key at least as long as the hash output
constexpr int kMaxLeewaySeconds = 300;
constexpr std::size_t kMaxSubjectLength = 256;
// Base64url of the 64-byte r||s signature of ES256, without padding.
constexpr std::size_t kEs256SignatureChars = 86;

constexpr std::string_view kHs256 = "HS256";
constexpr std::string_view kRs256 = "RS256";
constexpr std::string_view kEs256 = "ES256";

struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
struct PkeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Free {
    void operator()(X509* certificate) const { X509_free(certificate); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

/// The issuer's public key, from a PEM public key or a PEM certificate; the reason it is unusable otherwise. The
/// reason never quotes the PEM.
PkeyPtr readPublicKey(const std::string& pem, std::string_view algorithm, std::string& reason) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    PkeyPtr key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!key && bio) {
        // Identity providers often publish a certificate rather than the bare key.
        BIO_reset(bio.get());
        std::unique_ptr<X509, X509Free> certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
        if (certificate) {
            key.reset(X509_get_pubkey(certificate.get()));
        }
    }
    ERR_clear_error();
    if (!key) {
        reason = "not a PEM public key or certificate";
        return nullptr;
    }
    if (algorithm == kRs256) {
        if (!EVP_PKEY_is_a(key.get(), "RSA")) {
            reason = "not an RSA key, as RS256 needs";
            return nullptr;
        }
        if (EVP_PKEY_get_bits(key.get()) < 2048) {
            reason = "an RSA key of " + std::to_string(EVP_PKEY_get_bits(key.get())) + " bits (at least 2048 needed)";
            return nullptr;
        }
    } else if (algorithm == kEs256) {
        std::array<char, 64> group{};
        std::size_t length = 0;
        if (!EVP_PKEY_is_a(key.get(), "EC") ||
            EVP_PKEY_get_group_name(key.get(), group.data(), group.size(), &length) != 1 ||
            std::string_view(group.data(), length) != "prime256v1") {
            reason = "not an EC key on P-256, as ES256 needs";
            return nullptr;
        }
    }
    return key;
}

bool isBase64Url(std::string_view text) {
    return text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
           std::string_view::npos;
}

/// The value of a NumericDate claim in seconds, nullopt when absent; throws std::invalid_argument when present but
/// not a number.
std::optional<double> numericDate(const Poco::JSON::Object& payload, const std::string& claim) {
    if (!payload.has(claim)) {
        return std::nullopt;
    }
    const Poco::Dynamic::Var value = payload.get(claim);
    if (!value.isNumeric() || value.isBoolean()) {
        throw std::invalid_argument(claim);
    }
    return value.convert<double>();
}

std::optional<std::string> stringClaim(const Poco::JSON::Object& payload, const std::string& claim) {
    if (!payload.has(claim)) {
        return std::nullopt;
    }
    const Poco::Dynamic::Var value = payload.get(claim);
    if (!value.isString()) {
        throw std::invalid_argument(claim);
    }
    return value.extract<std::string>();
}

bool audienceMatches(const Poco::JSON::Object& payload, const std::string& audience) {
    if (payload.isArray("aud")) {
        const Poco::JSON::Array::Ptr list = payload.getArray("aud");
        for (std::size_t i = 0; list && i < list->size(); ++i) {
            const Poco::Dynamic::Var entry = list->get(static_cast<unsigned>(i));
            if (entry.isString() && entry.extract<std::string>() == audience) {
                return true;
            }
        }
        return false;
    }
    const Poco::Dynamic::Var value = payload.get("aud");
    return value.isString() && value.extract<std::string>() == audience;
}

JwtResult refused(std::string reason) {
    return JwtResult{std::nullopt, std::move(reason)};
}

/// A file named by the member at `at`; a file it cannot read fails there, naming the file.
std::string readNamedFile(const ConfigCursor& at, const std::string& path, std::string_view what) {
    try {
        return readFileContent(path, what);
    } catch (const GatewayError& error) {
        at.fail(error.message());
    }
}

std::string trimTrailingSpace(std::string text) {
    const auto end = text.find_last_not_of(" \t\r\n");
    text.erase(end == std::string::npos ? 0 : end + 1);
    return text;
}

}  // namespace

struct JwtVerifier::Impl {
    JwtSettings settings;
    Poco::SharedPtr<Poco::Crypto::RSAKey> rsa_key;
    Poco::SharedPtr<Poco::Crypto::ECKey> ec_key;

    ~Impl() { OPENSSL_cleanse(settings.secret.data(), settings.secret.size()); }

    bool signatureHolds(const std::string& token, std::string_view signing_input, std::string_view signature) const;
    JwtResult claims(const Poco::JSON::Object& payload, const Poco::Timestamp& now) const;
};

JwtVerifier::JwtVerifier(JwtSettings settings) : impl_(std::make_unique<Impl>()) {
    impl_->settings = std::move(settings);
    const JwtSettings& s = impl_->settings;
    const auto invalid = [](const std::string& what) {
        throw GatewayError(ErrorCode::InvalidConfig, "JWT settings: " + what);
    };
    if (s.issuer.empty()) {
        invalid("an issuer is required");
    }
    if (s.audience.empty()) {
        invalid("an audience is required");
    }
    if (s.leeway_seconds < 0 || s.leeway_seconds > kMaxLeewaySeconds) {
        invalid("leeway_seconds must be between 0 and " + std::to_string(kMaxLeewaySeconds));
    }
    if (s.algorithm == kHs256) {
        if (s.secret.size() < kMinHmacSecret) {
            invalid("the HS256 secret must be at least " + std::to_string(kMinHmacSecret) + " bytes long");
        }
        return;
    }
    if (s.algorithm != kRs256 && s.algorithm != kEs256) {
        invalid("algorithm must be HS256, RS256 or ES256");
    }
    std::string reason;
    const PkeyPtr key = readPublicKey(s.public_key_pem, s.algorithm, reason);
    if (!key) {
        invalid("public key: " + reason);
    }
    try {
        const Poco::Crypto::EVPPKey wrapped(key.get());
        if (s.algorithm == kRs256) {
            impl_->rsa_key = new Poco::Crypto::RSAKey(wrapped);
        } else {
            impl_->ec_key = new Poco::Crypto::ECKey(wrapped);
        }
    } catch (const Poco::Exception& e) {
        invalid("public key: " + e.displayText());
    }
}

JwtVerifier::~JwtVerifier() = default;
JwtVerifier::JwtVerifier(JwtVerifier&&) noexcept = default;
JwtVerifier& JwtVerifier::operator=(JwtVerifier&&) noexcept = default;

const std::string& JwtVerifier::issuer() const {
    return impl_->settings.issuer;
}
const std::string& JwtVerifier::algorithm() const {
    return impl_->settings.algorithm;
}

bool JwtVerifier::Impl::signatureHolds(const std::string& token, std::string_view signing_input,
                                       std::string_view signature) const {
    if (settings.algorithm == kHs256) {
        // Poco's HMAC check compares with ==, which returns sooner the earlier a byte differs; an attacker could
        // time it to forge a signature byte by byte.
        std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
        unsigned int length = 0;
        if (HMAC(EVP_sha256(), settings.secret.data(), static_cast<int>(settings.secret.size()),
                 reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), digest.data(),
                 &length) == nullptr) {
            return false;
        }
        return constantTimeEquals(base64Url(std::string_view(reinterpret_cast<const char*>(digest.data()), length)),
                                  signature);
    }
    if (settings.algorithm == kEs256 && signature.size() != kEs256SignatureChars) {
        // Poco splits whatever it gets in two halves; only the fixed-size r||s of RFC 7518 §3.4 is a signature.
        return false;
    }
    Poco::JWT::Signer signer;
    signer.setAlgorithms({settings.algorithm});
    if (rsa_key) {
        signer.setRSAKey(rsa_key);
    } else {
        signer.setECKey(ec_key);
    }
    try {
        Poco::JWT::Token verified;
        return signer.tryVerify(token, verified);
    } catch (const Poco::Exception&) {
        return false;
    }
}

JwtResult JwtVerifier::verify(std::string_view token, const Poco::Timestamp& now) const {
    if (token.empty() || token.size() > kMaxTokenLength) {
        return refused("malformed");
    }
    const auto first_dot = token.find('.');
    const auto second_dot = first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
    if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != std::string_view::npos) {
        return refused("malformed");
    }
    const std::string_view header = token.substr(0, first_dot);
    const std::string_view payload = token.substr(first_dot + 1, second_dot - first_dot - 1);
    const std::string_view signature = token.substr(second_dot + 1);
    if (header.empty() || payload.empty() || !isBase64Url(header) || !isBase64Url(payload) || !isBase64Url(signature)) {
        return refused("malformed");
    }

    const std::string text(token);
    Poco::JWT::Token parsed;
    try {
        parsed = text;
    } catch (const Poco::Exception&) {
        return refused("malformed");
    } catch (const std::exception&) {
        return refused("malformed");
    }
    try {
        // The header is unauthenticated input: it must not choose the algorithm (alg "none", or HS256 with the
        // public key as HMAC secret), and extensions we do not understand must not be ignored (RFC 7515 §4.1.11).
        if (!parsed.header().has("alg") || !parsed.header().get("alg").isString() ||
            parsed.getAlgorithm() != impl_->settings.algorithm) {
            return refused("algorithm not allowed");
        }
        if (parsed.header().has("crit")) {
            return refused("malformed");
        }
    } catch (const Poco::Exception&) {
        return refused("malformed");
    }
    if (signature.empty() || !impl_->signatureHolds(text, token.substr(0, second_dot), signature)) {
        return refused("bad signature");
    }
    try {
        return impl_->claims(parsed.payload(), now);
    } catch (const std::invalid_argument&) {
        return refused("malformed");
    } catch (const Poco::Exception&) {
        return refused("malformed");
    }
}

JwtResult JwtVerifier::Impl::claims(const Poco::JSON::Object& payload, const Poco::Timestamp& now) const {
    if (stringClaim(payload, "iss").value_or("") != settings.issuer) {
        return refused("wrong issuer");
    }
    if (!audienceMatches(payload, settings.audience)) {
        return refused("wrong audience");
    }
    const double at = static_cast<double>(now.epochMicroseconds()) / 1e6;
    const double leeway = settings.leeway_seconds;
    const auto expires = numericDate(payload, "exp");
    if (!expires) {
        return refused("missing exp");
    }
    if (at >= *expires + leeway) {
        return refused("expired");
    }
    const auto not_before = numericDate(payload, "nbf");
    const auto issued = numericDate(payload, "iat");
    if ((not_before && at + leeway < *not_before) || (issued && at + leeway < *issued)) {
        return refused("not yet valid");
    }

    Client client;
    client.id = stringClaim(payload, "sub").value_or("");
    if (client.id.empty() || client.id.size() > kMaxSubjectLength || !utf8::isValid(client.id)) {
        return refused("missing subject");
    }
    const Poco::JSON::Array::Ptr roles = payload.getArray("roles");
    if (!roles || roles->size() == 0) {
        return refused("no roles");
    }
    for (std::size_t i = 0; i < roles->size(); ++i) {
        const Poco::Dynamic::Var entry = roles->get(static_cast<unsigned>(i));
        const auto role = entry.isString() ? parseRole(entry.extract<std::string>()) : std::nullopt;
        if (!role) {
            return refused("unknown role");
        }
        client.roles.insert(*role);
    }
    try {
        client.scope = stringClaim(payload, "scope").value_or("");
    } catch (const std::invalid_argument&) {
        return refused("bad scope");
    }
    // The same rule as the clients file: a division prefix of up to 12 digits.
    if (client.scope.size() > 12 || client.scope.find_first_not_of("0123456789") != std::string::npos) {
        return refused("bad scope");
    }
    client.view = stringClaim(payload, "view").value_or("");
    if (client.has(Role::App) && client.scope.empty()) {
        // An app is the platform of one city, district, township or village; an empty scope would give it all.
        return refused("app without scope");
    }
    if (client.has(Role::App) && client.view.empty()) {
        return refused("app without view");
    }
    return JwtResult{std::move(client), {}};
}

JwtSettings parseJwtSettings(std::string_view json, std::string_view origin) {
    const auto document = ConfigDocument::parse(std::string(json), std::string(origin));
    const ConfigCursor root = ConfigCursor::root(*document);
    if (!root.node().isObject()) {
        root.fail("expected an object with issuer, audience and algorithm");
    }
    if (const auto secret = root.find("secret")) {
        secret->fail("a secret is never written into a configuration file: use secret_file or secret_env");
    }
    const ObjectReader reader(
        root, {"issuer", "audience", "algorithm", "secret_file", "secret_env", "public_key_file", "leeway_seconds"});
    const auto string = [&](std::string_view key, bool required) -> std::string {
        const auto found = reader.get(key);
        if (!found) {
            if (required) {
                root.failAt(key, "missing");
            }
            return {};
        }
        if (!found->node().isString() || found->node().text.empty()) {
            found->fail("expected a non-empty string");
        }
        return found->node().text;
    };

    JwtSettings settings;
    settings.issuer = string("issuer", true);
    settings.audience = string("audience", true);
    settings.algorithm = string("algorithm", true);
    if (settings.algorithm != kHs256 && settings.algorithm != kRs256 && settings.algorithm != kEs256) {
        root.failAt("algorithm", "expected HS256, RS256 or ES256");
    }
    if (const auto leeway = reader.get("leeway_seconds")) {
        if (leeway->node().type != ConfigNode::Type::Number) {
            leeway->fail("expected a whole number of seconds from 0 to " + std::to_string(kMaxLeewaySeconds));
        }
        settings.leeway_seconds = static_cast<int>(leeway->asInteger(0, kMaxLeewaySeconds));
    }

    const std::string secret_file = string("secret_file", false);
    const std::string secret_env = string("secret_env", false);
    const std::string public_key_file = string("public_key_file", false);
    if (settings.algorithm == kHs256) {
        if (!public_key_file.empty()) {
            root.failAt("public_key_file", "HS256 takes secret_file or secret_env, not a public key");
        }
        if (secret_file.empty() && secret_env.empty()) {
            root.failAt("secret_file", "missing (HS256 reads its secret from secret_file or secret_env)");
        }
        if (!secret_file.empty() && !secret_env.empty()) {
            root.failAt("secret_env", "give secret_file or secret_env, not both");
        }
        if (!secret_file.empty()) {
            settings.secret =
                trimTrailingSpace(readNamedFile(*reader.get("secret_file"), secret_file, "JWT secret file"));
        } else {
            const char* value = std::getenv(secret_env.c_str());
            if (value == nullptr || *value == '\0') {
                root.failAt("secret_env", "environment variable " + secret_env + " is not set");
            }
            settings.secret = trimTrailingSpace(value);
        }
        if (settings.secret.size() < kMinHmacSecret) {
            root.failAt(secret_file.empty() ? "secret_env" : "secret_file",
                        "the secret is shorter than " + std::to_string(kMinHmacSecret) + " bytes");
        }
        return settings;
    }
    if (!secret_file.empty() || !secret_env.empty()) {
        root.failAt(secret_file.empty() ? "secret_env" : "secret_file",
                    settings.algorithm + " verifies with public_key_file, not a secret");
    }
    if (public_key_file.empty()) {
        root.failAt("public_key_file", "missing (" + settings.algorithm + " needs the issuer's public key)");
    }
    const ConfigCursor key_at = *reader.get("public_key_file");
    std::string pem = readNamedFile(key_at, public_key_file, "JWT public key file");
    std::string reason;
    if (!readPublicKey(pem, settings.algorithm, reason)) {
        key_at.fail(public_key_file + ": " + reason);
    }
    settings.public_key_pem = std::move(pem);
    return settings;
}

std::string base64Url(std::string_view bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string text;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const char c : bytes) {
        buffer = (buffer << 8) | static_cast<unsigned char>(c);
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            text += kAlphabet[(buffer >> bits) & 0x3F];
        }
    }
    if (bits > 0) {
        text += kAlphabet[(buffer << (6 - bits)) & 0x3F];
    }
    return text;
}

}  // namespace gateway::security
