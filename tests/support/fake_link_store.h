#pragma once

// linkage::LinkStore and linkage::ReviewStore in memory, one object as in the SQL store (a decision's assignments
// are the links the link store serves), for unit tests of the link job. Every method behaves as the SQL store's:
// staged records read from the intake store given, in (source, source_id) order; assignments upserted, each change of
// an existing one kept as a person move; review pairs numbered in the order first seen, refreshed while open, never
// overwritten once decided, made obsolete by a full run that no longer finds them; a run and a decision each append
// their entry ("link.run", "review.decision" with the comment's personal numbers redacted) to the exchange log.

#include "gateway/audit/log_store.h"
#include "gateway/common/clock.h"
#include "gateway/linkage/link_store.h"
#include "gateway/profile/profile_store.h"
#include "tests/support/fake_intake_store.h"

#include <map>
#include <mutex>

namespace gateway::testing {

/// Thread-safe, as the ports require. `records`, `log` and `clock` (which dates a run or a decision that carries
/// no time) must outlive the store.
class FakeLinkStore : public linkage::LinkStore, public linkage::ReviewStore {
public:
    FakeLinkStore(FakeIntakeStore& records, audit::LogStore& log, const Clock& clock)
        : records_(records), log_(log), clock_(clock) {}

    std::int64_t forEachStagedRecord(std::int64_t after_batch_id,
                                     const std::function<void(const intake::StagedRecord&)>& visit) override;
    std::vector<linkage::PersonLink> personLinks() override;
    std::optional<std::string> personOf(std::string_view source, std::string_view source_id) override;
    std::vector<linkage::PersonLink> personRecords(std::string_view person_id) override;
    void commitLinkRun(const linkage::LinkRunCommit& run) override;
    linkage::LinkState linkState() override;

    std::vector<linkage::ReviewItem> reviewQueue(std::string_view status, std::int64_t after_seq,
                                                 std::size_t limit) override;
    std::optional<linkage::ReviewItem> reviewItem(std::string_view pair_id) override;
    linkage::ReviewItem openReviewPair(const linkage::ReviewItem& item) override;
    std::vector<linkage::ReviewItem> reviewDecisions() override;
    linkage::ReviewItem decideReview(const linkage::ReviewDecision& decision,
                                     const std::vector<linkage::PersonLink>& assignments) override;

    /// The records moved between existing persons with seq > after_seq, in seq order: what the SQL store's
    /// ProfileBuildStore::personMoves reads of the same tables.
    std::vector<profile::PersonMove> personMoves(std::int64_t after_seq);

private:
    using Key = std::pair<std::string, std::string>;  // source, source_id

    void upsertLinks(const std::vector<linkage::PersonLink>& links, const std::string& at);
    std::vector<linkage::ReviewItem> itemsInQueueOrder() const;

    FakeIntakeStore& records_;
    audit::LogStore& log_;
    const Clock& clock_;
    std::mutex mutex_;
    std::map<Key, std::string> links_;        // → person_id
    std::vector<profile::PersonMove> moves_;  // moves_[i].seq == i + 1
    linkage::LinkState state_;
    std::map<std::string, linkage::ReviewItem, std::less<>> review_;  // by pair_id
    std::int64_t review_seq_ = 0;
};

}  // namespace gateway::testing
