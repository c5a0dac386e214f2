#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace gateway::security {

/// A client's allowance: `per_second` requests on average, up to `burst` at once. A rate of 0 or less means
/// unlimited.
struct RateLimit {
    double per_second = 0;
    double burst = 0;
};

/// One token bucket per client. Thread-safe; time is passed in so that tests need not sleep.
class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;

    struct Decision {
        bool allowed = true;
        /// When refused: whole seconds until a request would be admitted (for Retry-After), at least 1.
        std::chrono::seconds retry_after{0};
    };

    /// Throws GatewayError(InvalidConfig) for a rate that is not a finite number, or a burst below 1 with a
    /// positive rate (such a bucket could never admit anything).
    explicit RateLimiter(RateLimit limit);

    /// Takes one token from `client`'s bucket if it has one. A new client starts with a full bucket.
    Decision take(std::string_view client, Clock::time_point now);

    bool unlimited() const { return limit_.per_second <= 0; }
    /// Buckets held now: clients seen lately whose buckets have not refilled yet.
    std::size_t trackedClients() const;

private:
    struct Bucket {
        double tokens;
        Clock::time_point updated;
    };
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
    };

    double refilled(const Bucket& bucket, Clock::time_point now) const;
    void dropFullBuckets(Clock::time_point now);

    RateLimit limit_;
    /// Time an empty bucket takes to fill: a bucket idle that long is full and need not be kept.
    Clock::duration fill_time_{};
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Bucket, Hash, std::equal_to<>> buckets_;
    Clock::time_point last_sweep_{};
    std::size_t sweep_at_size_ = 0;
};

}  // namespace gateway::security
