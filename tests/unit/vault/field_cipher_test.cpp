// Sealed values are minors' ID numbers, phone numbers and whole source documents at rest. Whatever comes back from the
// database must open to exactly what was sealed or fail loudly: altered, truncated, relabelled or moved tokens fail,
// and no failure message repeats the value. Rotation must leave every old token readable and every blind index
// unchanged.

#include "gateway/vault/field_cipher.h"
#include "gateway/common/error.h"
#include "gateway/common/hash.h"
#include "tests/support/sealed_tokens.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <zlib.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace gateway::vault {
namespace {

constexpr std::string_view kCitizenId = "11010519491231002X";
// The row values are bound to in most tests, as the store spells a profile's (person, content hash).
constexpr std::string_view kRow = "8:person-164:0f3a";

std::string keyText(unsigned char fill) {
    const std::vector<unsigned char> bytes(32, fill);
    return base64::encode(bytes.data(), bytes.size());
}

// Keys "k1" (0x21…) and optionally "k2" (0x22…); the index key is 0x11… unless given.
std::string keyringJson(const std::string& current, bool with_k2 = false, unsigned char index_fill = 0x11,
                        unsigned char k1_fill = 0x21) {
    std::string json = R"({"current": ")" + current + R"(", "index_key": ")" + keyText(index_fill) +
                       R"(", "keys": [{"id": "k1", "key": ")" + keyText(k1_fill) + R"("})";
    if (with_k2) {
        json += R"(, {"id": "k2", "key": ")" + keyText(0x22) + R"("})";
    }
    return json + "]}";
}

FieldCipher cipherOf(const std::string& json) {
    return FieldCipher(Keyring::parse(json, "keyring.json"));
}

// Opens `token` for `row` expecting a StoreError; returns the message.
std::string openFailure(const FieldCipher& cipher, std::string_view token, std::string_view context,
                        std::string_view row = kRow) {
    try {
        const std::string plaintext = cipher.open(token, context, row);
        ADD_FAILURE() << "opened: " << token;
    } catch (const GatewayError& e) {
        EXPECT_EQ(e.code(), ErrorCode::StoreError) << e.message();
        return e.message();
    }
    return {};
}

bool isLowerHex(std::string_view text) {
    return text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

TEST(FieldCipher, RoundTripsEmptyAsciiChineseBinaryAndLongValues) {
    const FieldCipher cipher = cipherOf(keyringJson("k1"));
    std::string noise(100 * 1024, '\0');
    ASSERT_EQ(RAND_bytes(reinterpret_cast<unsigned char*>(noise.data()), static_cast<int>(noise.size())), 1);
    std::string long_value(1 << 20, '\0');
    for (std::size_t i = 0; i < long_value.size(); ++i) {
        long_value[i] = static_cast<char>((i * 131 + i / 7) & 0xFF);
    }
    const std::vector<std::string> values = {
        "",
        std::string(kCitizenId),
        "13912345678",
        "张小明，监护人：李桂芳（祖母）",
        "𠀋𡈽 emoji 👧🏻 and full-width ＡＢＣ",
        std::string("nul\0inside\xff\xfe", 12),
        std::string(512 - 28, 'x'),
        std::string(512 - 27, 'y'),
        R"({"name": "王小红", "guardian": {"id": "320411198001011234", "phone": "13800000000"}})",
        long_value,
        noise,
    };
    for (const std::string& value : values) {
        const std::string token = cipher.seal(value, "raw_payload", kRow);
        EXPECT_EQ(cipher.open(token, "raw_payload", kRow), value) << value.size() << " bytes";
        EXPECT_LE(token.size(), cipher.sealedSize(value.size()));
        EXPECT_TRUE(FieldCipher::isSealed(token));
        // Long repetitive values are deflated first; short ones and noise never.
        const bool deflated = value.size() >= 64 * 1024 && value != noise;
        EXPECT_TRUE(token.starts_with(deflated ? "z2:k1:" : "e2:k1:")) << value.size() << " bytes";
        if (!deflated) {
            EXPECT_EQ(token.size(), cipher.sealedSize(value.size()));
        }
        EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=:", 0),
                  std::string::npos)
            << "printable ASCII only, fit for any TEXT column";
    }
    EXPECT_EQ(cipher.seal(kCitizenId, "citizen_id", kRow).size(), 70u);
    EXPECT_EQ(cipher.seal("13912345678", "phone", kRow).size(), 58u);
}

