#pragma once

#include "gateway/audit/digest.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::audit {

/// The Merkle tree of RFC 9162 (Certificate Transparency 2.0) over the entries' chain hashes, with the log's own hash
/// function: leaf = H(0x00 ‖ entry hash), node = H(0x01 ‖ left ‖ right), the tree over n leaves split at the largest
/// power of two below n. An auditor holding a signed root of size n checks one entry with about log2(n) hashes.
Hash merkleLeaf(Digest& digest, const Hash& entry_hash);

/// Leaves per block whose root the store keeps (Store::logBlockRoots), so that a proof reads the roots of
/// size / kBlockLeaves blocks and the leaves of at most two blocks instead of every leaf.
inline constexpr std::uint64_t kBlockLeaves = 1024;
Hash merkleNode(Digest& digest, const Hash& left, const Hash& right);
/// The root of the tree over `leaves` (already leaf-hashed); the hash of nothing for no leaves.
Hash merkleRoot(Digest& digest, const std::vector<Hash>& leaves);

/// The right edge of a growing tree: one root per perfect subtree, largest first (one per bit set in the size).
/// Enough to go on appending and to give the root at any size, so a checkpoint need only read the entries written
/// since the last one.
class MerkleFrontier {
public:
    MerkleFrontier() = default;

    void append(Digest& digest, const Hash& leaf);
    Hash root(Digest& digest) const;
    std::uint64_t size() const { return size_; }

    /// The subtree roots as concatenated hex, and back (nullopt if `hex` does not fit a tree of `size` leaves).
    std::string toHex() const;
    static std::optional<MerkleFrontier> fromHex(std::uint64_t size, std::string_view hex);

private:
    std::vector<Hash> subtrees_;
    std::uint64_t size_ = 0;
};

/// The audit path proving that leaf `index` is in the tree over `leaves` (RFC 9162 §2.1.3.1). Requires
/// index < leaves.size().
std::vector<Hash> inclusionPath(Digest& digest, const std::vector<Hash>& leaves, std::uint64_t index);

/// The same path, asking `subtree(begin, end)` for the root of each sibling subtree over leaves [begin, end): so that
/// a caller holding roots of whole blocks of leaves reads O(log n) hashes instead of every leaf. Requires
/// index < size.
std::vector<Hash> inclusionPath(std::uint64_t index, std::uint64_t size,
                                const std::function<Hash(std::uint64_t begin, std::uint64_t end)>& subtree);

/// The root of the subtree over leaves [begin, end), split at powers of two as RFC 9162 splits a tree, given the
/// roots of the perfect subtrees of `block` leaves each (`blocks[b]` over leaves [b * block, (b + 1) * block)) and,
/// for what no whole block covers, the leaves themselves (`leaf(i)`). `block` is a power of two.
Hash subtreeRoot(Digest& digest, std::uint64_t begin, std::uint64_t end, std::uint64_t block,
                 const std::vector<Hash>& blocks, const std::function<Hash(std::uint64_t index)>& leaf);

/// Whether `path` proves `leaf` is leaf `index` of the tree of `size` leaves whose root is `root` (RFC 9162
/// §2.1.3.2).
bool verifyInclusion(Digest& digest, const Hash& leaf, std::uint64_t index, std::uint64_t size,
                     const std::vector<Hash>& path, const Hash& root);

}  // namespace gateway::audit
