#pragma once

#include <Poco/Timestamp.h>

#include <optional>
#include <string>

namespace gateway {

/// Time behind an interface, so that tests set it instead of sleeping.
class Clock {
public:
    virtual ~Clock() = default;
    virtual Poco::Timestamp now() const = 0;
};

class SystemClock : public Clock {
public:
    Poco::Timestamp now() const override { return Poco::Timestamp(); }
};

/// The system clock moved so that it read `start` when it was made, and runs on from there: how a test or a drill
/// gives a process an instant of its choosing (GATEWAY_CLOCK_START) without holding time still.
class ShiftedClock : public Clock {
public:
    explicit ShiftedClock(const Poco::Timestamp& start) : shift_(start - Poco::Timestamp()) {}
    Poco::Timestamp now() const override { return Poco::Timestamp() + shift_; }

private:
    Poco::Timestamp::TimeDiff shift_;
};

/// ISO-8601 UTC with milliseconds, e.g. 2026-11-01T08:00:00.000Z: the one timestamp format the store and the
/// exchange log use, so that text order is time order.
std::string formatIso(const Poco::Timestamp& time);

/// A time formatIso() wrote, or any ISO-8601 date and time with seconds and a zone (Z or ±hh:mm); nullopt otherwise.
std::optional<Poco::Timestamp> parseIso(const std::string& text);

}  // namespace gateway
