// What reconciliation reads of a source's staged records: keys and hashes in byte order on both stores (PostgreSQL's
// default collation would put "a" before "B"), paged without a row lost or repeated, and only that source's. What it
// writes: runs with their findings and exchange-log entries, and records retired with the person moves that make the
// profile build correct their persons.

#include "tests/integration/store/store_suite.h"

#include "gateway/common/error.h"
#include "gateway/common/hash.h"
#include "gateway/reconcile/reconcile_store.h"
#include "gateway/store/store.h"

#include <algorithm>
#include <string>
#include <vector>

namespace gateway::testing {

namespace {

intake::StagedRecord stagedOf(const std::string& source, const std::string& source_id) {
    intake::StagedRecord record;
    record.source = source;
    record.source_id = source_id;
    record.observed_at = "2026-01-01T08:00:00.000Z";
    record.record_json = R"({"source_id":")" + source_id + "\"}";
    record.content_hash = sha256Hex(record.record_json + source);
    return record;
}

void stage(store::Store& store, const std::string& source, const std::vector<std::string>& ids) {
    intake::BatchCommit batch;
    batch.raw.source = source;
    batch.raw.received_at = "2026-01-01T08:00:05.000Z";
    batch.raw.payload = source + " rows";
    batch.raw.sha256 = sha256Hex(batch.raw.payload);
    batch.raw.record_count = static_cast<std::int64_t>(ids.size());
    for (const std::string& id : ids) {
        batch.records.push_back(stagedOf(source, id));
    }
    batch.new_watermark = "w1";
    batch.actor = "sync";
    store.commitBatch(batch);
}

reconcile::ReconcileRun runOf(const std::string& started_at) {
    reconcile::ReconcileRun run;
    run.node = "node-a:1";
    run.trigger = "cli";
    run.started_at = started_at;
    run.status = "running";
    run.as_of = "2026-11-01";
    return run;
}

reconcile::Finding findingOf(const std::string& kind, const std::string& source, const std::string& id,
                             const std::string& repair = "") {
    reconcile::Finding finding;
    finding.kind = kind;
    finding.source = source;
    finding.source_id = id;
    finding.detail_json = R"({"gateway_hash":"ab"})";
    finding.repair = repair;
    return finding;
}

void link(store::Store& store, const std::vector<linkage::PersonLink>& links) {
    linkage::LinkRunCommit run;
    run.assignments = links;
    run.model_json = "{}";
    run.linked_through_batch = 1;
    run.at = "2026-01-01T09:00:00.000Z";
    run.actor = "linker";
    run.detail_json = "{}";
    store.commitLinkRun(run);
}

std::vector<audit::ExchangeLogEntry> entriesOf(store::Store& store, const std::string& action) {
    audit::ExchangeLogQuery query;
    query.action = action;
    return store.searchExchangeLog(query);
}

}  // namespace

