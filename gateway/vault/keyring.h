#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::vault {

/// The ciphers sealed values may use. SM4-GCM is not offered: the OpenSSL the gateway is built on (3.0) has no
/// SM4-GCM (it arrived in OpenSSL 3.2), and SM4-CBC with a separate MAC is a construction we would have to get right
/// ourselves; a keyring asking for "sm4-gcm" is refused with that explanation.
enum class CipherAlgorithm { Aes256Gcm };

std::string_view cipherAlgorithmName(CipherAlgorithm algorithm);

/// 32 bytes of key material, wiped when destroyed. It has no stream operator and no accessor that yields text, so
/// it cannot end up in a log line or an error message by accident.
class SecretKey {
public:
    static constexpr std::size_t kSize = 32;

    SecretKey() = default;
    explicit SecretKey(const unsigned char* bytes);
    SecretKey(const SecretKey&) = default;
    SecretKey& operator=(const SecretKey&) = default;
    ~SecretKey();

    const unsigned char* data() const { return bytes_.data(); }
    /// Constant-time comparison.
    bool sameAs(const SecretKey& other) const;

private:
    std::array<unsigned char, kSize> bytes_{};
};

/// A data-encryption key and the id that sealed values carry to name it.
struct DataKey {
    std::string id;
    SecretKey key;
};

/// Whether `id` may name a key: 1 to 32 of A-Z a-z 0-9 _ -. Sealed tokens are "e1:<id>:<base64>", so an id never
/// contains ':'.
bool isValidKeyId(std::string_view id);

/// The keys that seal personal data at rest (citizen and guardian IDs, phone numbers, raw payloads). Key material
/// comes from a file or an environment variable and never from the database it protects. Format:
///   {"algorithm": "aes-256-gcm",
///    "current": "k2",
///    "index_key": "<base64 of 32 bytes>",
///    "keys": [{"id": "k1", "key": "<base64 of 32 bytes>"}, {"id": "k2", "key": "<base64 of 32 bytes>"}]}
/// "algorithm" is optional (aes-256-gcm). The current key seals; every listed key still opens, so a key may only
/// be dropped from the file once no stored value names it any more.
///
/// The blind-index key is defined once, at the top level, rather than beside each data key: a blind index is looked
/// up by recomputing it, so per-key index keys would make every lookup compute one index per key ever used, or make
/// every rotation re-index every row before lookups work again. Data keys rotate cheaply (old values stay readable
/// until re-sealed); the index key rotates only by re-indexing everything, as a separate, deliberate operation.
/// It must differ from every data key, and is as sensitive as they are: whoever holds it can test guessed ID
/// numbers against the index columns.
///
/// Should a second algorithm arrive, the keys' algorithm has to become per key: changing "algorithm" here would
/// otherwise re-interpret the values that the existing keys sealed (they would then fail to open, not decrypt wrongly).
class Keyring {
public:
    /// Receives advice that does not stop the gateway, e.g. a keyring file that others may read.
    using Warning = std::function<void(const std::string&)>;

    /// Throws GatewayError(InvalidConfig) naming the JSON pointer of a mistake: an unknown member, an algorithm other
    /// than aes-256-gcm, key material that is not base64 or not 32 bytes, an invalid or duplicate id, the same key
    /// material twice (or a data key equal to the index key), a "current" that is not among the keys. Messages never
    /// quote key material.
    static Keyring parse(std::string_view json, std::string_view origin);

    /// Reads the keyring file at `path`. A file that its group or others may read or write is accepted (mounted
    /// secrets are often 0644 inside containers) but reported through `warn`: in place, chmod 0600 it.
    static Keyring load(const std::string& path, const Warning& warn = {});

    /// The keyring JSON held in environment variable `variable` (e.g. GATEWAY_KEYRING). Note that the environment
    /// of a process can be read by its user through /proc and shows in container inspection; prefer a file.
    static Keyring fromEnvironment(const std::string& variable);

    /// A new keyring file's JSON: one data key "k1", current, and an index key, all fresh from the system's CSPRNG.
    static std::string generate();

    /// `json` (a valid keyring) with one fresh data key added and made current: "k<N+1>" after the highest "k<N>".
    /// Everything else, the index key included, is kept. For `gateway keys rotate`; the caller writes the file.
    static std::string rotated(std::string_view json, std::string_view origin);

    CipherAlgorithm algorithm() const { return algorithm_; }
    const DataKey& current() const { return keys_[current_]; }
    /// The key named `id`, or nullptr.
    const DataKey* find(std::string_view id) const;
    const std::vector<DataKey>& keys() const { return keys_; }
    const SecretKey& indexKey() const { return index_key_; }

private:
    Keyring() = default;

    CipherAlgorithm algorithm_ = CipherAlgorithm::Aes256Gcm;
    std::vector<DataKey> keys_;
    std::size_t current_ = 0;
    SecretKey index_key_;
};

/// Standard base64 (RFC 4648 section 4, padded), as `openssl rand -base64 32` writes it. Used by the keyring file
/// and by sealed tokens.
namespace base64 {

/// Characters that `bytes` bytes encode to.
constexpr std::size_t encodedSize(std::size_t bytes) {
    return (bytes + 2) / 3 * 4;
}

/// Writes encodedSize(size) characters to `out`.
void encode(const unsigned char* data, std::size_t size, char* out);

std::string encode(const unsigned char* data, std::size_t size);

/// Strict decoding: only the canonical encoding is accepted (no whitespace, correct padding, zero unused bits), so
/// each byte string has exactly one text form. `out` must have room for text.size() / 4 * 3 bytes; `size` receives
/// the decoded length. Returns false for anything else.
bool decode(std::string_view text, unsigned char* out, std::size_t& size);

}  // namespace base64

}  // namespace gateway::vault
