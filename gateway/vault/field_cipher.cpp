#include "gateway/vault/field_cipher.h"

#include "gateway/common/error.h"

#include <libdeflate.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace gateway::vault {

namespace {

constexpr std::string_view kPrefix = FieldCipher::kTokenPrefixes[0];
// The same, over the value deflated first: 8 bytes of its length (little-endian), then a zlib stream (RFC 1950).
constexpr std::string_view kDeflatedPrefix = FieldCipher::kTokenPrefixes[1];
// Tokens sealed before values were bound to their rows: authenticated data header || context only.
constexpr std::string_view kUnboundPrefix = FieldCipher::kUnboundTokenPrefixes[0];
constexpr std::string_view kUnboundDeflatedPrefix = FieldCipher::kUnboundTokenPrefixes[1];
static_assert(kPrefix.size() == kDeflatedPrefix.size() && kPrefix.size() == kUnboundPrefix.size() &&
              kPrefix.size() == kUnboundDeflatedPrefix.size());
// Raw batches, not records: deflating each record's JSON as well made the sealed store smaller still (187 MB
// against 266 MB for a 100,000-child city) but the intake about a sixth slower, the time going into zlib's match
// finder (ops/bench/sync_bench.sh, BENCHMARKS.md).
constexpr std::size_t kDeflateFrom = 64 * 1024;
constexpr std::size_t kLengthSize = 8;
// A sealed value never inflates to more than this: a raw batch is far smaller, and a forged length is refused
// before memory is taken for it (the length is authenticated, but a key holder could still seal a bomb).
constexpr std::uint64_t kMaxInflated = std::uint64_t{1} << 32;
constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;
constexpr std::size_t kOverhead = kNonceSize + kTagSize;
// EVP_*Update take an int length; raw payloads larger than that are fed in pieces.
constexpr std::size_t kChunk = std::size_t{1} << 30;

struct CipherCtxFree {
    void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

struct MacCtxFree {
    void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};
using MacCtx = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

// Nonce, ciphertext and tag of a typical field fit on the stack; only raw payloads go to the heap.
class Scratch {
public:
    explicit Scratch(std::size_t size) {
        if (size > inline_.size()) {
            heap_ = std::make_unique_for_overwrite<unsigned char[]>(size);
        }
    }
    unsigned char* data() { return heap_ ? heap_.get() : inline_.data(); }

private:
    std::array<unsigned char, 512> inline_;
    std::unique_ptr<unsigned char[]> heap_;
};

[[noreturn]] void cryptoFailed(std::string_view what) {
    throw GatewayError(ErrorCode::Internal, "field cipher: " + std::string(what) + " failed in OpenSSL");
}

void checkContext(std::string_view context) {
    if (context.empty() || context.find('\0') != std::string_view::npos) {
        throw GatewayError(ErrorCode::Internal, "field cipher: a context must be a non-empty name without NUL");
    }
}

[[noreturn]] void cannotOpen(std::string_view context, const std::string& why) {
    throw GatewayError(ErrorCode::StoreError, "cannot open the sealed " + std::string(context) + " value: " + why);
}

const unsigned char* bytes(std::string_view text) {
    return reinterpret_cast<const unsigned char*>(text.data());
}

// Authenticates header || context, then NUL || row for a bound token (`row` set). A context holds no NUL, so the
// row cannot be confused with part of it, and the row comes last, so any bytes may be in it.
void addAad(EVP_CIPHER_CTX* ctx, std::string_view header, std::string_view context,
            std::optional<std::string_view> row) {
    static constexpr unsigned char kSeparator = 0;
    int length = 0;
    if (EVP_CipherUpdate(ctx, nullptr, &length, bytes(header), static_cast<int>(header.size())) != 1 ||
        EVP_CipherUpdate(ctx, nullptr, &length, bytes(context), static_cast<int>(context.size())) != 1) {
        cryptoFailed("authenticating the header");
    }
    if (row && (EVP_CipherUpdate(ctx, nullptr, &length, &kSeparator, 1) != 1 ||
                EVP_CipherUpdate(ctx, nullptr, &length, bytes(*row), static_cast<int>(row->size())) != 1)) {
        cryptoFailed("authenticating the row");
    }
}

void transform(EVP_CIPHER_CTX* ctx, const unsigned char* in, std::size_t size, unsigned char* out) {
    // GCM is a stream mode: each update writes exactly as many bytes as it reads.
    for (std::size_t done = 0; done < size;) {
        const std::size_t piece = std::min(kChunk, size - done);
        int written = 0;
        if (EVP_CipherUpdate(ctx, out + done, &written, in + done, static_cast<int>(piece)) != 1 ||
            static_cast<std::size_t>(written) != piece) {
            cryptoFailed("AES-GCM");
        }
        done += piece;
    }
}

bool isBoundHeader(std::string_view token) {
    return token.starts_with(kPrefix) || token.starts_with(kDeflatedPrefix);
}

bool isDeflatedHeader(std::string_view token) {
    return token.starts_with(kDeflatedPrefix) || token.starts_with(kUnboundDeflatedPrefix);
}

// Splits "e2:<id>:<payload>" (or "z2:…", "e1:…", "z1:…") at its separators; false unless a prefix is there and the id
// is valid.
bool splitToken(std::string_view token, std::string_view& header, std::string_view& id, std::string_view& payload) {
    if (!isBoundHeader(token) && !token.starts_with(kUnboundPrefix) && !token.starts_with(kUnboundDeflatedPrefix)) {
        return false;
    }
    const std::size_t colon = token.find(':', kPrefix.size());
    if (colon == std::string_view::npos) {
        return false;
    }
    id = token.substr(kPrefix.size(), colon - kPrefix.size());
    header = token.substr(0, colon + 1);
    payload = token.substr(colon + 1);
    return isValidKeyId(id);
}

/// `plaintext` as kLengthSize bytes of its length and a zlib stream at the fastest level, or nullopt when that saves
/// less than a tenth (already compact text, or random bytes).
std::optional<std::string> deflated(std::string_view plaintext) {
    if (plaintext.size() < kDeflateFrom || plaintext.size() > kMaxInflated) {
        return std::nullopt;
    }
    const std::unique_ptr<libdeflate_compressor, decltype(&libdeflate_free_compressor)> compressor(
        libdeflate_alloc_compressor(1), &libdeflate_free_compressor);
    if (compressor == nullptr) {
        throw GatewayError(ErrorCode::Internal, "field cipher: out of memory for a compressor");
    }
    // Anything that does not fit here saves less than a tenth.
    const std::size_t room = plaintext.size() - plaintext.size() / 10 - kLengthSize;
    std::string out(kLengthSize + room, '\0');
    std::uint64_t length = plaintext.size();
    for (std::size_t i = 0; i < kLengthSize; ++i) {
        out[i] = static_cast<char>((length >> (8 * i)) & 0xFF);
    }
    const std::size_t size =
        libdeflate_zlib_compress(compressor.get(), plaintext.data(), plaintext.size(), out.data() + kLengthSize, room);
    if (size == 0) {
        return std::nullopt;
    }
    out.resize(kLengthSize + size);
    return out;
}

/// The inverse of deflated(); false for anything it did not make.
bool inflated(std::string_view packed, std::string& plaintext) {
    if (packed.size() < kLengthSize) {
        return false;
    }
    std::uint64_t length = 0;
    for (std::size_t i = 0; i < kLengthSize; ++i) {
        length |= std::uint64_t{static_cast<unsigned char>(packed[i])} << (8 * i);
    }
    if (length > kMaxInflated) {
        return false;
    }
    const std::unique_ptr<libdeflate_decompressor, decltype(&libdeflate_free_decompressor)> decompressor(
        libdeflate_alloc_decompressor(), &libdeflate_free_decompressor);
    if (decompressor == nullptr) {
        throw GatewayError(ErrorCode::Internal, "field cipher: out of memory for a decompressor");
    }
    plaintext.assign(length, '\0');
    std::size_t size = 0;
    return libdeflate_zlib_decompress(decompressor.get(), packed.data() + kLengthSize, packed.size() - kLengthSize,
                                      plaintext.data(), plaintext.size(), &size) == LIBDEFLATE_SUCCESS &&
           size == length;
}

std::string hex(const unsigned char* data, std::size_t size) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string text(2 * size, '0');
    for (std::size_t i = 0; i < size; ++i) {
        text[2 * i] = kHex[data[i] >> 4];
        text[2 * i + 1] = kHex[data[i] & 0x0F];
    }
    return text;
}

}  // namespace

