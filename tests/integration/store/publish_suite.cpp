// The store side of publishing, run against every store: the outbox written with each profile version (in commit
// order, with the division the child came from), each subscriber's cursor, failures and dead letters, and the
// records moved between persons that become split and merge corrections.

#include "gateway/common/error.h"
#include "gateway/common/hash.h"
#include "tests/integration/store/store_suite.h"

#include <string>
#include <vector>

namespace gateway::testing {

using profile::ProfileVersion;
using publish::OutboxEntry;
using publish::PushOutcome;

namespace {

constexpr const char* kVillage1 = "320411101201";
constexpr const char* kVillage2 = "320411101202";
constexpr const char* kOtherTownship = "320411102001";

ProfileVersion profileIn(const std::string& person_id, const std::string& residence, const std::string& note = "") {
    ProfileVersion profile;
    profile.person_id = person_id;
    profile.name = "child " + person_id;
    profile.residence_division = residence;
    profile.profile_json =
        R"({"person_id":")" + person_id + R"(","residence":")" + residence + R"(","note":")" + note + "\"}";
    profile.content_hash = sha256Hex(profile.profile_json);
    return profile;
}

ProfileVersion removal(const std::string& person_id, const std::string& correction = "") {
    ProfileVersion profile = profileIn(person_id, "", "removed");
    profile.removed = true;
    profile.correction_json = correction;
    return profile;
}

std::vector<std::string> keys(const std::vector<OutboxEntry>& entries) {
    std::vector<std::string> result;
    for (const OutboxEntry& entry : entries) {
        result.push_back(entry.person_id + ":" + std::to_string(entry.version));
    }
    return result;
}

std::vector<std::int64_t> seqs(const std::vector<OutboxEntry>& entries) {
    std::vector<std::int64_t> result;
    for (const OutboxEntry& entry : entries) {
        result.push_back(entry.seq);
    }
    return result;
}

/// A: village 1 → village 2 → removed (merged into B); B: village 2, unchanged once; C: another township.
void writeHistory(store::Store& store) {
    store.commitProfiles({profileIn("A", kVillage1), profileIn("B", kVillage2), profileIn("C", kOtherTownship)},
                         "builder");
    store.commitProfiles({profileIn("A", kVillage2), profileIn("B", kVillage2)}, "builder");
    store.commitProfiles({removal("A", R"({"kind":"merge","into":["B"]})")}, "builder");
}

}  // namespace

TEST_P(StoreSuite, OutboxHoldsOneEntryPerWrittenVersionInCommitOrder) {
    store().migrate();
    EXPECT_EQ(store().outboxHead(), 0);
    EXPECT_TRUE(store().outbox(0, "", 100).empty());
    writeHistory(store());

    const auto all = store().outbox(0, "", 100);
    EXPECT_EQ(keys(all), (std::vector<std::string>{"A:1", "B:1", "C:1", "A:2", "A:3"}))
        << "an unchanged profile (B) writes no entry";
    for (std::size_t i = 1; i < all.size(); ++i) {
        EXPECT_GT(all[i].seq, all[i - 1].seq);
    }
    EXPECT_EQ(store().outboxHead(), all.back().seq);

    EXPECT_EQ(all[0].division, kVillage1);
    EXPECT_EQ(all[0].previous_division, "") << "a first version comes from nowhere";
    EXPECT_EQ(all[3].division, kVillage2);
    EXPECT_EQ(all[3].previous_division, kVillage1) << "the move is visible to the village the child left";
    EXPECT_TRUE(all[4].removed);
    EXPECT_EQ(all[4].division, "");
    EXPECT_EQ(all[4].previous_division, kVillage2);
    EXPECT_EQ(all[4].correction_json, R"({"kind":"merge","into":["B"]})");
    EXPECT_EQ(all[0].correction_json, "");
    // Each entry reads back with the very version it announces, unless its person has since been removed (A went
    // into B): then with no content at all.
    for (const OutboxEntry& entry : all) {
        const auto history = store().profileHistory(entry.person_id);
        ASSERT_GE(history.size(), static_cast<std::size_t>(entry.version));
        EXPECT_EQ(entry.removed_now, entry.person_id == "A") << entry.person_id;
        EXPECT_EQ(entry.profile_json,
                  entry.removed_now ? "" : history[static_cast<std::size_t>(entry.version - 1)].profile_json);
        EXPECT_EQ(entry.created_at, history[static_cast<std::size_t>(entry.version - 1)].built_at);
    }

    EXPECT_EQ(keys(store().outboxEntries({all[3].seq, all[0].seq, 999999})), (std::vector<std::string>{"A:1", "A:2"}))
        << "by seq, in seq order, unknown ones skipped";
}

