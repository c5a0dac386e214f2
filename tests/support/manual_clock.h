#pragma once

#include "gateway/common/clock.h"

#include <chrono>

namespace gateway::testing {

/// A clock that moves only when told to.
class ManualClock : public Clock {
public:
    Poco::Timestamp now() const override { return now_; }
    void advance(std::chrono::milliseconds by) { now_ += by.count() * 1000; }

private:
    Poco::Timestamp now_ = Poco::Timestamp::fromEpochTime(1793520000);  // 2026-11-01T08:00:00Z
};

}  // namespace gateway::testing
