// The exchange log as every store keeps it: numbered without gaps and chained in commit order, also when several
// stores (nodes) append at once; searched by actor, action, person and time; and its signed checkpoints.

#include "gateway/audit/chain.h"
#include "gateway/audit/index_terms.h"
#include "gateway/audit/log_json.h"
#include "gateway/audit/log_verify.h"
#include "gateway/audit/verifier.h"
#include "gateway/common/error.h"
#include "gateway/jobs/audit_job.h"
#include "gateway/store/sql_store.h"
#include "tests/integration/store/store_suite.h"

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace gateway::testing {

using audit::ExchangeLogEntry;
using audit::ExchangeLogQuery;

namespace {

ExchangeLogEntry read(const std::string& actor, const std::string& at, std::vector<std::string> persons) {
    ExchangeLogEntry entry{0, at, actor, "api.read", "/v1/profiles", R"({"purpose":"case_assessment"})"};
    entry.persons = std::move(persons);
    return entry;
}

/// Recomputes the whole stored chain.
audit::VerifyReport verifyAll(store::Store& store) {
    const auto algorithm = audit::parseHashAlgorithm(store.exchangeLogAlgorithm().value_or("sha256"));
    audit::LogVerifier verifier({*algorithm, store.exchangeLogPersonsFrom()}, std::nullopt,
                                store.checkpoints(0, 1u << 30), nullptr);
    for (const auto& entry : store.exchangeLog(0, 1000000)) {
        verifier.add(entry);
    }
    return verifier.finish(store.exchangeLogHead().seq);
}

std::vector<std::int64_t> seqsOf(const std::vector<ExchangeLogEntry>& entries) {
    std::vector<std::int64_t> seqs;
    for (const auto& entry : entries) {
        seqs.push_back(entry.seq);
    }
    return seqs;
}

/// Appends `count` reads, each disclosing one person.
void appendReads(store::Store& store, int count) {
    for (int i = 0; i < count; ++i) {
        store.appendExchangeLog(read("village-a", "2026-11-01T09:00:00.000Z", {"P" + std::to_string(i)}));
    }
}

/// Edits entry `seq` and recomputes every stored hash from it on, as someone who knows the algorithm would to hide
/// the edit.
void rewriteFrom(store::Store& store, const StoreBackend& backend, std::int64_t seq) {
    audit::Digest digest(audit::HashAlgorithm::Sha256);
    backend.query("UPDATE exchange_log SET detail_json = '{\"edited\":true}' WHERE seq = " + std::to_string(seq));
    audit::Hash previous = seq == 1 ? audit::kGenesis : *audit::hashFromHex(store.exchangeLogEntry(seq - 1)->hash);
    for (const auto& entry : store.exchangeLog(seq - 1, 1000000)) {
        previous = audit::entryHash(digest, previous, entry, entry.seq >= store.exchangeLogPersonsFrom());
        backend.query("UPDATE exchange_log SET hash = '" + audit::toHex(previous) +
                      "' WHERE seq = " + std::to_string(entry.seq));
    }
}

audit::CheckpointSigner testSigner() {
    return audit::CheckpointSigner::fromPem(audit::generateSigningKeyPem(audit::SignatureScheme::Ed25519), "key");
}

audit::AuditVerifyOptions verifyOptions(const audit::CheckpointVerifier* key,
                                        std::optional<audit::Checkpoint> trusted = std::nullopt) {
    audit::AuditVerifyOptions options;
    options.key = key;
    options.trusted = std::move(trusted);
    return options;
}

bool mentions(const audit::VerifyReport& report, const std::string& part) {
    return std::any_of(report.findings.begin(), report.findings.end(),
                       [&](const audit::Finding& finding) { return finding.problem.find(part) != std::string::npos; });
}

}  // namespace

TEST_P(StoreSuite, ExchangeLogIsNumberedAndChained) {
    store().migrate();
    EXPECT_EQ(store().exchangeLogHead().seq, 0);
    EXPECT_FALSE(store().exchangeLogAlgorithm().has_value());

    EXPECT_EQ(store().appendExchangeLog(read("village-app", "2026-11-01T08:00:00.000Z", {"P1"})), 1);
    const std::vector<ExchangeLogEntry> batch{read("village-app", "2026-11-01T08:00:01.000Z", {"P2", "P3", "P2"}),
                                              read("school-app", "2026-11-01T08:00:02.000Z", {})};
    EXPECT_EQ(store().appendExchangeLog(batch), 3);
    EXPECT_EQ(store().appendExchangeLog(std::vector<ExchangeLogEntry>{}), 0);
    EXPECT_EQ(store().exchangeLogAlgorithm(), "sha256");

    const auto all = store().searchExchangeLog({});
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(store().exchangeLog(0, 100)[1].persons, (std::vector<std::string>{"P2", "P3"}))
        << "the chain's reader reads the persons its hashes cover";
    EXPECT_EQ(store().exchangeLogPersonsFrom(), 1);
    EXPECT_EQ(seqsOf(all), (std::vector<std::int64_t>{1, 2, 3}));
    audit::Digest digest(audit::HashAlgorithm::Sha256);
    EXPECT_EQ(all[0].hash, audit::toHex(audit::entryHash(digest, audit::kGenesis, all[0], true)));
    EXPECT_EQ(all[1].hash, audit::toHex(audit::entryHash(digest, *audit::hashFromHex(all[0].hash), all[1], true)));
    EXPECT_EQ(all[1].persons, (std::vector<std::string>{"P2", "P3"}));  // sorted, once each
    EXPECT_TRUE(all[2].persons.empty());
    EXPECT_EQ(store().exchangeLogHead().seq, 3);
    EXPECT_EQ(store().exchangeLogHead().hash, all[2].hash);
    EXPECT_EQ(store().exchangeLogHashes(1, 10), (std::vector<std::string>{all[1].hash, all[2].hash}));
    ASSERT_TRUE(store().exchangeLogEntry(2).has_value());
    EXPECT_EQ(store().exchangeLogEntry(2)->persons, all[1].persons);
    EXPECT_FALSE(store().exchangeLogEntry(4).has_value());

    // Entries written by the pipeline's own transactions join the same chain.
    intake::SyncRun run;
    run.source = "police";
    run.node = "host:1";
    run.trigger = "cli";
    run.started_at = "2026-11-01T08:00:03.000Z";
    run.status = "running";
    run.id = store().startSyncRun(run);
    run.status = "succeeded";
    run.finished_at = "2026-11-01T08:00:04.000Z";
    store().finishSyncRun(run);
    EXPECT_EQ(store().exchangeLogHead().seq, 4);
    EXPECT_TRUE(verifyAll(store()).ok());
}

TEST_P(StoreSuite, ExchangeLogRejectsBadTextWithoutAppending) {
    store().migrate();
    ExchangeLogEntry bad = read("app", "2026-11-01T08:00:00.000Z", {"P1"});
    bad.detail_json = std::string("{\"x\":\"\xff\"}");
    EXPECT_THROW(store().appendExchangeLog(std::vector<ExchangeLogEntry>{read("app", "t", {}), bad}), GatewayError);
    ExchangeLogEntry empty_person = read("app", "2026-11-01T08:00:00.000Z", {""});
    EXPECT_THROW(store().appendExchangeLog(empty_person), GatewayError);
    EXPECT_EQ(store().exchangeLogHead().seq, 0);
}

TEST_P(StoreSuite, NodesAppendingTogetherExtendOneChain) {
    store().migrate();
    constexpr int kThreads = 4;
    constexpr int kEach = 40;
    std::vector<std::unique_ptr<store::Store>> nodes;
    for (int i = 0; i < kThreads; ++i) {
        nodes.push_back(openAnother());
    }
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                try {
                    if (i % 2 == 0) {
                        nodes[t]->appendExchangeLog(
                            read("node" + std::to_string(t), "2026-11-01T08:00:00.000Z", {"P" + std::to_string(i)}));
                    } else {
                        nodes[t]->appendExchangeLog(std::vector<ExchangeLogEntry>(
                            3, read("node" + std::to_string(t), "2026-11-01T08:00:00.000Z", {})));
                    }
                } catch (const GatewayError&) {
                    ++failures;
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(failures.load(), 0);
    const auto all = store().exchangeLog(0, 100000);
    const std::int64_t expected = kThreads * (kEach / 2) * 4;
    ASSERT_EQ(static_cast<std::int64_t>(all.size()), expected);
    for (std::size_t i = 0; i < all.size(); ++i) {
        ASSERT_EQ(all[i].seq, static_cast<std::int64_t>(i + 1));
    }
    const auto report = verifyAll(store());
    EXPECT_TRUE(report.ok()) << report.findings.front().problem;
}

TEST_P(StoreSuite, ExchangeLogSearchFiltersAndPages) {
    store().migrate();
    store().appendExchangeLog(read("village-a", "2026-01-05T08:00:00.000Z", {"P1", "P2"}));
    store().appendExchangeLog(read("village-b", "2026-03-05T08:00:00.000Z", {"P2"}));
    store().appendExchangeLog({0, "2026-04-01T00:00:00.000Z", "gateway", "profile.version", "P1", "{}"});
    store().appendExchangeLog(read("village-a", "2027-01-01T00:00:00.000Z", {"P1"}));
    store().appendExchangeLog({0, "2026-05-01T00:00:00.000Z", "ops", "apikey.read", "x", "{}"});
    store().appendExchangeLog({0, "2026-05-02T00:00:00.000Z", "ops", "api_read", "%", "{}"});

    // The same answers before the log index has seen any entry (every row is read), with part of the log indexed
    // (both ways at once), and with all of it.
    for (const std::size_t indexed : {0, 2, 6}) {
        SCOPED_TRACE("entries indexed: " + std::to_string(indexed));
        if (indexed > 0) {
            store().indexExchangeLog(indexed - static_cast<std::size_t>(store().exchangeLogIndexed()));
        }
        ASSERT_EQ(store().exchangeLogIndexed(), static_cast<std::int64_t>(indexed));
        const auto query = [&](ExchangeLogQuery q) { return seqsOf(store().searchExchangeLog(q)); };
        EXPECT_EQ(query({.actor = "village-a"}), (std::vector<std::int64_t>{1, 4}));
        EXPECT_EQ(query({.action = "api.read"}), (std::vector<std::int64_t>{1, 2, 4}));
        EXPECT_EQ(query({.action = "api."}), (std::vector<std::int64_t>{1, 2, 4}));  // not apikey.read, api_read
        EXPECT_EQ(query({.action = "profile."}), (std::vector<std::int64_t>{3}));
        // "Who read or changed this child's file" — as subject or among the persons returned.
        EXPECT_EQ(query({.person = "P1"}), (std::vector<std::int64_t>{1, 3, 4}));
        EXPECT_EQ(query({.person = "P2"}), (std::vector<std::int64_t>{1, 2}));
        // … this year.
        EXPECT_EQ(query({.action = "api.read", .person = "P1", .from = "2026", .to = "2027"}),
                  (std::vector<std::int64_t>{1}));
        EXPECT_EQ(query({.actor = "village-a", .action = "api.", .person = "P2"}), (std::vector<std::int64_t>{1}));
        EXPECT_EQ(query({.from = "2026-03-05T08:00:00.000Z", .to = "2026-04-02"}), (std::vector<std::int64_t>{2, 3}));
        EXPECT_EQ(query({.after_seq = 1, .limit = 2}), (std::vector<std::int64_t>{2, 3}));
        // Pages of one child's ledger, across the end of the index.
        EXPECT_EQ(query({.person = "P1", .limit = 2}), (std::vector<std::int64_t>{1, 3}));
        EXPECT_EQ(query({.person = "P1", .after_seq = 1, .limit = 1}), (std::vector<std::int64_t>{3}));
        EXPECT_EQ(query({.person = "P1", .after_seq = 3, .limit = 5}), (std::vector<std::int64_t>{4}));
        EXPECT_EQ(query({.person = "P1", .limit = 0}), (std::vector<std::int64_t>{}));
        // Nothing that only looks like a match: SQL, wildcards, case, a part of an ID or of the list of them.
        EXPECT_EQ(query({.person = "P1' OR '1'='1"}), (std::vector<std::int64_t>{}));
        EXPECT_EQ(query({.person = "p1"}), (std::vector<std::int64_t>{}));
        EXPECT_EQ(query({.person = "P"}), (std::vector<std::int64_t>{}));
        EXPECT_EQ(query({.person = "P1|P2"}), (std::vector<std::int64_t>{}));
        EXPECT_EQ(query({.person = "|P1|"}), (std::vector<std::int64_t>{}));
        EXPECT_EQ(query({.person = "_1"}), (std::vector<std::int64_t>{}));
        EXPECT_EQ(query({.person = "%"}), (std::vector<std::int64_t>{6}));  // the subject, exactly
        EXPECT_EQ(query({.actor = "%"}), (std::vector<std::int64_t>{}));
        EXPECT_EQ(query({.actor = "village-"}), (std::vector<std::int64_t>{}));
        EXPECT_EQ(query({.action = "."}), (std::vector<std::int64_t>{}));
        EXPECT_EQ(query({.action = "api_"}), (std::vector<std::int64_t>{}));
        EXPECT_THROW(store().searchExchangeLog({.actor = std::string("a\0b", 3)}), GatewayError);
    }
}

TEST_P(StoreSuite, TheLogIndexCatchesUpInRunsAfterTheAppends) {
    store().migrate();
    EXPECT_EQ(store().indexExchangeLog(100), 0);  // an empty log
    std::vector<ExchangeLogEntry> entries;
    for (int i = 0; i < 25; ++i) {
        entries.push_back(read("village-" + std::to_string(i % 3), "2026-11-01T08:00:00.000Z",
                               {"P" + std::to_string(i), "P" + std::to_string(i + 1)}));
    }
    store().appendExchangeLog(entries);
    EXPECT_EQ(store().exchangeLogIndexed(), 0);  // appends never index

    EXPECT_EQ(store().indexExchangeLog(10), 10);
    EXPECT_EQ(store().exchangeLogIndexed(), 10);
    // Another node indexes at the same time: each entry is indexed once, and neither fails.
    auto other = openAnother();
    std::int64_t indexed_here = 0;
    std::int64_t indexed_there = 0;
    std::thread there([&] {
        while (const auto count = other->indexExchangeLog(3)) {
            indexed_there += count;
        }
    });
    while (const auto count = store().indexExchangeLog(3)) {
        indexed_here += count;
    }
    there.join();
    EXPECT_EQ(indexed_here + indexed_there, 15);
    EXPECT_EQ(store().exchangeLogIndexed(), 25);
    EXPECT_EQ(backend_->query("SELECT COUNT(DISTINCT term) FROM exchange_log_terms WHERE term LIKE 'p P%'"), "26");
    EXPECT_EQ(backend_->query("SELECT COUNT(*) FROM exchange_log_terms WHERE term LIKE 'p P%'"), "50");
    EXPECT_EQ(seqsOf(store().searchExchangeLog({.person = "P7"})), (std::vector<std::int64_t>{7, 8}));
    EXPECT_EQ(store().searchExchangeLog({.actor = "village-1"}).size(), 8u);

    // Entries appended later are found before the index reaches them, with their persons.
    store().appendExchangeLog(read("village-9", "2026-11-02T08:00:00.000Z", {"P7"}));
    const auto found = store().searchExchangeLog({.person = "P7"});
    EXPECT_EQ(seqsOf(found), (std::vector<std::int64_t>{7, 8, 26}));
    EXPECT_EQ(found.back().persons, (std::vector<std::string>{"P7"}));
    EXPECT_EQ(store().indexExchangeLog(100), 1);
    EXPECT_EQ(seqsOf(store().searchExchangeLog({.person = "P7"})), (std::vector<std::int64_t>{7, 8, 26}));
}

TEST_P(StoreSuite, TheLogIndexIsWalkedInTermOrderAndClearedToBeBuiltAgain) {
    store().migrate();
    std::vector<ExchangeLogEntry> entries;
    for (int i = 1; i <= 6; ++i) {
        entries.push_back(read("village-" + std::to_string(i % 2), "2026-11-01T08:00:00.000Z",
                               {"P" + std::to_string(i), "P" + std::to_string(i + 1)}));
    }
    store().appendExchangeLog(entries);
    ASSERT_EQ(store().indexExchangeLog(100), 6);

    using Term = std::pair<std::string, std::int64_t>;
    std::vector<Term> expected;
    for (const auto& entry : store().exchangeLog(1, 3)) {  // entries 2 to 4
        for (const std::string& term : audit::indexTerms(entry)) {
            expected.emplace_back(term, entry.seq);
        }
    }
    std::sort(expected.begin(), expected.end());
    std::vector<Term> walked;
    store().forEachLogTerm(2, 4, [&](const std::string& term, std::int64_t seq) { walked.emplace_back(term, seq); });
    EXPECT_EQ(walked, expected);

    store().clearExchangeLogIndex();
    EXPECT_EQ(store().exchangeLogIndexed(), 0);
    EXPECT_EQ(backend_->query("SELECT COUNT(*) FROM exchange_log_terms"), "0");
    walked.clear();
    store().forEachLogTerm(1, 6, [&](const std::string& term, std::int64_t seq) { walked.emplace_back(term, seq); });
    EXPECT_TRUE(walked.empty());
    // Searches still see every entry, row by row, until the index is built again.
    EXPECT_EQ(seqsOf(store().searchExchangeLog({.person = "P3"})), (std::vector<std::int64_t>{2, 3}));
    EXPECT_EQ(store().indexExchangeLog(100), 6);
    EXPECT_EQ(seqsOf(store().searchExchangeLog({.person = "P3"})), (std::vector<std::int64_t>{2, 3}));
}

TEST_P(StoreSuite, ALongSubjectIsIndexedByItsStartAndFoundExactly) {
    store().migrate();
    const std::string long_subject = "/v1/profiles?q=" + std::string(3000, 'a') + "乙";
    const std::string other_subject = "/v1/profiles?q=" + std::string(3000, 'a') + "丙";
    store().appendExchangeLog({0, "2026-11-01T08:00:00.000Z", "app", "api.list", long_subject, "{}"});
    store().appendExchangeLog({0, "2026-11-01T08:00:01.000Z", "app", "api.list", other_subject, "{}"});
    EXPECT_EQ(store().indexExchangeLog(10), 2);  // PostgreSQL refuses index keys of several kB
    EXPECT_EQ(seqsOf(store().searchExchangeLog({.person = long_subject})), (std::vector<std::int64_t>{1}));
    EXPECT_EQ(seqsOf(store().searchExchangeLog({.person = other_subject})), (std::vector<std::int64_t>{2}));
}

TEST_P(StoreSuite, APersonWithTheListSeparatorIsRefused) {
    store().migrate();
    try {
        store().appendExchangeLog(read("app", "2026-11-01T08:00:00.000Z", {"P1|P2"}));
        FAIL() << "appended a person the persons column cannot hold apart";
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.code(), ErrorCode::InvalidArgument);
    }
    EXPECT_THROW(store().appendExchangeLog(read("app", "2026-11-01T08:00:00.000Z", {"P1", ""})), GatewayError);
    EXPECT_EQ(store().exchangeLogHead().seq, 0);
    // Repeated persons are kept once, in order.
    store().appendExchangeLog(read("app", "2026-11-01T08:00:00.000Z", {"P2", "P1", "P2"}));
    EXPECT_EQ(store().exchangeLogEntry(1)->persons, (std::vector<std::string>{"P1", "P2"}));
}

TEST_P(StoreSuite, UpgradingMovesEachEntrysPersonsIntoItAndIndexesTheWholeLog) {
    auto& sql_store = dynamic_cast<store::SqlStore&>(store());
    sql_store.migrate(8);
    for (const char* statement : {"INSERT INTO exchange_log (seq, at, actor, action, subject, detail_json) VALUES "
                                  "(1, '2026-11-01T08:00:00.000Z', 'village-a', 'api.list', '/v1/profiles', '{}')",
                                  "INSERT INTO exchange_log (seq, at, actor, action, subject, detail_json) VALUES "
                                  "(2, '2026-11-01T08:00:01.000Z', 'gateway', 'profile.version', 'P3', '{}')",
                                  "INSERT INTO exchange_log (seq, at, actor, action, subject, detail_json) VALUES "
                                  "(3, '2026-11-01T08:00:02.000Z', 'village-b', 'api.read', '/v1/profiles/P3', '{}')",
                                  "INSERT INTO exchange_log_persons (person_id, seq) VALUES ('P2', 1)",
                                  "INSERT INTO exchange_log_persons (person_id, seq) VALUES ('P10', 1)",
                                  "INSERT INTO exchange_log_persons (person_id, seq) VALUES ('P1', 1)",
                                  "INSERT INTO exchange_log_persons (person_id, seq) VALUES ('P3', 3)"}) {
        backend_->query(statement);
    }

    store().migrate();

    EXPECT_EQ(store().schemaVersion(), store::latestSchemaVersion());
    EXPECT_EQ(store().exchangeLogEntry(1)->persons, (std::vector<std::string>{"P1", "P10", "P2"}));
    EXPECT_TRUE(store().exchangeLogEntry(2)->persons.empty());
    EXPECT_EQ(store().exchangeLogIndexed(), 0);
    EXPECT_EQ(seqsOf(store().searchExchangeLog({.person = "P3"})), (std::vector<std::int64_t>{2, 3}));
    EXPECT_EQ(store().indexExchangeLog(1000), 3);
    EXPECT_EQ(seqsOf(store().searchExchangeLog({.person = "P3"})), (std::vector<std::int64_t>{2, 3}));
    EXPECT_EQ(seqsOf(store().searchExchangeLog({.person = "P1"})), (std::vector<std::int64_t>{1}));
    EXPECT_TRUE(verifyAll(store()).ok());  // the old entries were chained on the way
}

TEST_P(StoreSuite, AnUpgradedLogKeepsItsHashesAndCoversPersonsFromItsNextEntry) {
    auto& sql_store = dynamic_cast<store::SqlStore&>(store());
    sql_store.migrate(10);
    // Two entries chained as the version before did: without the persons they name.
    audit::Digest digest(audit::HashAlgorithm::Sha256);
    audit::Hash previous = audit::kGenesis;
    std::vector<ExchangeLogEntry> before{read("village-a", "2026-11-01T08:00:00.000Z", {"P1", "P2"}),
                                         read("village-b", "2026-11-01T08:00:01.000Z", {"P3"})};
    for (std::size_t i = 0; i < before.size(); ++i) {
        ExchangeLogEntry& entry = before[i];
        entry.seq = static_cast<std::int64_t>(i) + 1;
        previous = audit::entryHash(digest, previous, entry, false);
        std::string persons = "|";
        for (const std::string& person : entry.persons) {
            persons += person + "|";
        }
        backend_->query(
            "INSERT INTO exchange_log (seq, at, actor, action, subject, detail_json, hash, persons) VALUES (" +
            std::to_string(entry.seq) + ", '" + entry.at + "', '" + entry.actor + "', '" + entry.action + "', '" +
            entry.subject + "', '" + entry.detail_json + "', '" + audit::toHex(previous) + "', '" + persons + "')");
    }
    backend_->query("INSERT INTO exchange_log_chain (id, algorithm) VALUES (1, 'sha256')");

    store().migrate();
    EXPECT_EQ(store().exchangeLogPersonsFrom(), 3);
    EXPECT_EQ(store().appendExchangeLog(read("village-c", "2026-11-01T08:00:02.000Z", {"P4", "P5"})), 3);
    EXPECT_TRUE(verifyAll(store()).ok());
    EXPECT_EQ(store().exchangeLogEntry(1)->persons, (std::vector<std::string>{"P1", "P2"}));

    // From entry 3 on, the hash covers who a read disclosed.
    backend_->query("UPDATE exchange_log SET persons = '|P4|' WHERE seq = 3");
    auto report = verifyAll(store());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.findings.front().seq, 3);
    backend_->query("UPDATE exchange_log SET persons = '|P4|P5|' WHERE seq = 3");
    EXPECT_TRUE(verifyAll(store()).ok());
    // Before it, as the version that wrote them hashed them: what `gateway audit status` reports.
    backend_->query("UPDATE exchange_log SET persons = '|P1|' WHERE seq = 1");
    EXPECT_TRUE(verifyAll(store()).ok());
}

