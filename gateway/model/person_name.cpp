#include "gateway/model/person_name.h"

#include "gateway/common/utf8.h"

#include <array>
#include <cstdio>

namespace gateway::model {
namespace {

constexpr char32_t kMiddleDot = 0x00B7;

// Exports write the separator of transcribed names (阿依古丽·买买提) with whatever dot the input method offered.
constexpr std::array<char32_t, 10> kDotVariants = {0x00B7, 0x2022, 0x002E, 0x30FB, 0xFF65,
                                                   0x2027, 0x2219, 0x22C5, 0xFF0E, 0x0387};

bool isDotVariant(char32_t c) {
    for (const char32_t dot : kDotVariants) {
        if (c == dot) {
            return true;
        }
    }
    return false;
}

bool isControl(char32_t c) {
    return c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0);
}

/// Characters that need no space beside them: Han is written without spaces, and the dot is a separator.
bool joinsWithoutSpace(char32_t c) {
    return c == kMiddleDot || utf8::isHan(c);
}

std::string codePointName(char32_t c) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "U+%04X", static_cast<unsigned>(c));
    return buffer;
}

std::string describe(std::string_view text) {
    return "name " + utf8::quote(text);
}

}  // namespace

NameResult normaliseName(std::string_view text) {
    if (text.empty()) {
        return NameResult::failure(NameError::Empty, "name is empty");
    }
    utf8::DecodeError decode_error;
    const auto decoded = utf8::decode(text, &decode_error);
    if (!decoded) {
        return NameResult::failure(NameError::InvalidUtf8,
                                   describe(text) + " is not valid UTF-8: " + decode_error.reason);
    }
    for (std::size_t i = 0; i < decoded->size(); ++i) {
        const char32_t c = (*decoded)[i];
        if (isControl(c)) {
            return NameResult::failure(NameError::ControlCharacter, describe(text) + " contains control character " +
                                                                        codePointName(c) + " at character " +
                                                                        std::to_string(i + 1));
        }
    }

    std::u32string out;
    out.reserve(decoded->size());
    bool pending_space = false;
    for (const char32_t raw : *decoded) {
        char32_t c = utf8::foldFullWidth(raw);
        if (utf8::isSpace(c)) {
            pending_space = true;
            continue;
        }
        if (isDotVariant(c)) {
            c = kMiddleDot;
        }
        // A run of spaces becomes one space only between two characters that are not Han or a dot; leading
        // and trailing runs vanish because there is no character on one side.
        if (pending_space && !out.empty() && !joinsWithoutSpace(out.back()) && !joinsWithoutSpace(c)) {
            out.push_back(U' ');
        }
        pending_space = false;
        out.push_back(c);
    }
    if (out.empty()) {
        return NameResult::failure(NameError::Empty, describe(text) + " is blank");
    }
    if (out.size() > kMaxNameLength) {
        return NameResult::failure(NameError::TooLong, describe(text) + " has " + std::to_string(out.size()) +
                                                           " characters after normalisation; at most " +
                                                           std::to_string(kMaxNameLength) + " are allowed");
    }
    return NameResult::success(PersonName(std::string(text), utf8::encode(out)));
}

}  // namespace gateway::model
