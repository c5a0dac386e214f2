#include "gateway/mapping/pattern.h"

#include "gateway/common/utf8.h"
#include "gateway/mapping/text_util.h"

namespace gateway::mapping {

Pattern Pattern::compile(const ConfigCursor& where) {
    Pattern pattern;
    pattern.text_ = where.asString();
    if (pattern.text_.empty()) {
        where.fail("a pattern cannot be empty");
    }
    try {
        pattern.regex_ = std::wregex(text::toWide(pattern.text_), std::regex::ECMAScript);
    } catch (const std::regex_error& error) {
        where.fail("bad regular expression " + singleQuoted(pattern.text_) + ": " + error.what());
    }
    pattern.groups_ = pattern.regex_.mark_count();
    return pattern;
}

Pattern::Result Pattern::search(std::string_view input, std::size_t group, std::string* captured) const {
    if (utf8::length(input) > kMaxPatternInput) {
        return Result::TooLong;
    }
    const std::wstring wide = text::toWide(input);
    std::wsmatch match;
    if (!std::regex_search(wide, match, regex_)) {
        return Result::NoMatch;
    }
    if (captured != nullptr) {
        *captured = match[static_cast<int>(group)].matched ? text::fromWide(match.str(static_cast<int>(group))) : "";
    }
    return Result::Match;
}

std::string Pattern::tooLongMessage(std::string_view input) {
    return utf8::quote(input) + " is " + std::to_string(utf8::length(input)) +
           " characters long; patterns only run on up to " + std::to_string(kMaxPatternInput);
}

}  // namespace gateway::mapping