TEST_P(StoreSuite, BlockRootsAreReadUpToTheFirstGapAndNeverReplaced) {
    store().migrate();
    EXPECT_TRUE(store().logBlockRoots(0, 10).empty());
    store().storeLogBlockRoots(0, {std::string(64, 'a'), std::string(64, 'b')});
    store().storeLogBlockRoots(1, {std::string(64, 'x'), std::string(64, 'c')});  // block 1 is kept as it was
    store().storeLogBlockRoots(5, {std::string(64, 'f')});
    store().storeLogBlockRoots(3, {});
    EXPECT_EQ(store().logBlockRoots(0, 10),
              (std::vector<std::string>{std::string(64, 'a'), std::string(64, 'b'), std::string(64, 'c')}));
    EXPECT_EQ(store().logBlockRoots(1, 1), (std::vector<std::string>{std::string(64, 'b')}));
    EXPECT_EQ(store().logBlockRoots(5, 10), (std::vector<std::string>{std::string(64, 'f')}));
    EXPECT_TRUE(store().logBlockRoots(3, 10).empty());
}

TEST_P(StoreSuite, CheckpointsAreStoredAndFound) {
    store().migrate();
    EXPECT_FALSE(store().latestCheckpoint().has_value());
    for (std::uint64_t size : {10u, 20u, 35u}) {
        audit::Checkpoint checkpoint{
            size, "2026-11-01T08:00:00.000Z", "sha256", std::string(64, 'a'), std::string(64, 'b'), "", "key", "c2ln"};
        store().appendCheckpoint(checkpoint);
    }
    audit::Checkpoint duplicate{20, "2026-11-02T08:00:00.000Z", "sha256", "", "", "", "key", "x"};
    try {
        store().appendCheckpoint(duplicate);
        FAIL() << "a second checkpoint of one size was stored";
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.code(), ErrorCode::Conflict);
    }
    EXPECT_EQ(store().latestCheckpoint()->size, 35u);
    EXPECT_EQ(store().checkpointAtMost(19)->size, 10u);
    EXPECT_EQ(store().checkpointAtMost(20)->size, 20u);
    EXPECT_FALSE(store().checkpointAtMost(9).has_value());
    EXPECT_EQ(store().checkpointAtLeast(11)->size, 20u);
    EXPECT_FALSE(store().checkpointAtLeast(36).has_value());
    const auto middle = store().checkpoints(11, 35);
    ASSERT_EQ(middle.size(), 2u);
    EXPECT_EQ(middle[0].at, "2026-11-01T08:00:00.000Z");
    EXPECT_EQ(middle[1].signature, "c2ln");
}

