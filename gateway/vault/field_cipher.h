#pragma once

#include "gateway/vault/keyring.h"

#include <openssl/types.h>

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace gateway::vault {

/// Seals personal data for storage and opens it again: citizen and guardian ID numbers, phone numbers, whole raw
/// payloads. A sealed value is a printable token that fits a TEXT column in SQLite and PostgreSQL alike:
///   e2:<key id>:<base64 of nonce (12 bytes) || ciphertext || GCM tag (16 bytes)>
/// AES-256-GCM with a unique 96-bit nonce per seal (below). The authenticated data is the token's header ("e2:<key
/// id>:"), the caller's context (the column a value belongs in, "profile_versions.profile_json"), a NUL, and the row
/// (the key of the row it belongs in, as the store spells it): a value copied into another column or another row
/// (child A's profile into child B's), or relabelled with another key id, fails to open instead of being accepted.
/// Values of 64 KiB or more that deflate by at least a tenth (raw batches) are deflated first and their token starts
/// "z2:" instead; the header is authenticated, so neither form passes for the other.
/// Tokens "e1:"/"z1:" were sealed before rows were bound (authenticated data header || context only). open() refuses
/// them, since they could have been moved between rows; `gateway keys rotate` opens them with openUnbound() and seals
/// them again bound to their row.
///
/// A token is at most 4 * ceil((n + 28) / 3) + 4 + len(key id) characters for an n-byte plaintext: 70 for an
/// 18-character citizen ID under key "k1", 58 for an 11-digit phone number (nonce and tag, a third more for base64,
/// the header). A deflated raw batch's token is a fraction of the batch.
///
/// Nonces: each FieldCipher draws a random 96-bit starting point from OpenSSL's DRBG when it is made and counts up
/// from it, one per seal. Within one object no nonce repeats; two objects (processes, nodes) sharing a key repeat one
/// only if their runs of nonces overlap, which is no likelier than random nonces colliding. Asking the DRBG for
/// every nonce cost a system call each (getpid, for its fork check): a quarter of a seal. A FieldCipher must not be
/// used in both halves of a fork(); the gateway never forks without exec.
/// Random starting points limit how much one key may seal as random nonces do: NIST SP 800-38D allows 2^32 seals per
/// key. At ten million seals a day that is over a year, so rotate the data key at least yearly and do not re-seal
/// values that did not change.
///
/// Every method is const and may be called from many threads at once: the cipher is fetched once, in the
/// constructor; a seal or an open takes a context keyed with its key from a small pool (or keys a new one) and gives
/// it back; the nonce counter is atomic; blind indexes duplicate a MAC context keyed once.
class FieldCipher {
public:
    explicit FieldCipher(Keyring keyring);
    ~FieldCipher();
    FieldCipher(FieldCipher&&) noexcept;
    FieldCipher& operator=(FieldCipher&&) noexcept;
    FieldCipher(const FieldCipher&) = delete;
    FieldCipher& operator=(const FieldCipher&) = delete;

    /// `plaintext` sealed with the current key for one row of one column. `context` names the column: a non-empty
    /// string without NUL (a constant in the code; anything else throws GatewayError(Internal)). `row` names the row:
    /// any bytes, the same on every read.
    std::string seal(std::string_view plaintext, std::string_view context, std::string_view row) const;

    /// The plaintext of a token that seal() made for the same context and row. Throws GatewayError(StoreError) when
    /// the value is not a well-formed bound token (an unbound "e1:" one included), names a key the keyring does not
    /// hold, or fails authentication (altered, truncated, sealed for another column or row, or under a different key
    /// of that name). The store handed back something the gateway cannot use, the client is not at fault: hence a 500
    /// "store_error" and never 400. Messages name the context and at most the key id; they never quote the value or
    /// the row, which may be plaintext not yet migrated or a child's record key.
    std::string open(std::string_view token, std::string_view context, std::string_view row) const;

    /// The plaintext of an unbound token ("e1:"/"z1:", sealed before rows were bound) for `context`: only for
    /// re-sealing it bound to its row. Throws as open() does, and for a bound token.
    std::string openUnbound(std::string_view token, std::string_view context) const;

    /// A deterministic keyed digest for exact lookups of sealed values: `WHERE citizen_id_index = ?`. 64 lower-case
    /// hex characters of HMAC-SHA256 under the keyring's index key over context || NUL || value, so equal values in
    /// different contexts do not match. Nothing is normalised here: the caller brings the value to its canonical form
    /// first (e.g. an upper-case X in a citizen ID, no spaces in a phone number), the same way on write and on lookup.
    /// An index reveals which rows of one column hold equal values, by design.
    std::string blindIndex(std::string_view value, std::string_view context) const;

    /// Whether a stored value has the shape of a token, bound or unbound (prefix, valid key id, canonical-length
    /// base64 of at least nonce and tag). Says nothing of authenticity; for telling not-yet-migrated plaintext rows
    /// from sealed ones. ID numbers, phone numbers and JSON documents never start with "e1:", "z1:", "e2:" or "z2:".
    static bool isSealed(std::string_view value);

    /// Whether a stored value has the shape of a token bound to its row ("e2:"/"z2:").
    static bool isBound(std::string_view value);

    /// The key id a token names, or nullopt when `value` is not a token (by isSealed()).
    static std::optional<std::string_view> sealedKeyId(std::string_view value);

    /// True unless `value` is a bound token sealed by the current key: old-key tokens, unbound tokens and plaintext
    /// all need re-sealing.
    bool needsRotation(std::string_view value) const;

    /// The prefixes a token seal() makes starts with (before its key id): plain, and deflated.
    static constexpr std::array<std::string_view, 2> kTokenPrefixes{"e2:", "z2:"};
    /// The same for the unbound tokens only openUnbound() opens.
    static constexpr std::array<std::string_view, 2> kUnboundTokenPrefixes{"e1:", "z1:"};

    /// Longest token seal() makes for `plaintext_bytes` bytes, for sizing columns and estimating storage.
    std::size_t sealedSize(std::size_t plaintext_bytes) const;

    const std::string& currentKeyId() const { return keyring_.current().id; }

private:
    struct CipherFree {
        void operator()(EVP_CIPHER* cipher) const;
    };
    struct MacFree {
        void operator()(EVP_MAC_CTX* mac) const;
    };

    struct NonceCounter;
    class KeyedContexts;

    /// open() and openUnbound(): `row` for a bound token, nullopt for an unbound one.
    std::string openToken(std::string_view token, std::string_view context, std::optional<std::string_view> row) const;

    Keyring keyring_;
    std::unique_ptr<NonceCounter> nonces_;
    std::unique_ptr<EVP_CIPHER, CipherFree> cipher_;
    std::unique_ptr<EVP_MAC_CTX, MacFree> index_mac_;  // keyed once; only ever duplicated, never updated
    std::unique_ptr<KeyedContexts> contexts_;          // last, so freed before the cipher its contexts use
};

}  // namespace gateway::vault
