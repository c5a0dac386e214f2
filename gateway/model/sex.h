#pragma once

#include "gateway/model/parsed.h"

#include <string_view>

namespace gateway::model {

/// GB/T 2261.1-2003 (the same codes as ISO/IEC 5218).
enum class Sex {
    Unknown = 0,   // 未知的性别
    Male = 1,      // 男
    Female = 2,    // 女
    Unstated = 9,  // 未说明的性别
};

/// "0", "1", "2" or "9".
std::string_view sexCode(Sex sex) noexcept;

/// The Chinese label of the standard: 未知的性别, 男, 女 or 未说明的性别.
std::string_view sexLabel(Sex sex) noexcept;

enum class SexError {
    Empty,         // nothing but spaces; the caller decides whether that means Unknown
    Unrecognised,  // anything else that is not one of the accepted spellings
};

using SexResult = Parsed<Sex, SexError>;

/// Accepts the codes 0/1/2/9, 男/女/男性/女性, M/F, male/female (any case), 未知/未知的性别 and 未说明/未说明的性别,
/// with surrounding spaces and full-width forms.
SexResult parseSex(std::string_view text);

}  // namespace gateway::model
