#pragma once

#include "gateway/model/parsed.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace gateway::model {

/// Longest accepted name, in code points after normalisation.
inline constexpr std::size_t kMaxNameLength = 64;

enum class NameError {
    InvalidUtf8,       // the bytes are not well-formed UTF-8
    ControlCharacter,  // U+0000–U+001F, U+007F or U+0080–U+009F anywhere, tab and line breaks included
    Empty,             // nothing but spaces
    TooLong,           // more than kMaxNameLength code points after normalisation
};

class PersonName;
using NameResult = Parsed<PersonName, NameError>;

/// Folds full-width ASCII to ASCII, trims, collapses runs of spaces to one ASCII space and drops spaces next
/// to a Han character, and unifies the middle-dot variants of transcribed minority names (· • . ・ ･ ‧ ∙ ⋅ ．
/// and U+0387) to U+00B7 without spaces around it: "阿依古丽 • 买买提" becomes "阿依古丽·买买提".
NameResult normaliseName(std::string_view text);

/// A person's name as received and in the normalised form used for comparison. Normalisation never drops or
/// replaces a character other than spaces, full-width ASCII and middle-dot variants, so rare characters
/// (including those outside the BMP) survive byte for byte.
class PersonName {
public:
    /// Exactly as given, including surrounding spaces.
    const std::string& original() const noexcept { return original_; }
    /// Valid UTF-8, non-empty, at most kMaxNameLength code points.
    const std::string& normalised() const noexcept { return normalised_; }

private:
    friend NameResult normaliseName(std::string_view text);

    PersonName(std::string original, std::string normalised)
        : original_(std::move(original)), normalised_(std::move(normalised)) {}

    std::string original_;
    std::string normalised_;
};

}  // namespace gateway::model
