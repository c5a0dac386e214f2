#pragma once

#include "gateway/linkage/record_table.h"

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

namespace gateway::linkage {

/// Candidate pairs: records sharing the key of a blocking rule. Each pair is produced once, by the first rule
/// that puts both records in one block, and pairs are streamed to the caller, never collected.
class Blocker {
public:
    /// The effective rules are the deterministic rules' `equal` fields (so that every pair a deterministic rule
    /// links is a candidate), then the configured blocking rules.
    explicit Blocker(const RecordTable& table);

    const std::vector<BlockingRule>& rules() const { return rules_; }

    /// Called from `threads` threads at once; `thread` is the caller's index, for per-thread accumulators.
    using Visit = std::function<void(unsigned thread, std::size_t rule, std::uint32_t a, std::uint32_t b)>;

    /// Visits every candidate pair once (a < b), under the first rule that produces it. With `dirty` set, only
    /// pairs with at least one dirty record. With `every_rule`, a pair is visited under each rule that produces
    /// it, as estimating m per rule needs: a later rule must also see the pairs an earlier one found.
    void forEachPair(unsigned threads, const std::vector<bool>* dirty, const Visit& visit,
                     bool every_rule = false) const;

    /// An upper bound of the pairs forEachPair visits (pairs found by two rules count twice).
    std::uint64_t pairBound() const { return pair_bound_; }
    /// One line per block skipped for exceeding max_block_size.
    const std::vector<std::string>& warnings() const { return warnings_; }

private:
    struct Block {
        std::uint32_t begin = 0;
        std::uint32_t end = 0;
    };

    bool earlierRuleHas(std::size_t rule, std::uint32_t a, std::uint32_t b) const;

    const RecordTable* table_;
    std::vector<BlockingRule> rules_;
    std::vector<std::vector<std::uint64_t>> keys_;            // [rule][record], 0 = no key
    std::vector<std::vector<std::uint32_t>> order_;           // [rule]: records with a key, sorted by key
    std::vector<std::vector<Block>> blocks_;                  // [rule]: runs of ≥ 2 equal keys within max_block_size
    std::vector<std::unordered_set<std::uint64_t>> skipped_;  // [rule]: keys of oversized blocks
    std::uint64_t pair_bound_ = 0;
    std::vector<std::string> warnings_;
};

}  // namespace gateway::linkage