/// The nonces of one FieldCipher: a fixed random high part and a counter, itself started at a random value.
struct FieldCipher::NonceCounter {
    std::array<unsigned char, 4> high{};
    std::atomic<std::uint64_t> low{0};

    NonceCounter() {
        std::array<unsigned char, kNonceSize> start{};
        if (RAND_bytes(start.data(), static_cast<int>(start.size())) != 1) {
            throw GatewayError(ErrorCode::Internal, "the system's random number generator failed");
        }
        std::copy_n(start.begin(), high.size(), high.begin());
        std::uint64_t value = 0;
        for (std::size_t i = high.size(); i < kNonceSize; ++i) {
            value = (value << 8) | start[i];
        }
        low.store(value);
    }

    void next(unsigned char* nonce) {
        // Wraps after 2^64 seals, far beyond the 2^32 a key may seal.
        std::uint64_t value = low.fetch_add(1, std::memory_order_relaxed);
        std::copy_n(high.begin(), high.size(), nonce);
        for (std::size_t i = kNonceSize; i > high.size(); --i) {
            nonce[i - 1] = static_cast<unsigned char>(value);
            value >>= 8;
        }
    }
};

/// Cipher contexts keyed once and kept between values, by key and direction: keying one (AES key schedule, GCM's
/// hash key, OpenSSL's parameter lookups) cost a third of sealing a 1 kB record.
class FieldCipher::KeyedContexts {
public:
    /// A context keyed with `key` to seal (`encrypt`) or to open; the caller then sets the nonce.
    CipherCtx take(const EVP_CIPHER* cipher, const DataKey& key, bool encrypt) {
        {
            std::lock_guard lock(mutex_);
            const auto found = idle_.find({key.id, encrypt});
            if (found != idle_.end() && !found->second.empty()) {
                CipherCtx ctx = std::move(found->second.back());
                found->second.pop_back();
                return ctx;
            }
        }
        CipherCtx ctx(EVP_CIPHER_CTX_new());
        if (ctx == nullptr ||
            EVP_CipherInit_ex2(ctx.get(), cipher, key.key.data(), nullptr, encrypt ? 1 : 0, nullptr) != 1) {
            cryptoFailed("initialising AES-GCM");
        }
        return ctx;
    }

