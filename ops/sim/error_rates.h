#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace deptsim {

/// How often the registers get things wrong. Each rate is a probability per row (per field for the field
/// errors), drawn from the row's own seed, so the same city always carries the same errors.
struct ErrorRates {
    double typo = 0.02;            // a given-name character replaced by another name character
    double homophone = 0.03;       // a character replaced by one with the same pinyin
    double missing_id = 0.02;      // an ID number left empty
    double bad_check = 0.01;       // an ID number with a wrong check character
    double id15 = 0.05;            // a parent born before 1991 recorded with the old 15-digit number
    double swap_day_month = 0.01;  // day and month swapped in a birth date
    double full_width = 0.02;      // digits typed full-width (１２３)
    double trailing_space = 0.03;  // a name or ID with a trailing space
    double stale_address = 0.05;   // a residence the source never updated
    double moved = 0.03;           // households that moved within the last two years (a fact, not an error)
    double duplicate = 0.015;      // a second row for the same child under another source ID
    double late = 0.3;             // a source still showing a parent's status from before a recent change
    double unmappable = 0.002;     // an extra row without any identifier and with an impossible birth date
    double rare_name = 0.005;      // children's names with a rare character (outside GBK or the BMP)

    friend bool operator==(const ErrorRates&, const ErrorRates&) = default;
};

/// Reads "typo=0.05,duplicate=0" on top of the defaults. Names: typo, homophone, missing_id, bad_check, id15,
/// swap_dm, fullwidth, trailing_space, stale_address, moved, duplicate, late, unmappable, rare_name.
std::optional<ErrorRates> parseErrorRates(std::string_view spec, std::string& error);

/// Every rate, in the form parseErrorRates reads.
std::string formatErrorRates(const ErrorRates& rates);

}  // namespace deptsim
