#include "tests/support/fake_link_store.h"

#include "gateway/common/error.h"
#include "gateway/common/redact.h"
#include "gateway/common/utf8.h"
#include "gateway/store/log_details.h"
#include "gateway/store/port_checks.h"
#include "gateway/store/text_checks.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace gateway::testing {

using linkage::LinkRunCommit;
using linkage::PersonLink;
using linkage::ReviewDecision;
using linkage::ReviewItem;

namespace {

// A record assigned twice in one write, which the SQL store's staging table refuses before writing anything.
void requireOncePerRecord(const std::vector<PersonLink>& links) {
    std::set<std::pair<std::string_view, std::string_view>> seen;
    for (const PersonLink& link : links) {
        if (!seen.emplace(link.source, link.source_id).second) {
            throw GatewayError(ErrorCode::StoreError, "record " + utf8::quote(link.source_id) + " of " +
                                                          utf8::quote(link.source) +
                                                          " is assigned twice (primary key of link_stage)");
        }
    }
}

}  // namespace

std::int64_t FakeLinkStore::forEachStagedRecord(std::int64_t after_batch_id,
                                                const std::function<void(const intake::StagedRecord&)>& visit) {
    // One read of the intake store: the snapshot the SQL store reads in.
    const std::vector<intake::StagedRecord> records = records_.stagedRecords();
    std::int64_t highest = 0;
    for (const intake::StagedRecord& record : records) {
        highest = std::max(highest, record.batch_id);
    }
    for (const intake::StagedRecord& record : records) {
        if (record.batch_id > after_batch_id) {
            visit(record);
        }
    }
    return highest;
}

std::vector<PersonLink> FakeLinkStore::personLinks() {
    const std::lock_guard lock(mutex_);
    std::vector<PersonLink> result;
    for (const auto& [key, person] : links_) {
        result.push_back({key.first, key.second, person});
    }
    return result;
}

std::optional<std::string> FakeLinkStore::personOf(std::string_view source, std::string_view source_id) {
    const std::lock_guard lock(mutex_);
    const auto found = links_.find({std::string(source), std::string(source_id)});
    if (found == links_.end()) {
        return std::nullopt;
    }
    return found->second;
}

std::vector<PersonLink> FakeLinkStore::personRecords(std::string_view person_id) {
    const std::lock_guard lock(mutex_);
    std::vector<PersonLink> result;
    for (const auto& [key, person] : links_) {
        if (person == person_id) {
            result.push_back({key.first, key.second, person});
        }
    }
    return result;
}

void FakeLinkStore::upsertLinks(const std::vector<PersonLink>& links, const std::string& at) {
    std::vector<PersonLink> sorted = links;
    std::sort(sorted.begin(), sorted.end(), [](const PersonLink& a, const PersonLink& b) {
        return std::tie(a.source, a.source_id) < std::tie(b.source, b.source_id);
    });
    for (const PersonLink& link : sorted) {
        auto [found, inserted] = links_.try_emplace({link.source, link.source_id}, link.person_id);
        if (!inserted && found->second != link.person_id) {
            moves_.push_back({static_cast<std::int64_t>(moves_.size()) + 1, link.source, link.source_id, found->second,
                              link.person_id, at});
            found->second = link.person_id;
        }
    }
}

void FakeLinkStore::commitLinkRun(const LinkRunCommit& run) {
    store::validateLinkRun(run);
    requireOncePerRecord(run.assignments);
    const std::string at = run.at.empty() ? formatIso(clock_.now()) : run.at;
    const std::lock_guard lock(mutex_);
    std::set<std::string_view> pairs;
    for (const ReviewItem& item : run.review) {
        if (!pairs.insert(item.pair_id).second) {
            throw GatewayError(ErrorCode::StoreError, "review pair " + utf8::quote(item.pair_id) +
                                                          " is given twice (primary key of review_stage)");
        }
    }
    // First: it is the one write here that may be refused, and then nothing else is written.
    log_.appendExchangeLog({0, at, run.actor, "link.run", "linkage", run.detail_json.empty() ? "{}" : run.detail_json});
    upsertLinks(run.assignments, at);
    for (const ReviewItem& item : run.review) {
        const auto found = review_.find(item.pair_id);
        if (found == review_.end()) {
            ReviewItem stored = item;
            stored.seq = ++review_seq_;
            stored.status = "open";
            stored.created_at = item.created_at.empty() ? at : item.created_at;
            stored.decision.clear();
            stored.reviewer.clear();
            stored.comment.clear();
            stored.decided_at.clear();
            review_.emplace(item.pair_id, std::move(stored));
        } else if (found->second.status != "decided") {
            found->second.weight = item.weight;
            found->second.reason = item.reason;
            found->second.explanation_json = item.explanation_json;
            found->second.status = "open";
        }
    }
    if (run.replace_open_review) {
        for (auto& [pair_id, item] : review_) {
            if (item.status == "open" && !pairs.contains(pair_id)) {
                item.status = "obsolete";
            }
        }
    }
    state_ = {run.linked_through_batch, run.model_json, at};
}

