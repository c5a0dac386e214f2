// Reconciliation end to end: the real gateway executable against the real department simulator over loopback, on
// SQLite and on PostgreSQL. The simulator loses a page of two sources during the first sync, then deletes rows and
// edits others without moving their watermarks, and writes down which (truth/drift.csv); a reconcile must find
// exactly those, a repair must put them right through the normal path, and a reconcile after it must find nothing.

#include "gateway/store/store.h"

#include "tests/integration/sim/deptsim_harness.h"
#include "tests/integration/sim/gateway_setup.h"
#include "tests/support/postgres.h"
#include "tests/support/process.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace gateway::testing {
namespace {

/// The sources reconciliation compares (the health drop folder cannot be listed whole and is skipped).
const std::vector<std::string> kCompared = {"police_population", "school_register", "civil_rescue"};

using KeySet = std::set<std::pair<std::string, std::string>>;  // (source, source_id)

/// truth/drift.csv by kind: "deleted", "silent", "lost".
std::map<std::string, KeySet> readDrift(const std::string& dir) {
    std::map<std::string, KeySet> drift;
    const auto rows = sim::parseCsv(sim::readText(dir + "/truth/drift.csv"));
    for (std::size_t i = 1; i < rows.size(); ++i) {
        if (rows[i].size() == 4) {
            drift[rows[i][1]].insert({rows[i][2], rows[i][3]});
        }
    }
    return drift;
}

/// The findings on records (source against gateway) of run `run_id`, by kind.
std::map<std::string, KeySet> findingsOf(store::Store& store, std::int64_t run_id) {
    std::map<std::string, KeySet> found;
    std::int64_t after = 0;
    for (;;) {
        const auto page = store.findings({run_id, "", "", after, 500});
        for (const auto& finding : page) {
            if (!finding.source.empty()) {
                found[finding.kind].insert({finding.source, finding.source_id});
            }
            after = finding.id;
        }
        if (page.size() < 500) {
            return found;
        }
    }
}

KeySet only(const KeySet& keys, const std::string& source) {
    KeySet result;
    for (const auto& key : keys) {
        if (key.first == source) {
            result.insert(key);
        }
    }
    return result;
}

KeySet minus(const KeySet& a, const KeySet& b) {
    KeySet result;
    for (const auto& key : a) {
        if (!b.contains(key)) {
            result.insert(key);
        }
    }
    return result;
}

std::int64_t lastRunId(store::Store& store) {
    const auto runs = store.reconcileRuns(0, 1);
    return runs.empty() ? 0 : runs.front().id;
}

/// The whole story on one store: the gateway's SQLite file, or the PostgreSQL database `pg_connection` names.
void reconcileStory(const std::string& pg_connection) {
    sim::DeptsimServer sim({}, 400, 7);
    GatewaySetup gateway(sim, 100);
    std::vector<std::string> store_args;
    if (!pg_connection.empty()) {
        store_args = {"--set", "store.kind=postgresql", "--set", "store.postgresql.connection=" + pg_connection};
    }
    const auto open = [&] {
        if (pg_connection.empty()) {
            return gateway.openStore();
        }
        store::StoreSettings settings;
        settings.kind = store::StoreKind::Postgresql;
        settings.postgresql_connection = pg_connection;
        return store::openStore(settings);
    };
    const auto run = [&](std::vector<std::string> args) {
        args.insert(args.end(), store_args.begin(), store_args.end());
        return gateway.run(args);
    };

    // A page of police and of civil is lost on the way: the first sync never sees its rows.
    ASSERT_EQ(sim.setFaults("lose_page=1").status, 200);
    const auto synced = run({"sync", "--all"});
    ASSERT_EQ(synced.exit_code, 0) << synced.err;
    ASSERT_EQ(sim.setFaults("").status, 200);
    const auto linkAndBuild = [&] {
        for (const std::vector<std::string>& step :
             {std::vector<std::string>{"link"}, std::vector<std::string>{"profiles", "rebuild"}}) {
            const auto done = run(step);
            ASSERT_EQ(done.exit_code, 0) << step.front() << ": " << done.err;
        }
    };
    linkAndBuild();
    const auto drifted = sim.post("/control/drift?delete=0.03&silent=0.03&seed=3");
    ASSERT_EQ(drifted.status, 200) << drifted.body;

    const auto truth = readDrift(sim.dir());
    ASSERT_FALSE(truth.at("lost").empty());
    ASSERT_FALSE(truth.at("deleted").empty());
    ASSERT_FALSE(truth.at("silent").empty());
    // What the gateway must find: a lost row is missing unless the source deleted it since (then neither side has
    // it); a deleted row is found only if it had been staged; a silently edited row that was lost is missing, not
    // changed.
    const KeySet missing = minus(truth.at("lost"), truth.at("deleted"));
    const KeySet deleted = minus(truth.at("deleted"), truth.at("lost"));
    const KeySet changed = minus(truth.at("silent"), truth.at("lost"));

    std::cout << "planted: " << missing.size() << " missing, " << deleted.size() << " deleted, " << changed.size()
              << " changed\n";
    const auto first = run({"reconcile", "--all"});
    EXPECT_EQ(first.exit_code, 0) << first.err;
    EXPECT_NE(first.out.find("health_births: skipped"), std::string::npos) << first.out;
    auto store = open();
    const std::int64_t found_run = lastRunId(*store);
    auto found = findingsOf(*store, found_run);
    for (const std::string& source : kCompared) {
        EXPECT_EQ(only(found["missing_in_gateway"], source), only(missing, source)) << source;
        EXPECT_EQ(only(found["deleted_at_source"], source), only(deleted, source)) << source;
        EXPECT_EQ(only(found["changed"], source), only(changed, source)) << source;
    }
    const auto recorded = store->reconcileRun(found_run);
    ASSERT_TRUE(recorded);
    EXPECT_EQ(recorded->status, "succeeded");
    EXPECT_FALSE(recorded->repair);
    for (const auto& finding : store->findings({found_run, "deleted_at_source", "", 0, 100000})) {
        EXPECT_NE(finding.person_id, "") << finding.source_id << ": a staged record was linked to a person";
        EXPECT_EQ(finding.repair, "");
    }
    // Without --repair nothing moved.
    for (const auto& [source, id] : deleted) {
        EXPECT_TRUE(store->sourceRecord(source, id)) << source << "/" << id;
    }

    // The repair finds the same, restages what the gateway lacks or holds changed, and retires what is gone.
    std::map<std::string, std::string> person_of;
    for (const auto& finding : store->findings({found_run, "deleted_at_source", "", 0, 100000})) {
        person_of[finding.source + "/" + finding.source_id] = finding.person_id;
    }
    ASSERT_FALSE(person_of.empty());
    const auto repaired = run({"reconcile", "--all", "--repair"});
    ASSERT_EQ(repaired.exit_code, 0) << repaired.err;
    const std::int64_t repair_run = lastRunId(*store);
    EXPECT_EQ(findingsOf(*store, repair_run), found);
    for (const auto& [source, id] : deleted) {
        EXPECT_FALSE(store->sourceRecord(source, id)) << source << "/" << id << " retired";
        EXPECT_FALSE(store->personOf(source, id)) << source << "/" << id;
    }
    for (const auto& [source, id] : missing) {
        EXPECT_TRUE(store->sourceRecord(source, id)) << source << "/" << id << " restaged";
    }
    linkAndBuild();

    // Every person that lost a record got a new version whose correction names it.
    std::map<std::string, std::string> corrections;
    for (const auto& entry : store->outbox(0, "", 100000)) {
        if (!entry.correction_json.empty()) {
            corrections[entry.person_id] += entry.correction_json;
        }
    }
    for (const auto& [record, person] : person_of) {
        ASSERT_TRUE(corrections.contains(person)) << record << " of " << person;
        EXPECT_NE(corrections[person].find("\"" + record + "\""), std::string::npos) << corrections[person];
    }

    const auto after = run({"reconcile", "--all"});
    ASSERT_EQ(after.exit_code, 0) << after.err;
    EXPECT_TRUE(findingsOf(*store, lastRunId(*store)).empty()) << after.out;
}

TEST(ReconcileTest, FindsExactlyTheDriftTheSimulatorPlantedAndARepairLeavesNothingOnSqlite) {
    reconcileStory("");
}

TEST(ReconcileTest, FindsExactlyTheDriftTheSimulatorPlantedAndARepairLeavesNothingOnPostgresql) {
    PostgresTestDatabase database;
    database.create();
    if (!database.created()) {
        return;  // skipped, or failed with the reason, by create()
    }
    reconcileStory(database.connection());
}

}  // namespace
}  // namespace gateway::testing