TEST_P(StoreSuite, EachCheckpointSignsTheOneBeforeItAndWherePersonCoverageStarts) {
    store().migrate();
    const auto signer = testSigner();
    const auto key = audit::CheckpointVerifier::fromPem(signer.publicKeyPem(), "public");
    appendReads(store(), 3);
    const auto first = jobs::writeCheckpoint(store(), store(), signer, "node");
    appendReads(store(), 3);
    const auto second = jobs::writeCheckpoint(store(), store(), signer, "node");
    ASSERT_TRUE(first && second);

    const auto stored = store().checkpoints(0, 100);
    ASSERT_EQ(stored.size(), 2u);
    EXPECT_EQ(stored[0].version, audit::kCheckpointVersion);
    EXPECT_EQ(stored[0].previous, audit::noPreviousCheckpoint());
    EXPECT_EQ(stored[0].persons_from, 1);
    EXPECT_EQ(stored[1].previous, audit::checkpointHash(stored[0]));
    EXPECT_TRUE(key.verify(stored[1]));
    const auto report = audit::verifyExchangeLog(store(), verifyOptions(&key));
    EXPECT_TRUE(report.ok()) << report.findings.front().problem;
    EXPECT_EQ(report.checkpoints, 2);
    ASSERT_TRUE(report.newest_checkpoint);
    EXPECT_EQ(report.newest_checkpoint->size, 6u);
}