linkage::LinkState FakeLinkStore::linkState() {
    const std::lock_guard lock(mutex_);
    return state_;
}

std::vector<ReviewItem> FakeLinkStore::itemsInQueueOrder() const {
    std::vector<ReviewItem> items;
    for (const auto& [pair_id, item] : review_) {
        items.push_back(item);
    }
    std::sort(items.begin(), items.end(), [](const ReviewItem& a, const ReviewItem& b) { return a.seq < b.seq; });
    return items;
}

std::vector<ReviewItem> FakeLinkStore::reviewQueue(std::string_view status, std::int64_t after_seq, std::size_t limit) {
    const std::lock_guard lock(mutex_);
    std::vector<ReviewItem> result;
    for (ReviewItem& item : itemsInQueueOrder()) {
        if (result.size() >= limit) {
            break;
        }
        if (item.seq > after_seq && (status.empty() || item.status == status)) {
            result.push_back(std::move(item));
        }
    }
    return result;
}

std::optional<ReviewItem> FakeLinkStore::reviewItem(std::string_view pair_id) {
    const std::lock_guard lock(mutex_);
    const auto found = review_.find(pair_id);
    if (found == review_.end()) {
        return std::nullopt;
    }
    return found->second;
}

ReviewItem FakeLinkStore::openReviewPair(const ReviewItem& item) {
    store::validateReviewItem(item);
    const std::string at = item.created_at.empty() ? formatIso(clock_.now()) : item.created_at;
    const std::lock_guard lock(mutex_);
    const auto found = review_.find(item.pair_id);
    if (found != review_.end()) {
        return found->second;
    }
    ReviewItem stored;
    stored.seq = ++review_seq_;
    stored.pair_id = item.pair_id;
    stored.left_source = item.left_source;
    stored.left_id = item.left_id;
    stored.right_source = item.right_source;
    stored.right_id = item.right_id;
    stored.weight = item.weight;
    stored.reason = item.reason;
    stored.explanation_json = item.explanation_json;
    stored.status = "open";
    stored.created_at = at;
    review_.emplace(item.pair_id, stored);
    return stored;
}

std::vector<ReviewItem> FakeLinkStore::reviewDecisions() {
    const std::lock_guard lock(mutex_);
    std::vector<ReviewItem> result;
    for (ReviewItem& item : itemsInQueueOrder()) {
        if (item.status == "decided") {
            result.push_back(std::move(item));
        }
    }
    return result;
}

ReviewItem FakeLinkStore::decideReview(const ReviewDecision& given, const std::vector<PersonLink>& assignments) {
    store::validateDecision(given);
    ReviewDecision decision = given;
    decision.comment = redactPersonalNumbers(given.comment);
    store::validateLinks(assignments);
    requireOncePerRecord(assignments);
    const std::string at = decision.at.empty() ? formatIso(clock_.now()) : decision.at;
    const std::lock_guard lock(mutex_);
    const auto found = review_.find(decision.pair_id);
    if (found == review_.end()) {
        throw GatewayError(ErrorCode::NotFound, "no review pair " + utf8::quote(decision.pair_id));
    }
    ReviewItem decided = found->second;
    decided.status = "decided";
    decided.decision = decision.decision;
    decided.reviewer = decision.reviewer;
    decided.comment = decision.comment;
    decided.decided_at = at;
    log_.appendExchangeLog({0, at, decision.reviewer, "review.decision", decision.pair_id,
                            store::decisionDetail(decision, decided, assignments.size())});
    found->second = decided;
    upsertLinks(assignments, at);
    return decided;
}

std::vector<profile::PersonMove> FakeLinkStore::personMoves(std::int64_t after_seq) {
    const std::lock_guard lock(mutex_);
    std::vector<profile::PersonMove> result;
    for (auto move = moves_.begin() + std::clamp<std::int64_t>(after_seq, 0, std::ssize(moves_)); move != moves_.end();
         ++move) {
        result.push_back(*move);
    }
    return result;
}

}  // namespace gateway::testing
