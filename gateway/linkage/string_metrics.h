#pragma once

#include <string_view>

namespace gateway::linkage {

/// String similarity on code points (a Chinese character counts once, not three UTF-8 bytes).

/// Levenshtein distance with adjacent transpositions counted as one edit (optimal string alignment).
/// Stops early and returns `limit + 1` once the distance must exceed `limit` (so the result is at most
/// `limit + 1`; pass a limit of at least 0). No heap allocation for strings of up to 64 code points.
int damerauDistance(std::u32string_view a, std::u32string_view b, int limit);

/// Jaro–Winkler similarity in [0, 1] (prefix scale 0.1, prefix of at most four); 1 for two empty strings, 0 when
/// only one is empty. The prefix bonus applies at every Jaro value (no 0.7 boost threshold). No heap allocation
/// for strings of up to 64 code points.
double jaroWinkler(std::u32string_view a, std::u32string_view b);

}  // namespace gateway::linkage