TEST_P(StoreSuite, RaisingPersonsFromInTheDatabaseIsDetected) {
    store().migrate();
    const auto signer = testSigner();
    const auto key = audit::CheckpointVerifier::fromPem(signer.publicKeyPem(), "public");
    appendReads(store(), 4);
    ASSERT_TRUE(jobs::writeCheckpoint(store(), store(), signer, "node"));

    // From here on the persons a read disclosed would go unhashed, so that dropping one would not show.
    backend_->query("UPDATE exchange_log_chain SET persons_from = 1000");
    auto report = audit::verifyExchangeLog(store(), verifyOptions(&key));
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.findings.front().seq, 5);
    EXPECT_TRUE(mentions(report, "persons_from was changed")) << report.findings.front().problem;

    appendReads(store(), 2);
    report = audit::verifyExchangeLog(store(), verifyOptions(&key));
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.findings.front().seq, 5);
    EXPECT_TRUE(mentions(report, "entry 5 does not match its hash"));
    // Nor does the next checkpoint put the changed value under a signature.
    EXPECT_THROW(jobs::writeCheckpoint(store(), store(), signer, "node"), GatewayError);
}

TEST_P(StoreSuite, ADeletedMiddleCheckpointIsDetected) {
    store().migrate();
    const auto signer = testSigner();
    for (int i = 0; i < 3; ++i) {
        appendReads(store(), 3);
        ASSERT_TRUE(jobs::writeCheckpoint(store(), store(), signer, "node"));
    }
    ASSERT_TRUE(audit::verifyExchangeLog(store(), {}).ok());
    backend_->query("DELETE FROM audit_checkpoints WHERE size = 6");
    const auto report = audit::verifyExchangeLog(store(), {});
    ASSERT_EQ(report.findings.size(), 1u);
    EXPECT_EQ(report.findings.front().seq, 9);
    EXPECT_TRUE(mentions(report, "does not follow checkpoint 3")) << report.findings.front().problem;
}

