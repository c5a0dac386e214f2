#include "ops/sim/time_format.h"

#include <cstdio>

namespace deptsim {

using gateway::model::CalendarDate;

EpochSeconds epochSeconds(const CalendarDate& date, EpochSeconds seconds_of_day) {
    return date.daysSinceEpoch() * kSecondsPerDay + seconds_of_day;
}

CalendarDate dateOf(EpochSeconds time) {
    EpochSeconds days = time / kSecondsPerDay;
    if (time % kSecondsPerDay < 0) {
        --days;
    }
    return CalendarDate::fromDaysSinceEpoch(days);
}

namespace {

struct Parts {
    CalendarDate date;
    int hour;
    int minute;
    int second;
};

Parts split(EpochSeconds time) {
    const CalendarDate date = dateOf(time);
    const EpochSeconds rest = time - epochSeconds(date);
    return {date, static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60)};
}

bool readDigits(std::string_view text, std::size_t at, std::size_t count, int& value) {
    if (at + count > text.size()) {
        return false;
    }
    value = 0;
    for (std::size_t i = at; i < at + count; ++i) {
        if (text[i] < '0' || text[i] > '9') {
            return false;
        }
        value = value * 10 + (text[i] - '0');
    }
    return true;
}

}  // namespace

std::string isoUtc(EpochSeconds time) {
    const Parts p = split(time);
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02dZ", p.date.year(), p.date.month(), p.date.day(),
                  p.hour, p.minute, p.second);
    return buffer;
}

std::string digitsTimestamp(EpochSeconds time) {
    const Parts p = split(time);
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%04d%02d%02d%02d%02d%02d", p.date.year(), p.date.month(), p.date.day(),
                  p.hour, p.minute, p.second);
    return buffer;
}

std::string spacedTimestamp(EpochSeconds time) {
    const Parts p = split(time);
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d %02d:%02d:%02d", p.date.year(), p.date.month(), p.date.day(),
                  p.hour, p.minute, p.second);
    return buffer;
}

std::optional<CalendarDate> parseIsoDate(std::string_view text) {
    int year = 0;
    int month = 0;
    int day = 0;
    if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !readDigits(text, 0, 4, year) ||
        !readDigits(text, 5, 2, month) || !readDigits(text, 8, 2, day)) {
        return std::nullopt;
    }
    const CalendarDate date(year, month, day);
    if (!date.isValid()) {
        return std::nullopt;
    }
    return date;
}

std::optional<EpochSeconds> parseIsoUtc(std::string_view text) {
    const auto date = parseIsoDate(text.substr(0, 10));
    if (!date) {
        return std::nullopt;
    }
    if (text.size() == 10) {
        return epochSeconds(*date);
    }
    int hour = 0;
    int minute = 0;
    int second = 0;
    if (text.size() < 19 || (text[10] != 'T' && text[10] != ' ') || text[13] != ':' || text[16] != ':' ||
        !readDigits(text, 11, 2, hour) || !readDigits(text, 14, 2, minute) || !readDigits(text, 17, 2, second) ||
        hour > 23 || minute > 59 || second > 60) {
        return std::nullopt;
    }
    std::size_t at = 19;
    if (at < text.size() && text[at] == '.') {
        ++at;
        const std::size_t digits_from = at;
        while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
            ++at;
        }
        if (at == digits_from) {
            return std::nullopt;
        }
    }
    EpochSeconds offset = 0;
    const std::string_view zone = text.substr(at);
    if (zone == "Z") {
        offset = 0;
    } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
        int zone_hours = 0;
        int zone_minutes = 0;
        if (!readDigits(zone, 1, 2, zone_hours) || !readDigits(zone, 4, 2, zone_minutes) || zone_hours > 14 ||
            zone_minutes > 59) {
            return std::nullopt;
        }
        offset = (zone_hours * 3600 + zone_minutes * 60) * (zone[0] == '+' ? 1 : -1);
    } else {
        return std::nullopt;
    }
    return epochSeconds(*date, hour * 3600 + minute * 60 + second) - offset;
}

}  // namespace deptsim
