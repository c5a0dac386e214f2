#include "gateway/audit/merkle.h"

#include <gtest/gtest.h>

#include <bit>
#include <set>

namespace gateway::audit {
namespace {

std::vector<Hash> leaves(Digest& digest, std::size_t count) {
    std::vector<Hash> result;
    for (std::size_t i = 0; i < count; ++i) {
        Hash entry{};
        entry[0] = static_cast<std::uint8_t>(i);
        entry[1] = static_cast<std::uint8_t>(i >> 8);
        result.push_back(merkleLeaf(digest, entry));
    }
    return result;
}

/// RFC 9162's definition, written out independently of the code under test.
Hash referenceRoot(Digest& digest, const std::vector<Hash>& all, std::size_t begin, std::size_t end) {
    if (end - begin == 1) {
        return all[begin];
    }
    std::size_t k = 1;
    while (k * 2 < end - begin) {
        k *= 2;
    }
    return merkleNode(digest, referenceRoot(digest, all, begin, begin + k), referenceRoot(digest, all, begin + k, end));
}

TEST(MerkleTest, EmptyTreeIsTheHashOfNothing) {
    Digest digest(HashAlgorithm::Sha256);
    EXPECT_EQ(toHex(merkleRoot(digest, {})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(MerkleFrontier().root(digest), merkleRoot(digest, {}));
}

TEST(MerkleTest, FrontierGivesTheRootAtEverySize) {
    Digest digest(HashAlgorithm::Sha256);
    const auto all = leaves(digest, 70);
    MerkleFrontier frontier;
    for (std::size_t n = 1; n <= all.size(); ++n) {
        frontier.append(digest, all[n - 1]);
        const std::vector<Hash> prefix(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n));
        ASSERT_EQ(frontier.root(digest), referenceRoot(digest, all, 0, n)) << n;
        ASSERT_EQ(merkleRoot(digest, prefix), referenceRoot(digest, all, 0, n)) << n;
        ASSERT_EQ(frontier.size(), n);
    }
}

TEST(MerkleTest, FrontierSurvivesItsTextForm) {
    Digest digest(HashAlgorithm::Sha256);
    const auto all = leaves(digest, 45);
    MerkleFrontier frontier;
    for (std::size_t i = 0; i < 37; ++i) {
        frontier.append(digest, all[i]);
    }
    auto copy = MerkleFrontier::fromHex(frontier.size(), frontier.toHex());
    ASSERT_TRUE(copy.has_value());
    EXPECT_EQ(frontier.toHex().size(), 64u * std::popcount(37u));
    for (std::size_t i = 37; i < all.size(); ++i) {
        copy->append(digest, all[i]);
    }
    EXPECT_EQ(copy->root(digest), merkleRoot(digest, all));
    EXPECT_FALSE(MerkleFrontier::fromHex(36, frontier.toHex()).has_value());  // 36 has two subtrees, not three
    EXPECT_FALSE(MerkleFrontier::fromHex(37, frontier.toHex().substr(1)).has_value());
    std::string bad = frontier.toHex();
    bad[5] = 'g';
    EXPECT_FALSE(MerkleFrontier::fromHex(37, bad).has_value());
}

TEST(MerkleTest, EveryLeafHasAPathThatVerifiesAndNoOtherDoes) {
    Digest digest(HashAlgorithm::Sha256);
    for (std::size_t n = 1; n <= 33; ++n) {
        const auto all = leaves(digest, n);
        const Hash root = merkleRoot(digest, all);
        for (std::size_t i = 0; i < n; ++i) {
            const auto path = inclusionPath(digest, all, i);
            EXPECT_LE(path.size(), static_cast<std::size_t>(std::bit_width(n)));
            ASSERT_TRUE(verifyInclusion(digest, all[i], i, n, path, root)) << i << " of " << n;
            Hash changed = all[i];
            changed[31] ^= 1;
            EXPECT_FALSE(verifyInclusion(digest, changed, i, n, path, root));
            if (n > 1) {
                EXPECT_FALSE(verifyInclusion(digest, all[i], (i + 1) % n, n, path, root));
                // The size itself is bound by the checkpoint's signature, not the path; a root of another size
                // does not verify.
                const std::vector<Hash> fewer(all.begin(), all.end() - 1);
                EXPECT_FALSE(verifyInclusion(digest, all[i], i, n, path, merkleRoot(digest, fewer)));
                auto shorter = path;
                shorter.pop_back();
                EXPECT_FALSE(verifyInclusion(digest, all[i], i, n, shorter, root));
                auto tampered = path;
                tampered.front()[0] ^= 0x80;
                EXPECT_FALSE(verifyInclusion(digest, all[i], i, n, tampered, root));
            }
        }
        EXPECT_FALSE(verifyInclusion(digest, all[0], n, n, {}, root));
    }
    EXPECT_THROW(inclusionPath(digest, leaves(digest, 3), 3), std::out_of_range);
}

TEST(MerkleTest, PathsFromBlockRootsAreThePathsFromEveryLeafAndReadFewLeaves) {
    Digest digest(HashAlgorithm::Sha256);
    constexpr std::uint64_t kBlock = 4;
    for (std::uint64_t n = 1; n <= 70; ++n) {
        const auto all = leaves(digest, n);
        std::vector<Hash> blocks;
        for (std::uint64_t b = 0; b < n / kBlock; ++b) {
            blocks.push_back(referenceRoot(digest, all, b * kBlock, (b + 1) * kBlock));
        }
        EXPECT_EQ(subtreeRoot(digest, 0, n, kBlock, blocks, [&](std::uint64_t i) { return all[i]; }),
                  merkleRoot(digest, all));
        for (std::uint64_t i = 0; i < n; ++i) {
            std::set<std::uint64_t> read;  // the blocks whose leaves the path needed
            const auto path = inclusionPath(i, n, [&](std::uint64_t begin, std::uint64_t end) {
                return subtreeRoot(digest, begin, end, kBlock, blocks, [&](std::uint64_t leaf) {
                    read.insert(leaf / kBlock);
                    return all[leaf];
                });
            });
            ASSERT_EQ(path, inclusionPath(digest, all, i)) << i << " of " << n;
            // Besides the leaf's own block, only the last, partial one.
            read.erase(i / kBlock);
            read.erase(n / kBlock);
            EXPECT_TRUE(read.empty()) << i << " of " << n << " read the leaves of block " << *read.begin();
        }
    }
    EXPECT_THROW(inclusionPath(3, 3, [](std::uint64_t, std::uint64_t) { return Hash{}; }), std::out_of_range);
}

TEST(MerkleTest, LeavesAndNodesNeverCollide) {
    // The 0x00/0x01 prefixes keep an inner node from passing as a leaf (the second-preimage attack on plain trees).
    Digest digest(HashAlgorithm::Sha256);
    const auto all = leaves(digest, 2);
    const Hash root = merkleRoot(digest, all);
    Hash inner = merkleNode(digest, all[0], all[1]);
    EXPECT_EQ(inner, root);
    EXPECT_NE(merkleLeaf(digest, inner), root);
}

}  // namespace
}  // namespace gateway::audit
