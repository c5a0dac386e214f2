#pragma once

#include "gateway/audit/entry.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::audit {

/// Terms are cut to this many bytes (at a character boundary): PostgreSQL cannot index a key of several kB, and a
/// search compares the entry's own columns as well, so a cut term only finds a few more rows to compare.
inline constexpr std::size_t kMaxTermBytes = 200;

/// A lookup term of the log index: a one-letter kind ('a' actor, 'x' action, 'p' person), a space, and the value,
/// cut to kMaxTermBytes.
std::string indexTerm(char kind, std::string_view value);

/// The terms the log index holds for `entry`: its actor, its action, its subject (when it has one) and each person it
/// names as a person, sorted, each once. Derived from what the entry's hash covers, so that the index can be checked.
std::vector<std::string> indexTerms(const LogEntry& entry);

}  // namespace gateway::audit
