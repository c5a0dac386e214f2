#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace deptsim {

/// The civil system's OAuth2 access tokens. Tokens are drawn from the seed, so a run is reproducible; they
/// expire after `lifetime` of the steady clock, or after a number of uses when the token_expiry fault is set.
/// Thread-safe.
class TokenRegistry {
public:
    enum class Check { Valid, Unknown, Expired };

    TokenRegistry(std::uint64_t seed, std::chrono::seconds lifetime) : seed_(seed), lifetime_(lifetime) {}

    std::string issue();
    /// Counts one use; `max_uses` 0 means no limit on uses.
    Check use(const std::string& token, int max_uses);
    std::chrono::seconds lifetime() const { return lifetime_; }

private:
    struct Token {
        std::chrono::steady_clock::time_point issued;
        int uses = 0;
    };

    std::uint64_t seed_;
    std::chrono::seconds lifetime_;
    std::mutex mutex_;
    std::uint64_t issued_ = 0;
    std::unordered_map<std::string, Token> tokens_;
};

}  // namespace deptsim
