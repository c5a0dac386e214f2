#include "gateway/common/clock.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>

namespace gateway {

std::string formatIso(const Poco::Timestamp& time) {
    return Poco::DateTimeFormatter::format(time, "%Y-%m-%dT%H:%M:%S.%iZ");
}

std::optional<Poco::Timestamp> parseIso(const std::string& text) {
    Poco::DateTime parsed;
    int zone = 0;
    if (!Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, text, parsed, zone)) {
        return std::nullopt;
    }
    parsed.makeUTC(zone);
    return parsed.timestamp();
}

}  // namespace gateway