    /// A context whose value completed; one that failed midway is dropped instead.
    void give(CipherCtx ctx, const DataKey& key, bool encrypt) {
        std::lock_guard lock(mutex_);
        std::vector<CipherCtx>& idle = idle_[{key.id, encrypt}];
        if (idle.size() < kMaxIdle) {
            idle.push_back(std::move(ctx));
        }
    }

private:
    static constexpr std::size_t kMaxIdle = 16;  // per key and direction: about as many as threads seal or open at once

    std::mutex mutex_;
    std::map<std::pair<std::string, bool>, std::vector<CipherCtx>> idle_;
};

void FieldCipher::CipherFree::operator()(EVP_CIPHER* cipher) const {
    EVP_CIPHER_free(cipher);
}

void FieldCipher::MacFree::operator()(EVP_MAC_CTX* mac) const {
    EVP_MAC_CTX_free(mac);
}

FieldCipher::FieldCipher(Keyring keyring)
    : keyring_(std::move(keyring)),
      nonces_(std::make_unique<NonceCounter>()),
      contexts_(std::make_unique<KeyedContexts>()) {
    switch (keyring_.algorithm()) {
        case CipherAlgorithm::Aes256Gcm:
            // Fetched once: an implicit fetch (EVP_aes_256_gcm()) on every call takes a lock in OpenSSL 3.
            cipher_.reset(EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr));
            break;
    }
    if (cipher_ == nullptr || EVP_CIPHER_get_key_length(cipher_.get()) != static_cast<int>(SecretKey::kSize) ||
        EVP_CIPHER_get_iv_length(cipher_.get()) != static_cast<int>(kNonceSize)) {
        throw GatewayError(ErrorCode::Internal, "field cipher: OpenSSL does not provide " +
                                                    std::string(cipherAlgorithmName(keyring_.algorithm())));
    }

    std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)> hmac(EVP_MAC_fetch(nullptr, "HMAC", nullptr), &EVP_MAC_free);
    if (hmac == nullptr) {
        cryptoFailed("fetching HMAC");
    }
    index_mac_.reset(EVP_MAC_CTX_new(hmac.get()));
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    // Keyed here once: each blind index then costs a context copy instead of hashing the key into the pads again.
    if (index_mac_ == nullptr ||
        EVP_MAC_init(index_mac_.get(), keyring_.indexKey().data(), SecretKey::kSize, params) != 1) {
        cryptoFailed("keying HMAC-SHA256");
    }
}