TEST(FieldCipher, TheTokenIsTheDocumentedAes256GcmLayout) {
    // Decrypted here with OpenSSL directly, as a migration script in another language would: e2:<id>:<base64 of
    // nonce || ciphertext || tag>, authenticated data "e2:<id>:" followed by the context, a NUL and the row.
    const FieldCipher cipher = cipherOf(keyringJson("k1"));
    const std::string token = cipher.seal(kCitizenId, "citizen_id", kRow);
    const std::string payload = token.substr(6);
    std::vector<unsigned char> raw(payload.size());
    std::size_t size = 0;
    ASSERT_TRUE(base64::decode(payload, raw.data(), size));
    ASSERT_EQ(size, 12 + kCitizenId.size() + 16);

    const std::vector<unsigned char> key(32, 0x21);
    const std::string aad = "e2:k1:citizen_id" + std::string(1, '\0') + std::string(kRow);
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    std::string plaintext(kCitizenId.size(), '\0');
    int length = 0;
    ASSERT_EQ(EVP_DecryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), key.data(), raw.data(), nullptr), 1);
    ASSERT_EQ(EVP_DecryptUpdate(ctx.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(aad.data()),
                                static_cast<int>(aad.size())),
              1);
    ASSERT_EQ(EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plaintext.data()), &length, raw.data() + 12,
                                static_cast<int>(kCitizenId.size())),
              1);
    ASSERT_EQ(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, raw.data() + 12 + kCitizenId.size()), 1);
    unsigned char end[16];
    EXPECT_EQ(EVP_DecryptFinal_ex(ctx.get(), end, &length), 1) << "the tag covers header, context and row";
    EXPECT_EQ(plaintext, kCitizenId);
}

TEST(FieldCipher, ARawBatchIsDeflatedBeforeSealingItsTokenIsShorterAndItsHeaderCannotBeSwapped) {
    const FieldCipher cipher = cipherOf(keyringJson("k1"));
    std::string record = "gmsfhm,xm,jhrsfhm,lxdh\n";
    for (int i = 0; record.size() < 64 * 1024; ++i) {
        record += "3204112014030" + std::to_string(10000 + i) + ",王小红,320411198001011234,13800000000\n";
    }
    EXPECT_TRUE(cipher.seal(record.substr(0, 64 * 1024 - 1), "record_json", kRow).starts_with("e2:k1:"))
        << "a byte short of 64 KiB is sealed as it is";
    const std::string token = cipher.seal(record, "record_json", kRow);
    ASSERT_TRUE(token.starts_with("z2:k1:")) << token.substr(0, 40);
    EXPECT_LT(token.size(), record.size() / 2) << "deflated, the sealed batch is far smaller than the batch";
    EXPECT_TRUE(FieldCipher::isSealed(token));
    EXPECT_EQ(FieldCipher::sealedKeyId(token), std::optional<std::string_view>("k1"));
    EXPECT_EQ(cipher.open(token, "record_json", kRow), record);
    EXPECT_FALSE(cipher.needsRotation(token));

    // The header is authenticated: calling a deflated token plain (or the reverse) fails, and so does any bit.
    EXPECT_NE(openFailure(cipher, "e2" + token.substr(2), "record_json"), "");
    const std::string plain = cipher.seal(kCitizenId, "citizen_id", kRow);
    EXPECT_NE(openFailure(cipher, "z2" + plain.substr(2), "citizen_id"), "");
    for (std::size_t i = 6; i < token.size(); i += 7) {
        std::string flipped = token;
        flipped[i] = flipped[i] == 'A' ? 'B' : 'A';
        EXPECT_NE(openFailure(cipher, flipped, "record_json"), "") << i;
    }

    // The layout, as another program would read it: decrypt as an e2 token (AAD "z2:k1:" + context + NUL + row),
    // then an 8-byte little-endian length and a zlib stream.
    std::vector<unsigned char> raw(token.size());
    std::size_t size = 0;
    ASSERT_TRUE(base64::decode(token.substr(6), raw.data(), size));
    const std::vector<unsigned char> key(32, 0x21);
    const std::string aad = "z2:k1:record_json" + std::string(1, '\0') + std::string(kRow);
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    std::vector<unsigned char> packed(size - 28);
    int length = 0;
    ASSERT_EQ(EVP_DecryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), key.data(), raw.data(), nullptr), 1);
    ASSERT_EQ(EVP_DecryptUpdate(ctx.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(aad.data()),
                                static_cast<int>(aad.size())),
              1);
    ASSERT_EQ(EVP_DecryptUpdate(ctx.get(), packed.data(), &length, raw.data() + 12, static_cast<int>(packed.size())),
              1);
    ASSERT_EQ(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, raw.data() + 12 + packed.size()), 1);
    unsigned char end[16];
    ASSERT_EQ(EVP_DecryptFinal_ex(ctx.get(), end, &length), 1);
    std::uint64_t declared = 0;
    for (int i = 0; i < 8; ++i) {
        declared |= std::uint64_t{packed[static_cast<std::size_t>(i)]} << (8 * i);
    }
    ASSERT_EQ(declared, record.size());
    std::string inflated(record.size(), '\0');
    uLongf inflated_size = static_cast<uLongf>(inflated.size());
    ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(inflated.data()), &inflated_size, packed.data() + 8,
                         static_cast<uLong>(packed.size() - 8)),
              Z_OK);
    EXPECT_EQ(inflated, record);
}

