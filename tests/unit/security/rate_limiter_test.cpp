// One platform polling in a loop must not starve the others: each client gets its own allowance, refused requests
// learn when to come back, and no interleaving of threads grants more than the allowance.

#include "gateway/security/rate_limiter.h"

#include "gateway/common/error.h"

#include <gtest/gtest.h>

#include <atomic>
#include <limits>
#include <thread>
#include <vector>

namespace gateway::security {
namespace {

using namespace std::chrono_literals;
using Clock = RateLimiter::Clock;

const Clock::time_point kStart = Clock::time_point() + 1000h;

int admitted(RateLimiter& limiter, std::string_view client, int attempts, Clock::time_point now) {
    int count = 0;
    for (int i = 0; i < attempts; ++i) {
        count += limiter.take(client, now).allowed ? 1 : 0;
    }
    return count;
}

TEST(RateLimiter, ABurstIsAdmittedThenRefused) {
    RateLimiter limiter(RateLimit{2, 5});
    EXPECT_EQ(admitted(limiter, "village", 5, kStart), 5);
    const RateLimiter::Decision refused = limiter.take("village", kStart);
    EXPECT_FALSE(refused.allowed);
    EXPECT_EQ(refused.retry_after, 1s);
}

TEST(RateLimiter, TheBucketRefillsAtTheRateUpToTheBurst) {
    RateLimiter limiter(RateLimit{2, 5});
    EXPECT_EQ(admitted(limiter, "village", 5, kStart), 5);
    EXPECT_EQ(admitted(limiter, "village", 10, kStart + 499ms), 0);
    EXPECT_EQ(admitted(limiter, "village", 10, kStart + 500ms), 1);
    EXPECT_EQ(admitted(limiter, "village", 10, kStart + 1500ms), 2);
    EXPECT_EQ(admitted(limiter, "village", 10, kStart + 1h), 5) << "never more than the burst";
}

TEST(RateLimiter, ClientsHaveTheirOwnBuckets) {
    RateLimiter limiter(RateLimit{1, 3});
    EXPECT_EQ(admitted(limiter, "village-1", 10, kStart), 3);
    EXPECT_EQ(admitted(limiter, "village-2", 10, kStart), 3);
    EXPECT_EQ(admitted(limiter, "village-1", 10, kStart), 0);
    EXPECT_EQ(admitted(limiter, "", 10, kStart), 3);
}

TEST(RateLimiter, RetryAfterIsTheWaitForOneTokenRoundedUp) {
    RateLimiter slow(RateLimit{0.1, 1});  // one request every ten seconds
    EXPECT_TRUE(slow.take("a", kStart).allowed);
    EXPECT_EQ(slow.take("a", kStart).retry_after, 10s);
    EXPECT_EQ(slow.take("a", kStart + 2500ms).retry_after, 8s);  // 7.5 s left
    EXPECT_EQ(slow.take("a", kStart + 9999ms).retry_after, 1s);
    EXPECT_TRUE(slow.take("a", kStart + 10s).allowed);

    RateLimiter fast(RateLimit{100, 1});
    EXPECT_TRUE(fast.take("a", kStart).allowed);
    EXPECT_EQ(fast.take("a", kStart).retry_after, 1s) << "at least one second";
}

TEST(RateLimiter, ARateOfZeroOrLessIsUnlimited) {
    for (const double rate : {0.0, -1.0}) {
        RateLimiter limiter(RateLimit{rate, 0});
        EXPECT_TRUE(limiter.unlimited());
        EXPECT_EQ(admitted(limiter, "a", 10'000, kStart), 10'000);
        EXPECT_EQ(limiter.trackedClients(), 0u);
    }
}

TEST(RateLimiter, ALimitThatCannotAdmitAnythingIsRefused) {
    EXPECT_THROW(RateLimiter(RateLimit{1, 0.5}), GatewayError);
    EXPECT_THROW(RateLimiter(RateLimit{std::numeric_limits<double>::infinity(), 1}), GatewayError);
    EXPECT_THROW(RateLimiter(RateLimit{std::numeric_limits<double>::quiet_NaN(), 1}), GatewayError);
}

TEST(RateLimiter, AnEarlierReadingOfTheClockDoesNotRefill) {
    RateLimiter limiter(RateLimit{1, 2});
    EXPECT_EQ(admitted(limiter, "a", 2, kStart + 10s), 2);
    EXPECT_EQ(admitted(limiter, "a", 5, kStart), 0) << "another thread's older reading must not count as time";
    EXPECT_EQ(admitted(limiter, "a", 5, kStart + 10s), 0);
    EXPECT_EQ(admitted(limiter, "a", 5, kStart + 11s), 1);
}

TEST(RateLimiter, IdleFullBucketsAreDropped) {
    RateLimiter limiter(RateLimit{4, 4});  // an empty bucket is full again after 1 s
    for (int i = 0; i < 5000; ++i) {
        limiter.take("client-" + std::to_string(i), kStart);
    }
    EXPECT_LE(limiter.trackedClients(), 5000u);
    EXPECT_GT(limiter.trackedClients(), 0u);
    // Much later, the first request sweeps every bucket that has refilled.
    EXPECT_TRUE(limiter.take("late", kStart + 2s).allowed);
    EXPECT_EQ(limiter.trackedClients(), 1u);

    // A bucket that is still refilling is kept, or its client would get a fresh burst.
    EXPECT_EQ(admitted(limiter, "busy", 10, kStart + 2s), 4);
    EXPECT_EQ(admitted(limiter, "busy", 10, kStart + 2750ms), 3);
    EXPECT_TRUE(limiter.take("other", kStart + 3125ms).allowed);  // sweeps: 1.125 s since the last sweep
    EXPECT_EQ(limiter.trackedClients(), 2u) << "busy (1.5 tokens) and other";
    EXPECT_EQ(admitted(limiter, "busy", 10, kStart + 3125ms), 1);
}

TEST(RateLimiter, ConcurrentRequestsNeverGetMoreThanTheBucketHolds) {
    RateLimiter limiter(RateLimit{50, 40});
    constexpr int kThreads = 8;
    constexpr int kAttempts = 500;
    std::atomic<int> granted{0};
    std::atomic<int> granted_other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kAttempts; ++i) {
                // Time moves 1 ms per step of each thread, in a different phase per thread: at most 0.5 s passes.
                const auto now = kStart + std::chrono::milliseconds(i + t % 3);
                if (limiter.take("shared", now).allowed) {
                    ++granted;
                }
                if (limiter.take("client-" + std::to_string(t % 2), kStart).allowed) {
                    ++granted_other;
                }
            }
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    // 40 at once, plus 50 a second over the 0.501 s the readings span.
    EXPECT_LE(granted.load(), 40 + 25);
    EXPECT_GE(granted.load(), 40);
    EXPECT_EQ(granted_other.load(), 2 * 40) << "with the clock standing still, exactly one burst per client";
}

}  // namespace
}  // namespace gateway::security
