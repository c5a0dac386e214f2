// The keyring holds the keys to minors' personal data: a mistake in it must stop the gateway with the place named
// and without the key material in the message, rotation must keep every old key and the index key, and generated
// keys must be fresh.

#include "gateway/vault/keyring.h"
#include "gateway/common/error.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace gateway::vault {
namespace {

// Base64 of 32 bytes, each `fill`: distinct, recognisable key material.
std::string keyText(unsigned char fill) {
    const std::vector<unsigned char> bytes(32, fill);
    return base64::encode(bytes.data(), bytes.size());
}

std::string keyringJson(const std::string& current = "k2") {
    return R"({"algorithm": "aes-256-gcm", "current": ")" + current + R"(", "index_key": ")" + keyText(0x11) +
           R"(", "keys": [{"id": "k1", "key": ")" + keyText(0x21) + R"("}, {"id": "k2", "key": ")" + keyText(0x22) +
           R"("}]})";
}

std::vector<unsigned char> decoded(std::string_view text) {
    std::vector<unsigned char> bytes(text.size() / 4 * 3 + 3);
    std::size_t size = 0;
    if (!base64::decode(text, bytes.data(), size)) {
        ADD_FAILURE() << "not base64: " << text;
        return {};
    }
    bytes.resize(size);
    return bytes;
}

TEST(Keyring, ParsesKeysTheCurrentOneAndTheIndexKey) {
    const Keyring keyring = Keyring::parse(keyringJson(), "keyring.json");
    EXPECT_EQ(keyring.algorithm(), CipherAlgorithm::Aes256Gcm);
    EXPECT_EQ(cipherAlgorithmName(keyring.algorithm()), "aes-256-gcm");
    ASSERT_EQ(keyring.keys().size(), 2u);
    EXPECT_EQ(keyring.current().id, "k2");
    EXPECT_EQ(keyring.current().key.data()[0], 0x22);
    ASSERT_NE(keyring.find("k1"), nullptr);
    EXPECT_EQ(keyring.find("k1")->key.data()[31], 0x21);
    EXPECT_EQ(keyring.find("k3"), nullptr);
    EXPECT_EQ(keyring.find(""), nullptr);
    EXPECT_EQ(keyring.indexKey().data()[0], 0x11);

    const std::string without_algorithm = R"({"current": "a", "index_key": ")" + keyText(1) +
                                          R"(", "keys": [{"id": "a", "key": ")" + keyText(2) + R"("}]})";
    EXPECT_EQ(Keyring::parse(without_algorithm, "k").algorithm(), CipherAlgorithm::Aes256Gcm);
}

