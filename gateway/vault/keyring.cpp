#include "gateway/vault/keyring.h"

#include "gateway/common/config_tree.h"
#include "gateway/common/error.h"
#include "gateway/common/file.h"
#include "gateway/common/utf8.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>

namespace gateway::vault {

namespace {

constexpr std::string_view kAes256Gcm = "aes-256-gcm";
constexpr std::string_view kSm4Gcm = "sm4-gcm";

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Every 12 bits as their two characters: one lookup per pair instead of one per character, which made encoding a
// sealed record's token half again as fast.
constexpr std::array<char, 2 * 4096> kEncodePairs = [] {
    std::array<char, 2 * 4096> table{};
    for (std::size_t i = 0; i < 4096; ++i) {
        table[2 * i] = kAlphabet[i >> 6];
        table[2 * i + 1] = kAlphabet[i & 0x3F];
    }
    return table;
}();

// 0xFF marks a byte outside the alphabet.
constexpr std::array<unsigned char, 256> kDecodeTable = [] {
    std::array<unsigned char, 256> table{};
    table.fill(0xFF);
    for (unsigned char i = 0; i < 64; ++i) {
        table[static_cast<unsigned char>(kAlphabet[i])] = i;
    }
    return table;
}();

// The decoded bytes are wiped before returning, and the message says only what is wrong with the value: a key that
// is one character off is still nearly the key.
SecretKey keyMember(const ConfigCursor& object, std::string_view key) {
    const auto found = object.find(key);
    if (!found) {
        object.failAt(key, "missing");
    }
    if (!found->node().isString()) {
        found->fail("expected a string of base64 (e.g. from `openssl rand -base64 32`)");
    }
    const std::string_view text = found->node().text;
    std::vector<unsigned char> bytes(text.size() / 4 * 3 + 3);
    std::size_t size = 0;
    const bool decoded = base64::decode(text, bytes.data(), size);
    SecretKey secret;
    if (decoded && size == SecretKey::kSize) {
        secret = SecretKey(bytes.data());
    }
    OPENSSL_cleanse(bytes.data(), bytes.size());
    if (!decoded) {
        found->fail("not base64 (standard alphabet, padded, no whitespace)");
    }
    if (size != SecretKey::kSize) {
        found->fail("expected 32 bytes of key material, found " + std::to_string(size));
    }
    return secret;
}

CipherAlgorithm parseAlgorithm(const ConfigCursor& root) {
    const auto found = root.find("algorithm");
    const std::string name = found ? found->asString() : std::string();
    if (name.empty() || name == kAes256Gcm) {
        return CipherAlgorithm::Aes256Gcm;
    }
    if (name == kSm4Gcm) {
        std::unique_ptr<EVP_CIPHER, decltype(&EVP_CIPHER_free)> probe(EVP_CIPHER_fetch(nullptr, "SM4-GCM", nullptr),
                                                                      &EVP_CIPHER_free);
        if (probe == nullptr) {
            found->fail(std::string("sm4-gcm is not available: this gateway's OpenSSL (") +
                        OpenSSL_version(OPENSSL_VERSION) +
                        ") has no SM4-GCM (OpenSSL 3.2 or later has); use aes-256-gcm");
        }
        found->fail("sm4-gcm is not supported by this gateway yet; use aes-256-gcm");
    }
    found->fail("expected aes-256-gcm, found " + utf8::quote(name));
}

SecretKey randomKey() {
    std::array<unsigned char, SecretKey::kSize> bytes{};
    // The private DRBG: OpenSSL keeps it apart from the one whose output goes on the wire (nonces), for long-lived
    // secrets such as these.
    if (RAND_priv_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        throw GatewayError(ErrorCode::Internal, "the system's random number generator failed");
    }
    SecretKey key(bytes.data());
    OPENSSL_cleanse(bytes.data(), bytes.size());
    return key;
}

std::string base64Of(const SecretKey& key) {
    return base64::encode(key.data(), SecretKey::kSize);
}

std::string render(const rapidjson::Document& document) {
    rapidjson::StringBuffer buffer;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
    writer.SetIndent(' ', 2);
    document.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace

std::string_view cipherAlgorithmName(CipherAlgorithm algorithm) {
    switch (algorithm) {
        case CipherAlgorithm::Aes256Gcm:
            return kAes256Gcm;
    }
    return "unknown";
}

SecretKey::SecretKey(const unsigned char* bytes) {
    std::copy(bytes, bytes + kSize, bytes_.begin());
}

SecretKey::~SecretKey() {
    OPENSSL_cleanse(bytes_.data(), bytes_.size());
}

bool SecretKey::sameAs(const SecretKey& other) const {
    return CRYPTO_memcmp(bytes_.data(), other.bytes_.data(), kSize) == 0;
}

bool isValidKeyId(std::string_view id) {
    return !id.empty() && id.size() <= 32 &&
           id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") ==
               std::string_view::npos;
}

Keyring Keyring::parse(std::string_view json, std::string_view origin) {
    const auto document = ConfigDocument::parse(std::string(json), std::string(origin));
    const ConfigCursor root = ConfigCursor::root(*document);
    if (!root.node().isObject()) {
        root.fail("expected an object with current, index_key and keys");
    }
    const ObjectReader reader(root, {"algorithm", "current", "index_key", "keys"});
    Keyring keyring;
    keyring.algorithm_ = parseAlgorithm(root);
    keyring.index_key_ = keyMember(root, "index_key");
    if (!reader.has("current")) {
        root.failAt("current", "missing");
    }
    const std::string current = reader.get("current")->asString();

    const auto keys = reader.get("keys");
    if (!keys || !keys->node().isArray() || keys->node().elements.empty()) {
        root.failAt("keys", "expected a non-empty array of {\"id\": …, \"key\": …}");
    }
    for (std::size_t i = 0; i < keys->node().elements.size(); ++i) {
        const ConfigCursor at = keys->element(i);
        if (!at.node().isObject()) {
            at.fail("expected an object with id and key");
        }
        if (const auto misplaced = at.find("index_key")) {
            misplaced->fail("the blind-index key is defined once, at /index_key, for all keys");
        }
        const ObjectReader item(at, {"id", "key"});
        DataKey key;
        if (!item.has("id")) {
            at.failAt("id", "missing");
        }
        key.id = item.get("id")->asString();
        if (!isValidKeyId(key.id)) {
            at.failAt("id", "expected 1 to 32 of A-Z a-z 0-9 _ -, found " + utf8::quote(key.id));
        }
        key.key = keyMember(at, "key");
        if (key.key.sameAs(keyring.index_key_)) {
            at.failAt("key", "the same key material as /index_key; data and index keys must differ");
        }
        for (std::size_t j = 0; j < keyring.keys_.size(); ++j) {
            if (keyring.keys_[j].id == key.id) {
                at.failAt("id", "key " + utf8::quote(key.id) + " is defined twice");
            }
            if (keyring.keys_[j].key.sameAs(key.key)) {
                at.failAt("key", "the same key material as /keys/" + std::to_string(j) + "/key");
            }
        }
        keyring.keys_.push_back(std::move(key));
    }

    bool found = false;
    for (std::size_t i = 0; i < keyring.keys_.size(); ++i) {
        if (keyring.keys_[i].id == current) {
            keyring.current_ = i;
            found = true;
        }
    }
    if (!found) {
        root.failAt("current", "key " + utf8::quote(current) + " is not among /keys");
    }
    return keyring;
}

Keyring Keyring::load(const std::string& path, const Warning& warn) {
    std::string text = readFileContent(path, "keyring");
    // The file's text is key material too; wipe it once parsed, success or not.
    struct Wipe {
        std::string& text;
        ~Wipe() { OPENSSL_cleanse(text.data(), text.size()); }
    } wipe{text};
    struct stat status {};
    if (warn && ::stat(path.c_str(), &status) == 0 && (status.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        std::ostringstream mode;
        mode << std::oct << (status.st_mode & 07777);
        warn(path + ": the keyring may be read or written by its group or others (mode 0" + mode.str() +
             "); it holds the keys to minors' personal data, make it 0600 or 0400");
    }
    return parse(text, path);
}

Keyring Keyring::fromEnvironment(const std::string& variable) {
    const char* value = std::getenv(variable.c_str());
    if (value == nullptr || *value == '\0') {
        throw GatewayError(ErrorCode::InvalidConfig, "environment variable " + variable + " is not set");
    }
    return parse(value, "environment variable " + variable);
}

std::string Keyring::generate() {
    const SecretKey index_key = randomKey();
    SecretKey data_key = randomKey();
    // Equal keys from a working CSPRNG are impossible in practice; parse() would refuse them anyway.
    rapidjson::Document document(rapidjson::kObjectType);
    auto& allocator = document.GetAllocator();
    document.AddMember("algorithm", rapidjson::Value(kAes256Gcm.data(), allocator), allocator);
    document.AddMember("current", "k1", allocator);
    document.AddMember("index_key", rapidjson::Value(base64Of(index_key).c_str(), allocator), allocator);
    rapidjson::Value key(rapidjson::kObjectType);
    key.AddMember("id", "k1", allocator);
    key.AddMember("key", rapidjson::Value(base64Of(data_key).c_str(), allocator), allocator);
    rapidjson::Value keys(rapidjson::kArrayType);
    keys.PushBack(key, allocator);
    document.AddMember("keys", keys, allocator);
    return render(document);
}

std::string Keyring::rotated(std::string_view json, std::string_view origin) {
    const Keyring old = parse(json, origin);
    unsigned long highest = 0;
    for (const DataKey& key : old.keys_) {
        const std::string_view id = key.id;
        unsigned long number = 0;
        if (id.size() >= 2 && id.size() <= 10 && id[0] == 'k' &&
            id.find_first_not_of("0123456789", 1) == std::string_view::npos) {
            std::from_chars(id.data() + 1, id.data() + id.size(), number);
            highest = std::max(highest, number);
        }
    }
    std::string id = "k" + std::to_string(++highest);
    while (old.find(id) != nullptr) {
        id = "k" + std::to_string(++highest);
    }

    SecretKey fresh = randomKey();
    bool distinct = !fresh.sameAs(old.index_key_);
    for (const DataKey& key : old.keys_) {
        distinct = distinct && !fresh.sameAs(key.key);
    }
    if (!distinct) {
        throw GatewayError(ErrorCode::Internal, "the random number generator repeated a key");
    }

    // parse() has read the same text strictly above, so this reading cannot fail.
    rapidjson::Document document;
    document.Parse(json.data(), json.size());
    auto& allocator = document.GetAllocator();
    document["current"].SetString(id.c_str(), static_cast<rapidjson::SizeType>(id.size()), allocator);
    rapidjson::Value key(rapidjson::kObjectType);
    key.AddMember("id", rapidjson::Value(id.c_str(), allocator), allocator);
    key.AddMember("key", rapidjson::Value(base64Of(fresh).c_str(), allocator), allocator);
    document["keys"].PushBack(key, allocator);
    return render(document);
}

const DataKey* Keyring::find(std::string_view id) const {
    for (const DataKey& key : keys_) {
        if (key.id == id) {
            return &key;
        }
    }
    return nullptr;
}

namespace base64 {

void encode(const unsigned char* data, std::size_t size, char* out) {
    std::size_t i = 0;
    for (; i + 3 <= size; i += 3) {
        const std::uint32_t group = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
        std::memcpy(out, &kEncodePairs[2 * (group >> 12)], 2);
        std::memcpy(out + 2, &kEncodePairs[2 * (group & 0xFFF)], 2);
        out += 4;
    }
    if (size - i == 1) {
        const std::uint32_t group = std::uint32_t{data[i]} << 16;
        *out++ = kAlphabet[(group >> 18) & 0x3F];
        *out++ = kAlphabet[(group >> 12) & 0x3F];
        *out++ = '=';
        *out++ = '=';
    } else if (size - i == 2) {
        const std::uint32_t group = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8);
        *out++ = kAlphabet[(group >> 18) & 0x3F];
        *out++ = kAlphabet[(group >> 12) & 0x3F];
        *out++ = kAlphabet[(group >> 6) & 0x3F];
        *out++ = '=';
    }
}

std::string encode(const unsigned char* data, std::size_t size) {
    std::string text(encodedSize(size), '\0');
    encode(data, size, text.data());
    return text;
}

bool decode(std::string_view text, unsigned char* out, std::size_t& size) {
    size = 0;
    if (text.size() % 4 != 0) {
        return false;
    }
    std::size_t padding = 0;
    if (!text.empty() && text.back() == '=') {
        padding = text[text.size() - 2] == '=' ? 2 : 1;
    }
    const std::size_t body = text.size() - padding;
    std::uint32_t group = 0;
    std::size_t i = 0;
    for (; i + 4 <= body; i += 4) {
        const unsigned char a = kDecodeTable[static_cast<unsigned char>(text[i])];
        const unsigned char b = kDecodeTable[static_cast<unsigned char>(text[i + 1])];
        const unsigned char c = kDecodeTable[static_cast<unsigned char>(text[i + 2])];
        const unsigned char d = kDecodeTable[static_cast<unsigned char>(text[i + 3])];
        if ((a | b | c | d) == 0xFF) {
            return false;
        }
        group = (std::uint32_t{a} << 18) | (std::uint32_t{b} << 12) | (std::uint32_t{c} << 6) | d;
        out[size++] = static_cast<unsigned char>(group >> 16);
        out[size++] = static_cast<unsigned char>(group >> 8);
        out[size++] = static_cast<unsigned char>(group);
    }
    const std::size_t rest = body - i;  // 0, 2 or 3 characters before the padding
    if (rest == 0) {
        return true;
    }
    const unsigned char a = kDecodeTable[static_cast<unsigned char>(text[i])];
    const unsigned char b = kDecodeTable[static_cast<unsigned char>(text[i + 1])];
    const unsigned char c = rest == 3 ? kDecodeTable[static_cast<unsigned char>(text[i + 2])] : 0;
    if ((a | b | c) == 0xFF) {
        return false;
    }
    group = (std::uint32_t{a} << 18) | (std::uint32_t{b} << 12) | (std::uint32_t{c} << 6);
    // Bits below the last whole byte must be zero, or two texts would decode to the same bytes and a changed
    // character could go unnoticed.
    if ((rest == 2 && (group & 0xFFFF) != 0) || (rest == 3 && (group & 0xFF) != 0)) {
        return false;
    }
    out[size++] = static_cast<unsigned char>(group >> 16);
    if (rest == 3) {
        out[size++] = static_cast<unsigned char>(group >> 8);
    }
    return true;
}

}  // namespace base64

}  // namespace gateway::vault
