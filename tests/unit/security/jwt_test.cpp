// A bearer token decides who reaches minors' data just as an API key does: only a token the configured issuer signed,
// with the configured algorithm, for this audience, inside its lifetime, may become a client, and every refusal must
// say why in words fit for a log.

#include "gateway/security/jwt.h"

#include "gateway/common/error.h"
#include "tests/support/temp_dir.h"

#include <Poco/Base64Encoder.h>
#include <Poco/Crypto/ECKey.h>
#include <Poco/Crypto/EVPPKey.h>
#include <Poco/Crypto/RSAKey.h>
#include <Poco/JSON/Array.h>
#include <Poco/JWT/Serializer.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <memory>
#include <sstream>

namespace gateway::security {
namespace {

const Poco::Timestamp kNow = Poco::Timestamp::fromEpochTime(1'800'000'000);
const std::string kSecret = "0123456789abcdef0123456789abcdef-test-secret";

Poco::Timestamp at(long seconds_from_now) {
    return kNow + Poco::Timespan(seconds_from_now, 0);
}

struct PkeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

PkeyPtr ecKey() {
    return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
}
PkeyPtr rsaKey(std::size_t bits = 2048) {
    return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits));
}

std::string publicPem(EVP_PKEY* key) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    EXPECT_EQ(PEM_write_bio_PUBKEY(bio.get(), key), 1);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

std::string base64Url(const std::string& bytes) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
    encoder << bytes;
    encoder.close();
    return out.str();
}

/// The claims of a valid village platform token at kNow.
Poco::JWT::Token villageToken() {
    Poco::JWT::Token token;
    token.setType("JWT");
    token.setIssuer("https://idp.example");
    token.setAudience("childgateway");
    token.setSubject("village-320411101201");
    token.setIssuedAt(at(-60));
    token.setExpiration(at(600));
    Poco::JSON::Array::Ptr roles = new Poco::JSON::Array;
    roles->add(std::string("app"));
    token.payload().set("roles", roles);
    token.payload().set("scope", std::string("320411101201"));
    token.payload().set("view", std::string("village"));
    return token;
}

JwtSettings settingsOf(std::string issuer, std::string audience, std::string algorithm, std::string secret,
                       std::string pem = "", int leeway = 30) {
    return JwtSettings{std::move(issuer), std::move(audience), std::move(algorithm),
                       std::move(secret), std::move(pem),      leeway};
}

std::string signHs256(Poco::JWT::Token token, const std::string& secret = kSecret) {
    Poco::JWT::Signer signer(secret);
    return signer.sign(token, Poco::JWT::Signer::ALGO_HS256);
}

std::string signWith(Poco::JWT::Token token, EVP_PKEY* key, const std::string& algorithm) {
    const Poco::Crypto::EVPPKey wrapped(key);
    Poco::JWT::Signer signer;
    if (algorithm == "RS256") {
        signer.setRSAKey(new Poco::Crypto::RSAKey(wrapped));
    } else {
        signer.setECKey(new Poco::Crypto::ECKey(wrapped));
    }
    return signer.sign(token, algorithm);
}

JwtVerifier hs256Verifier() {
    return JwtVerifier(settingsOf("https://idp.example", "childgateway", "HS256", kSecret));
}

JwtVerifier publicKeyVerifier(const std::string& algorithm, EVP_PKEY* key) {
    return JwtVerifier(JwtSettings{"https://idp.example", "childgateway", algorithm, "", publicPem(key)});
}

std::string failure(const JwtVerifier& verifier, const std::string& token, const Poco::Timestamp& now = kNow) {
    const JwtResult result = verifier.verify(token, now);
    EXPECT_EQ(result.ok(), result.failure.empty());
    return result.failure;
}

TEST(Jwt, AValidTokenBecomesItsClient) {
    const JwtResult result = hs256Verifier().verify(signHs256(villageToken()), kNow);
    ASSERT_TRUE(result.ok()) << result.failure;
    EXPECT_EQ(result.client->id, "village-320411101201");
    EXPECT_EQ(result.client->roles, std::set<Role>{Role::App});
    EXPECT_EQ(result.client->scope, "320411101201");
    EXPECT_EQ(result.client->view, "village");

    Poco::JWT::Token admin = villageToken();
    admin.payload().remove("scope");
    admin.payload().remove("view");
    Poco::JSON::Array::Ptr roles = new Poco::JSON::Array;
    roles->add(std::string("admin"));
    roles->add(std::string("auditor"));
    admin.payload().set("roles", roles);
    admin.setAudience(std::vector<std::string>{"other-service", "childgateway"});
    const JwtResult ops = hs256Verifier().verify(signHs256(admin), kNow);
    ASSERT_TRUE(ops.ok()) << ops.failure;
    EXPECT_TRUE(ops.client->has(Role::Admin) && ops.client->has(Role::Auditor));
    EXPECT_EQ(ops.client->scope, "");
}

