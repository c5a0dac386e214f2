#pragma once

#include "gateway/audit/digest.h"
#include "gateway/audit/entry.h"

#include <cstdint>

namespace gateway::audit {

/// What entry 1 chains to.
inline constexpr Hash kGenesis{};

/// How a log's entries are hashed: with which algorithm, and from which entry on the hash covers the persons an
/// entry names. A log begun before hashes covered them keeps its earlier entries' hashes: rehashing them would
/// break every checkpoint signed over them.
struct ChainFormat {
    HashAlgorithm algorithm = HashAlgorithm::Sha256;
    std::int64_t persons_from = 1;

    bool coversPersons(std::int64_t seq) const { return seq >= persons_from; }
};

/// The hash of `entry` chained to `previous`: H(previous ‖ seq ‖ at ‖ actor ‖ action ‖ subject ‖ detail_json
/// [‖ count ‖ person …]), the numbers as 8 bytes (seq) or 4 bytes (count) big-endian and each text preceded by its
/// length in 4 bytes, so that no two different entries encode alike. The persons, in stored order, are covered when
/// `with_persons`: they are who an API read disclosed, which detail_json only counts. `entry.hash` is not covered.
Hash entryHash(Digest& digest, const Hash& previous, const LogEntry& entry, bool with_persons);

/// Numbers `entries` from `last_seq` + 1 and chains each to the one before, the first to `last_hash`.
void chainEntries(Digest& digest, std::int64_t last_seq, const Hash& last_hash, std::vector<LogEntry>& entries,
                  const ChainFormat& format);

}  // namespace gateway::audit
