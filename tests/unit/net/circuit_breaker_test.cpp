#include "gateway/net/circuit_breaker.h"

#include "tests/support/manual_clock.h"

#include <gtest/gtest.h>

namespace gateway::net {
namespace {

using namespace std::chrono_literals;
using State = CircuitBreaker::State;

TEST(CircuitBreakerTest, StaysClosedBelowTheThreshold) {
    testing::ManualClock clock;
    CircuitBreaker breaker({3, 10s}, clock);
    breaker.recordFailure();
    breaker.recordFailure();
    EXPECT_EQ(breaker.state(), State::Closed);
    EXPECT_TRUE(breaker.allow());
    breaker.recordSuccess();
    breaker.recordFailure();
    breaker.recordFailure();
    EXPECT_EQ(breaker.state(), State::Closed) << "a success resets the count";
    EXPECT_EQ(breaker.consecutiveFailures(), 2);
}

TEST(CircuitBreakerTest, OpensAtTheThresholdAndRefusesUntilTheCoolDownEnds) {
    testing::ManualClock clock;
    CircuitBreaker breaker({3, 10s}, clock);
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(breaker.allow());
        breaker.recordFailure();
    }
    EXPECT_EQ(breaker.state(), State::Open);
    EXPECT_EQ(breaker.reopensAt(), clock.now() + 10 * Poco::Timestamp::resolution());
    EXPECT_FALSE(breaker.allow());
    clock.advance(9999ms);
    EXPECT_FALSE(breaker.allow());
    EXPECT_EQ(breaker.state(), State::Open);
}

TEST(CircuitBreakerTest, HalfOpenAdmitsOneTrialThatClosesOnSuccess) {
    testing::ManualClock clock;
    CircuitBreaker breaker({1, 10s}, clock);
    breaker.recordFailure();
    ASSERT_EQ(breaker.state(), State::Open);
    clock.advance(10s);
    EXPECT_TRUE(breaker.allow());
    EXPECT_EQ(breaker.state(), State::HalfOpen);
    EXPECT_FALSE(breaker.allow()) << "only one trial at a time";
    breaker.recordSuccess();
    EXPECT_EQ(breaker.state(), State::Closed);
    EXPECT_EQ(breaker.consecutiveFailures(), 0);
    EXPECT_TRUE(breaker.allow());
}

TEST(CircuitBreakerTest, AFailedTrialReopensForAnotherCoolDown) {
    testing::ManualClock clock;
    CircuitBreaker breaker({5, 10s}, clock);
    for (int i = 0; i < 5; ++i) {
        breaker.recordFailure();
    }
    clock.advance(15s);
    ASSERT_TRUE(breaker.allow());
    breaker.recordFailure();
    EXPECT_EQ(breaker.state(), State::Open);
    EXPECT_EQ(breaker.reopensAt(), clock.now() + 10 * Poco::Timestamp::resolution());
    EXPECT_FALSE(breaker.allow());
    clock.advance(10s);
    EXPECT_TRUE(breaker.allow());
}

TEST(CircuitBreakerTest, NamesItsStates) {
    EXPECT_EQ(circuitStateName(State::Closed), "closed");
    EXPECT_EQ(circuitStateName(State::Open), "open");
    EXPECT_EQ(circuitStateName(State::HalfOpen), "half-open");
}

}  // namespace
}  // namespace gateway::net