FieldCipher::~FieldCipher() = default;
FieldCipher::FieldCipher(FieldCipher&&) noexcept = default;
FieldCipher& FieldCipher::operator=(FieldCipher&&) noexcept = default;

std::string FieldCipher::seal(std::string_view value, std::string_view context, std::string_view row) const {
    checkContext(context);
    // Deflated first, a raw batch costs less to encrypt, encode and store than its plaintext did. What the
    // compressed length tells of the content is no more than a plaintext column's length told.
    const std::optional<std::string> packed = deflated(value);
    const std::string_view plaintext = packed ? std::string_view(*packed) : value;
    const DataKey& key = keyring_.current();
    const std::size_t raw_size = kOverhead + plaintext.size();
    Scratch raw(raw_size);
    unsigned char* nonce = raw.data();
    unsigned char* ciphertext = nonce + kNonceSize;
    unsigned char* tag = ciphertext + plaintext.size();

    nonces_->next(nonce);

    std::string token;
    const std::size_t header_size = kPrefix.size() + key.id.size() + 1;
    token.reserve(header_size + base64::encodedSize(raw_size));
    token.append(packed ? kDeflatedPrefix : kPrefix).append(key.id).append(1, ':');

    // Keyed already: only the nonce is set, which starts a new message.
    CipherCtx ctx = contexts_->take(cipher_.get(), key, true);
    if (EVP_EncryptInit_ex2(ctx.get(), nullptr, nullptr, nonce, nullptr) != 1) {
        cryptoFailed("initialising AES-GCM");
    }
    addAad(ctx.get(), token, context, row);
    transform(ctx.get(), bytes(plaintext), plaintext.size(), ciphertext);
    int final_size = 0;
    if (EVP_EncryptFinal_ex(ctx.get(), tag, &final_size) != 1 || final_size != 0 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize), tag) != 1) {
        cryptoFailed("finishing AES-GCM");
    }
    contexts_->give(std::move(ctx), key, true);

    token.resize(header_size + base64::encodedSize(raw_size));
    base64::encode(raw.data(), raw_size, token.data() + header_size);
    return token;
}

std::string FieldCipher::open(std::string_view token, std::string_view context, std::string_view row) const {
    return openToken(token, context, row);
}

std::string FieldCipher::openUnbound(std::string_view token, std::string_view context) const {
    return openToken(token, context, std::nullopt);
}

