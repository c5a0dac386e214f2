#include "gateway/audit/log_reads.h"

#include "gateway/common/error.h"

#include <algorithm>
#include <string>

namespace gateway::audit {

audit::ChainFormat logFormat(audit::LogStore& store) {
    const auto name = store.exchangeLogAlgorithm();
    if (!name) {
        return {};
    }
    const auto algorithm = audit::parseHashAlgorithm(*name);
    if (!algorithm) {
        throw GatewayError(ErrorCode::StoreError, "the exchange log names an unknown hash " + *name);
    }
    return {*algorithm, store.exchangeLogPersonsFrom()};
}

std::vector<audit::Hash> readLeaves(audit::LogStore& store, audit::Digest& digest, std::uint64_t after,
                                    std::uint64_t size) {
    std::vector<audit::Hash> leaves;
    leaves.reserve(size - after);
    std::uint64_t read = after;
    while (read < size) {
        const auto page =
            store.exchangeLogHashes(static_cast<std::int64_t>(read), std::min<std::uint64_t>(kLogPage, size - read));
        if (page.empty()) {
            throw GatewayError(ErrorCode::StoreError, "the exchange log ends at entry " + std::to_string(read) +
                                                          ", before entry " + std::to_string(size));
        }
        for (const std::string& text : page) {
            ++read;
            const auto hash = audit::hashFromHex(text);
            if (!hash) {
                throw GatewayError(ErrorCode::StoreError, "exchange log entry " + std::to_string(read) +
                                                              " has no valid hash; run `gateway audit verify`");
            }
            leaves.push_back(audit::merkleLeaf(digest, *hash));
        }
    }
    return leaves;
}

audit::Hash blockRoot(audit::Digest& digest, const std::vector<audit::Hash>& leaves, std::size_t first) {
    const auto begin = leaves.begin() + static_cast<std::ptrdiff_t>(first);
    return audit::merkleRoot(digest,
                             std::vector<audit::Hash>(begin, begin + static_cast<std::ptrdiff_t>(audit::kBlockLeaves)));
}

std::vector<audit::Hash> blockRoots(audit::LogStore& store, audit::Digest& digest, std::uint64_t size) {
    const std::uint64_t whole = size / audit::kBlockLeaves;
    std::vector<audit::Hash> roots;
    roots.reserve(whole);
    for (const std::string& text : store.logBlockRoots(0, whole)) {
        const auto root = audit::hashFromHex(text);
        if (!root) {
            break;  // computed again from here; a proof is checked against its signed root either way
        }
        roots.push_back(*root);
    }
    if (roots.size() < whole) {
        const auto leaves = readLeaves(store, digest, roots.size() * audit::kBlockLeaves, whole * audit::kBlockLeaves);
        for (std::size_t first = 0; first < leaves.size(); first += audit::kBlockLeaves) {
            roots.push_back(blockRoot(digest, leaves, first));
        }
    }
    return roots;
}

}  // namespace gateway::audit