TEST_P(StoreSuite, ATamperedPreviousHashIsDetected) {
    store().migrate();
    const auto signer = testSigner();
    const auto key = audit::CheckpointVerifier::fromPem(signer.publicKeyPem(), "public");
    for (int i = 0; i < 2; ++i) {
        appendReads(store(), 3);
        ASSERT_TRUE(jobs::writeCheckpoint(store(), store(), signer, "node"));
    }
    backend_->query("UPDATE audit_checkpoints SET previous = '" + audit::noPreviousCheckpoint() + "' WHERE size = 6");
    auto report = audit::verifyExchangeLog(store(), verifyOptions(&key));
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.findings.front().seq, 6);
    EXPECT_TRUE(mentions(report, "bad signature"));
    // Without the key, the link itself does not hold.
    report = audit::verifyExchangeLog(store(), {});
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.findings.front().seq, 6);
    EXPECT_TRUE(mentions(report, "does not follow checkpoint 3"));
}

TEST_P(StoreSuite, DeletedNewestCheckpointsAndRewrittenEntriesAreCaughtByATrustedCheckpoint) {
    store().migrate();
    const auto signer = testSigner();
    const auto key = audit::CheckpointVerifier::fromPem(signer.publicKeyPem(), "public");
    std::optional<audit::Checkpoint> newest;
    for (int i = 0; i < 3; ++i) {
        appendReads(store(), 3);
        newest = jobs::writeCheckpoint(store(), store(), signer, "node");
    }
    // What an auditor kept: the checkpoint as the gateway printed it.
    const audit::Checkpoint trusted = audit::parseCheckpoint(audit::renderCheckpoint(*newest));
    ASSERT_TRUE(audit::verifyExchangeLog(store(), verifyOptions(&key, trusted)).ok());

    backend_->query("DELETE FROM audit_checkpoints WHERE size > 3");
    rewriteFrom(store(), *backend_, 5);
    // Alone, the database now looks like a log signed up to entry 3.
    const auto alone = audit::verifyExchangeLog(store(), verifyOptions(&key));
    EXPECT_TRUE(alone.ok());
    ASSERT_TRUE(alone.newest_checkpoint);
    EXPECT_EQ(alone.newest_checkpoint->size, 3u);

    const auto report = audit::verifyExchangeLog(store(), verifyOptions(&key, trusted));
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.findings.front().seq, 9);
    EXPECT_TRUE(mentions(report, "is not in the database")) << report.findings.front().problem;
    EXPECT_TRUE(mentions(report, "entries up to 9 differ from checkpoint 9"));
}