TEST(FieldCipher, SealingTwiceGivesTwoTokensButOneBlindIndex) {
    const FieldCipher cipher = cipherOf(keyringJson("k1"));
    std::set<std::string> tokens;
    std::set<std::string> nonces;
    for (int i = 0; i < 100; ++i) {
        const std::string token = cipher.seal(kCitizenId, "citizen_id", kRow);
        tokens.insert(token);
        nonces.insert(token.substr(6, 16));  // the first 12 bytes
        EXPECT_EQ(cipher.open(token, "citizen_id", kRow), kCitizenId);
    }
    EXPECT_EQ(tokens.size(), 100u);
    EXPECT_EQ(nonces.size(), 100u);

    const std::string index = cipher.blindIndex(kCitizenId, "citizen_id");
    EXPECT_EQ(index.size(), 64u);
    EXPECT_TRUE(isLowerHex(index)) << index;
    EXPECT_EQ(cipher.blindIndex(kCitizenId, "citizen_id"), index);
    EXPECT_EQ(index,
              hmacSha256Hex(std::string(32, '\x11'), "citizen_id" + std::string(1, '\0') + std::string(kCitizenId)))
        << "HMAC-SHA256(index key, context NUL value)";
    // Nothing is normalised: the caller's job.
    EXPECT_NE(cipher.blindIndex("11010519491231002x", "citizen_id"), index);
    EXPECT_NE(cipher.blindIndex(std::string(kCitizenId) + " ", "citizen_id"), index);
    EXPECT_EQ(cipher.blindIndex("", "citizen_id").size(), 64u);
}

TEST(FieldCipher, AValueMovedToAnotherColumnFailsToOpenAndIndexesDifferently) {
    const FieldCipher cipher = cipherOf(keyringJson("k1"));
    const std::string token = cipher.seal(kCitizenId, "citizen_id", kRow);
    const std::string message = openFailure(cipher, token, "guardian_id");
    EXPECT_NE(message.find("guardian_id"), std::string::npos) << message;
    EXPECT_NE(message.find("fails authentication"), std::string::npos) << message;
    EXPECT_EQ(message.find(kCitizenId), std::string::npos) << message;
    openFailure(cipher, token, "citizen_id ");
    openFailure(cipher, token, "citizen_i");

    EXPECT_NE(cipher.blindIndex(kCitizenId, "citizen_id"), cipher.blindIndex(kCitizenId, "guardian_id"));
    // Context and value cannot trade characters across the separator.
    EXPECT_NE(cipher.blindIndex("d1", "citizen_i"), cipher.blindIndex("1", "citizen_id"));
}

TEST(FieldCipher, ContextsAreNonEmptyNamesWithoutNul) {
    const FieldCipher cipher = cipherOf(keyringJson("k1"));
    const std::string token = cipher.seal("x", "phone", kRow);
    for (const std::string_view context : {std::string_view(), std::string_view("pho\0ne", 6)}) {
        for (int operation = 0; operation < 3; ++operation) {
            try {
                if (operation == 0) {
                    cipher.seal("x", context, kRow);
                } else if (operation == 1) {
                    cipher.open(token, context, kRow);
                } else {
                    cipher.blindIndex("x", context);
                }
                ADD_FAILURE() << "accepted context of " << context.size() << " bytes in operation " << operation;
            } catch (const GatewayError& e) {
                EXPECT_EQ(e.code(), ErrorCode::Internal);
            }
        }
    }
}

