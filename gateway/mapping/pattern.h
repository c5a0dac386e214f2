#pragma once

#include "gateway/common/config_tree.h"

#include <cstddef>
#include <optional>
#include <regex>
#include <string>
#include <string_view>

namespace gateway::mapping {

/// Longest input, in code points, that a pattern is run on. std::regex backtracks recursively, so an unbounded
/// input could exhaust a worker thread's stack.
inline constexpr std::size_t kMaxPatternInput = 1000;

/// A regular expression (ECMAScript syntax) run over code points, so "." matches one Han character, including
/// one outside the BMP.
class Pattern {
public:
    /// Reads the pattern text at `where`; fails there when it is not a valid regular expression.
    static Pattern compile(const ConfigCursor& where);

    const std::string& text() const { return text_; }
    std::size_t groups() const { return groups_; }

    enum class Result { Match, NoMatch, TooLong };

    /// Searches `input` (valid UTF-8); when it matches and `group` is given, `captured` receives that group.
    Result search(std::string_view input, std::size_t group, std::string* captured) const;

    /// "\"…\" is 1200 characters long; patterns only run on up to 1000".
    static std::string tooLongMessage(std::string_view input);

private:
    std::string text_;
    std::wregex regex_;
    std::size_t groups_ = 0;
};

}  // namespace gateway::mapping
