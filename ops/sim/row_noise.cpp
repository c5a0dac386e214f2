#include "ops/sim/row_noise.h"

#include "gateway/common/utf8.h"
#include "gateway/model/citizen_id.h"

#include <cstdio>

namespace deptsim {

namespace utf8 = gateway::utf8;
using gateway::model::CalendarDate;

std::string formatDate(const CalendarDate& date, DateLayout layout) {
    char buffer[24];
    switch (layout) {
        case DateLayout::Compact:
            std::snprintf(buffer, sizeof buffer, "%04d%02d%02d", date.year(), date.month(), date.day());
            break;
        case DateLayout::Iso:
            std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", date.year(), date.month(), date.day());
            break;
        case DateLayout::Slash:
            std::snprintf(buffer, sizeof buffer, "%04d/%d/%d", date.year(), date.month(), date.day());
            break;
    }
    return buffer;
}

std::string fullWidthDigits(std::string_view text) {
    std::string out;
    out.reserve(text.size() * 3);
    for (const char c : text) {
        if (c >= '0' && c <= '9') {
            utf8::append(out, U'\uFF10' + static_cast<char32_t>(c - '0'));
        } else if (c == 'X') {
            utf8::append(out, U'\uFF38');
        } else {
            out += c;
        }
    }
    return out;
}

std::string RowNoise::spaced(std::string text) {
    if (random_.chance(rates_.trailing_space)) {
        text += random_.chance(0.7) ? " " : "\u3000";
    }
    return text;
}

std::string RowNoise::name(std::string_view name, int sex) {
    auto decoded = utf8::decode(name);
    if (!decoded || decoded->empty()) {
        return spaced(std::string(name));
    }
    std::u32string chars = std::move(*decoded);
    const std::size_t surname_length = names_.surnameLength(chars);
    const std::size_t given = chars.size() - surname_length;
    if (given > 0 && random_.chance(rates_.typo)) {
        const std::size_t at = surname_length + random_.below(given);
        const auto replacement = utf8::decode(names_.givenCharacter(random_, sex));
        if (replacement && replacement->size() == 1 && (*replacement)[0] != chars[at]) {
            chars[at] = (*replacement)[0];
        } else if (given == 2) {
            chars.erase(at, 1);  // a dropped character
        }
    }
    if (random_.chance(rates_.homophone)) {
        // Most homophone errors are in the given name; clerks know the common surnames.
        const bool in_surname = given == 0 || random_.chance(0.15);
        const std::size_t at = in_surname ? random_.below(surname_length) : surname_length + random_.below(given);
        if (const auto alternative = names_.homophone(chars[at], random_)) {
            chars[at] = *alternative;
        }
    }
    return spaced(utf8::encode(chars));
}

std::string RowNoise::idErrors(std::string id) {
    if (id.size() == 18 && random_.chance(rates_.bad_check)) {
        const char right = id.back();
        const char wrong = right == 'X' ? '0' : (right == '9' ? 'X' : static_cast<char>(right + 1));
        id.back() = wrong;
    }
    if (random_.chance(rates_.full_width)) {
        id = fullWidthDigits(id);
    }
    return spaced(std::move(id));
}

std::string RowNoise::childId(std::string_view id) {
    if (id.empty() || random_.chance(rates_.missing_id)) {
        return {};
    }
    return idErrors(std::string(id));
}

std::string RowNoise::adultId(std::string_view id) {
    if (id.empty() || random_.chance(rates_.missing_id)) {
        return {};
    }
    // Numbers issued before 1999 were 15 digits long: address code, YYMMDD, sequence, no check character.
    if (id.size() == 18 && id.substr(6, 2) == "19" && id.substr(8, 2) <= "90" && random_.chance(rates_.id15)) {
        return spaced(std::string(id.substr(0, 6)) + std::string(id.substr(8, 9)));
    }
    return idErrors(std::string(id));
}

std::string RowNoise::birthDate(const CalendarDate& date, DateLayout layout) {
    CalendarDate shown = date;
    if (date.day() <= 12 && date.day() != date.month() && random_.chance(rates_.swap_day_month)) {
        shown = CalendarDate(date.year(), date.day(), date.month());
    }
    std::string text = formatDate(shown, layout);
    if (random_.chance(rates_.full_width / 2)) {
        text = fullWidthDigits(text);
    }
    return text;
}

}  // namespace deptsim
