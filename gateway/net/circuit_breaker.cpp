#include "gateway/net/circuit_breaker.h"

namespace gateway::net {

CircuitBreaker::CircuitBreaker(Settings settings, const Clock& clock) : settings_(settings), clock_(clock) {
    if (settings_.failure_threshold < 1) {
        settings_.failure_threshold = 1;
    }
}

bool CircuitBreaker::allow() {
    switch (state_) {
        case State::Closed:
            return true;
        case State::Open:
            if (clock_.now() < reopens_at_) {
                return false;
            }
            state_ = State::HalfOpen;
            trial_in_flight_ = true;
            return true;
        case State::HalfOpen:
            if (trial_in_flight_) {
                return false;
            }
            trial_in_flight_ = true;
            return true;
    }
    return false;
}

void CircuitBreaker::recordSuccess() {
    state_ = State::Closed;
    consecutive_failures_ = 0;
    trial_in_flight_ = false;
}

void CircuitBreaker::recordFailure() {
    ++consecutive_failures_;
    trial_in_flight_ = false;
    // A failed trial reopens at once: the threshold guards a healthy source against a blip, and a source that just
    // failed its trial is not healthy.
    if (state_ == State::HalfOpen || consecutive_failures_ >= settings_.failure_threshold) {
        open();
    }
}

void CircuitBreaker::open() {
    state_ = State::Open;
    reopens_at_ = clock_.now() + std::chrono::duration_cast<std::chrono::microseconds>(settings_.cool_down).count();
}

std::string_view circuitStateName(CircuitBreaker::State state) {
    switch (state) {
        case CircuitBreaker::State::Closed:
            return "closed";
        case CircuitBreaker::State::Open:
            return "open";
        case CircuitBreaker::State::HalfOpen:
            return "half-open";
    }
    return "closed";
}

}  // namespace gateway::net
