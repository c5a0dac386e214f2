#pragma once

#include "gateway/security/clients.h"

#include <Poco/Timestamp.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace gateway::security {

/// How bearer tokens of one issuer are checked. Exactly one algorithm is accepted per issuer, so a token cannot
/// choose how it is verified.
struct JwtSettings {
    std::string issuer;
    std::string audience;
    /// "HS256", "RS256" or "ES256".
    std::string algorithm;
    /// The HMAC key (HS256 only).
    std::string secret;
    /// The issuer's public key in PEM (RS256: RSA of at least 2048 bits; ES256: EC on P-256).
    std::string public_key_pem;
    /// Tolerated clock difference with the issuer, applied to exp, nbf and iat.
    int leeway_seconds = 30;
};

/// Reads JWT settings from JSON:
///   {"issuer": "https://idp.example", "audience": "childgateway", "algorithm": "ES256",
///    "public_key_file": "/etc/gateway/idp.pem", "leeway_seconds": 30}
/// with, for HS256, "secret_file" (its content, trailing white space removed) or "secret_env" (the name of an
/// environment variable) instead of "public_key_file". A secret is never accepted inline. Throws
/// GatewayError(InvalidConfig) "ORIGIN:LINE: at /KEY: …" naming the member at fault; never quotes a secret.
JwtSettings parseJwtSettings(std::string_view json, std::string_view origin);

/// The outcome of checking one token: a client, or the reason it was refused.
struct JwtResult {
    std::optional<Client> client;
    /// Empty on success; otherwise one of "malformed", "algorithm not allowed", "bad signature", "missing exp",
    /// "expired", "not yet valid", "wrong issuer", "wrong audience", "missing subject", "no roles",
    /// "unknown role", "bad scope", "app without scope", "app without view". Fixed words only, never text taken from
    /// the token, so it is safe to log as it is.
    std::string failure;

    bool ok() const { return client.has_value(); }
};

/// Verifies JWT bearer tokens and maps their claims onto a Client:
///   sub → id, roles (array of role names) → roles, scope (division prefix, 0 to 12 digits) → scope,
///   view → view.
/// exp is required; nbf and iat are checked when present. Thread-safe: verify() is const and keeps no state.
class JwtVerifier {
public:
    /// Throws GatewayError(InvalidConfig) when the settings cannot work: an unknown algorithm, an HMAC secret shorter
    /// than 32 bytes, a public key that is not PEM or not of the algorithm's type, a negative leeway.
    explicit JwtVerifier(JwtSettings settings);
    ~JwtVerifier();
    JwtVerifier(JwtVerifier&&) noexcept;
    JwtVerifier& operator=(JwtVerifier&&) noexcept;
    JwtVerifier(const JwtVerifier&) = delete;
    JwtVerifier& operator=(const JwtVerifier&) = delete;

    /// Checks a token (the part after "Bearer ") at time `now`. Never throws for anything the token contains.
    JwtResult verify(std::string_view token, const Poco::Timestamp& now) const;

    const std::string& issuer() const;
    const std::string& algorithm() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// `bytes` in base64url without padding (RFC 7515 §2), as the parts of a token are written.
std::string base64Url(std::string_view bytes);

}  // namespace gateway::security