TEST_P(StoreSuite, ReconcileRunsKeepTheirFindingsWithTheLinkedPersonAndLogTheirEnd) {
    store().migrate();
    stage(store(), "school_register", {"S1", "S2"});
    link(store(), {{"school_register", "S1", "person-1"}});

    reconcile::ReconcileRun first = runOf("2026-11-01T02:00:00.000Z");
    first.id = store().startReconcileRun(first);
    store().addFindings(first.id, {findingOf("deleted_at_source", "school_register", "S1", "retired"),
                                   findingOf("changed", "school_register", "S2"),
                                   findingOf("missing_in_gateway", "police_population", "P9", "restaged")});
    reconcile::ReconcileRun second = runOf("2026-11-02T02:00:00.000Z");
    second.id = store().startReconcileRun(second);
    EXPECT_GT(second.id, first.id);

    const auto running = store().reconcileRun(first.id);
    ASSERT_TRUE(running);
    EXPECT_EQ(running->status, "running");
    EXPECT_EQ(running->finished_at, "");

    first.status = "succeeded";
    first.finished_at = "2026-11-01T02:05:00.000Z";
    first.repair = true;  // not rewritten by finish: the run was started without repair
    first.summary_json = R"({"total":{"changed":1}})";
    store().finishReconcileRun(first);
    const auto finished = store().reconcileRun(first.id);
    ASSERT_TRUE(finished);
    EXPECT_EQ(finished->status, "succeeded");
    EXPECT_EQ(finished->finished_at, "2026-11-01T02:05:00.000Z");
    EXPECT_EQ(finished->summary_json, R"({"total":{"changed":1}})");
    EXPECT_EQ(finished->as_of, "2026-11-01");
    EXPECT_FALSE(finished->repair);

    const auto logged = entriesOf(store(), "reconcile.run");
    ASSERT_EQ(logged.size(), 1u);
    EXPECT_EQ(logged[0].actor, "node-a:1");
    EXPECT_NE(logged[0].detail_json.find(R"("summary":{"total":{"changed":1}})"), std::string::npos)
        << logged[0].detail_json;

    const auto all = store().findings({first.id, "", "", 0, 100});
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].source_id, "S1");
    EXPECT_EQ(all[0].person_id, "person-1") << "the person the record is linked to";
    EXPECT_EQ(all[0].repair, "retired");
    EXPECT_EQ(all[1].person_id, "") << "a record not linked names no person";
    EXPECT_EQ(all[2].kind, "missing_in_gateway");
    EXPECT_EQ(all[2].detail_json, R"({"gateway_hash":"ab"})");
    const auto changed = store().findings({first.id, "changed", "", 0, 100});
    ASSERT_EQ(changed.size(), 1u);
    EXPECT_EQ(changed[0].source_id, "S2");
    EXPECT_EQ(changed[0].repair, "");
    EXPECT_EQ(store().markRepaired(first.id, "school_register", "changed", "restaged"), 1);
    EXPECT_EQ(store().findings({first.id, "changed", "", 0, 100})[0].repair, "restaged");
    EXPECT_EQ(store().markRepaired(first.id, "police_population", "changed", "restaged"), 0) << "another source's";
    EXPECT_EQ(store().markRepaired(second.id, "school_register", "changed", "restaged"), 0) << "another run's";
    EXPECT_THROW(store().markRepaired(first.id, "school_register", "changed", "fixed"), GatewayError);
    const auto paged = store().findings({first.id, "", "", all[0].id, 1});
    ASSERT_EQ(paged.size(), 1u);
    EXPECT_EQ(paged[0].id, all[1].id);
    EXPECT_TRUE(store().findings({second.id, "", "", 0, 100}).empty());

    const auto newest = store().reconcileRuns(0, 10);
    ASSERT_EQ(newest.size(), 2u);
    EXPECT_EQ(newest[0].id, second.id);
    const auto older = store().reconcileRuns(second.id, 10);
    ASSERT_EQ(older.size(), 1u);
    EXPECT_EQ(older[0].id, first.id);
    EXPECT_FALSE(store().reconcileRun(second.id + 100));

    reconcile::ReconcileRun unknown = first;
    unknown.id = second.id + 100;
    EXPECT_THROW(store().finishReconcileRun(unknown), GatewayError);
    reconcile::ReconcileRun bad = first;
    bad.summary_json = "[1,2]";
    EXPECT_THROW(store().finishReconcileRun(bad), GatewayError) << "a summary must be an object";
    bad = first;
    bad.status = "done";
    EXPECT_THROW(store().finishReconcileRun(bad), GatewayError);
    EXPECT_THROW(store().addFindings(first.id, {findingOf("changed", "school_register", "S2", "fixed")}), GatewayError);
    EXPECT_THROW(store().addFindings(first.id, {findingOf("changed", "school_register", "")}), GatewayError);
    EXPECT_EQ(store().findings({first.id, "", "", 0, 100}).size(), 3u) << "a refused write adds nothing";

    // A finding on a child rather than a record: the person and the division it is routed to, as given.
    reconcile::Finding child;
    child.kind = "school_age_not_enrolled";
    child.person_id = "person-9";
    child.division = "320411104002";
    child.detail_json = R"({"rule":"school_age_not_enrolled","records":["police_population/P1"]})";
    store().addFindings(second.id, {child});
    const auto children = store().findings({second.id, "school_age_not_enrolled", "", 0, 10});
    ASSERT_EQ(children.size(), 1u);
    EXPECT_EQ(children[0].person_id, "person-9");
    EXPECT_EQ(children[0].division, "320411104002");
    EXPECT_EQ(children[0].source, "");
    EXPECT_EQ(all[0].division, "") << "a record of a person without a profile has no division";
    reconcile::Finding nobody = child;
    nobody.person_id = "";
    EXPECT_THROW(store().addFindings(second.id, {nobody}), GatewayError) << "names neither a record nor a person";
    reconcile::Finding half = child;
    half.source = "police_population";
    EXPECT_THROW(store().addFindings(second.id, {half}), GatewayError) << "a source without its record";
    reconcile::Finding lettered = child;
    lettered.division = "3204%";
    EXPECT_THROW(store().addFindings(second.id, {lettered}), GatewayError);

    // A township reads its own; counts per part and kind.
    reconcile::Finding neighbour = child;
    neighbour.person_id = "person-10";
    neighbour.division = "320411104005";
    reconcile::Finding elsewhere = child;
    elsewhere.person_id = "person-11";
    elsewhere.kind = "newborn_unregistered";
    elsewhere.division = "320411101001";
    reconcile::Finding last_township = child;
    last_township.person_id = "person-12";
    last_township.division = "320411999999";
    store().addFindings(second.id, {neighbour, elsewhere, last_township});
    const auto township = store().findings({second.id, "", "320411104", 0, 10});
    ASSERT_EQ(township.size(), 2u);
    EXPECT_EQ(township[0].person_id, "person-9");
    EXPECT_EQ(township[1].person_id, "person-10");
    EXPECT_EQ(store().findings({second.id, "", "320411999", 0, 10}).size(), 1u) << "a prefix of nines has no bound";
    EXPECT_EQ(store().findings({second.id, "", "", 0, 10}).size(), 4u);
    EXPECT_THROW(store().findings({second.id, "", "3204'", 0, 10}), GatewayError);

    const auto per_township = store().findingCounts(second.id, "320411", 9);
    ASSERT_EQ(per_township.size(), 3u);
    EXPECT_EQ(per_township[0].part, "320411101");
    EXPECT_EQ(per_township[0].kind, "newborn_unregistered");
    EXPECT_EQ(per_township[1].part, "320411104");
    EXPECT_EQ(per_township[1].count, 2);
    EXPECT_EQ(per_township[2].part, "320411999");
    const auto per_kind = store().findingCounts(second.id, "", 0);
    ASSERT_EQ(per_kind.size(), 2u);
    EXPECT_EQ(per_kind[0].part, "");
    EXPECT_EQ(per_kind[0].kind, "newborn_unregistered");
    EXPECT_EQ(per_kind[1].count, 3);
    const auto first_run = store().findingCounts(first.id, "", 0);
    std::int64_t unscoped = 0;
    for (const auto& count : first_run) {
        unscoped += count.count;
    }
    EXPECT_EQ(unscoped, 3) << "findings without a division count for the whole";
    EXPECT_TRUE(store().findingCounts(first.id, "320411", 9).empty()) << "but for no division";
}

