#pragma once

// What linkage stores: which person each staged record belongs to, the link runs and their model, and the review
// queue of pairs the matcher could not settle. The store implements it; the link job and the review routes use it.

#include "gateway/intake/intake_store.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::linkage {

using intake::StagedRecord;

/// Which person a staged source record belongs to, as the last link run (or a review decision) left it.
struct PersonLink {
    std::string source;
    std::string source_id;
    std::string person_id;

    friend bool operator==(const PersonLink&, const PersonLink&) = default;
};

/// A candidate pair the matcher could not settle: its score fell in the review band, or it conflicted with
/// another link. `pair_id` is stable for the two records (see reviewPairId), so re-runs update, never duplicate.
struct ReviewItem {
    std::int64_t seq = 0;  // filled on read: queue order, the cursor of reviewQueue
    std::string pair_id;
    std::string left_source;
    std::string left_id;
    std::string right_source;
    std::string right_id;
    double weight = 0;             // the pair's match weight (bits)
    std::string reason;            // "review_band", "conflict" or "ambiguous" as the matcher wrote it; "reviewer"
    std::string explanation_json;  // the comparison levels and weights, as the matcher wrote it
    std::string status;            // "open", "decided" or "obsolete" (no longer a candidate after a later run)
    std::string created_at;        // ISO-8601 UTC
    std::string decision;          // "link" or "no_link" once decided, else empty
    std::string reviewer;
    std::string comment;
    std::string decided_at;
};

/// What one link run writes, in one transaction: changed person assignments, the review candidates it found, the
/// model it used, and how far through the staged records it has linked.
struct LinkRunCommit {
    std::vector<PersonLink> assignments;  // upserted by (source, source_id)
    /// Upserted by pair_id: a new pair is inserted "open"; an open pair gets the new weight, reason and
    /// explanation; a decided pair is left as it is (the matcher never overrides a reviewer).
    std::vector<ReviewItem> review;
    /// When set (a full run), open pairs not in `review` become "obsolete".
    bool replace_open_review = false;
    std::string model_json;  // the estimated parameters, kept for explanations
    std::int64_t linked_through_batch = 0;
    std::string at;           // ISO-8601 UTC
    std::string actor;        // for the exchange log
    std::string detail_json;  // counts, for the "link.run" exchange-log entry
};

/// Where linking stands: the raw batch up to which staged records have been linked, and the last model.
struct LinkState {
    std::int64_t linked_through_batch = 0;
    std::string model_json;  // empty before the first run
    std::string linked_at;   // ISO-8601 UTC; empty before the first run
};

/// A reviewer's decision on one pair.
struct ReviewDecision {
    std::string pair_id;
    std::string decision;  // "link" or "no_link"
    std::string reviewer;
    std::string comment;
    std::string at;  // ISO-8601 UTC
};

/// The stable identifier of the pair of records (a, b), the same whichever order they are given in:
/// the first 16 hex digits of SHA-256 over the two "source\x1fsource_id" keys, sorted, joined by \x1e.
std::string reviewPairId(std::string_view a_source, std::string_view a_id, std::string_view b_source,
                         std::string_view b_id);

/// The staged records as linkage reads them, and the person each belongs to.
/// Implementations are thread-safe: each call takes a pooled connection. Failures to reach the database throw
/// GatewayError(StoreUnavailable); rejected statements throw GatewayError(StoreError); a lost optimistic race throws
/// GatewayError(Conflict).
class LinkStore {
public:
    virtual ~LinkStore() = default;

    /// Calls `visit` for every staged record whose last change came in a raw batch after `after_batch_id`,
    /// in (source, source_id) order, streaming (not all in memory at once). Returns the highest batch id seen
    /// among all staged records (0 when there are none), read in the same snapshot.
    virtual std::int64_t forEachStagedRecord(std::int64_t after_batch_id,
                                             const std::function<void(const StagedRecord&)>& visit) = 0;

    /// Every person assignment, in (source, source_id) order.
    virtual std::vector<PersonLink> personLinks() = 0;
    /// The person a record belongs to, if linked.
    virtual std::optional<std::string> personOf(std::string_view source, std::string_view source_id) = 0;
    /// The records of one person, in (source, source_id) order; empty for an unknown person.
    virtual std::vector<PersonLink> personRecords(std::string_view person_id) = 0;

    /// Writes a link run (see LinkRunCommit) and appends a "link.run" exchange-log entry, in one transaction.
    virtual void commitLinkRun(const LinkRunCommit& run) = 0;
    virtual LinkState linkState() = 0;
};

/// The review queue and reviewers' decisions.
/// Implementations are thread-safe: each call takes a pooled connection. Failures to reach the database throw
/// GatewayError(StoreUnavailable); rejected statements throw GatewayError(StoreError); a lost optimistic race throws
/// GatewayError(Conflict).
class ReviewStore {
public:
    virtual ~ReviewStore() = default;

    /// Review pairs with seq > after_seq in seq order; `status` empty means any status.
    virtual std::vector<ReviewItem> reviewQueue(std::string_view status, std::int64_t after_seq, std::size_t limit) = 0;
    virtual std::optional<ReviewItem> reviewItem(std::string_view pair_id) = 0;
    /// Adds a pair a reviewer asks about (any two staged records, e.g. to split a wrong merge) to the queue as "open",
    /// unless the pair is there already; returns the stored item either way. The item's seq, status and decision
    /// fields are ignored.
    virtual ReviewItem openReviewPair(const ReviewItem& item) = 0;
    /// Every decided pair, for the matcher to obey.
    virtual std::vector<ReviewItem> reviewDecisions() = 0;
    /// Records the decision on an existing pair (NotFound otherwise; a pair may be decided again, the last
    /// decision counts), applies `assignments` (the person changes the decision implies), and appends a
    /// "review.decision" exchange-log entry with the pair, decision, reviewer and comment (citizen ID and mobile
    /// numbers in it redacted, see redactPersonalNumbers()), in one transaction.
    /// Returns the updated item.
    virtual ReviewItem decideReview(const ReviewDecision& decision, const std::vector<PersonLink>& assignments) = 0;
};

}  // namespace gateway::linkage
