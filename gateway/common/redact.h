#pragma once

#include <string>
#include <string_view>

namespace gateway {

/// What takes the place of a number redact() removes.
inline constexpr std::string_view kRedacted = "[redacted]";

/// `text` with every run of digits that reads as a citizen ID number (17 digits and a check character, digit or X;
/// or an old 15-digit number) or a mainland mobile number (11 digits starting with 1) replaced by kRedacted. For
/// free text the gateway keeps or logs but did not write itself (a reviewer's comment, a platform's error answer, a
/// request's path): such text can hold a number the sealed columns were built to keep out. Runs of other lengths
/// (dates, counts, seq numbers) stay, and so do digits that run on from an ASCII letter or '_' (person IDs such as
/// "Pa13912345678", hashes, "ID320411…" typed without a space).
/// With `inside_words`, digits that run on from letters are redacted too: for values that are never person IDs or
/// hashes, where "G320411201403051248" is a student number, that is the letter G and a citizen ID.
std::string redactPersonalNumbers(std::string_view text, bool inside_words = false);

}  // namespace gateway