TEST_P(StoreSuite, RetiredRecordsLeaveTheirPersonWithAMoveAndALogEntry) {
    store().migrate();
    stage(store(), "school_register", {"S1", "S2", "S3"});
    stage(store(), "police_population", {"S1"});
    link(store(), {{"school_register", "S1", "person-1"},
                   {"school_register", "S2", "person-1"},
                   {"police_population", "S1", "person-1"}});
    const std::int64_t moves_before = static_cast<std::int64_t>(store().personMoves(0).size());

    reconcile::RecordRetirement retirement;
    retirement.source = "school_register";
    retirement.source_ids = {"S2", "S1", "S404", "S1"};
    retirement.reason = "deleted_at_source";
    retirement.run_id = 7;
    retirement.at = "2026-11-01T02:03:00.000Z";
    retirement.actor = "node-a:1";
    EXPECT_EQ(store().retireRecords(retirement), 2) << "S404 was never staged; S1 given twice counts once";

    EXPECT_FALSE(store().sourceRecord("school_register", "S1"));
    EXPECT_FALSE(store().sourceRecord("school_register", "S2"));
    EXPECT_TRUE(store().sourceRecord("school_register", "S3"));
    EXPECT_TRUE(store().sourceRecord("police_population", "S1")) << "another source's record of the same key stays";
    EXPECT_EQ(store().personOf("school_register", "S1"), std::nullopt);
    EXPECT_EQ(store().personOf("police_population", "S1"), "person-1");
    EXPECT_EQ(store().countSourceRecords("school_register"), 1);

    const auto moves = store().personMoves(0);
    ASSERT_EQ(static_cast<std::int64_t>(moves.size()), moves_before + 2);
    for (std::size_t i = static_cast<std::size_t>(moves_before); i < moves.size(); ++i) {
        EXPECT_EQ(moves[i].from_person, "person-1");
        EXPECT_EQ(moves[i].to_person, "") << "retired: it went to no one";
        EXPECT_EQ(moves[i].reason, "deleted_at_source");
        EXPECT_EQ(moves[i].at, "2026-11-01T02:03:00.000Z");
    }
    EXPECT_EQ(moves[static_cast<std::size_t>(moves_before)].source_id, "S1");

    const auto logged = entriesOf(store(), "record.retire");
    ASSERT_EQ(logged.size(), 1u);
    EXPECT_EQ(logged[0].subject, "school_register");
    EXPECT_EQ(logged[0].detail_json, R"({"run":7,"reason":"deleted_at_source","retired":2,"records":["S1","S2"]})");
    EXPECT_EQ(logged[0].persons, std::vector<std::string>{"person-1"});

    retirement.source_ids = {"S404"};
    EXPECT_EQ(store().retireRecords(retirement), 0);
    EXPECT_EQ(entriesOf(store(), "record.retire").size(), 1u) << "nothing retired, nothing logged";
    retirement.source_ids = {"S3", ""};
    EXPECT_THROW(store().retireRecords(retirement), GatewayError);
    EXPECT_TRUE(store().sourceRecord("school_register", "S3")) << "a refused retirement retires nothing";
}