std::string FieldCipher::openToken(std::string_view token, std::string_view context,
                                   std::optional<std::string_view> row) const {
    checkContext(context);
    std::string_view header;
    std::string_view id;
    std::string_view payload;
    if (!splitToken(token, header, id, payload)) {
        cannotOpen(context, "it is not a sealed token (e2:<key id>:<base64> or z2:…)");
    }
    if (row && !isBoundHeader(header)) {
        cannotOpen(context, "it was sealed before values were bound to their rows; `gateway keys rotate` re-seals it");
    }
    if (!row && isBoundHeader(header)) {
        cannotOpen(context, "it is bound to a row, and no row was given");
    }
    const DataKey* key = keyring_.find(id);
    if (key == nullptr) {
        cannotOpen(context, "it names key \"" + std::string(id) + "\", which the keyring does not hold");
    }
    if (payload.size() < base64::encodedSize(kOverhead)) {
        cannotOpen(context, "the token is truncated");
    }
    Scratch raw(payload.size() / 4 * 3);
    std::size_t raw_size = 0;
    if (!base64::decode(payload, raw.data(), raw_size)) {
        cannotOpen(context, "the token's payload is not canonical base64");
    }
    if (raw_size < kOverhead) {
        cannotOpen(context, "the token is truncated");
    }
    const std::size_t size = raw_size - kOverhead;
    unsigned char* nonce = raw.data();
    unsigned char* ciphertext = nonce + kNonceSize;
    unsigned char* tag = ciphertext + size;

    std::string plaintext(size, '\0');
    CipherCtx ctx = contexts_->take(cipher_.get(), *key, false);
    if (EVP_DecryptInit_ex2(ctx.get(), nullptr, nullptr, nonce, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize), tag) != 1) {
        cryptoFailed("initialising AES-GCM");
    }
    addAad(ctx.get(), header, context, row);
    transform(ctx.get(), ciphertext, size, reinterpret_cast<unsigned char*>(plaintext.data()));
    std::array<unsigned char, 16> nothing{};  // GCM writes nothing at the end; the buffer is there to be safe
    int final_size = 0;
    if (EVP_DecryptFinal_ex(ctx.get(), nothing.data(), &final_size) != 1) {
        // What was decrypted is unauthenticated and must not linger in freed memory either.
        OPENSSL_cleanse(plaintext.data(), plaintext.size());
        cannotOpen(context, "it fails authentication under key \"" + std::string(id) +
                                "\" (altered, sealed for another column or row, or under another key of that name)");
    }
    contexts_->give(std::move(ctx), *key, false);
    if (isDeflatedHeader(header)) {
        std::string value;
        if (!inflated(plaintext, value)) {
            cannotOpen(context, "its deflated content does not inflate");
        }
        OPENSSL_cleanse(plaintext.data(), plaintext.size());
        return value;
    }
    return plaintext;
}

std::string FieldCipher::blindIndex(std::string_view value, std::string_view context) const {
    checkContext(context);
    const MacCtx mac(EVP_MAC_CTX_dup(index_mac_.get()));
    static constexpr unsigned char kSeparator = 0;
    std::array<unsigned char, 32> digest{};
    std::size_t digest_size = 0;
    if (mac == nullptr || EVP_MAC_update(mac.get(), bytes(context), context.size()) != 1 ||
        EVP_MAC_update(mac.get(), &kSeparator, 1) != 1 || EVP_MAC_update(mac.get(), bytes(value), value.size()) != 1 ||
        EVP_MAC_final(mac.get(), digest.data(), &digest_size, digest.size()) != 1 || digest_size != digest.size()) {
        cryptoFailed("HMAC-SHA256");
    }
    return hex(digest.data(), digest.size());
}

bool FieldCipher::isSealed(std::string_view value) {
    std::string_view header;
    std::string_view id;
    std::string_view payload;
    if (!splitToken(value, header, id, payload) || payload.size() < base64::encodedSize(kOverhead) ||
        payload.size() % 4 != 0) {
        return false;
    }
    // Alphabet characters up to the padding, then at most two '='.
    const std::size_t body = payload.find_last_not_of('=') + 1;
    const std::size_t first_other =
        payload.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
    return payload.size() - body <= 2 && std::min(first_other, payload.size()) == body;
}

std::optional<std::string_view> FieldCipher::sealedKeyId(std::string_view value) {
    if (!isSealed(value)) {
        return std::nullopt;
    }
    return value.substr(kPrefix.size(), value.find(':', kPrefix.size()) - kPrefix.size());
}

bool FieldCipher::isBound(std::string_view value) {
    return isSealed(value) && isBoundHeader(value);
}

bool FieldCipher::needsRotation(std::string_view value) const {
    const auto id = sealedKeyId(value);
    return !id || !isBoundHeader(value) || *id != keyring_.current().id;
}

std::size_t FieldCipher::sealedSize(std::size_t plaintext_bytes) const {
    return kPrefix.size() + keyring_.current().id.size() + 1 + base64::encodedSize(kOverhead + plaintext_bytes);
}

}  // namespace gateway::vault
