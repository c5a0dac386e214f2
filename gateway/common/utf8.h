#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

/// UTF-8 helpers. Names are compared by code points, never bytes, and a character is never dropped or
/// replaced in data; only messages and logs use the lossy toValidUtf8().
namespace gateway::utf8 {

/// Where and why decoding stopped.
struct DecodeError {
    std::size_t offset = 0;  // byte offset of the offending sequence
    std::string reason;      // e.g. "invalid UTF-8 byte 0xFF at byte 3"
};

/// Strict decoding: rejects stray continuation bytes, truncated and overlong sequences, surrogates and values
/// above U+10FFFF. Returns the code points, or nullopt with `error` filled in when given.
std::optional<std::u32string> decode(std::string_view text, DecodeError* error = nullptr);

/// True when `text` is well-formed UTF-8.
bool isValid(std::string_view text);

void append(std::string& out, char32_t code_point);
std::string encode(std::u32string_view code_points);

/// Number of code points in well-formed UTF-8 (bytes that are not continuation bytes).
std::size_t length(std::string_view text);

/// Replaces each ill-formed sequence with U+FFFD. For messages and logs only, never for stored data.
std::string toValidUtf8(std::string_view text);

/// A short, printable rendering of untrusted input for error messages: at most `max_chars` code points,
/// control characters shown as \xNN or \u{…}, ill-formed bytes as \xNN, and "…" when cut.
std::string quote(std::string_view text, std::size_t max_chars = 40);

/// True for ASCII whitespace, U+3000 (ideographic space), U+00A0 and the other Unicode space separators.
bool isSpace(char32_t c);

/// Full-width forms U+FF01–U+FF5E become their ASCII counterparts and U+3000 becomes a space.
char32_t foldFullWidth(char32_t c);

/// True for CJK unified ideographs (all extensions, including those outside the BMP) and compatibility ideographs.
bool isHan(char32_t c);

}  // namespace gateway::utf8
