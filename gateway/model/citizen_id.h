#pragma once

#include "gateway/model/calendar_date.h"
#include "gateway/model/parsed.h"
#include "gateway/model/sex.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace gateway::model {

enum class CitizenIdError {
    Empty,          // nothing but spaces
    BadLength,      // not 18 (or 15 for the 1989 form) characters
    BadCharacter,   // not valid UTF-8, a character other than a digit or X, or X anywhere but last
    BadRegion,      // the first two digits are not a province-level code
    BadBirthDate,   // positions 7–14 are not a real date from 1850 on
    BadCheckDigit,  // the 18th character does not match ISO 7064 MOD 11-2
    /// A 15-digit number whose YYMMDD is not the year-in-century, month and day of the birth date given with
    /// it: the century cannot be told.
    ContradictsBirthDate,
};

/// What a parse learnt even when it failed.
struct CitizenIdDetails {
    /// The 18-character form (upper-case X, ASCII digits, 15-digit numbers upgraded) whenever the input had the
    /// shape of an ID number: set on success and for BadRegion, BadBirthDate and BadCheckDigit, so that a
    /// mistyped number can still serve as evidence in fuzzy matching. Empty otherwise, and for
    /// ContradictsBirthDate: either century would be a guess, and a guess with a computed check character would
    /// pass for a valid number.
    std::string normalised;
};

class CitizenId;
using CitizenIdResult = Parsed<CitizenId, CitizenIdError, CitizenIdDetails>;

/// Reads a GB 11643 citizen ID number. Surrounding ASCII and Unicode spaces are trimmed, full-width digits and
/// Ｘ are folded and x is accepted. A 15-digit number (GB 11643-1989) is upgraded to 18 characters by
/// inserting "19" and computing the check character. The birth date must be a real date from 1850 on; whether
/// it lies in the future is for a caller with a clock to decide.
CitizenIdResult parseCitizenId(std::string_view text);

/// The same with the birth date that the record holding the number gives, as evidence of the century that a
/// 15-digit number lacks. Legacy systems also cut 18-digit numbers of people born from 2000 on down to 15 digits
/// (dropping "20" and the check character), so "19" is only right when the record says so. When the record's
/// birth date has the number's YYMMDD, the number is upgraded with that date's century; when it has another date,
/// parsing fails with ContradictsBirthDate rather than give the number a century it may not have. A
/// `record_birth_date` that is not a real date from 1850 to 2199 is no evidence, and 18-character numbers are read as
/// parseCitizenId(text) reads them.
CitizenIdResult parseCitizenId(std::string_view text, const CalendarDate& record_birth_date);

/// A valid GB 11643-1999 citizen ID number.
class CitizenId {
public:
    /// The ISO 7064 MOD 11-2 check character ('0'–'9' or 'X') of the first 17 characters, or nullopt when
    /// `body17` is not exactly 17 ASCII digits.
    static std::optional<char> checkCharacter(std::string_view body17) noexcept;

    /// 18 characters, ASCII digits and upper-case X.
    const std::string& value() const noexcept { return value_; }
    /// The text as given to parseCitizenId, untrimmed.
    const std::string& original() const noexcept { return original_; }
    /// True when the original was a 15-digit number. Its century is "19" unless a birth date given with it said
    /// otherwise.
    bool wasUpgraded() const noexcept { return was_upgraded_; }

    CalendarDate birthDate() const noexcept { return birth_date_; }
    /// From the parity of the 17th digit: odd is male, even is female.
    Sex sex() const noexcept;
    /// The address code, the first 6 digits: the county of household registration when the number was
    /// assigned, which may since have been abolished.
    std::string_view regionCode() const noexcept { return std::string_view(value_).substr(0, 6); }
    /// "320411********1248", for logs and screens that must not show the number.
    std::string masked() const;

    /// Same number, whatever the original spelling.
    friend bool operator==(const CitizenId& a, const CitizenId& b) noexcept { return a.value_ == b.value_; }

private:
    friend CitizenIdResult parseCitizenId(std::string_view text, const CalendarDate& record_birth_date);

    CitizenId(std::string value, std::string original, bool was_upgraded, CalendarDate birth_date)
        : value_(std::move(value)),
          original_(std::move(original)),
          was_upgraded_(was_upgraded),
          birth_date_(birth_date) {}

    std::string value_;
    std::string original_;
    bool was_upgraded_ = false;
    CalendarDate birth_date_;
};

/// Masks any text that may hold an ID number: the first 6 and last 4 characters stay and the rest become
/// asterisks when the text has at least 15 characters (the shortest ID form); shorter text is all asterisks,
/// one per character. Text that is not valid UTF-8 is masked one asterisk per byte.
std::string maskCitizenId(std::string_view text);

}  // namespace gateway::model