TEST(Jwt, Es256AndRs256TokensVerifyWithThePublicKey) {
    const PkeyPtr ec = ecKey();
    const PkeyPtr rsa = rsaKey();
    ASSERT_TRUE(ec && rsa);
    const JwtVerifier es = publicKeyVerifier("ES256", ec.get());
    const JwtVerifier rs = publicKeyVerifier("RS256", rsa.get());
    // Several ES256 signatures, so that an r or s with leading zero bytes is among them now and then.
    for (int i = 0; i < 20; ++i) {
        const JwtResult result = es.verify(signWith(villageToken(), ec.get(), "ES256"), kNow);
        ASSERT_TRUE(result.ok()) << result.failure;
    }
    const JwtResult result = rs.verify(signWith(villageToken(), rsa.get(), "RS256"), kNow);
    ASSERT_TRUE(result.ok()) << result.failure;
    EXPECT_EQ(result.client->id, "village-320411101201");

    const PkeyPtr other_ec = ecKey();
    const PkeyPtr other_rsa = rsaKey();
    EXPECT_EQ(failure(es, signWith(villageToken(), other_ec.get(), "ES256")), "bad signature");
    EXPECT_EQ(failure(rs, signWith(villageToken(), other_rsa.get(), "RS256")), "bad signature");
    EXPECT_EQ(failure(es, signWith(villageToken(), rsa.get(), "RS256")), "algorithm not allowed");
}

