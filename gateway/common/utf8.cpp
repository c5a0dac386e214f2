#include "gateway/common/utf8.h"

#include <cstdint>
#include <cstdio>
#include <cstring>

namespace gateway::utf8 {
namespace {

std::string hexByte(unsigned char byte) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "0x%02X", byte);
    return buffer;
}

/// Decodes one sequence at `pos`. Returns the length consumed (0 on error) and the code point.
std::size_t decodeOne(std::string_view text, std::size_t pos, char32_t& out, std::string* reason) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(pos);
    if (lead < 0x80) {
        out = lead;
        return 1;
    }
    std::size_t need = 0;
    char32_t value = 0;
    char32_t minimum = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        need = 1, value = lead & 0x1F, minimum = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        need = 2, value = lead & 0x0F, minimum = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        need = 3, value = lead & 0x07, minimum = 0x10000;
    } else {
        if (reason) {
            *reason = "invalid UTF-8 byte " + hexByte(lead) + " at byte " + std::to_string(pos);
        }
        return 0;
    }
    if (pos + need >= text.size()) {
        if (reason) {
            *reason = "truncated UTF-8 sequence at byte " + std::to_string(pos);
        }
        return 0;
    }
    for (std::size_t i = 1; i <= need; ++i) {
        const unsigned char next = byte(pos + i);
        if ((next & 0xC0) != 0x80) {
            if (reason) {
                *reason = "invalid UTF-8 byte " + hexByte(next) + " at byte " + std::to_string(pos + i);
            }
            return 0;
        }
        value = (value << 6) | (next & 0x3F);
    }
    if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
        if (reason) {
            *reason = "invalid UTF-8 sequence (overlong, surrogate or out of range) at byte " + std::to_string(pos);
        }
        return 0;
    }
    out = value;
    return need + 1;
}

}  // namespace

std::optional<std::u32string> decode(std::string_view text, DecodeError* error) {
    std::u32string result;
    result.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        char32_t c = 0;
        std::string reason;
        const std::size_t used = decodeOne(text, pos, c, error ? &reason : nullptr);
        if (used == 0) {
            if (error) {
                error->offset = pos;
                error->reason = std::move(reason);
            }
            return std::nullopt;
        }
        result.push_back(c);
        pos += used;
    }
    return result;
}

bool isValid(std::string_view text) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        // Runs of ASCII, most of a record, eight bytes at a time.
        while (pos + sizeof(std::uint64_t) <= text.size()) {
            std::uint64_t word = 0;
            std::memcpy(&word, text.data() + pos, sizeof word);
            if ((word & 0x8080808080808080ULL) != 0) {
                break;
            }
            pos += sizeof word;
        }
        if (pos == text.size()) {
            break;
        }
        char32_t c = 0;
        const std::size_t used = decodeOne(text, pos, c, nullptr);
        if (used == 0) {
            return false;
        }
        pos += used;
    }
    return true;
}

void append(std::string& out, char32_t c) {
    if (c < 0x80) {
        out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (c >> 6)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (c >> 12)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (c >> 18)));
        out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
}

std::string encode(std::u32string_view code_points) {
    std::string out;
    out.reserve(code_points.size() * 3);
    for (const char32_t c : code_points) {
        append(out, c);
    }
    return out;
}

std::size_t length(std::string_view text) {
    std::size_t count = 0;
    for (const char ch : text) {
        if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) {
            ++count;
        }
    }
    return count;
}

std::string toValidUtf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        char32_t c = 0;
        const std::size_t used = decodeOne(text, pos, c, nullptr);
        if (used == 0) {
            append(out, 0xFFFD);
            ++pos;
        } else {
            out.append(text.substr(pos, used));
            pos += used;
        }
    }
    return out;
}

std::string quote(std::string_view text, std::size_t max_chars) {
    std::string out = "\"";
    std::size_t pos = 0;
    std::size_t chars = 0;
    while (pos < text.size()) {
        if (chars == max_chars) {
            out += "…";
            break;
        }
        char32_t c = 0;
        const std::size_t used = decodeOne(text, pos, c, nullptr);
        if (used == 0) {
            out += "\\x" + hexByte(static_cast<unsigned char>(text[pos])).substr(2);
            ++pos;
        } else {
            if (c < 0x20 || c == 0x7F) {
                out += "\\x" + hexByte(static_cast<unsigned char>(c)).substr(2);
            } else if (c == '"' || c == '\\') {
                out.push_back('\\');
                out.push_back(static_cast<char>(c));
            } else if ((c >= 0x80 && c < 0xA0) || c == 0x2028 || c == 0x2029 || c == 0xFEFF) {
                char buffer[16];
                std::snprintf(buffer, sizeof buffer, "\\u{%X}", static_cast<unsigned>(c));
                out += buffer;
            } else {
                out.append(text.substr(pos, used));
            }
            pos += used;
        }
        ++chars;
    }
    out += "\"";
    return out;
}

bool isSpace(char32_t c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == 0x00A0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F || c == 0x3000;
}

char32_t foldFullWidth(char32_t c) {
    if (c >= 0xFF01 && c <= 0xFF5E) {
        return c - 0xFEE0;
    }
    if (c == 0x3000) {
        return ' ';
    }
    return c;
}

bool isHan(char32_t c) {
    return (c >= 0x3400 && c <= 0x4DBF) ||    // Extension A
           (c >= 0x4E00 && c <= 0x9FFF) ||    // URO
           (c >= 0xF900 && c <= 0xFAFF) ||    // compatibility ideographs
           (c >= 0x20000 && c <= 0x2A6DF) ||  // Extension B
           (c >= 0x2A700 && c <= 0x2EE5F) ||  // Extensions C–F, I
           (c >= 0x2F800 && c <= 0x2FA1F) ||  // compatibility supplement
           (c >= 0x30000 && c <= 0x323AF);    // Extensions G, H
}

}  // namespace gateway::utf8
