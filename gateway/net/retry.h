#pragma once

#include "gateway/common/error.h"
#include "gateway/net/circuit_breaker.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace gateway::net {

/// Waits; tests pass one that records the delay and returns at once.
using Sleeper = std::function<void(std::chrono::milliseconds)>;

/// Sleeps on the calling thread.
Sleeper threadSleeper();

struct RetryPolicy {
    /// Attempts in all, the first included; 1 means no retry.
    int max_attempts = 4;
    std::chrono::milliseconds base_delay{500};
    std::chrono::milliseconds max_delay{30000};
    /// A server asking (Retry-After) for a longer wait than this ends the retries at once.
    std::chrono::milliseconds max_retry_after{120000};
};

/// Exponential backoff with full jitter: retry n (from 1) waits a uniformly random time in
/// [0, min(max_delay, base_delay * 2^(n-1))], so that many clients retrying one recovering server spread out.
class Backoff {
public:
    Backoff(std::chrono::milliseconds base_delay, std::chrono::milliseconds max_delay, std::uint64_t seed);

    std::chrono::milliseconds delay(int retry);

    /// The upper bound of retry n's delay.
    std::chrono::milliseconds ceiling(int retry) const;

private:
    std::chrono::milliseconds base_delay_;
    std::chrono::milliseconds max_delay_;
    std::mt19937_64 random_;
};

/// Thrown by an attempt that failed in a way that may pass if repeated: a 5xx, a 429, a timeout, a refused
/// connection, a truncated body. `final_code` is what the failure becomes when no attempt is left.
class TransientFailure : public std::runtime_error {
public:
    TransientFailure(ErrorCode final_code, const std::string& message,
                     std::optional<std::chrono::milliseconds> retry_after = std::nullopt)
        : std::runtime_error(message), final_code_(final_code), retry_after_(retry_after) {}

    ErrorCode finalCode() const { return final_code_; }
    /// The wait the server asked for, if it did.
    std::optional<std::chrono::milliseconds> retryAfter() const { return retry_after_; }

private:
    ErrorCode final_code_;
    std::optional<std::chrono::milliseconds> retry_after_;
};

/// Runs an operation until it succeeds, fails for good, or runs out of attempts, sleeping between attempts.
///
/// With a circuit breaker, each attempt asks it first, a TransientFailure counts as a failure, and a success or a
/// GatewayError (the source answered, if unusably) counts as a success. An open breaker refuses the attempt with
/// GatewayError(SourceUnavailable). Not thread-safe.
class Retrier {
public:
    /// `breaker` may be null; when given it must outlive the retrier.
    Retrier(RetryPolicy policy, std::uint64_t seed, Sleeper sleeper, CircuitBreaker* breaker = nullptr);

    /// Calls `attempt(n)` (n from 1) until it returns. A TransientFailure is retried; when the attempts run out
    /// it becomes GatewayError(finalCode(), "WHAT: failed after N attempts: MESSAGE"). Other exceptions propagate
    /// at once. `what` names the operation for messages, e.g. "police_population: GET http://host/path".
    template <typename Attempt>
    auto run(std::string_view what, Attempt&& attempt) -> std::invoke_result_t<Attempt&, int> {
        for (int n = 1;; ++n) {
            admit(what, n);
            try {
                auto result = attempt(n);
                succeeded();
                return result;
            } catch (const TransientFailure& failure) {
                failed(what, n, failure);
            } catch (const GatewayError&) {
                succeeded();
                throw;
            }
        }
    }

    const RetryPolicy& policy() const { return policy_; }

private:
    void admit(std::string_view what, int attempt);
    void succeeded();
    /// Sleeps before the next attempt, or throws the final GatewayError.
    void failed(std::string_view what, int attempt, const TransientFailure& failure);

    RetryPolicy policy_;
    Backoff backoff_;
    Sleeper sleeper_;
    CircuitBreaker* breaker_;
};

}  // namespace gateway::net