TEST(FieldCipher, AFlippedBitAnywhereInTheTokenFails) {
    const FieldCipher cipher = cipherOf(keyringJson("k1", true));
    for (const std::string_view value :
         {std::string_view(kCitizenId), std::string_view(""), std::string_view("张小明")}) {
        const std::string token = cipher.seal(value, "citizen_id", kRow);
        for (std::size_t i = 0; i < token.size(); ++i) {
            for (int bit = 0; bit < 8; ++bit) {
                std::string flipped = token;
                flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
                const std::string message = openFailure(cipher, flipped, "citizen_id");
                if (!value.empty()) {
                    EXPECT_EQ(message.find(value), std::string::npos) << message;
                }
            }
        }
    }
}

TEST(FieldCipher, MalformedTokensFailWithClearMessagesThatDoNotRepeatTheValue) {
    const FieldCipher cipher = cipherOf(keyringJson("k1"));
    const std::string token = cipher.seal(kCitizenId, "citizen_id", kRow);
    const std::string payload = token.substr(6);
    const auto expect = [&](const std::string& value, const std::string& why) {
        const std::string message = openFailure(cipher, value, "citizen_id");
        EXPECT_NE(message.find("citizen_id"), std::string::npos) << message;
        EXPECT_NE(message.find(why), std::string::npos) << why << " / " << message;
        EXPECT_EQ(message.find(kCitizenId), std::string::npos) << message;
        if (value.size() > 12) {
            EXPECT_EQ(message.find(value.substr(6, 12)), std::string::npos) << message;
        }
    };
    // A plaintext row not migrated yet.
    expect(std::string(kCitizenId), "not a sealed token");
    expect("", "not a sealed token");
    expect("e2", "not a sealed token");
    expect("e2:", "not a sealed token");
    expect("e2:k1", "not a sealed token");
    expect("e2::" + payload, "not a sealed token");
    expect("e2:k 1:" + payload, "not a sealed token");
    expect("E2:k1:" + payload, "not a sealed token");
    expect("e3:k1:" + payload, "not a sealed token");
    expect(" " + token, "not a sealed token");
    expect("e2:k9:" + payload, "names key \"k9\", which the keyring does not hold");
    expect("e1:k1:" + payload, "sealed before values were bound to their rows");
    expect("e2:k1:", "truncated");
    expect(token.substr(0, 6 + 36), "truncated");
    expect(token.substr(0, token.size() - 4), "fails authentication");
    expect(token.substr(0, token.size() - 1), "not canonical base64");
    expect(token + "AAAA", "not canonical base64");  // the padding is now in the middle
    expect(token + "\n", "not canonical base64");
    expect(token + " ", "not canonical base64");
    expect("e2:k1:" + std::string(payload.size(), '!'), "not canonical base64");
    std::string url_safe = token;
    for (char& c : url_safe) {
        c = c == '+' ? '-' : c == '/' ? '_' : c;
    }
    if (url_safe != token) {
        expect(url_safe, "not canonical base64");
    }
    expect("e2:k1:" + std::string(40, 'A'), "fails authentication");
}

TEST(FieldCipher, TokensFromAnotherKeyringWithTheSameKeyIdFailAuthentication) {
    const FieldCipher ours = cipherOf(keyringJson("k1"));
    const FieldCipher theirs = cipherOf(keyringJson("k1", false, 0x12, 0x31));
    const std::string message = openFailure(ours, theirs.seal(kCitizenId, "citizen_id", kRow), "citizen_id");
    EXPECT_NE(message.find("under key \"k1\""), std::string::npos) << message;
    EXPECT_NE(ours.blindIndex(kCitizenId, "citizen_id"), theirs.blindIndex(kCitizenId, "citizen_id"))
        << "the index is keyed";
}