TEST(Jwt, ExpiryAndNotBeforeAllowTheLeewayAndNoMore) {
    const JwtVerifier verifier = hs256Verifier();         // leeway 30 s
    const std::string token = signHs256(villageToken());  // expires at +600
    EXPECT_EQ(failure(verifier, token, at(599)), "");
    EXPECT_EQ(failure(verifier, token, at(629)), "") << "within the leeway";
    EXPECT_EQ(failure(verifier, token, at(630)), "expired");
    EXPECT_EQ(failure(verifier, token, at(100'000)), "expired");

    Poco::JWT::Token later = villageToken();
    later.setNotBefore(at(120));
    const std::string future = signHs256(later);
    EXPECT_EQ(failure(verifier, future), "not yet valid");
    EXPECT_EQ(failure(verifier, future, at(89)), "not yet valid");
    EXPECT_EQ(failure(verifier, future, at(90)), "") << "within the leeway";

    Poco::JWT::Token issued_later = villageToken();
    issued_later.setIssuedAt(at(300));
    EXPECT_EQ(failure(verifier, signHs256(issued_later)), "not yet valid");

    const JwtVerifier strict(settingsOf("https://idp.example", "childgateway", "HS256", kSecret, "", 0));
    EXPECT_EQ(failure(strict, token, at(600)), "expired");
    EXPECT_EQ(failure(strict, token, at(599)), "");
}

TEST(Jwt, ExpIsRequiredAndTimesAreNumbers) {
    Poco::JWT::Token forever = villageToken();
    forever.payload().remove("exp");
    EXPECT_EQ(failure(hs256Verifier(), signHs256(forever)), "missing exp");

    Poco::JWT::Token text = villageToken();
    text.payload().set("exp", std::string("1800000600"));
    EXPECT_EQ(failure(hs256Verifier(), signHs256(text)), "malformed");
}

TEST(Jwt, ASignatureByAnotherKeyOrAlteredClaimsIsRefused) {
    const JwtVerifier verifier = hs256Verifier();
    EXPECT_EQ(failure(verifier, signHs256(villageToken(), kSecret + "x")), "bad signature");

    // The payload of an admin token spliced onto a village token's signature.
    const std::string village = signHs256(villageToken());
    Poco::JWT::Token admin = villageToken();
    Poco::JSON::Array::Ptr roles = new Poco::JSON::Array;
    roles->add(std::string("admin"));
    admin.payload().set("roles", roles);
    const std::string forged_payload = signHs256(admin);
    const auto dot1 = village.find('.');
    const auto dot2 = village.rfind('.');
    const std::string spliced =
        village.substr(0, dot1) +
        forged_payload.substr(forged_payload.find('.'), forged_payload.rfind('.') - forged_payload.find('.')) +
        village.substr(dot2);
    EXPECT_EQ(failure(verifier, spliced), "bad signature");
    EXPECT_EQ(failure(verifier, village.substr(0, dot2 + 1)), "bad signature") << "no signature at all";
    EXPECT_EQ(failure(verifier, village.substr(0, village.size() - 2) + "AA"), "bad signature");
}

TEST(Jwt, TheTokenCannotChooseItsAlgorithm) {
    const PkeyPtr ec = ecKey();
    const PkeyPtr rsa = rsaKey();
    const std::string claims = Poco::JWT::Serializer::serialize(villageToken().payload());

    for (const std::string& header :
         {std::string(R"({"alg":"none","typ":"JWT"})"), std::string(R"({"alg":"None"})"),
          std::string(R"({"typ":"JWT"})"), std::string(R"({"alg":"HS512"})"), std::string(R"({"alg":["HS256"]})")}) {
        for (const std::string& signature : {std::string(), std::string("c2lnbmF0dXJl")}) {
            const std::string token = base64Url(header) + "." + claims + "." + signature;
            EXPECT_EQ(failure(hs256Verifier(), token), "algorithm not allowed") << header;
            EXPECT_EQ(failure(publicKeyVerifier("ES256", ec.get()), token), "algorithm not allowed") << header;
        }
    }

    // The classic confusion: an HMAC made with the public key, which everybody has, as the secret.
    const std::string ec_pem = publicPem(ec.get());
    const std::string rsa_pem = publicPem(rsa.get());
    EXPECT_EQ(failure(publicKeyVerifier("ES256", ec.get()), signHs256(villageToken(), ec_pem)),
              "algorithm not allowed");
    EXPECT_EQ(failure(publicKeyVerifier("RS256", rsa.get()), signHs256(villageToken(), rsa_pem)),
              "algorithm not allowed");
    EXPECT_EQ(failure(publicKeyVerifier("RS256", rsa.get()), signWith(villageToken(), ec.get(), "ES256")),
              "algorithm not allowed");
}

TEST(Jwt, IssuerAndAudienceMustMatch) {
    Poco::JWT::Token other_issuer = villageToken();
    other_issuer.setIssuer("https://idp.example.evil");
    EXPECT_EQ(failure(hs256Verifier(), signHs256(other_issuer)), "wrong issuer");
    Poco::JWT::Token no_issuer = villageToken();
    no_issuer.payload().remove("iss");
    EXPECT_EQ(failure(hs256Verifier(), signHs256(no_issuer)), "wrong issuer");

    Poco::JWT::Token other_audience = villageToken();
    other_audience.setAudience(std::vector<std::string>{"other-service", "childgateway-test"});
    EXPECT_EQ(failure(hs256Verifier(), signHs256(other_audience)), "wrong audience");
    Poco::JWT::Token no_audience = villageToken();
    no_audience.payload().remove("aud");
    EXPECT_EQ(failure(hs256Verifier(), signHs256(no_audience)), "wrong audience");
}

TEST(Jwt, GarbageIsMalformed) {
    const JwtVerifier verifier = hs256Verifier();
    const std::string valid = signHs256(villageToken());
    for (const std::string& garbage :
         {std::string(), std::string("Bearer"), std::string("..."), std::string("a.b"), std::string("a.b.c.d"),
          std::string("not a token at all"), valid + ".", "." + valid, valid + " ", std::string(9000, 'a'),
          base64Url("[1,2]") + "." + base64Url("{}") + ".c2ln",
          base64Url("{\"alg\":") + "." + base64Url("{}") + ".c2ln", std::string("eyJhbGciOiJIUzI1NiJ9.!!!!.c2ln"),
          std::string("\xff\xfe.\x01.\x02")}) {
        EXPECT_EQ(failure(verifier, garbage), "malformed") << garbage;
    }
    const std::string header = base64Url(R"({"alg":"HS256","typ":"JWT"})");
    EXPECT_EQ(failure(verifier, header + "." + base64Url(R"(["exp"])") + ".c2ln"), "malformed");
    EXPECT_EQ(failure(verifier, header + "." + base64Url("{") + ".c2ln"), "malformed");
}

TEST(Jwt, ClaimsMustDescribeAClientTheWayTheClientsFileDoes) {
    const auto with = [](const std::function<void(Poco::JWT::Token&)>& change) {
        Poco::JWT::Token token = villageToken();
        change(token);
        return failure(hs256Verifier(), signHs256(token));
    };
    const auto roles = [](std::initializer_list<std::string> names) {
        Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
        for (const std::string& name : names) {
            list->add(name);
        }
        return list;
    };
    EXPECT_EQ(with([&](auto& t) { t.payload().set("roles", roles({"app", "root"})); }), "unknown role");
    EXPECT_EQ(with([&](auto& t) { t.payload().set("roles", roles({"Admin"})); }), "unknown role");
    EXPECT_EQ(with([&](auto& t) { t.payload().set("roles", roles({})); }), "no roles");
    EXPECT_EQ(with([&](auto& t) { t.payload().set("roles", std::string("admin")); }), "no roles");
    EXPECT_EQ(with([&](auto& t) { t.payload().remove("roles"); }), "no roles");
    EXPECT_EQ(with([&](auto& t) { t.payload().remove("scope"); }), "app without scope");
    EXPECT_EQ(with([&](auto& t) { t.payload().set("scope", std::string()); }), "app without scope");
    EXPECT_EQ(with([&](auto& t) { t.payload().remove("view"); }), "app without view");
    EXPECT_EQ(with([&](auto& t) { t.payload().set("scope", std::string("3204x")); }), "bad scope");
    EXPECT_EQ(with([&](auto& t) { t.payload().set("scope", std::string("3204111012011")); }), "bad scope");
    EXPECT_EQ(with([&](auto& t) { t.payload().set("scope", 320411); }), "bad scope");
    EXPECT_EQ(with([&](auto& t) { t.payload().remove("sub"); }), "missing subject");
    EXPECT_EQ(with([&](auto& t) { t.payload().set("sub", std::string()); }), "missing subject");
    EXPECT_EQ(with([&](auto& t) { t.payload().set("sub", 42); }), "malformed");
    EXPECT_EQ(with([&](auto& t) { t.payload().set("view", 1); }), "malformed");
}

TEST(Jwt, SettingsThatCannotWorkAreRefused) {
    const auto refused = [](const JwtSettings& settings, const std::string& expected) {
        try {
            JwtVerifier verifier(settings);
            ADD_FAILURE() << "accepted, expected: " << expected;
        } catch (const GatewayError& e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidConfig);
            EXPECT_NE(e.message().find(expected), std::string::npos) << e.message();
            EXPECT_EQ(e.message().find("BEGIN"), std::string::npos) << "key material in: " << e.message();
        }
    };
    const PkeyPtr ec = ecKey();
    const PkeyPtr rsa = rsaKey();
    const PkeyPtr small_rsa = rsaKey(1024);
    refused(settingsOf("i", "a", "HS256", "short"), "at least 32 bytes");
    refused(settingsOf("i", "a", "none", kSecret), "algorithm");
    refused(settingsOf("i", "a", "HS384", kSecret), "algorithm");
    refused(settingsOf("", "a", "HS256", kSecret), "issuer");
    refused(settingsOf("i", "", "HS256", kSecret), "audience");
    refused(settingsOf("i", "a", "HS256", kSecret, "", -1), "leeway");
    refused(settingsOf("i", "a", "ES256", "", "-----BEGIN PUBLIC KEY-----\nnonsense\n-----END PUBLIC KEY-----\n"),
            "not a PEM public key");
    refused(settingsOf("i", "a", "ES256", "", publicPem(rsa.get())), "not an EC key on P-256");
    refused(settingsOf("i", "a", "RS256", "", publicPem(ec.get())), "not an RSA key");
    refused(settingsOf("i", "a", "RS256", "", publicPem(small_rsa.get())), "1024 bits");
}

class JwtSettingsFile : public ::testing::Test {
protected:
    JwtSettings parse(const std::string& json) { return parseJwtSettings(json, "jwt.json"); }

    void refused(const std::string& json, const std::string& where) {
        try {
            parse(json);
            ADD_FAILURE() << "accepted: " << json;
        } catch (const GatewayError& e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidConfig);
            EXPECT_NE(e.message().find("jwt.json:1: " + where), std::string::npos) << e.message();
            EXPECT_EQ(e.message().find(kSecret), std::string::npos) << "the secret in: " << e.message();
        }
    }

    testing::TempDir dir_;
};

TEST_F(JwtSettingsFile, ReadsTheSecretFromAFileOrTheEnvironment) {
    testing::writeFile(dir_.file("secret"), kSecret + "\n");
    const JwtSettings from_file = parse(R"({"issuer": "https://idp.example", "audience": "childgateway",
        "algorithm": "HS256", "secret_file": ")" +
                                        dir_.file("secret") + R"(", "leeway_seconds": 5})");
    EXPECT_EQ(from_file.secret, kSecret);
    EXPECT_EQ(from_file.issuer, "https://idp.example");
    EXPECT_EQ(from_file.audience, "childgateway");
    EXPECT_EQ(from_file.leeway_seconds, 5);
    EXPECT_TRUE(JwtVerifier(from_file).verify(signHs256(villageToken()), kNow).ok());

    ::setenv("GATEWAY_TEST_JWT_SECRET", kSecret.c_str(), 1);
    const JwtSettings from_env = parse(R"({"issuer": "https://idp.example", "audience": "childgateway",
        "algorithm": "HS256", "secret_env": "GATEWAY_TEST_JWT_SECRET"})");
    ::unsetenv("GATEWAY_TEST_JWT_SECRET");
    EXPECT_EQ(from_env.secret, kSecret);
    EXPECT_EQ(from_env.leeway_seconds, 30);
}

