#pragma once

#include "gateway/audit/chain.h"
#include "gateway/audit/checkpoint.h"
#include "gateway/audit/entry.h"
#include "gateway/audit/merkle.h"

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace gateway::audit {

/// Something wrong found in the stored log.
struct Finding {
    std::int64_t seq = 0;  // the first entry concerned
    std::string problem;
};

struct VerifyReport {
    std::int64_t first_seq = 0;  // the range read
    std::int64_t last_seq = 0;
    std::int64_t entries = 0;
    std::int64_t checkpoints = 0;       // checked against the entries and their signature
    std::int64_t unsigned_entries = 0;  // after the last checkpoint: chained, not yet covered by a signature
    std::int64_t index_checked = 0;     // entries whose log index terms were compared with them
    std::vector<Finding> findings;      // in seq order, at most kMaxFindings
    std::int64_t more_findings = 0;     // beyond those
    /// The newest checkpoint the database holds. Without a trusted one, deleting the checkpoints after it cannot be
    /// told from never having signed them, so the report says how far the verification reached.
    std::optional<Checkpoint> newest_checkpoint;
    /// The checkpoint held outside the database that the log was checked against, if any.
    std::optional<Checkpoint> trusted_checkpoint;

    static constexpr std::size_t kMaxFindings = 100;
    bool ok() const { return findings.empty(); }
    /// Adds findings found apart from the chain, keeping seq order and the limit.
    void merge(std::vector<Finding> more);
};

/// What checkCheckpointChain() found.
struct CheckpointChain {
    std::vector<Finding> findings;
    /// Where person coverage starts, as the newest chained checkpoint signed it: what the entries are to be checked
    /// with, whatever the database now says.
    std::optional<std::int64_t> persons_from;
};

/// Checks that the stored checkpoints (all of them, in size order) form one chain: each of version 2 or later names
/// the one before it (the first names none), none of version 1 follows a chained one, and all chained ones sign the
/// same persons_from, which is `stored_persons_from`, the value appends read from the database. Signatures are
/// checked by LogVerifier. A finding is reported at the checkpoint's size, or for the stored persons_from at the
/// entry after the newest chained checkpoint, since which it was changed.
CheckpointChain checkCheckpointChain(const std::vector<Checkpoint>& checkpoints, std::int64_t stored_persons_from);

/// Recomputes the chain and the Merkle tree over entries fed in stored order, and checks checkpoints against them:
///   - an entry whose stored hash does not follow from its content and the stored hash before it was edited,
///     inserted or moved (reported at that entry, so an edit names the entry edited);
///   - a gap in the numbering is entries deleted;
///   - a checkpoint whose root or head differs from the recomputed ones means an entry at or before it changed
///     even if every stored hash after it was recomputed to hide it; one whose signature fails was itself altered;
///   - a checkpoint beyond the last entry means the end of the log was cut off.
class LogVerifier {
public:
    /// Starts at entry 1, or right after `anchor`, a checkpoint whose signature the caller has checked (its frontier
    /// lets the tree go on from there). `checkpoints` are those to check, in size order; `key` checks signatures
    /// (without one, roots are still compared and signatures reported unchecked).
    LogVerifier(const ChainFormat& format, std::optional<Checkpoint> anchor, std::vector<Checkpoint> checkpoints,
                const CheckpointVerifier* key);

    /// The next stored entry, in seq order.
    void add(const LogEntry& entry);

    /// Ends the run: `last_stored_seq` is the highest seq in the store (to tell a cut-off end from a --to range).
    VerifyReport finish(std::int64_t last_stored_seq);

    /// The seq the first entry fed should carry.
    std::int64_t expectedFirst() const { return expected_; }

private:
    void report(std::int64_t seq, std::string problem);
    void checkCheckpoints();

    ChainFormat format_;
    Digest digest_;
    MerkleFrontier tree_;
    std::deque<Checkpoint> pending_;
    const CheckpointVerifier* key_;
    Hash stored_previous_{};
    Hash computed_previous_{};
    std::int64_t expected_ = 1;
    VerifyReport report_;
};

}  // namespace gateway::audit