TEST(FieldCipher, AfterRotationOldTokensOpenNewOnesUseTheNewKeyAndIndexesStay) {
    const std::string before_json = keyringJson("k1");
    const FieldCipher before = cipherOf(before_json);
    const FieldCipher after = cipherOf(Keyring::rotated(before_json, "keyring.json"));
    EXPECT_EQ(before.currentKeyId(), "k1");
    EXPECT_EQ(after.currentKeyId(), "k2");

    const std::string old_token = before.seal(kCitizenId, "citizen_id", kRow);
    const std::string new_token = after.seal(kCitizenId, "citizen_id", kRow);
    EXPECT_TRUE(new_token.starts_with("e2:k2:"));
    EXPECT_EQ(after.open(old_token, "citizen_id", kRow), kCitizenId);
    EXPECT_EQ(after.open(new_token, "citizen_id", kRow), kCitizenId);
    EXPECT_EQ(FieldCipher::sealedKeyId(old_token), "k1");
    EXPECT_EQ(FieldCipher::sealedKeyId(new_token), "k2");
    EXPECT_EQ(FieldCipher::sealedKeyId(kCitizenId), std::nullopt);

    EXPECT_TRUE(after.needsRotation(old_token));
    EXPECT_FALSE(after.needsRotation(new_token));
    EXPECT_TRUE(after.needsRotation(kCitizenId)) << "plaintext needs sealing";
    EXPECT_FALSE(before.needsRotation(old_token));

    // The re-sealing step of a rotation job.
    std::string stored = old_token;
    if (after.needsRotation(stored)) {
        stored = after.seal(after.open(stored, "citizen_id", kRow), "citizen_id", kRow);
    }
    EXPECT_TRUE(stored.starts_with("e2:k2:"));
    EXPECT_EQ(after.open(stored, "citizen_id", kRow), kCitizenId);

    EXPECT_EQ(before.blindIndex(kCitizenId, "citizen_id"), after.blindIndex(kCitizenId, "citizen_id"));
    // A keyring that lost the new key cannot open what it sealed, and says which key is missing.
    const std::string message = openFailure(before, new_token, "citizen_id");
    EXPECT_NE(message.find("\"k2\""), std::string::npos) << message;
}

TEST(FieldCipher, IsSealedTellsTokensFromPlaintextAndIsBoundTellsBoundOnes) {
    const FieldCipher cipher = cipherOf(keyringJson("k1"));
    EXPECT_TRUE(FieldCipher::isSealed(cipher.seal("", "phone", kRow)));
    EXPECT_TRUE(FieldCipher::isSealed(cipher.seal("13912345678", "phone", kRow)));
    EXPECT_TRUE(FieldCipher::isBound(cipher.seal("13912345678", "phone", kRow)));
    for (const std::string prefix : {"e2:", "z2:", "e1:", "z1:"}) {
        const bool bound = prefix[1] == '2';
        EXPECT_TRUE(FieldCipher::isSealed(prefix + "k1:" + std::string(40, 'A'))) << prefix;
        EXPECT_TRUE(FieldCipher::isSealed(prefix + "k1:" + std::string(42, 'A') + "A=")) << prefix;
        EXPECT_EQ(FieldCipher::isBound(prefix + "k1:" + std::string(40, 'A')), bound) << prefix;
        for (const std::string& value :
             {prefix, prefix + "k1:", prefix + "k1:" + std::string(36, 'A'), prefix + "k1:" + std::string(41, 'A'),
              prefix + "k1:" + std::string(40, '='),
              prefix + "k1:" + std::string(37, 'A') + "===", prefix + "k1:" + std::string(39, 'A') + "!",
              prefix + "k1:A=" + std::string(38, 'A'), prefix + ":" + std::string(40, 'A'),
              prefix + "k:1:" + std::string(40, 'A'), prefix + "k1:" + std::string(40, 'A') + "\n"}) {
            EXPECT_FALSE(FieldCipher::isSealed(value)) << value;
            EXPECT_FALSE(FieldCipher::isBound(value)) << value;
        }
    }
    for (const std::string& value : {std::string(kCitizenId), std::string("13912345678"), std::string(R"({"a": 1})"),
                                     std::string(), "e3:k1:" + std::string(40, 'A')}) {
        EXPECT_FALSE(FieldCipher::isSealed(value)) << value;
        EXPECT_FALSE(FieldCipher::isBound(value)) << value;
    }
}