TEST_P(StoreSuite, AnUpgradedLogsUnchainedCheckpointsVerifyAndTheNextChainsFromThem) {
    auto& sql_store = dynamic_cast<store::SqlStore&>(store());
    sql_store.migrate(11);
    const auto signer = testSigner();
    const auto key = audit::CheckpointVerifier::fromPem(signer.publicKeyPem(), "public");
    appendReads(store(), 4);
    // A checkpoint signed as the version before signed it: over the tree alone.
    audit::Digest digest(audit::HashAlgorithm::Sha256);
    audit::MerkleFrontier tree;
    for (const auto& entry : store().exchangeLog(0, 100)) {
        tree.append(digest, audit::merkleLeaf(digest, *audit::hashFromHex(entry.hash)));
    }
    audit::Checkpoint old;
    old.size = 4;
    old.at = "2026-11-01T10:00:00.000Z";
    old.algorithm = "sha256";
    old.root = audit::toHex(tree.root(digest));
    old.head = store().exchangeLogHead().hash;
    old.frontier = tree.toHex();
    old.version = 1;
    signer.sign(old);
    backend_->query(
        "INSERT INTO audit_checkpoints (size, at, algorithm, root, head, frontier, key_id, signature) VALUES (4, '" +
        old.at + "', 'sha256', '" + old.root + "', '" + old.head + "', '" + old.frontier + "', '" + old.key_id +
        "', '" + old.signature + "')");

    store().migrate();
    ASSERT_EQ(store().checkpoints(0, 100).front().version, 1);
    EXPECT_TRUE(audit::verifyExchangeLog(store(), verifyOptions(&key)).ok());
    appendReads(store(), 2);
    const auto next = jobs::writeCheckpoint(store(), store(), signer, "node");
    ASSERT_TRUE(next);
    EXPECT_EQ(next->previous, audit::checkpointHash(store().checkpoints(0, 100).front()));
    const auto report = audit::verifyExchangeLog(store(), verifyOptions(&key));
    EXPECT_TRUE(report.ok()) << report.findings.front().problem;
    EXPECT_EQ(report.checkpoints, 2);
}

}  // namespace gateway::testing
