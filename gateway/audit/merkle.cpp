#include "gateway/audit/merkle.h"

#include <bit>
#include <stdexcept>

namespace gateway::audit {

namespace {

/// The largest power of two strictly below n (n ≥ 2).
std::uint64_t splitPoint(std::uint64_t n) {
    return std::bit_floor(n - 1);
}

Hash subtreeRoot(Digest& digest, const std::vector<Hash>& leaves, std::uint64_t begin, std::uint64_t end) {
    if (end - begin == 1) {
        return leaves[begin];
    }
    const std::uint64_t k = splitPoint(end - begin);
    const Hash left = subtreeRoot(digest, leaves, begin, begin + k);
    const Hash right = subtreeRoot(digest, leaves, begin + k, end);
    return merkleNode(digest, left, right);
}

void pathOf(std::uint64_t index, std::uint64_t begin, std::uint64_t end,
            const std::function<Hash(std::uint64_t, std::uint64_t)>& subtree, std::vector<Hash>& path) {
    if (end - begin <= 1) {
        return;
    }
    const std::uint64_t k = splitPoint(end - begin);
    if (index < begin + k) {
        pathOf(index, begin, begin + k, subtree, path);
        path.push_back(subtree(begin + k, end));
    } else {
        pathOf(index, begin + k, end, subtree, path);
        path.push_back(subtree(begin, begin + k));
    }
}

}  // namespace

Hash merkleLeaf(Digest& digest, const Hash& entry_hash) {
    static constexpr std::uint8_t kLeaf = 0x00;
    digest.begin();
    digest.update(&kLeaf, 1);
    digest.update(entry_hash);
    return digest.final();
}

Hash merkleNode(Digest& digest, const Hash& left, const Hash& right) {
    static constexpr std::uint8_t kNode = 0x01;
    digest.begin();
    digest.update(&kNode, 1);
    digest.update(left);
    digest.update(right);
    return digest.final();
}

Hash merkleRoot(Digest& digest, const std::vector<Hash>& leaves) {
    if (leaves.empty()) {
        digest.begin();
        return digest.final();
    }
    return subtreeRoot(digest, leaves, 0, leaves.size());
}

void MerkleFrontier::append(Digest& digest, const Hash& leaf) {
    subtrees_.push_back(leaf);
    ++size_;
    // Each trailing one bit of the new size's predecessor is a pair of equal subtrees to merge.
    for (std::uint64_t merged = size_; (merged & 1) == 0; merged >>= 1) {
        const Hash right = subtrees_.back();
        subtrees_.pop_back();
        subtrees_.back() = merkleNode(digest, subtrees_.back(), right);
    }
}

Hash MerkleFrontier::root(Digest& digest) const {
    if (subtrees_.empty()) {
        digest.begin();
        return digest.final();
    }
    Hash root = subtrees_.back();
    for (auto it = subtrees_.rbegin() + 1; it != subtrees_.rend(); ++it) {
        root = merkleNode(digest, *it, root);
    }
    return root;
}

std::string MerkleFrontier::toHex() const {
    std::string text;
    text.reserve(subtrees_.size() * 64);
    for (const Hash& subtree : subtrees_) {
        text += audit::toHex(subtree);
    }
    return text;
}

std::optional<MerkleFrontier> MerkleFrontier::fromHex(std::uint64_t size, std::string_view hex) {
    const auto count = static_cast<std::size_t>(std::popcount(size));
    if (hex.size() != count * 64) {
        return std::nullopt;
    }
    MerkleFrontier frontier;
    frontier.size_ = size;
    for (std::size_t i = 0; i < count; ++i) {
        const auto hash = hashFromHex(hex.substr(i * 64, 64));
        if (!hash) {
            return std::nullopt;
        }
        frontier.subtrees_.push_back(*hash);
    }
    return frontier;
}

std::vector<Hash> inclusionPath(Digest& digest, const std::vector<Hash>& leaves, std::uint64_t index) {
    return inclusionPath(index, leaves.size(), [&](std::uint64_t begin, std::uint64_t end) {
        return subtreeRoot(digest, leaves, begin, end);
    });
}

std::vector<Hash> inclusionPath(std::uint64_t index, std::uint64_t size,
                                const std::function<Hash(std::uint64_t begin, std::uint64_t end)>& subtree) {
    if (index >= size) {
        throw std::out_of_range("inclusion path for a leaf beyond the tree");
    }
    std::vector<Hash> path;
    pathOf(index, 0, size, subtree, path);
    return path;
}

Hash subtreeRoot(Digest& digest, std::uint64_t begin, std::uint64_t end, std::uint64_t block,
                 const std::vector<Hash>& blocks, const std::function<Hash(std::uint64_t index)>& leaf) {
    const std::uint64_t n = end - begin;
    if (n >= block && begin % block == 0 && n % block == 0 && std::has_single_bit(n / block)) {
        // A perfect subtree of whole blocks: the blocks' roots are its leaves' level.
        std::vector<Hash> level(blocks.begin() + static_cast<std::ptrdiff_t>(begin / block),
                                blocks.begin() + static_cast<std::ptrdiff_t>(end / block));
        while (level.size() > 1) {
            for (std::size_t i = 0; i < level.size() / 2; ++i) {
                level[i] = merkleNode(digest, level[2 * i], level[2 * i + 1]);
            }
            level.resize(level.size() / 2);
        }
        return level.front();
    }
    if (n == 1) {
        return leaf(begin);
    }
    const std::uint64_t k = splitPoint(n);
    const Hash left = subtreeRoot(digest, begin, begin + k, block, blocks, leaf);
    const Hash right = subtreeRoot(digest, begin + k, end, block, blocks, leaf);
    return merkleNode(digest, left, right);
}

bool verifyInclusion(Digest& digest, const Hash& leaf, std::uint64_t index, std::uint64_t size,
                     const std::vector<Hash>& path, const Hash& root) {
    if (index >= size) {
        return false;
    }
    std::uint64_t fn = index;
    std::uint64_t sn = size - 1;
    Hash r = leaf;
    for (const Hash& p : path) {
        if (sn == 0) {
            return false;
        }
        if ((fn & 1) != 0 || fn == sn) {
            r = merkleNode(digest, p, r);
            if ((fn & 1) == 0) {
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = merkleNode(digest, r, p);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && r == root;
}

}  // namespace gateway::audit