TEST(Keyring, MistakesNameTheirPlaceAndNeverTheKeyMaterial) {
    const std::string index = keyText(0x11);
    const std::string k1 = keyText(0x21);
    const std::string k2 = keyText(0x22);
    const auto fails = [&](const std::string& json, const std::string& where, const std::string& what = "") {
        try {
            Keyring::parse(json, "keyring.json");
            ADD_FAILURE() << "accepted: " << json;
        } catch (const GatewayError& e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidConfig);
            EXPECT_NE(e.message().find("keyring.json"), std::string::npos) << e.message();
            EXPECT_NE(e.message().find(where), std::string::npos) << where << " / " << e.message();
            EXPECT_NE(e.message().find(what), std::string::npos) << what << " / " << e.message();
            for (const std::string& secret : {index, k1, k2, index.substr(0, 12), k1.substr(0, 12)}) {
                EXPECT_EQ(e.message().find(secret), std::string::npos) << e.message();
            }
        }
    };
    const auto with = [&](const std::string& top, const std::string& keys) {
        return "{" + top + R"("keys": [)" + keys + "]}";
    };
    const std::string good_top = R"("current": "k1", "index_key": ")" + index + R"(", )";
    const std::string good_k1 = R"({"id": "k1", "key": ")" + k1 + R"("})";
    const std::string good_k2 = R"({"id": "k2", "key": ")" + k2 + R"("})";

    fails("{", "keyring.json:1: invalid JSON");
    fails("[]", "keyring.json:1: ", "expected an object");
    fails(with(good_top + R"("curent": "k1", )", good_k1), "unknown key 'curent'", "did you mean 'current'");
    fails(with(good_top + R"("algorithm": "aes-128-cbc", )", good_k1), "/algorithm", "aes-128-cbc");
    fails(with(good_top + R"("algorithm": 256, )", good_k1), "/algorithm", "expected a string");
    fails(with(good_top + R"("algorithm": "sm4-gcm", )", good_k1), "/algorithm", "aes-256-gcm");
    fails(with(R"("current": "k1", )", good_k1), "/index_key", "missing");
    fails(with(R"("current": "k1", "index_key": 5, )", good_k1), "/index_key", "expected a string");
    fails(with(R"("current": "k1", "index_key": "not base64!", )", good_k1), "/index_key", "not base64");
    fails(with(R"("current": "k1", "index_key": ")" + index + "\\n" + R"(", )", good_k1), "/index_key", "not base64");
    fails(with(R"("current": "k1", "index_key": ")" + index.substr(0, 40) + R"(", )", good_k1), "/index_key",
          "found 30");
    fails(with(R"("current": "k1", "index_key": "AAAAAAAAAAAAAAAAAAAAAA==", )", good_k1), "/index_key",
          "expected 32 bytes of key material, found 16");
    fails(with(R"("index_key": ")" + index + R"(", )", good_k1), "/current", "missing");
    fails(with(R"("current": "k3", "index_key": ")" + index + R"(", )", good_k1 + ", " + good_k2), "/current",
          "\"k3\" is not among /keys");
    fails("{" + good_top + R"("keys": {}})", "/keys", "non-empty array");
    fails("{" + good_top.substr(0, good_top.size() - 2) + "}", "/keys", "non-empty array");
    fails(with(good_top, ""), "/keys", "non-empty array");
    fails(with(good_top, R"("k1")"), "/keys/0", "expected an object");
    fails(with(good_top, R"({"key": ")" + k1 + R"("})"), "/keys/0/id", "missing");
    fails(with(good_top, R"({"id": "k:1", "key": ")" + k1 + R"("})"), "/keys/0/id", "A-Z a-z 0-9");
    fails(with(good_top, R"({"id": "", "key": ")" + k1 + R"("})"), "/keys/0/id", "A-Z a-z 0-9");
    fails(with(good_top, R"({"id": ")" + std::string(33, 'k') + R"(", "key": ")" + k1 + R"("})"), "/keys/0/id");
    fails(with(good_top, good_k1 + R"(, {"id": "k1", "key": ")" + k2 + R"("})"), "/keys/1/id", "defined twice");
    fails(with(good_top, R"({"id": "k1"})"), "/keys/0/key", "missing");
    fails(with(good_top, R"({"id": "k1", "key": "c2VjcmV0"})"), "/keys/0/key", "found 6");
    // 32 bytes of 0x21 end in "ISE="; "ISF=" sets a bit below the last byte, which canonical base64 leaves zero.
    ASSERT_EQ(k1.substr(40), "ISE=");
    fails(with(good_top, R"({"id": "k1", "key": ")" + k1.substr(0, 40) + R"(ISF="})"), "/keys/0/key", "not base64");
    fails(with(good_top, R"({"id": "k1", "key": ")" + k1 + R"(", "index_key": ")" + index + R"("})"),
          "/keys/0/index_key", "defined once, at /index_key");
    fails(with(good_top, R"({"id": "k1", "key": ")" + k1 + R"(", "created": "2025-01-01"})"),
          "at /keys/0: unknown key 'created'", "known: id, key");
    fails(with(good_top, good_k1 + R"(, {"id": "k2", "key": ")" + k1 + R"("})"), "/keys/1/key",
          "the same key material as /keys/0/key");
    fails(with(good_top, R"({"id": "k1", "key": ")" + index + R"("})"), "/keys/0/key",
          "data and index keys must differ");
}

