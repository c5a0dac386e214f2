#include "gateway/model/sex.h"

#include "gateway/common/utf8.h"

#include <algorithm>
#include <array>
#include <string>

namespace gateway::model {
namespace {

struct Spelling {
    std::string_view text;  // lower-case, as compared after folding
    Sex sex;
};

constexpr std::array<Spelling, 16> kSpellings = {{
    {"0", Sex::Unknown},
    {"1", Sex::Male},
    {"2", Sex::Female},
    {"9", Sex::Unstated},
    {"男", Sex::Male},
    {"男性", Sex::Male},
    {"m", Sex::Male},
    {"male", Sex::Male},
    {"女", Sex::Female},
    {"女性", Sex::Female},
    {"f", Sex::Female},
    {"female", Sex::Female},
    {"未知", Sex::Unknown},
    {"未知的性别", Sex::Unknown},
    {"未说明", Sex::Unstated},
    {"未说明的性别", Sex::Unstated},
}};

}  // namespace

std::string_view sexCode(Sex sex) noexcept {
    switch (sex) {
        case Sex::Unknown:
            return "0";
        case Sex::Male:
            return "1";
        case Sex::Female:
            return "2";
        case Sex::Unstated:
            return "9";
    }
    return "0";
}

std::string_view sexLabel(Sex sex) noexcept {
    switch (sex) {
        case Sex::Unknown:
            return "未知的性别";
        case Sex::Male:
            return "男";
        case Sex::Female:
            return "女";
        case Sex::Unstated:
            return "未说明的性别";
    }
    return "未知的性别";
}

SexResult parseSex(std::string_view text) {
    utf8::DecodeError decode_error;
    const auto decoded = utf8::decode(text, &decode_error);
    if (!decoded) {
        return SexResult::failure(SexError::Unrecognised,
                                  "sex " + utf8::quote(text) + " is not valid UTF-8: " + decode_error.reason);
    }
    std::u32string folded;
    for (char32_t c : *decoded) {
        c = utf8::foldFullWidth(c);
        if (c >= U'A' && c <= U'Z') {
            c = c - U'A' + U'a';
        }
        folded.push_back(c);
    }
    const auto first = std::find_if_not(folded.begin(), folded.end(), utf8::isSpace);
    const auto last = std::find_if_not(folded.rbegin(), folded.rend(), utf8::isSpace).base();
    if (first >= last) {
        return SexResult::failure(
            SexError::Empty, text.empty() ? std::string("sex is empty") : "sex " + utf8::quote(text) + " is empty");
    }
    const std::string key = utf8::encode(std::u32string_view(&*first, static_cast<std::size_t>(last - first)));
    for (const Spelling& spelling : kSpellings) {
        if (spelling.text == key) {
            return SexResult::success(spelling.sex);
        }
    }
    return SexResult::failure(SexError::Unrecognised,
                              "sex " + utf8::quote(text) +
                                  " is not recognised; expected a GB/T 2261.1 code (0, 1, 2, 9), 男/女, M/F or "
                                  "male/female");
}

}  // namespace gateway::model
