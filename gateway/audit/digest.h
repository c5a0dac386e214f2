#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct evp_md_st;
struct evp_md_ctx_st;

namespace gateway::audit {

/// The hash functions the log can be chained with. Both give 32 bytes.
enum class HashAlgorithm { Sha256, Sm3 };

std::string_view hashAlgorithmName(HashAlgorithm algorithm);  // "sha256" or "sm3"
std::optional<HashAlgorithm> parseHashAlgorithm(std::string_view name);

using Hash = std::array<std::uint8_t, 32>;

std::string toHex(const Hash& hash);
/// Nullopt unless `text` is exactly 64 hex digits.
std::optional<Hash> hashFromHex(std::string_view text);

/// One hashing context, reused from call to call: fetching the algorithm once and keeping the context is what makes
/// millions of small hashes cheap. Not shareable between threads; make one per thread.
class Digest {
public:
    explicit Digest(HashAlgorithm algorithm);
    ~Digest();
    Digest(const Digest&) = delete;
    Digest& operator=(const Digest&) = delete;

    HashAlgorithm algorithm() const { return algorithm_; }

    /// Starts a new hash; add parts with update() and finish with final().
    void begin();
    void update(const void* data, std::size_t size);
    void update(std::string_view data) { update(data.data(), data.size()); }
    void update(const Hash& hash) { update(hash.data(), hash.size()); }
    Hash final();

private:
    struct MdFree {
        void operator()(evp_md_st* md) const;
    };
    struct CtxFree {
        void operator()(evp_md_ctx_st* ctx) const;
    };
    HashAlgorithm algorithm_;
    std::unique_ptr<evp_md_st, MdFree> md_;
    std::unique_ptr<evp_md_ctx_st, CtxFree> ctx_;
};

}  // namespace gateway::audit
