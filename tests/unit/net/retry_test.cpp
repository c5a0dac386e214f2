#include "gateway/net/retry.h"

#include "tests/support/manual_clock.h"

#include <gtest/gtest.h>

#include <vector>

namespace gateway::net {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

struct RecordingSleeper {
    std::vector<milliseconds> delays;
    Sleeper sleeper() {
        return [this](milliseconds delay) { delays.push_back(delay); };
    }
};

TEST(BackoffTest, CeilingDoublesFromTheBaseUpToTheCap) {
    const Backoff backoff(100ms, 1000ms, 1);
    EXPECT_EQ(backoff.ceiling(1), 100ms);
    EXPECT_EQ(backoff.ceiling(2), 200ms);
    EXPECT_EQ(backoff.ceiling(3), 400ms);
    EXPECT_EQ(backoff.ceiling(4), 800ms);
    EXPECT_EQ(backoff.ceiling(5), 1000ms);
    EXPECT_EQ(backoff.ceiling(1000), 1000ms) << "no overflow however many retries";
}

TEST(BackoffTest, FullJitterStaysWithinTheCeilingAndRepeatsForTheSameSeed) {
    Backoff first(100ms, 1000ms, 42);
    Backoff again(100ms, 1000ms, 42);
    Backoff other(100ms, 1000ms, 43);
    std::vector<milliseconds> sequence;
    std::vector<milliseconds> other_sequence;
    for (int retry = 1; retry <= 8; ++retry) {
        const milliseconds delay = first.delay(retry);
        EXPECT_GE(delay, 0ms);
        EXPECT_LE(delay, first.ceiling(retry));
        EXPECT_EQ(again.delay(retry), delay) << "retry " << retry;
        sequence.push_back(delay);
        other_sequence.push_back(other.delay(retry));
    }
    EXPECT_NE(sequence, other_sequence);
}

TEST(BackoffTest, JitterIsSpreadOverTheWholeRange) {
    Backoff backoff(1000ms, 1000ms, 7);
    std::int64_t total = 0;
    milliseconds smallest = 1000ms;
    milliseconds largest = 0ms;
    for (int i = 0; i < 2000; ++i) {
        const milliseconds delay = backoff.delay(1);
        total += delay.count();
        smallest = std::min(smallest, delay);
        largest = std::max(largest, delay);
    }
    EXPECT_NEAR(static_cast<double>(total) / 2000, 500.0, 30.0);
    EXPECT_LT(smallest, 50ms);
    EXPECT_GT(largest, 950ms);
}

TEST(RetrierTest, SleepsTheSeededBackoffSequenceBetweenAttempts) {
    RecordingSleeper sleeps;
    Retrier retrier({5, 100ms, 1000ms, 60s}, 42, sleeps.sleeper());
    std::vector<int> attempts;
    const int result = retrier.run("test source", [&](int attempt) {
        attempts.push_back(attempt);
        if (attempt < 5) {
            throw TransientFailure(ErrorCode::SourceUnavailable, "HTTP 503");
        }
        return 7;
    });
    EXPECT_EQ(result, 7);
    EXPECT_EQ(attempts, (std::vector<int>{1, 2, 3, 4, 5}));
    Backoff expected(100ms, 1000ms, 42);
    ASSERT_EQ(sleeps.delays.size(), 4u);
    for (int retry = 1; retry <= 4; ++retry) {
        EXPECT_EQ(sleeps.delays[retry - 1], expected.delay(retry)) << "retry " << retry;
    }
}

TEST(RetrierTest, GivesUpWithTheFinalCodeAndTheAttemptCount) {
    RecordingSleeper sleeps;
    Retrier retrier({3, 10ms, 100ms, 60s}, 1, sleeps.sleeper());
    int calls = 0;
    try {
        retrier.run("police_population: GET https://host/persons", [&](int) -> int {
            ++calls;
            throw TransientFailure(ErrorCode::SourceError, "the body is not valid JSON");
        });
        FAIL() << "no error";
    } catch (const GatewayError& e) {
        EXPECT_EQ(e.code(), ErrorCode::SourceError);
        EXPECT_EQ(e.message(),
                  "police_population: GET https://host/persons: failed after 3 attempts: the body is not valid JSON");
    }
    EXPECT_EQ(calls, 3);
    EXPECT_EQ(sleeps.delays.size(), 2u);
}

TEST(RetrierTest, DoesNotRetryPermanentErrors) {
    RecordingSleeper sleeps;
    Retrier retrier({4, 10ms, 100ms, 60s}, 1, sleeps.sleeper());
    int calls = 0;
    EXPECT_THROW(retrier.run("x",
                             [&](int) -> int {
                                 ++calls;
                                 throw GatewayError(ErrorCode::SourceError, "HTTP 404");
                             }),
                 GatewayError);
    EXPECT_EQ(calls, 1);
    EXPECT_TRUE(sleeps.delays.empty());
}

TEST(RetrierTest, WaitsWhatTheServerAsksAndGivesUpWhenItAsksTooMuch) {
    RecordingSleeper sleeps;
    Retrier retrier({4, 10ms, 100ms, 5s}, 1, sleeps.sleeper());
    int calls = 0;
    retrier.run("x", [&](int attempt) {
        ++calls;
        if (attempt == 1) {
            throw TransientFailure(ErrorCode::SourceUnavailable, "HTTP 429", 3s);
        }
        return 0;
    });
    EXPECT_EQ(sleeps.delays, (std::vector<milliseconds>{3000ms}));

    try {
        retrier.run("x", [&](int) -> int { throw TransientFailure(ErrorCode::SourceUnavailable, "HTTP 429", 60s); });
        FAIL() << "no error";
    } catch (const GatewayError& e) {
        EXPECT_EQ(e.code(), ErrorCode::SourceUnavailable);
        EXPECT_EQ(e.message(),
                  "x: failed after 1 attempt: HTTP 429; the server asks to retry after 60000 ms, more than the 5000 "
                  "ms allowed");
    }
}

TEST(RetrierTest, AnOpenBreakerStopsTheRetriesAndLaterCallsAtOnce) {
    testing::ManualClock clock;
    CircuitBreaker breaker({2, 30s}, clock);
    RecordingSleeper sleeps;
    Retrier retrier({5, 10ms, 100ms, 60s}, 1, sleeps.sleeper(), &breaker);
    int calls = 0;
    const auto failing = [&](int) -> int {
        ++calls;
        throw TransientFailure(ErrorCode::SourceUnavailable, "connection refused");
    };
    try {
        retrier.run("civil_rescue: GET https://host/cases", failing);
        FAIL() << "no error";
    } catch (const GatewayError& e) {
        EXPECT_EQ(e.code(), ErrorCode::SourceUnavailable);
        EXPECT_EQ(e.message(),
                  "civil_rescue: GET https://host/cases: failed after 2 attempts: circuit breaker open after 2 "
                  "consecutive failures; next trial at 2026-11-01T08:00:30Z");
    }
    EXPECT_EQ(calls, 2);

    EXPECT_THROW(retrier.run("x", failing), GatewayError);
    EXPECT_EQ(calls, 2) << "refused without calling the source";

    clock.advance(30s);
    EXPECT_EQ(retrier.run("x", [](int) { return 1; }), 1);
    EXPECT_EQ(breaker.state(), CircuitBreaker::State::Closed);
}

TEST(RetrierTest, AnAnswerThatIsAnErrorStillClosesTheBreaker) {
    testing::ManualClock clock;
    CircuitBreaker breaker({1, 1s}, clock);
    Retrier retrier(
        {1, 0ms, 0ms, 60s}, 1, [](milliseconds) {}, &breaker);
    EXPECT_THROW(retrier.run("x", [](int) -> int { throw TransientFailure(ErrorCode::SourceUnavailable, "down"); }),
                 GatewayError);
    ASSERT_EQ(breaker.state(), CircuitBreaker::State::Open);
    clock.advance(1s);
    EXPECT_THROW(retrier.run("x", [](int) -> int { throw GatewayError(ErrorCode::SourceError, "HTTP 401"); }),
                 GatewayError);
    EXPECT_EQ(breaker.state(), CircuitBreaker::State::Closed);
}

}  // namespace
}  // namespace gateway::net
