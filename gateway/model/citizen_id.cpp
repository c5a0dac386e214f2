#include "gateway/model/citizen_id.h"

#include "gateway/common/utf8.h"

#include <algorithm>
#include <array>

namespace gateway::model {
namespace {

constexpr std::size_t kLength = 18;
constexpr std::size_t kOldLength = 15;
constexpr std::size_t kBodyLength = 17;
constexpr std::size_t kMaskKeepFront = 6;
constexpr std::size_t kMaskKeepBack = 4;

// Wi = 2^(18-i) mod 11 for positions i = 1..17 (GB 11643-1999, 4.2).
constexpr std::array<int, kBodyLength> kWeights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
constexpr std::string_view kCheckCharacters = "10X98765432";

/// Mainland provinces, plus 71 (Taiwan) and 81/82/83, which residence permits for Hong Kong, Macao and Taiwan
/// residents use.
bool isProvinceCode(int code) {
    return (code >= 11 && code <= 15) || (code >= 21 && code <= 23) || (code >= 31 && code <= 37) ||
           (code >= 41 && code <= 46) || (code >= 50 && code <= 54) || (code >= 61 && code <= 65) || code == 71 ||
           (code >= 81 && code <= 83);
}

bool isDigit(char32_t c) {
    return c >= U'0' && c <= U'9';
}

int digitsValue(std::string_view digits) {
    int value = 0;
    for (const char c : digits) {
        value = value * 10 + (c - '0');
    }
    return value;
}

std::string describe(std::string_view text) {
    return "citizen ID " + utf8::quote(text);
}

std::string ordinal(std::size_t n) {
    const std::size_t tens = n % 100;
    const std::size_t ones = n % 10;
    const char* suffix = "th";
    if (tens < 11 || tens > 13) {
        if (ones == 1) {
            suffix = "st";
        } else if (ones == 2) {
            suffix = "nd";
        } else if (ones == 3) {
            suffix = "rd";
        }
    }
    return std::to_string(n) + suffix;
}

}  // namespace

std::optional<char> CitizenId::checkCharacter(std::string_view body17) noexcept {
    if (body17.size() != kBodyLength) {
        return std::nullopt;
    }
    int sum = 0;
    for (std::size_t i = 0; i < kBodyLength; ++i) {
        const char c = body17[i];
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        sum += (c - '0') * kWeights[i];
    }
    return kCheckCharacters[static_cast<std::size_t>(sum % 11)];
}

Sex CitizenId::sex() const noexcept {
    return (value_[16] - '0') % 2 == 1 ? Sex::Male : Sex::Female;
}

std::string CitizenId::masked() const {
    return maskCitizenId(value_);
}

CitizenIdResult parseCitizenId(std::string_view text) {
    // Month 0: no birth date, so a 15-digit number gets the century GB 11643-1989 implies.
    return parseCitizenId(text, CalendarDate(0, 0, 0));
}

CitizenIdResult parseCitizenId(std::string_view text, const CalendarDate& record_birth_date) {
    using Result = CitizenIdResult;
    if (text.empty()) {
        return Result::failure(CitizenIdError::Empty, "citizen ID is empty");
    }
    utf8::DecodeError decode_error;
    const auto decoded = utf8::decode(text, &decode_error);
    if (!decoded) {
        return Result::failure(CitizenIdError::BadCharacter,
                               describe(text) + " is not valid UTF-8: " + decode_error.reason);
    }
    std::u32string folded;
    folded.reserve(decoded->size());
    for (const char32_t c : *decoded) {
        folded.push_back(utf8::foldFullWidth(c));
    }
    const auto first = std::find_if_not(folded.begin(), folded.end(), utf8::isSpace);
    const auto last = std::find_if_not(folded.rbegin(), folded.rend(), utf8::isSpace).base();
    if (first >= last) {
        return Result::failure(CitizenIdError::Empty, describe(text) + " is blank");
    }

    std::string number;
    number.reserve(kLength);
    for (auto it = first; it != last; ++it) {
        const char32_t c = *it;
        if (isDigit(c) || c == U'X' || c == U'x') {
            if (number.size() <= kLength) {
                number.push_back(c == U'x' ? 'X' : static_cast<char>(c));
            }
            continue;
        }
        const auto position = static_cast<std::size_t>(it - first) + 1;
        return Result::failure(CitizenIdError::BadCharacter, describe(text) + " contains " +
                                                                 utf8::quote(utf8::encode(std::u32string(1, c))) +
                                                                 " as its " + ordinal(position) +
                                                                 " character; only digits and a final X are allowed");
    }
    const auto length = static_cast<std::size_t>(last - first);
    if (length != kLength && length != kOldLength) {
        return Result::failure(CitizenIdError::BadLength, describe(text) + " has " + std::to_string(length) +
                                                              " characters, expected 18 (or 15 for the old form)");
    }
    const std::size_t x_position = number.find('X');
    if (x_position != std::string::npos && x_position != kLength - 1) {
        return Result::failure(CitizenIdError::BadCharacter,
                               describe(text) + " has X as its " + ordinal(x_position + 1) +
                                   " character; X is only allowed as the 18th (check) character");
    }

    const bool was_upgraded = length == kOldLength;
    bool contradicts = false;
    std::string century = "19";
    const bool have_evidence = record_birth_date.isValid() && record_birth_date.year() >= kMinDateYear &&
                               record_birth_date.year() <= kMaxDateYear;
    if (was_upgraded && have_evidence) {
        const std::string_view yymmdd = std::string_view(number).substr(6, 6);
        const bool agrees = digitsValue(yymmdd.substr(0, 2)) == record_birth_date.year() % 100 &&
                            digitsValue(yymmdd.substr(2, 2)) == record_birth_date.month() &&
                            digitsValue(yymmdd.substr(4, 2)) == record_birth_date.day();
        if (agrees) {
            century = std::to_string(record_birth_date.year() / 100);
        } else {
            contradicts = true;
        }
    }
    const std::string body =
        was_upgraded ? number.substr(0, 6) + century + number.substr(6) : number.substr(0, kBodyLength);
    // The body is 17 ASCII digits here, so a check character always exists.
    const char expected = CitizenId::checkCharacter(body).value_or('?');
    // A wrong check character is kept, not corrected: the mistake may be in any digit.
    const std::string normalised = was_upgraded ? body + expected : number;
    CitizenIdDetails details{normalised};

    if (!was_upgraded && number.back() != expected) {
        return Result::failure(CitizenIdError::BadCheckDigit,
                               describe(text) + " has check character " + number.back() + ", expected " + expected,
                               std::move(details));
    }
    const int province = digitsValue(std::string_view(normalised).substr(0, 2));
    if (!isProvinceCode(province)) {
        return Result::failure(CitizenIdError::BadRegion,
                               describe(text) + " starts with " + normalised.substr(0, 2) +
                                   ", which is not a province-level code (11-15, 21-23, 31-37, 41-46, 50-54, "
                                   "61-65, 71, 81-83)",
                               std::move(details));
    }
    if (contradicts) {
        return Result::failure(CitizenIdError::ContradictsBirthDate,
                               describe(text) + " has birth date " + number.substr(6, 6) +
                                   " (YYMMDD), which contradicts the record's birth date " + record_birth_date.toIso() +
                                   ", so its century is unknown");
    }
    const std::string_view date_digits = std::string_view(normalised).substr(6, 8);
    const CalendarDate birth_date(digitsValue(date_digits.substr(0, 4)), digitsValue(date_digits.substr(4, 2)),
                                  digitsValue(date_digits.substr(6, 2)));
    if (birth_date.year() < kMinDateYear) {
        return Result::failure(
            CitizenIdError::BadBirthDate,
            describe(text) + " has birth date " + std::string(date_digits) + ", before " + std::to_string(kMinDateYear),
            std::move(details));
    }
    if (const std::string why = explainInvalidDate(birth_date.year(), birth_date.month(), birth_date.day());
        !why.empty()) {
        return Result::failure(
            CitizenIdError::BadBirthDate,
            describe(text) + " has birth date " + std::string(date_digits) + ", which is not a real date: " + why,
            std::move(details));
    }
    return Result::success(CitizenId(normalised, std::string(text), was_upgraded, birth_date), std::move(details));
}

std::string maskCitizenId(std::string_view text) {
    const auto decoded = utf8::decode(text);
    if (!decoded) {
        return std::string(text.size(), '*');
    }
    const std::size_t length = decoded->size();
    if (length < kOldLength) {
        return std::string(length, '*');
    }
    std::u32string masked = *decoded;
    std::fill(masked.begin() + kMaskKeepFront, masked.end() - kMaskKeepBack, U'*');
    return utf8::encode(masked);
}

}  // namespace gateway::model
