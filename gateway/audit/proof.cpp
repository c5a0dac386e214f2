#include "gateway/audit/proof.h"

#include "gateway/audit/log_reads.h"
#include "gateway/common/error.h"

#include <algorithm>
#include <map>

namespace gateway::audit {

InclusionProof proveEntry(audit::LogStore& store, std::int64_t seq, std::optional<std::uint64_t> size) {
    auto entry = store.exchangeLogEntry(seq);
    if (!entry) {
        throw GatewayError(ErrorCode::NotFound, "no exchange log entry " + std::to_string(seq));
    }
    std::optional<audit::Checkpoint> checkpoint;
    if (size) {
        auto exact = store.checkpoints(*size, *size);
        if (exact.empty()) {
            throw GatewayError(ErrorCode::NotFound, "no checkpoint of " + std::to_string(*size) + " entries");
        }
        checkpoint = exact.front();
    } else {
        checkpoint = store.checkpointAtLeast(static_cast<std::uint64_t>(seq));
    }
    if (!checkpoint || checkpoint->size < static_cast<std::uint64_t>(seq)) {
        throw GatewayError(ErrorCode::Conflict, "entry " + std::to_string(seq) +
                                                    " is not covered by a signed checkpoint yet; try again after "
                                                    "the next checkpoint");
    }
    const audit::ChainFormat format = logFormat(store);
    audit::Digest digest(format.algorithm);
    const std::uint64_t tree_size = checkpoint->size;
    const auto index = static_cast<std::uint64_t>(seq - 1);
    // The path from the stored block roots and the leaves of the blocks no whole block root covers: the entry's own
    // block and the last, partial one.
    const std::vector<audit::Hash> blocks = blockRoots(store, digest, tree_size);
    std::map<std::uint64_t, std::vector<audit::Hash>> block_leaves;
    const auto leaf = [&](std::uint64_t i) {
        const std::uint64_t block = i / audit::kBlockLeaves;
        auto found = block_leaves.find(block);
        if (found == block_leaves.end()) {
            const std::uint64_t first = block * audit::kBlockLeaves;
            found =
                block_leaves
                    .emplace(block, readLeaves(store, digest, first, std::min(first + audit::kBlockLeaves, tree_size)))
                    .first;
        }
        return found->second[i % audit::kBlockLeaves];
    };
    std::vector<audit::Hash> path = audit::inclusionPath(index, tree_size, [&](std::uint64_t begin, std::uint64_t end) {
        return audit::subtreeRoot(digest, begin, end, audit::kBlockLeaves, blocks, leaf);
    });
    const auto root = audit::hashFromHex(checkpoint->root);
    if (!root || !audit::verifyInclusion(digest, leaf(index), index, tree_size, path, *root)) {
        // A stored block root that no longer matches its entries: the path from every entry instead, which holds
        // exactly when the entries do (and `gateway audit verify` says where they do not).
        path = audit::inclusionPath(digest, readLeaves(store, digest, 0, tree_size), index);
    }
    InclusionProof proof;
    proof.entry = std::move(*entry);
    proof.persons_hashed = format.coversPersons(seq);
    proof.previous_hash = audit::toHex(audit::kGenesis);
    if (seq > 1) {
        const auto previous = store.exchangeLogHashes(seq - 2, 1);
        if (previous.empty()) {
            throw GatewayError(ErrorCode::StoreError, "exchange log entry " + std::to_string(seq - 1) + " is missing");
        }
        proof.previous_hash = previous.front();
    }
    proof.checkpoint = std::move(*checkpoint);
    for (const audit::Hash& step : path) {
        proof.path.push_back(audit::toHex(step));
    }
    return proof;
}

bool checkProof(const InclusionProof& proof, const audit::CheckpointVerifier& key, std::string* why) {
    const auto fail = [&](std::string reason) {
        if (why != nullptr) {
            *why = std::move(reason);
        }
        return false;
    };
    const auto algorithm = audit::parseHashAlgorithm(proof.checkpoint.algorithm);
    if (!algorithm) {
        return fail("the checkpoint names an unknown hash");
    }
    if (!key.verify(proof.checkpoint)) {
        return fail("the checkpoint's signature does not verify with this key");
    }
    const auto previous = audit::hashFromHex(proof.previous_hash);
    const auto root = audit::hashFromHex(proof.checkpoint.root);
    if (!previous || !root || proof.entry.seq < 1) {
        return fail("the proof is malformed");
    }
    std::vector<audit::Hash> path;
    for (const std::string& text : proof.path) {
        const auto step = audit::hashFromHex(text);
        if (!step) {
            return fail("the proof's path is malformed");
        }
        path.push_back(*step);
    }
    audit::Digest digest(*algorithm);
    // Whether the persons are hashed needs no trust: either way, the hash must be a leaf the checkpoint signed.
    const audit::Hash hash = audit::entryHash(digest, *previous, proof.entry, proof.persons_hashed);
    if (!proof.entry.hash.empty() && audit::toHex(hash) != proof.entry.hash) {
        return fail("the entry does not match its hash: it was changed");
    }
    if (!audit::verifyInclusion(digest, audit::merkleLeaf(digest, hash),
                                static_cast<std::uint64_t>(proof.entry.seq - 1), proof.checkpoint.size, path, *root)) {
        return fail("the entry is not in the tree the checkpoint signed");
    }
    return true;
}

}  // namespace gateway::audit