TEST_P(StoreSuite, StagedKeysComeInByteOrderPagedWithoutLossOrRepeat) {
    store().migrate();
    // Deliberately unsorted, with the cases a locale's collation orders differently from bytes.
    const std::vector<std::string> ids = {"b", "B", "a", "A-1", "a-1", "张三", "Z", "10", "9", "a b", "ab", "_x"};
    stage(store(), "school_register", ids);
    stage(store(), "police_population", {"a", "zz"});

    std::vector<std::string> expected = ids;
    std::sort(expected.begin(), expected.end());

    const std::vector<reconcile::KeyHash> whole = store().stagedKeys("school_register", std::nullopt, 1000);
    ASSERT_EQ(whole.size(), expected.size());
    for (std::size_t i = 0; i < whole.size(); ++i) {
        EXPECT_EQ(whole[i].key, expected[i]) << i;
        EXPECT_EQ(whole[i].hash, stagedOf("school_register", expected[i]).content_hash) << expected[i];
    }

    for (const std::size_t page : {1u, 2u, 5u, 12u, 13u}) {
        reconcile::StagedKeyStream stream(store(), "school_register", page);
        std::vector<std::string> read;
        reconcile::KeyHash row;
        while (stream.next(row)) {
            read.push_back(row.key);
        }
        EXPECT_EQ(read, expected) << "pages of " << page;
    }

    const auto after = store().stagedKeys("school_register", std::string("a"), 3);
    ASSERT_EQ(after.size(), 3u);
    EXPECT_EQ(after[0].key, "a b");
    EXPECT_TRUE(store().stagedKeys("no_such_source", std::nullopt, 10).empty());
    EXPECT_THROW(store().stagedKeys("school_register", std::string("\xff\xfe"), 10), GatewayError);
}

}  // namespace gateway::testing
