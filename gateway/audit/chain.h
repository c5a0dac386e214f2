#pragma once

#include "gateway/audit/digest.h"
#include "gateway/audit/entry.h"

namespace gateway::audit {

/// What entry 1 chains to.
inline constexpr Hash kGenesis{};

/// The hash of `entry` chained to `previous`: H(previous ‖ seq ‖ at ‖ actor ‖ action ‖ subject ‖ detail_json), the
/// number as 8 bytes big-endian and each text preceded by its length in 4 bytes, so that no two different entries
/// encode alike. `entry.hash` and `entry.persons` are not covered (persons are an index of detail_json).
Hash entryHash(Digest& digest, const Hash& previous, const LogEntry& entry);

/// Numbers `entries` from `last_seq` + 1 and chains each to the one before, the first to `last_hash`.
void chainEntries(Digest& digest, std::int64_t last_seq, const Hash& last_hash, std::vector<LogEntry>& entries);

}  // namespace gateway::audit
