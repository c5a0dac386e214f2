#include "gateway/common/clock.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>

#include <regex>

namespace gateway {

std::string formatIso(const Poco::Timestamp& time) {
    return Poco::DateTimeFormatter::format(time, "%Y-%m-%dT%H:%M:%S.%iZ");
}

std::optional<Poco::Timestamp> parseIso(const std::string& text) {
    // Poco's parser reads any text as some date ("yesterday" is year 0), so the shape is checked first.
    static const std::regex kShape(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2}))");
    if (!std::regex_match(text, kShape)) {
        return std::nullopt;
    }
    Poco::DateTime parsed;
    int zone = 0;
    if (!Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, text, parsed, zone)) {
        return std::nullopt;
    }
    parsed.makeUTC(zone);
    return parsed.timestamp();
}

}  // namespace gateway
