#include "gateway/audit/verifier.h"

#include "gateway/audit/chain.h"
#include "gateway/common/error.h"

#include <algorithm>
#include <iterator>

namespace gateway::audit {

void VerifyReport::merge(std::vector<Finding> more) {
    findings.insert(findings.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
    std::stable_sort(findings.begin(), findings.end(),
                     [](const Finding& a, const Finding& b) { return a.seq < b.seq; });
    if (findings.size() > kMaxFindings) {
        more_findings += static_cast<std::int64_t>(findings.size() - kMaxFindings);
        findings.resize(kMaxFindings);
    }
}

CheckpointChain checkCheckpointChain(const std::vector<Checkpoint>& checkpoints, std::int64_t stored_persons_from) {
    CheckpointChain chain;
    const auto named = [](const Checkpoint& checkpoint) {
        return "checkpoint " + std::to_string(checkpoint.size) + " (signed at " + checkpoint.at + ")";
    };
    const Checkpoint* chained = nullptr;  // the newest chained checkpoint so far
    for (std::size_t i = 0; i < checkpoints.size(); ++i) {
        const Checkpoint& checkpoint = checkpoints[i];
        const auto size = static_cast<std::int64_t>(checkpoint.size);
        if (checkpoint.version < 2) {
            if (chained != nullptr) {
                chain.findings.push_back({size, named(checkpoint) + " is in the unchained form of an earlier version, "
                                                                    "yet follows chained ones: it was inserted or "
                                                                    "altered"});
            }
            continue;
        }
        if (i == 0 && checkpoint.previous != noPreviousCheckpoint()) {
            chain.findings.push_back({size, named(checkpoint) + " follows a checkpoint the database no longer holds: "
                                                                "the checkpoints before it were deleted"});
        } else if (i > 0 && checkpoint.previous != checkpointHash(checkpoints[i - 1])) {
            chain.findings.push_back(
                {size, named(checkpoint) + " does not follow checkpoint " + std::to_string(checkpoints[i - 1].size) +
                           " before it: a checkpoint between them was deleted, or this one's previous hash was "
                           "altered"});
        }
        if (chained != nullptr && checkpoint.persons_from != chained->persons_from) {
            chain.findings.push_back({size, named(checkpoint) + " signs persons hashed from entry " +
                                                std::to_string(checkpoint.persons_from) + ", checkpoint " +
                                                std::to_string(chained->size) + " before it from entry " +
                                                std::to_string(chained->persons_from) +
                                                ": where person coverage starts was changed between them"});
        }
        chained = &checkpoint;
    }
    if (chained != nullptr) {
        chain.persons_from = chained->persons_from;
        if (stored_persons_from != chained->persons_from) {
            // The signer refuses to sign over a changed value, so it changed after this checkpoint.
            chain.findings.push_back({static_cast<std::int64_t>(chained->size) + 1,
                                      "the database says entries' hashes cover persons from entry " +
                                          std::to_string(stored_persons_from) + ", but " + named(*chained) +
                                          " signed from entry " + std::to_string(chained->persons_from) +
                                          ": exchange_log_chain.persons_from was changed"});
        }
    }
    return chain;
}

LogVerifier::LogVerifier(const ChainFormat& format, std::optional<Checkpoint> anchor,
                         std::vector<Checkpoint> checkpoints, const CheckpointVerifier* key)
    : format_(format), digest_(format.algorithm), pending_(checkpoints.begin(), checkpoints.end()), key_(key) {
    if (anchor) {
        auto frontier = MerkleFrontier::fromHex(anchor->size, anchor->frontier);
        auto head = hashFromHex(anchor->head);
        if (!frontier || !head || toHex(frontier->root(digest_)) != anchor->root) {
            throw GatewayError(ErrorCode::InvalidArgument,
                               "checkpoint " + std::to_string(anchor->size) + " is malformed; verify from entry 1");
        }
        tree_ = *frontier;
        stored_previous_ = *head;
        computed_previous_ = *head;
        expected_ = static_cast<std::int64_t>(anchor->size) + 1;
    }
    report_.first_seq = expected_;
    report_.last_seq = expected_ - 1;
    while (!pending_.empty() && static_cast<std::int64_t>(pending_.front().size) < expected_) {
        pending_.pop_front();
    }
}

void LogVerifier::report(std::int64_t seq, std::string problem) {
    if (report_.findings.size() < VerifyReport::kMaxFindings) {
        report_.findings.push_back({seq, std::move(problem)});
    } else {
        ++report_.more_findings;
    }
}

void LogVerifier::add(const LogEntry& entry) {
    const bool gap = entry.seq != expected_;
    if (entry.seq > expected_) {
        report(expected_, entry.seq - expected_ == 1 ? "entry " + std::to_string(expected_) + " is missing (deleted)"
                                                     : "entries " + std::to_string(expected_) + " to " +
                                                           std::to_string(entry.seq - 1) + " are missing (deleted)");
    } else if (entry.seq < expected_) {
        report(entry.seq, "entry " + std::to_string(entry.seq) + " is out of order");
    }

    const auto stored = hashFromHex(entry.hash);
    const bool with_persons = format_.coversPersons(entry.seq);
    const Hash linked = entryHash(digest_, stored_previous_, entry, with_persons);
    if (!stored) {
        report(entry.seq, "entry " + std::to_string(entry.seq) + " has no valid hash");
    } else if (!gap && linked != *stored) {
        report(entry.seq,
               "entry " + std::to_string(entry.seq) + " does not match its hash: it was changed, inserted or moved");
    }
    // The tree is built on the recomputed chain, so that hashes recomputed by whoever edited an entry still differ
    // from what the checkpoints signed.
    computed_previous_ = entryHash(digest_, computed_previous_, entry, with_persons);
    tree_.append(digest_, merkleLeaf(digest_, computed_previous_));
    stored_previous_ = stored.value_or(linked);

    ++report_.entries;
    report_.last_seq = entry.seq;
    expected_ = std::max(expected_, entry.seq) + 1;
    checkCheckpoints();
}

void LogVerifier::checkCheckpoints() {
    while (!pending_.empty() && pending_.front().size <= tree_.size()) {
        const Checkpoint checkpoint = pending_.front();
        pending_.pop_front();
        const std::int64_t size = static_cast<std::int64_t>(checkpoint.size);
        ++report_.checkpoints;
        if (key_ != nullptr && !key_->verify(checkpoint)) {
            report(size, "checkpoint " + std::to_string(size) + " (" + checkpoint.at +
                             ") has a bad signature: the checkpoint itself was altered or signed by another key");
            continue;
        }
        if (toHex(tree_.root(digest_)) != checkpoint.root || toHex(computed_previous_) != checkpoint.head) {
            report(size, "entries up to " + std::to_string(size) + " differ from checkpoint " + std::to_string(size) +
                             " signed at " + checkpoint.at + ": an entry at or before it was changed");
        }
    }
}

VerifyReport LogVerifier::finish(std::int64_t last_stored_seq) {
    for (const Checkpoint& checkpoint : pending_) {
        const auto size = static_cast<std::int64_t>(checkpoint.size);
        if (size > last_stored_seq) {
            ++report_.checkpoints;
            report(last_stored_seq + 1, "checkpoint " + std::to_string(size) + " covers entries up to " +
                                            std::to_string(size) + " but the log ends at " +
                                            std::to_string(last_stored_seq) + ": entries were deleted from its end");
        } else if (size <= report_.last_seq) {
            // Read past it by seq, yet fewer entries than it covers: some were deleted.
            ++report_.checkpoints;
            report(size, "entries up to " + std::to_string(size) + " differ from checkpoint " + std::to_string(size) +
                             " signed at " + checkpoint.at + ": entries at or before it were deleted");
        }
    }
    pending_.clear();
    std::stable_sort(report_.findings.begin(), report_.findings.end(),
                     [](const Finding& a, const Finding& b) { return a.seq < b.seq; });
    return report_;
}

}  // namespace gateway::audit
