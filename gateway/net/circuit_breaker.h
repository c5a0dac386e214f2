#pragma once

#include "gateway/common/clock.h"

#include <Poco/Timestamp.h>

#include <chrono>
#include <string_view>

namespace gateway::net {

/// Stops calling a source that keeps failing, so a dead department system costs one quick error per sync instead
/// of a full round of retries each time, and lets one trial call through after a cool-down.
///
/// Closed: calls go through; `failure_threshold` consecutive failures open it. Open: calls are refused until the
/// cool-down has passed on the clock, then it is half-open. Half-open: one trial call goes through; its success
/// closes the breaker, its failure opens it again for another cool-down. Not thread-safe (one per adapter).
class CircuitBreaker {
public:
    enum class State { Closed, Open, HalfOpen };

    struct Settings {
        int failure_threshold = 5;
        std::chrono::milliseconds cool_down{30000};
    };

    /// `clock` must outlive the breaker.
    CircuitBreaker(Settings settings, const Clock& clock);

    /// Whether a call may go ahead now; moves Open to HalfOpen once the cool-down is over. In HalfOpen only the
    /// first caller is admitted until its outcome is recorded.
    bool allow();
    void recordSuccess();
    void recordFailure();

    /// The state as of the last call to allow() or record*(); an open breaker whose cool-down is over still reads
    /// Open until allow() is called.
    State state() const { return state_; }
    int consecutiveFailures() const { return consecutive_failures_; }
    /// When an open breaker admits its next trial call.
    Poco::Timestamp reopensAt() const { return reopens_at_; }
    const Settings& settings() const { return settings_; }

private:
    void open();

    Settings settings_;
    const Clock& clock_;
    State state_ = State::Closed;
    int consecutive_failures_ = 0;
    bool trial_in_flight_ = false;
    Poco::Timestamp reopens_at_;
};

std::string_view circuitStateName(CircuitBreaker::State state);

}  // namespace gateway::net