TEST_P(StoreSuite, OutboxSelectsAScopeByDivisionAndByTheDivisionLeft) {
    store().migrate();
    writeHistory(store());
    // Village 1 hears of A's arrival and of its departure; village 2 of A's arrival, B, and A's removal.
    EXPECT_EQ(keys(store().outbox(0, kVillage1, 100)), (std::vector<std::string>{"A:1", "A:2"}));
    EXPECT_EQ(keys(store().outbox(0, kVillage2, 100)), (std::vector<std::string>{"B:1", "A:2", "A:3"}));
    EXPECT_EQ(keys(store().outbox(0, "320411101", 100)), (std::vector<std::string>{"A:1", "B:1", "A:2", "A:3"}));
    EXPECT_EQ(keys(store().outbox(0, "320411102", 100)), (std::vector<std::string>{"C:1"}));
    EXPECT_EQ(keys(store().outbox(0, "320411", 100)), (std::vector<std::string>{"A:1", "B:1", "C:1", "A:2", "A:3"}));
    EXPECT_EQ(keys(store().outbox(0, "3204", 100)), keys(store().outbox(0, "", 100)));
    EXPECT_TRUE(store().outbox(0, "320412", 100).empty());
    EXPECT_TRUE(store().outbox(0, "999999999999", 100).empty());

    // Cursor and limit, on both query paths (a village, a district).
    for (const std::string& scope : {std::string(kVillage2), std::string("320411")}) {
        const auto whole = store().outbox(0, scope, 100);
        std::vector<std::int64_t> paged;
        for (std::int64_t after = 0;;) {
            const auto page = store().outbox(after, scope, 2);
            ASSERT_LE(page.size(), 2u);
            if (page.empty()) {
                break;
            }
            for (const auto& entry : page) {
                paged.push_back(entry.seq);
            }
            after = page.back().seq;
        }
        EXPECT_EQ(paged, seqs(whole)) << scope;
    }
    for (const std::string& bad : {std::string("3204%"), std::string("' OR 1=1 --"), std::string("32041_")}) {
        EXPECT_THROW(store().outbox(0, bad, 10), GatewayError) << bad;
    }
}

