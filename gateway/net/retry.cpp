#include "gateway/net/retry.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Logger.h>

#include <algorithm>
#include <thread>

namespace gateway::net {

Sleeper threadSleeper() {
    return [](std::chrono::milliseconds delay) { std::this_thread::sleep_for(delay); };
}

Backoff::Backoff(std::chrono::milliseconds base_delay, std::chrono::milliseconds max_delay, std::uint64_t seed)
    : base_delay_(std::max(base_delay, std::chrono::milliseconds(0))),
      max_delay_(std::max(max_delay, std::chrono::milliseconds(0))),
      random_(seed) {}

std::chrono::milliseconds Backoff::ceiling(int retry) const {
    // Doubling stops once past the cap, so a large retry number cannot overflow.
    std::int64_t bound = base_delay_.count();
    for (int i = 1; i < retry && bound < max_delay_.count(); ++i) {
        bound *= 2;
    }
    return std::chrono::milliseconds(std::min(bound, static_cast<std::int64_t>(max_delay_.count())));
}

std::chrono::milliseconds Backoff::delay(int retry) {
    std::uniform_int_distribution<std::int64_t> distribution(0, ceiling(retry).count());
    return std::chrono::milliseconds(distribution(random_));
}

Retrier::Retrier(RetryPolicy policy, std::uint64_t seed, Sleeper sleeper, CircuitBreaker* breaker)
    : policy_(policy),
      backoff_(policy.base_delay, policy.max_delay, seed),
      sleeper_(std::move(sleeper)),
      breaker_(breaker) {
    policy_.max_attempts = std::max(policy_.max_attempts, 1);
}

void Retrier::admit(std::string_view what, int attempt) {
    if (breaker_ == nullptr || breaker_->allow()) {
        return;
    }
    std::string message(what);
    if (attempt > 1) {
        message += ": failed after " + std::to_string(attempt - 1) + (attempt == 2 ? " attempt" : " attempts");
    }
    message += ": circuit breaker open after " + std::to_string(breaker_->consecutiveFailures()) +
               " consecutive failures; next trial at " +
               Poco::DateTimeFormatter::format(breaker_->reopensAt(), Poco::DateTimeFormat::ISO8601_FORMAT);
    throw GatewayError(ErrorCode::SourceUnavailable, message);
}

void Retrier::succeeded() {
    if (breaker_ != nullptr) {
        breaker_->recordSuccess();
    }
}

void Retrier::failed(std::string_view what, int attempt, const TransientFailure& failure) {
    if (breaker_ != nullptr) {
        breaker_->recordFailure();
    }
    const std::string attempts = std::to_string(attempt) + (attempt == 1 ? " attempt" : " attempts");
    if (attempt >= policy_.max_attempts) {
        throw GatewayError(failure.finalCode(),
                           std::string(what) + ": failed after " + attempts + ": " + failure.what());
    }
    std::chrono::milliseconds delay = backoff_.delay(attempt);
    if (const auto asked = failure.retryAfter()) {
        if (*asked > policy_.max_retry_after) {
            throw GatewayError(failure.finalCode(), std::string(what) + ": failed after " + attempts + ": " +
                                                        failure.what() + "; the server asks to retry after " +
                                                        std::to_string(asked->count()) + " ms, more than the " +
                                                        std::to_string(policy_.max_retry_after.count()) +
                                                        " ms allowed");
        }
        delay = *asked;
    }
    Poco::Logger::get("gateway.adapters")
        .warning(std::string(what) + ": attempt " + std::to_string(attempt) + " of " +
                 std::to_string(policy_.max_attempts) + " failed: " + failure.what() + "; retrying in " +
                 std::to_string(delay.count()) + " ms");
    sleeper_(delay);
}

}  // namespace gateway::net
