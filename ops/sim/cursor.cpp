#include "ops/sim/cursor.h"

#include "ops/sim/time_format.h"

namespace deptsim {

namespace {

constexpr std::string_view kPrefix = "c1";
constexpr std::string_view kHex = "0123456789abcdef";

int hexValue(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

bool validId(std::string_view id) {
    for (const char c : id) {
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) {
            return false;
        }
    }
    return id.size() <= 32;
}

}  // namespace

std::string encodeCursor(const Cursor& cursor) {
    const std::string plain = cursor.stamp + "|" + cursor.id;
    std::string out(kPrefix);
    for (const char c : plain) {
        const auto byte = static_cast<unsigned char>(c);
        out += kHex[byte >> 4];
        out += kHex[byte & 0xF];
    }
    return out;
}

std::optional<Cursor> decodeCursor(std::string_view text) {
    if (text.substr(0, kPrefix.size()) != kPrefix || (text.size() - kPrefix.size()) % 2 != 0 || text.size() > 200) {
        return std::nullopt;
    }
    std::string plain;
    for (std::size_t i = kPrefix.size(); i < text.size(); i += 2) {
        const int high = hexValue(text[i]);
        const int low = hexValue(text[i + 1]);
        if (high < 0 || low < 0) {
            return std::nullopt;
        }
        plain += static_cast<char>(high * 16 + low);
    }
    const std::size_t bar = plain.find('|');
    if (bar == std::string::npos) {
        return std::nullopt;
    }
    Cursor cursor{plain.substr(0, bar), plain.substr(bar + 1)};
    if ((!cursor.stamp.empty() && !parseIsoUtc(cursor.stamp)) || !validId(cursor.id)) {
        return std::nullopt;
    }
    return cursor;
}

}  // namespace deptsim