TEST_P(StoreSuite, PushOutcomesMoveTheCursorCountFailuresAndKeepDeadLetters) {
    store().migrate();
    writeHistory(store());
    const auto all = store().outbox(0, "", 100);
    const auto fresh = store().pushState("village-1");
    EXPECT_EQ(fresh.delivered_through, 0);
    EXPECT_EQ(fresh.attempts, 0);
    EXPECT_EQ(fresh.dead_letters, 0);
    const std::int64_t log_before = static_cast<std::int64_t>(store().exchangeLog(0, 100000).size());

    PushOutcome delivered;
    delivered.subscriber = "village-1";
    delivered.delivered_through = all[1].seq;
    delivered.delivered = 2;
    delivered.at = "2026-11-02T10:00:00.000Z";
    delivered.log = {0, "", "push", "push.delivery", "village-1", R"({"events":2})"};
    store().commitPushOutcome(delivered);
    auto state = store().pushState("village-1");
    EXPECT_EQ(state.delivered_through, all[1].seq);
    EXPECT_EQ(state.delivered, 2);
    EXPECT_EQ(state.last_success_at, "2026-11-02T10:00:00.000Z");
    EXPECT_EQ(store().pushState("village-2").delivered_through, 0) << "subscribers are independent";

    PushOutcome failed;
    failed.subscriber = "village-1";
    failed.delivered_through = all[1].seq;
    failed.attempts = 2;
    failed.refusals = 1;
    failed.next_attempt_at = "2026-11-02T10:00:04.000Z";
    failed.error = "HTTP 500 from http://sink/hooks/v: 失败";
    failed.at = "2026-11-02T10:00:02.000Z";
    failed.log = {0, "", "push", "push.failure", "village-1", "{}"};
    store().commitPushOutcome(failed);
    state = store().pushState("village-1");
    EXPECT_EQ(state.delivered_through, all[1].seq) << "a failure does not move the cursor";
    EXPECT_EQ(state.delivered, 2);
    EXPECT_EQ(state.attempts, 2);
    EXPECT_EQ(state.refusals, 1);
    EXPECT_EQ(state.next_attempt_at, "2026-11-02T10:00:04.000Z");
    EXPECT_EQ(state.last_error, failed.error);
    EXPECT_EQ(state.last_success_at, "2026-11-02T10:00:00.000Z") << "kept through a failure";

    PushOutcome dead = failed;
    dead.delivered_through = all[3].seq;
    dead.attempts = 0;
    dead.refusals = 0;
    dead.next_attempt_at = "";
    dead.dead = {all[2].seq, all[3].seq};
    dead.log.action = "push.dead_letter";
    store().commitPushOutcome(dead);
    state = store().pushState("village-1");
    EXPECT_EQ(state.delivered_through, all[3].seq) << "the stream goes on past dead letters";
    EXPECT_EQ(state.dead_letters, 2);
    EXPECT_EQ(state.attempts, 0);
    const auto letters = store().deadLetters("village-1", "dead", 0, 10);
    ASSERT_EQ(letters.size(), 2u);
    EXPECT_EQ(letters[0].outbox_seq, all[2].seq);
    EXPECT_EQ(letters[0].person_id, "C");
    EXPECT_EQ(letters[1].person_id, "A");
    EXPECT_EQ(letters[1].version, 2);
    EXPECT_EQ(letters[1].error, failed.error);
    EXPECT_TRUE(store().deadLetters("village-2", "", 0, 10).empty());
    EXPECT_EQ(store().deadLetters("village-1", "dead", letters[0].outbox_seq, 10).size(), 1u) << "cursor";

    EXPECT_EQ(store().requestRedelivery("village-1", all[3].seq, "operator-li"), 1);
    EXPECT_EQ(store().requestRedelivery("village-1", all[3].seq, "operator-li"), 0) << "already asked for";
    EXPECT_EQ(store().pushState("village-1").redeliveries, 1);
    EXPECT_EQ(store().deadLetters("village-1", "redeliver", 0, 10).size(), 1u);
    EXPECT_EQ(store().requestRedelivery("village-1", std::nullopt, "operator-li"), 1) << "the one still dead";

    PushOutcome redelivered;
    redelivered.subscriber = "village-1";
    redelivered.delivered_through = all[3].seq;
    redelivered.delivered = 1;
    redelivered.redelivered = {all[3].seq};
    store().commitPushOutcome(redelivered);
    EXPECT_EQ(store().deadLetters("village-1", "redelivered", 0, 10).size(), 1u);
    EXPECT_EQ(store().deadLetters("village-1", "redeliver", 0, 10).size(), 1u);
    EXPECT_EQ(store().pushState("village-1").delivered_through, all[3].seq) << "a redelivery leaves the cursor";

    // A redelivered letter refused again is dead again.
    PushOutcome again = dead;
    again.dead = {all[2].seq};
    again.log.action = "";
    store().commitPushOutcome(again);
    EXPECT_EQ(store().deadLetters("village-1", "dead", 0, 10).size(), 1u);

    const auto log = store().exchangeLog(0, 100000);
    std::vector<std::string> actions;
    for (std::size_t i = static_cast<std::size_t>(log_before); i < log.size(); ++i) {
        actions.push_back(log[i].action);
    }
    EXPECT_EQ(actions, (std::vector<std::string>{"push.delivery", "push.failure", "push.dead_letter", "push.redeliver",
                                                 "push.redeliver", "push.redeliver"}));
    EXPECT_THROW(store().deadLetters("village-1", "lost", 0, 10), GatewayError);
    EXPECT_THROW(store().pushState(""), GatewayError);
}

