#pragma once

// What the exchange log's readers share (the verifier, the checkpoint writer, proofs and export): the log's chain
// format as the store records it, and its Merkle leaves and block roots read from the stored hashes.

#include "gateway/audit/chain.h"
#include "gateway/audit/digest.h"
#include "gateway/audit/log_store.h"
#include "gateway/audit/merkle.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gateway::audit {

/// Entries read per page.
inline constexpr std::size_t kLogPage = 20000;

/// The log's hash and the first entry whose hash covers its persons; the default format for an empty log.
ChainFormat logFormat(LogStore& store);

/// The leaf hashes of entries after + 1 … size, from their stored hashes.
std::vector<Hash> readLeaves(LogStore& store, Digest& digest, std::uint64_t after, std::uint64_t size);

/// The root of the block of kBlockLeaves leaves that starts at leaves[first].
Hash blockRoot(Digest& digest, const std::vector<Hash>& leaves, std::size_t first);

/// The roots of the whole blocks among the first `size` entries: those stored, then the rest computed from the
/// entries' hashes.
std::vector<Hash> blockRoots(LogStore& store, Digest& digest, std::uint64_t size);

}  // namespace gateway::audit