TEST(Keyring, Sm4GcmIsRefusedWithTheReason) {
    const std::string json = R"({"algorithm": "sm4-gcm", "current": "k1", "index_key": ")" + keyText(1) +
                             R"(", "keys": [{"id": "k1", "key": ")" + keyText(2) + R"("}]})";
    try {
        Keyring::parse(json, "keyring.json");
        FAIL() << "sm4-gcm accepted";
    } catch (const GatewayError& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidConfig);
        EXPECT_NE(e.message().find("/algorithm: sm4-gcm is not"), std::string::npos) << e.message();
        EXPECT_NE(e.message().find("use aes-256-gcm"), std::string::npos) << e.message();
    }
}

TEST(Keyring, GeneratedKeyringsAreValidAndFresh) {
    const std::string first = Keyring::generate();
    const std::string second = Keyring::generate();
    EXPECT_NE(first, second);
    const Keyring a = Keyring::parse(first, "generated");
    const Keyring b = Keyring::parse(second, "generated");
    ASSERT_EQ(a.keys().size(), 1u);
    EXPECT_EQ(a.current().id, "k1");
    EXPECT_EQ(a.algorithm(), CipherAlgorithm::Aes256Gcm);
    EXPECT_FALSE(a.current().key.sameAs(b.current().key));
    EXPECT_FALSE(a.indexKey().sameAs(b.indexKey()));
    EXPECT_FALSE(a.current().key.sameAs(a.indexKey()));
}

TEST(Keyring, RotationAddsACurrentKeyAndKeepsTheOldKeysAndTheIndexKey) {
    const std::string original = Keyring::generate();
    const Keyring before = Keyring::parse(original, "keyring.json");
    const std::string once = Keyring::rotated(original, "keyring.json");
    const Keyring after = Keyring::parse(once, "keyring.json");
    ASSERT_EQ(after.keys().size(), 2u);
    EXPECT_EQ(after.current().id, "k2");
    ASSERT_NE(after.find("k1"), nullptr);
    EXPECT_TRUE(after.find("k1")->key.sameAs(before.current().key));
    EXPECT_FALSE(after.current().key.sameAs(before.current().key));
    EXPECT_TRUE(after.indexKey().sameAs(before.indexKey()));

    const Keyring twice = Keyring::parse(Keyring::rotated(once, "keyring.json"), "keyring.json");
    EXPECT_EQ(twice.keys().size(), 3u);
    EXPECT_EQ(twice.current().id, "k3");

    // Ids of another shape are kept and skipped when numbering; "k9" is not current, yet numbering continues after it.
    const std::string mixed = R"({"current": "main", "index_key": ")" + keyText(1) +
                              R"(", "keys": [{"id": "main", "key": ")" + keyText(2) + R"("}, {"id": "k9", "key": ")" +
                              keyText(3) + R"("}, {"id": "k10x", "key": ")" + keyText(4) + R"("}]})";
    const Keyring next = Keyring::parse(Keyring::rotated(mixed, "keyring.json"), "keyring.json");
    EXPECT_EQ(next.current().id, "k10");
    EXPECT_EQ(next.keys().size(), 4u);
    EXPECT_NE(next.find("main"), nullptr);
    EXPECT_NE(next.find("k10x"), nullptr);

    EXPECT_THROW(Keyring::rotated(R"({"current": "k1"})", "keyring.json"), GatewayError) << "a broken keyring";
}

