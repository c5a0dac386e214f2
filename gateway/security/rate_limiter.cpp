#include "gateway/security/rate_limiter.h"

#include "gateway/common/error.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace gateway::security {

namespace {

// Sweeping costs one pass over the buckets; below this many it is not worth doing between the timed sweeps.
constexpr std::size_t kMinSweepSize = 1024;

}  // namespace

RateLimiter::RateLimiter(RateLimit limit) : limit_(limit) {
    if (!std::isfinite(limit_.per_second) || !std::isfinite(limit_.burst)) {
        throw GatewayError(ErrorCode::InvalidConfig, "rate limit: the rate and the burst must be finite numbers");
    }
    if (limit_.per_second > 0 && limit_.burst < 1) {
        throw GatewayError(ErrorCode::InvalidConfig,
                           "rate limit: the burst must be at least 1 request when a rate is set");
    }
    if (limit_.per_second > 0) {
        fill_time_ = std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(limit_.burst / limit_.per_second));
    }
    sweep_at_size_ = kMinSweepSize;
}

double RateLimiter::refilled(const Bucket& bucket, Clock::time_point now) const {
    // Threads may pass their readings of the clock in a different order than they take the lock; time never runs
    // backwards for a bucket.
    const double elapsed =
        std::chrono::duration<double>(std::max(now - bucket.updated, Clock::duration::zero())).count();
    return std::min(limit_.burst, bucket.tokens + elapsed * limit_.per_second);
}

RateLimiter::Decision RateLimiter::take(std::string_view client, Clock::time_point now) {
    if (unlimited()) {
        return {};
    }
    const std::lock_guard lock(mutex_);
    if (now - last_sweep_ >= fill_time_ || buckets_.size() >= sweep_at_size_) {
        dropFullBuckets(now);
    }
    auto it = buckets_.find(client);
    if (it == buckets_.end()) {
        it = buckets_.emplace(std::string(client), Bucket{limit_.burst, now}).first;
    }
    Bucket& bucket = it->second;
    bucket.tokens = refilled(bucket, now);
    bucket.updated = std::max(bucket.updated, now);
    if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return {};
    }
    const double wait = std::ceil((1 - bucket.tokens) / limit_.per_second);
    const double capped = std::min(wait, static_cast<double>(std::numeric_limits<std::int32_t>::max()));
    return Decision{false, std::chrono::seconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(capped)))};
}

void RateLimiter::dropFullBuckets(Clock::time_point now) {
    std::erase_if(buckets_, [&](const auto& entry) { return refilled(entry.second, now) >= limit_.burst; });
    last_sweep_ = now;
    // Amortised: the next size-triggered sweep waits until the map has doubled.
    sweep_at_size_ = std::max(kMinSweepSize, buckets_.size() * 2);
}

std::size_t RateLimiter::trackedClients() const {
    const std::lock_guard lock(mutex_);
    return buckets_.size();
}

}  // namespace gateway::security
