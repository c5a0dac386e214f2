#pragma once

#include "gateway/common/clock.h"
#include "gateway/intake/intake_store.h"
#include "gateway/linkage/link_store.h"
#include "gateway/linkage/linker.h"

#include <functional>
#include <mutex>
#include <string>

namespace gateway::jobs {

struct LinkRunOptions {
    bool full = false;  ///< re-link every record and re-estimate the model, not only new and changed records
    unsigned threads = 2;
    std::string actor = "gateway";
    std::function<void(const std::string&)> progress;
};

struct LinkRunReport {
    bool incremental = false;
    std::uint64_t records = 0;
    std::uint64_t dirty = 0;  ///< records linked in this run (all of them in a full run)
    std::uint64_t changed_assignments = 0;
    std::int64_t linked_through_batch = 0;
    linkage::LinkStats stats;
    std::vector<std::string> warnings;
};

/// Links the store's staged records into persons: incrementally (records staged since the last run, against the
/// persons already there) or in full, honouring every reviewer decision, and records the run in one transaction.
/// Also answers explanations and applies review decisions at once.
class LinkJob {
public:
    /// `records` serves the staged records an explanation or a reviewer's pair names.
    LinkJob(linkage::LinkStore& links, linkage::ReviewStore& review, intake::IntakeStore& records,
            linkage::LinkageConfig config, const Clock& clock);

    /// Nothing to do (no record staged since the last run) is a successful run with dirty == 0 and no write.
    LinkRunReport run(const LinkRunOptions& options);

    /// Comparison levels and weights for two staged records, with the stored model. NotFound for an unknown record;
    /// Unavailable before the first link run.
    linkage::PairExplanation explain(const std::string& left_key, const std::string& right_key);

    /// Records the decision and re-links the persons of the two records with it (and every earlier decision
    /// touching them), so that it holds at once. Returns the decided item.
    linkage::ReviewItem decide(const linkage::ReviewDecision& decision);

    /// A decision on any two staged records ("SOURCE/ID"), queued by the matcher or not: how a reviewer splits a
    /// wrong merge (no_link between two records of one person) or merges two persons (link). The pair joins the
    /// queue (reason "reviewer", with its explanation when a model exists) and is decided as decide() does;
    /// `decision.pair_id` is ignored. NotFound for a record that is not staged.
    linkage::ReviewItem decidePair(const std::string& left_key, const std::string& right_key,
                                   linkage::ReviewDecision decision);

    const linkage::LinkageConfig& config() const { return config_; }

private:
    struct Model;
    Model loadModel();

    linkage::LinkStore& links_;
    linkage::ReviewStore& review_;
    intake::IntakeStore& records_;
    linkage::LinkageConfig config_;
    const Clock& clock_;
    std::mutex mutex_;  // one run or decision at a time in this process (the store serialises across nodes)
};

/// "police_population/P0000123" → {source, source_id}; throws GatewayError(InvalidArgument) without a '/'.
std::pair<std::string, std::string> splitRecordKey(const std::string& key);

}  // namespace gateway::jobs
