#include "gateway/common/redact.h"

namespace gateway {

namespace {

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

// Digits that run on from ASCII letters belong to a word (a person ID such as "Pa13912345678", a hash), not to a
// number someone typed.
bool isWordChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool personalRun(std::string_view run) {
    const std::size_t digits = run.size() - ((run.back() == 'X' || run.back() == 'x') ? 1 : 0);
    if (run.size() == 18 && digits >= 17) {
        return true;
    }
    if (digits != run.size()) {
        return false;  // a check character belongs only to an 18-character number
    }
    return run.size() == 15 || (run.size() == 11 && run.front() == '1');
}

}  // namespace

std::string redactPersonalNumbers(std::string_view text, bool inside_words) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        if (!isDigit(text[i])) {
            out += text[i++];
            continue;
        }
        std::size_t end = i;
        while (end < text.size() && isDigit(text[end])) {
            ++end;
        }
        // An X right after 17 digits is an ID number's check character.
        if (end - i == 17 && end < text.size() && (text[end] == 'X' || text[end] == 'x')) {
            ++end;
        }
        const std::string_view run = text.substr(i, end - i);
        const bool in_word =
            !inside_words && ((i > 0 && isWordChar(text[i - 1])) || (end < text.size() && isWordChar(text[end])));
        if (!in_word && personalRun(run)) {
            out += kRedacted;
        } else {
            out += run;
        }
        i = end;
    }
    return out;
}

}  // namespace gateway