TEST(FieldCipher, AValueMovedToAnotherRowFailsToOpen) {
    // Child A's sealed profile copied into child B's row: a valid token of the right column and key, for another row.
    const FieldCipher cipher = cipherOf(keyringJson("k1"));
    const std::string a_row = "8:person-A64:" + std::string(64, 'a');
    const std::string b_row = "8:person-B64:" + std::string(64, 'b');
    const std::string token = cipher.seal(kCitizenId, "profile_versions.profile_json", a_row);
    EXPECT_EQ(cipher.open(token, "profile_versions.profile_json", a_row), kCitizenId);
    const std::string message = openFailure(cipher, token, "profile_versions.profile_json", b_row);
    EXPECT_NE(message.find("fails authentication"), std::string::npos) << message;
    EXPECT_NE(message.find("row"), std::string::npos) << message;
    EXPECT_EQ(message.find("person-"), std::string::npos) << "the row is not quoted: " << message;
    EXPECT_EQ(message.find(kCitizenId), std::string::npos) << message;
    // Any other row: empty, a prefix, a longer one, one with a NUL inside.
    for (const std::string& row : {std::string(), a_row.substr(0, a_row.size() - 1), a_row + "a",
                                   a_row + std::string(1, '\0'), std::string(1, '\0') + a_row}) {
        EXPECT_NE(openFailure(cipher, token, "profile_versions.profile_json", row), "") << row.size();
    }
    // Column and row cannot trade characters across the separator.
    const std::string short_context = cipher.seal(kCitizenId, "citizen_i", "dx");
    EXPECT_NE(openFailure(cipher, short_context, "citizen_id", "x"), "");
    // Any bytes may make a row, the empty one included.
    for (const std::string& row : {std::string(), std::string("\0\xff\n", 3), std::string(5000, 'r')}) {
        EXPECT_EQ(cipher.open(cipher.seal("13912345678", "phone", row), "phone", row), "13912345678") << row.size();
    }
}

TEST(FieldCipher, UnboundTokensOpenOnlyToBeResealedBoundToTheirRow) {
    const FieldCipher cipher = cipherOf(keyringJson("k1"));
    std::string batch;
    while (batch.size() < 70 * 1024) {
        batch += "320411201403010001,王小红,320411198001011234,13800000000\n";
    }
    for (const auto& [value, deflate] : {std::pair{std::string(kCitizenId), false}, std::pair{batch, true}}) {
        const std::string token = gateway::testing::unboundToken(0x21, value, "citizen_id", deflate);
        ASSERT_TRUE(FieldCipher::isSealed(token));
        EXPECT_FALSE(FieldCipher::isBound(token));
        EXPECT_EQ(FieldCipher::sealedKeyId(token), std::optional<std::string_view>("k1"));
        EXPECT_TRUE(cipher.needsRotation(token)) << "under the current key, but not bound";
        // Never opened as a value of a row: it may have been moved there.
        const std::string message = openFailure(cipher, token, "citizen_id");
        EXPECT_NE(message.find("sealed before values were bound to their rows"), std::string::npos) << message;
        EXPECT_NE(message.find("gateway keys rotate"), std::string::npos) << message;
        // Opened for re-sealing, and then bound.
        EXPECT_EQ(cipher.openUnbound(token, "citizen_id"), value);
        const std::string bound = cipher.seal(cipher.openUnbound(token, "citizen_id"), "citizen_id", kRow);
        EXPECT_TRUE(FieldCipher::isBound(bound));
        EXPECT_FALSE(cipher.needsRotation(bound));
        EXPECT_EQ(cipher.open(bound, "citizen_id", kRow), value);
        // Still bound to its column, and its header still authenticated.
        EXPECT_THROW(cipher.openUnbound(token, "guardian_id"), GatewayError);
        EXPECT_THROW(cipher.openUnbound((deflate ? "e1" : "z1") + token.substr(2), "citizen_id"), GatewayError);
        // A bound token relabelled as unbound (its row dropped) fails too.
        EXPECT_THROW(cipher.openUnbound((deflate ? "z1" : "e1") + bound.substr(2), "citizen_id"), GatewayError);
    }
    try {
        (void)cipher.openUnbound(cipher.seal(kCitizenId, "citizen_id", kRow), "citizen_id");
        ADD_FAILURE() << "a bound token opened without its row";
    } catch (const GatewayError& e) {
        EXPECT_EQ(e.code(), ErrorCode::StoreError);
        EXPECT_NE(e.message().find("bound to a row"), std::string::npos) << e.message();
    }
}