TEST_F(JwtSettingsFile, ReadsThePublicKeyFromAFile) {
    const PkeyPtr ec = ecKey();
    testing::writeFile(dir_.file("idp.pem"), publicPem(ec.get()));
    const JwtSettings settings = parse(R"({"issuer": "https://idp.example", "audience": "childgateway",
        "algorithm": "ES256", "public_key_file": ")" +
                                       dir_.file("idp.pem") + R"("})");
    EXPECT_TRUE(JwtVerifier(settings).verify(signWith(villageToken(), ec.get(), "ES256"), kNow).ok());
}

TEST_F(JwtSettingsFile, MistakesNameTheirKey) {
    const PkeyPtr ec = ecKey();
    const PkeyPtr rsa = rsaKey();
    testing::writeFile(dir_.file("ec.pem"), publicPem(ec.get()));
    testing::writeFile(dir_.file("rsa.pem"), publicPem(rsa.get()));
    testing::writeFile(dir_.file("secret"), kSecret);
    testing::writeFile(dir_.file("short"), "too-short\n");
    const std::string base = R"("issuer": "i", "audience": "a", )";
    const std::string secret_file = R"("secret_file": ")" + dir_.file("secret") + "\"";

    refused(R"({"audience": "a", "algorithm": "HS256", )" + secret_file + "}", "at /issuer");
    refused(R"({"issuer": "i", "algorithm": "HS256", )" + secret_file + "}", "at /audience");
    refused("{" + base + R"("algorithm": "none", )" + secret_file + "}", "at /algorithm");
    refused("{" + base + R"("algorithm": "HS256"})", "at /secret_file");
    refused("{" + base + R"("algorithm": "HS256", "secret": ")" + kSecret + "\"}", "at /secret");
    refused("{" + base + R"("algorithm": "HS256", "secret_file": "/nonexistent/secret"})", "at /secret_file");
    refused("{" + base + R"("algorithm": "HS256", "secret_file": ")" + dir_.file("short") + "\"}", "at /secret_file");
    refused("{" + base + R"("algorithm": "HS256", "secret_env": "GATEWAY_TEST_UNSET_VARIABLE"})", "at /secret_env");
    refused("{" + base + R"("algorithm": "HS256", "secret_env": "X", )" + secret_file + "}", "at /secret_env");
    refused(
        "{" + base + R"("algorithm": "HS256", "public_key_file": ")" + dir_.file("ec.pem") + "\", " + secret_file + "}",
        "at /public_key_file");
    refused("{" + base + R"("algorithm": "ES256"})", "at /public_key_file");
    refused("{" + base + R"("algorithm": "ES256", "public_key_file": ")" + dir_.file("rsa.pem") + "\"}",
            "at /public_key_file");
    refused("{" + base + R"("algorithm": "ES256", "public_key_file": ")" + dir_.file("secret") + "\"}",
            "at /public_key_file");
    refused(
        "{" + base + R"("algorithm": "ES256", "public_key_file": ")" + dir_.file("ec.pem") + "\", " + secret_file + "}",
        "at /secret_file");
    refused("{" + base + R"("algorithm": "HS256", "leeway_seconds": -1, )" + secret_file + "}", "at /leeway_seconds");
    refused("{" + base + R"("algorithm": "HS256", "leeway_seconds": 1.5, )" + secret_file + "}", "at /leeway_seconds");
    refused("{" + base + R"("algorithm": "HS256", "leeway": 10, )" + secret_file + "}", "unknown key 'leeway'");
    refused(R"({"issuer": 1, "audience": "a", "algorithm": "HS256", )" + secret_file + "}", "at /issuer");

    try {
        parse("{");
        ADD_FAILURE() << "accepted";
    } catch (const GatewayError& e) {
        EXPECT_NE(e.message().find("jwt.json:1: invalid JSON"), std::string::npos) << e.message();
    }
}

}  // namespace
}  // namespace gateway::security
