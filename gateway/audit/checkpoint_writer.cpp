#include "gateway/audit/checkpoint_writer.h"

#include "gateway/audit/log_reads.h"
#include "gateway/common/clock.h"
#include "gateway/common/error.h"

#include <Poco/Timestamp.h>

#include <algorithm>
#include <string>
#include <vector>

namespace gateway::audit {

std::optional<Checkpoint> signCheckpoint(LogStore& store, const CheckpointSigner& signer) {
    const audit::LogHead head = store.exchangeLogHead();
    const auto latest = store.latestCheckpoint();
    const std::uint64_t signed_size = latest ? latest->size : 0;
    if (head.seq <= 0 || static_cast<std::uint64_t>(head.seq) <= signed_size) {
        return std::nullopt;
    }
    const audit::ChainFormat format = logFormat(store);
    const audit::HashAlgorithm algorithm = format.algorithm;
    if (latest && latest->version >= 2 && latest->persons_from != format.persons_from) {
        // Signing now would put the changed value under a signature.
        throw GatewayError(ErrorCode::StoreError,
                           "the exchange log's persons_from is " + std::to_string(format.persons_from) +
                               " but checkpoint " + std::to_string(latest->size) + " signed " +
                               std::to_string(latest->persons_from) + "; run `gateway audit verify`");
    }
    audit::Digest digest(algorithm);
    audit::MerkleFrontier tree;
    if (latest) {
        auto frontier = audit::MerkleFrontier::fromHex(latest->size, latest->frontier);
        if (!frontier || audit::toHex(frontier->root(digest)) != latest->root) {
            throw GatewayError(ErrorCode::StoreError, "checkpoint " + std::to_string(latest->size) +
                                                          " does not hold together; run `gateway audit verify`");
        }
        tree = *frontier;
    }
    const auto size = static_cast<std::uint64_t>(head.seq);
    // One read for the tree and for the roots of the blocks completed since the last checkpoint, which proofs use.
    const std::uint64_t kept_blocks = store.logBlockRoots(0, size / audit::kBlockLeaves).size();
    const std::uint64_t from = std::min(signed_size, kept_blocks * audit::kBlockLeaves);
    const std::vector<audit::Hash> leaves = readLeaves(store, digest, from, size);
    for (std::uint64_t i = signed_size; i < size; ++i) {
        tree.append(digest, leaves[i - from]);
    }
    std::vector<std::string> new_blocks;
    for (std::uint64_t first = kept_blocks * audit::kBlockLeaves; first + audit::kBlockLeaves <= size;
         first += audit::kBlockLeaves) {
        new_blocks.push_back(audit::toHex(blockRoot(digest, leaves, first - from)));
    }
    store.storeLogBlockRoots(static_cast<std::int64_t>(kept_blocks), new_blocks);
    audit::Checkpoint checkpoint;
    checkpoint.size = size;
    checkpoint.at = formatIso(Poco::Timestamp());
    checkpoint.algorithm = std::string(audit::hashAlgorithmName(algorithm));
    checkpoint.root = audit::toHex(tree.root(digest));
    checkpoint.head = head.hash;
    checkpoint.frontier = tree.toHex();
    checkpoint.version = audit::kCheckpointVersion;
    checkpoint.previous = latest ? audit::checkpointHash(*latest) : audit::noPreviousCheckpoint();
    checkpoint.persons_from = format.persons_from;
    signer.sign(checkpoint);
    store.appendCheckpoint(checkpoint);
    return checkpoint;
}

}  // namespace gateway::audit