TEST(FieldCipher, ConcurrentSealsOpensAndIndexesAgree) {
    const FieldCipher cipher = cipherOf(keyringJson("k2", true));
    constexpr int kThreads = 4;
    constexpr int kValues = 2000;
    const auto value = [](int thread, int i) {
        return "3204111012" + std::to_string(thread) + std::to_string(100000 + i) + "儿童";
    };
    std::vector<std::vector<std::string>> tokens(kThreads);
    std::vector<std::vector<std::string>> indexes(kThreads);
    std::vector<int> failures(kThreads, 0);
    {
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < kValues; ++i) {
                    tokens[t].push_back(cipher.seal(value(t, i), "citizen_id", kRow));
                    indexes[t].push_back(cipher.blindIndex(value(t, i), "citizen_id"));
                    failures[t] += cipher.open(tokens[t].back(), "citizen_id", kRow) != value(t, i);
                }
            });
        }
        for (std::thread& thread : threads) {
            thread.join();
        }
    }
    {
        // Each thread opens what another sealed.
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                const int other = (t + 1) % kThreads;
                for (int i = 0; i < kValues; ++i) {
                    failures[t] += cipher.open(tokens[other][i], "citizen_id", kRow) != value(other, i);
                    failures[t] += cipher.blindIndex(value(other, i), "citizen_id") != indexes[other][i];
                }
            });
        }
        for (std::thread& thread : threads) {
            thread.join();
        }
    }
    std::set<std::string> distinct;
    for (int t = 0; t < kThreads; ++t) {
        EXPECT_EQ(failures[t], 0) << "thread " << t;
        distinct.insert(tokens[t].begin(), tokens[t].end());
        for (int i = 0; i < kValues; i += 97) {
            EXPECT_EQ(indexes[t][i], cipher.blindIndex(value(t, i), "citizen_id"));
        }
    }
    EXPECT_EQ(distinct.size(), static_cast<std::size_t>(kThreads * kValues)) << "no nonce was reused";
}

TEST(FieldCipher, KeptContextsServeEachKeyAndDirectionAndAFailureSpoilsNone) {
    const std::string before_json = keyringJson("k1");
    const FieldCipher before = cipherOf(before_json);
    const FieldCipher after = cipherOf(Keyring::rotated(before_json, "keyring.json"));
    const std::string old_token = before.seal(kCitizenId, "citizen_id", kRow);
    std::string forged = after.seal(kCitizenId, "citizen_id", kRow);
    forged[forged.size() - 3] = forged[forged.size() - 3] == 'A' ? 'B' : 'A';
    for (int round = 0; round < 50; ++round) {
        // Opens under the old key and the new one, a seal, and an open that fails authentication midway, in turn:
        // each reuses contexts the others gave back, and the failed one is not given back.
        EXPECT_EQ(after.open(old_token, "citizen_id", kRow), kCitizenId) << round;
        const std::string fresh = after.seal("13912345678", "phone", kRow);
        EXPECT_NE(openFailure(after, forged, "citizen_id"), "") << round;
        EXPECT_NE(openFailure(after, fresh, "citizen_id"), "") << "another column, round " << round;
        EXPECT_EQ(after.open(fresh, "phone", kRow), "13912345678") << round;
    }
}

TEST(FieldCipher, TwoCiphersOnOneKeyringCountTheirNoncesFromDifferentStarts) {
    const std::string json = keyringJson("k1");
    const FieldCipher first = cipherOf(json);
    const FieldCipher second = cipherOf(json);
    std::set<std::string> nonces;
    for (int i = 0; i < 1000; ++i) {
        nonces.insert(first.seal(kCitizenId, "citizen_id", kRow).substr(6, 16));
        nonces.insert(second.seal(kCitizenId, "citizen_id", kRow).substr(6, 16));
    }
    EXPECT_EQ(nonces.size(), 2000u) << "a nonce repeated between two processes sharing a key";
}

TEST(FieldCipher, AMovedCipherStillWorks) {
    FieldCipher first = cipherOf(keyringJson("k1"));
    const std::string token = first.seal("13912345678", "phone", kRow);
    const FieldCipher second = std::move(first);
    EXPECT_EQ(second.open(token, "phone", kRow), "13912345678");
    EXPECT_EQ(second.currentKeyId(), "k1");
}

}  // namespace
}  // namespace gateway::vault