TEST_P(StoreSuite, ChangedAssignmentsAreRecordedAsPersonMoves) {
    store().migrate();
    auto run = [&](std::vector<linkage::PersonLink> assignments) {
        linkage::LinkRunCommit commit;
        commit.assignments = std::move(assignments);
        commit.model_json = "{}";
        commit.at = "2026-11-02T01:00:00.000Z";
        commit.actor = "linker";
        store().commitLinkRun(commit);
    };
    run({{"police_population", "P1", "A"}, {"police_population", "P2", "A"}, {"school_register", "S1", "B"}});
    EXPECT_TRUE(store().personMoves(0).empty()) << "first assignments are not moves";
    run({{"police_population", "P1", "A"}, {"police_population", "P2", "C"}, {"school_register", "S1", "A"}});
    const auto moves = store().personMoves(0);
    ASSERT_EQ(moves.size(), 2u);
    EXPECT_EQ(moves[0].source_id, "P2");
    EXPECT_EQ(moves[0].from_person, "A");
    EXPECT_EQ(moves[0].to_person, "C");
    EXPECT_EQ(moves[1].source_id, "S1");
    EXPECT_EQ(moves[1].from_person, "B");
    EXPECT_EQ(moves[1].to_person, "A");
    EXPECT_EQ(store().personMoves(moves[0].seq).size(), 1u);

    EXPECT_EQ(store().profileState().moves_through, 0);
    EXPECT_EQ(store().profileState().as_of, "");
    store().setProfileState({moves[1].seq, 7, "2026-11-01"});
    const profile::ProfileState state = store().profileState();
    EXPECT_EQ(state.moves_through, moves[1].seq);
    EXPECT_EQ(state.built_through_batch, 7);
    EXPECT_EQ(state.as_of, "2026-11-01");
    EXPECT_TRUE(store().personMoves(state.moves_through).empty());
}

TEST_P(StoreSuite, AReviewerCanOpenAnyPairOnceAndDecideIt) {
    store().migrate();
    linkage::ReviewItem item;
    item.left_source = "police_population";
    item.left_id = "P1";
    item.right_source = "school_register";
    item.right_id = "S1";
    item.pair_id = linkage::reviewPairId(item.left_source, item.left_id, item.right_source, item.right_id);
    item.weight = 3.5;
    item.reason = "reviewer";
    item.explanation_json = R"({"weight":3.5})";
    const linkage::ReviewItem opened = store().openReviewPair(item);
    EXPECT_EQ(opened.pair_id, item.pair_id);
    EXPECT_EQ(opened.status, "open");
    EXPECT_EQ(opened.reason, "reviewer");
    EXPECT_GT(opened.seq, 0);

    linkage::ReviewItem again = item;
    again.weight = -7;
    again.reason = "other";
    const linkage::ReviewItem kept = store().openReviewPair(again);
    EXPECT_EQ(kept.seq, opened.seq) << "opening a queued pair again changes nothing";
    EXPECT_EQ(kept.weight, 3.5);
    EXPECT_EQ(kept.reason, "reviewer");

    linkage::ReviewDecision decision{item.pair_id, "no_link", "reviewer-wang", "two children", ""};
    store().decideReview(decision, {{"police_population", "P1", "A"}, {"school_register", "S1", "B"}});
    const linkage::ReviewItem decided = store().openReviewPair(item);
    EXPECT_EQ(decided.status, "decided") << "opening a decided pair leaves the decision";
    EXPECT_EQ(decided.decision, "no_link");

    item.pair_id = "";
    EXPECT_THROW(store().openReviewPair(item), GatewayError);
}

}  // namespace gateway::testing
