#pragma once

#include <cstddef>
#include <string>
#include <string_view>

/// Small helpers over text that is already known to be valid UTF-8 (inputs are checked when read).
namespace gateway::mapping::text {

/// The code point at `pos`, advancing `pos` past it.
char32_t next(std::string_view text, std::size_t& pos);

/// Removes leading and trailing ASCII and Unicode spaces in place.
void trimSpaces(std::string& text);

/// `text` with full-width forms folded to ASCII (FULLWIDTH DIGIT ONE is 1, IDEOGRAPHIC SPACE a space); with `trim`,
/// leading and trailing spaces removed as well.
std::string foldWidth(std::string_view text, bool trim);

/// Wide strings hold one code point per wchar_t on this platform, which std::wregex needs to treat a Han
/// character (or one outside the BMP) as one character rather than three or four bytes.
std::wstring toWide(std::string_view text);
std::string fromWide(std::wstring_view text);

}  // namespace gateway::mapping::text