TEST(Keyring, LoadsAFileAndWarnsWhenOthersMayReadIt) {
    const std::string path = ::testing::TempDir() + "keyring_test_keyring.json";
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << keyringJson();
    }
    std::vector<std::string> warnings;
    const auto warn = [&](const std::string& message) { warnings.push_back(message); };

    ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
    EXPECT_EQ(Keyring::load(path, warn).current().id, "k2");
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("mode 0644"), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[0].find(path), std::string::npos) << warnings[0];

    warnings.clear();
    ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
    EXPECT_EQ(Keyring::load(path, warn).keys().size(), 2u);
    EXPECT_TRUE(warnings.empty());
    EXPECT_EQ(Keyring::load(path).keys().size(), 2u) << "no hook, no warning";

    std::remove(path.c_str());
    try {
        Keyring::load(path, warn);
        FAIL() << "a missing file was accepted";
    } catch (const GatewayError& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidConfig);
        EXPECT_NE(e.message().find(path + ": cannot read the keyring"), std::string::npos) << e.message();
    }
}

TEST(Keyring, ReadsTheSameJsonFromAnEnvironmentVariable) {
    const char* variable = "GATEWAY_KEYRING_TEST_VARIABLE";
    ::unsetenv(variable);
    try {
        Keyring::fromEnvironment(variable);
        FAIL() << "an unset variable was accepted";
    } catch (const GatewayError& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidConfig);
        EXPECT_NE(e.message().find(variable), std::string::npos) << e.message();
    }
    ASSERT_EQ(::setenv(variable, keyringJson("k1").c_str(), 1), 0);
    EXPECT_EQ(Keyring::fromEnvironment(variable).current().id, "k1");
    ASSERT_EQ(::setenv(variable, R"({"current": "k1"})", 1), 0);
    try {
        Keyring::fromEnvironment(variable);
        FAIL() << "a broken keyring was accepted";
    } catch (const GatewayError& e) {
        EXPECT_NE(e.message().find(std::string("environment variable ") + variable + ":1: at /index_key"),
                  std::string::npos)
            << e.message();
    }
    ::unsetenv(variable);
}

TEST(Keyring, KeyIdsAreShortAndCannotContainTheTokenSeparator) {
    for (const char* id : {"k1", "K_2", "2025-q1", "a"}) {
        EXPECT_TRUE(isValidKeyId(id)) << id;
    }
    for (const std::string& id : {std::string(), std::string("k:1"), std::string("k 1"), std::string("ключ"),
                                  std::string(33, 'k'), std::string("k1\n")}) {
        EXPECT_FALSE(isValidKeyId(id)) << id;
    }
    EXPECT_TRUE(isValidKeyId(std::string(32, 'k')));
}

TEST(Keyring, Base64IsStandardPaddedAndStrict) {
    const std::string text = "any carnal pleas";
    for (std::size_t n = 0; n <= text.size(); ++n) {
        const auto* data = reinterpret_cast<const unsigned char*>(text.data());
        const std::string encoded = base64::encode(data, n);
        EXPECT_EQ(encoded.size(), base64::encodedSize(n));
        const std::vector<unsigned char> back = decoded(encoded);
        EXPECT_EQ(std::string(back.begin(), back.end()), text.substr(0, n)) << encoded;
    }
    const auto bytes = reinterpret_cast<const unsigned char*>("\xfb\xff\xbf");
    EXPECT_EQ(base64::encode(bytes, 3), "+/+/") << "the standard alphabet, not base64url";
    EXPECT_EQ(base64::encode(reinterpret_cast<const unsigned char*>("f"), 1), "Zg==");

    std::vector<unsigned char> out(16);
    std::size_t size = 0;
    for (const char* wrong : {"Zg", "Zg=", "Zh==", "Zm9=", "Zg==Zg==", "Z===", "====", "Zm9v\n", " Zm9v", "Zm 9v",
                              "Zm9v-_==", "Zm9v====", "=Zm9"}) {
        EXPECT_FALSE(base64::decode(wrong, out.data(), size)) << wrong;
    }
    EXPECT_TRUE(base64::decode("", out.data(), size));
    EXPECT_EQ(size, 0u);
}

}  // namespace
}  // namespace gateway::vault
