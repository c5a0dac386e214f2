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

/// ISO-8601 UTC with milliseconds, e.g. 2026-11-01T08:00:00.000Z: the one timestamp format the store and the
/// exchange log use, so that text order is time order.
std::string formatIso(const Poco::Timestamp& time);

/// A time formatIso() wrote (or any ISO-8601 time Poco reads), or nullopt.
std::optional<Poco::Timestamp> parseIso(const std::string& text);

}  // namespace gateway
