#include "gateway/mapping/text_util.h"

#include "gateway/common/utf8.h"

namespace gateway::mapping::text {

static_assert(sizeof(wchar_t) == 4, "regular expressions over code points need a 32-bit wchar_t");

char32_t next(std::string_view text, std::size_t& pos) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(pos);
    std::size_t extra = 0;
    char32_t value = lead;
    if (lead >= 0xF0) {
        extra = 3;
        value = lead & 0x07;
    } else if (lead >= 0xE0) {
        extra = 2;
        value = lead & 0x0F;
    } else if (lead >= 0xC0) {
        extra = 1;
        value = lead & 0x1F;
    }
    ++pos;
    for (std::size_t i = 0; i < extra && pos < text.size(); ++i, ++pos) {
        value = (value << 6) | (byte(pos) & 0x3F);
    }
    return value;
}

void trimSpaces(std::string& text) {
    std::size_t begin = 0;
    while (begin < text.size()) {
        std::size_t pos = begin;
        if (!utf8::isSpace(next(text, pos))) {
            break;
        }
        begin = pos;
    }
    std::size_t end = text.size();
    while (end > begin) {
        std::size_t start = end - 1;
        while (start > begin && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) {
            --start;
        }
        std::size_t pos = start;
        if (!utf8::isSpace(next(text, pos))) {
            break;
        }
        end = start;
    }
    if (begin == 0 && end == text.size()) {
        return;
    }
    text.erase(end);
    text.erase(0, begin);
}

std::wstring toWide(std::string_view text) {
    std::wstring out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        out.push_back(static_cast<wchar_t>(next(text, pos)));
    }
    return out;
}

std::string fromWide(std::wstring_view text) {
    std::string out;
    out.reserve(text.size() * 3);
    for (const wchar_t c : text) {
        utf8::append(out, static_cast<char32_t>(c));
    }
    return out;
}

std::string foldWidth(std::string_view text, bool trim) {
    std::string folded;
    folded.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        utf8::append(folded, utf8::foldFullWidth(next(text, pos)));
    }
    if (trim) {
        trimSpaces(folded);
    }
    return folded;
}

}  // namespace gateway::mapping::text
