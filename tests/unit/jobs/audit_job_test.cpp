// The exchange log's checkpoints, verification, inclusion proofs and export, against a real SQLite file that the
// tests then tamper with as an intruder with write access to the file would.

#include "gateway/jobs/audit_job.h"
#include "gateway/audit/log_export.h"
#include "gateway/audit/log_json.h"
#include "gateway/audit/log_verify.h"
#include "gateway/audit/proof.h"

#include "gateway/audit/chain.h"
#include "gateway/audit/merkle.h"
#include "gateway/common/error.h"
#include "gateway/store/store.h"
#include "tests/support/temp_dir.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>

#include <sstream>

namespace gateway::audit {
namespace {

using namespace Poco::Data::Keywords;

class AuditJobTest : public ::testing::Test {
protected:
    void SetUp() override {
        store::StoreSettings settings;
        settings.sqlite_path = dir_.file("gw.db");
        store_ = store::openStore(settings);
        store_->migrate();
        append(1, 300);
    }

    void append(int from, int to) {
        std::vector<audit::ExchangeLogEntry> entries;
        for (int i = from; i <= to; ++i) {
            audit::ExchangeLogEntry entry{0,
                                          "2026-11-01T08:00:00.000Z",
                                          i % 7 == 0 ? "=cmd|' /C calc'!A0" : "app",
                                          "api.read",
                                          "/v1/profiles",
                                          R"({"n":)" + std::to_string(i) + "}"};
            entry.persons = {"P" + std::to_string(i)};
            entries.push_back(entry);
        }
        store_->appendExchangeLog(entries);
    }

    /// Runs SQL on the file directly, behind the gateway's back.
    void tamper(const std::string& statement) {
        Poco::Data::SQLite::Connector::registerConnector();
        Poco::Data::Session session("SQLite", dir_.file("gw.db"));
        session << statement, now;
    }

    audit::VerifyReport verify() {
        AuditVerifyOptions options;
        options.key = &key_;
        return verifyExchangeLog(*store_, options);
    }

    testing::TempDir dir_;
    std::unique_ptr<store::Store> store_;
    audit::CheckpointSigner signer_ =
        audit::CheckpointSigner::fromPem(audit::generateSigningKeyPem(audit::SignatureScheme::Ed25519), "key");
    audit::CheckpointVerifier key_ = audit::CheckpointVerifier::fromPem(signer_.publicKeyPem(), "public key");
};

TEST_F(AuditJobTest, TheLogIndexCatchesUpInRunsAndReportsItsBacklog) {
    EXPECT_EQ(checkpointStatus(*store_).unindexed_entries, 300);
    EXPECT_EQ(indexExchangeLog(*store_, 7), 300);  // 43 runs, the last one short
    EXPECT_EQ(store_->exchangeLogIndexed(), 300);
    EXPECT_EQ(checkpointStatus(*store_).unindexed_entries, 0);
    EXPECT_EQ(indexExchangeLog(*store_), 0);
    append(301, 310);
    EXPECT_EQ(checkpointStatus(*store_).unindexed_entries, 10);
    EXPECT_EQ(indexExchangeLog(*store_), 10);
}

TEST_F(AuditJobTest, CheckpointsExtendTheTreeAndCatchUpOnTheBacklog) {
    EXPECT_EQ(checkpointStatus(*store_).unsigned_entries, 300);
    const auto first = jobs::writeCheckpoint(*store_, *store_, signer_, "test:1");
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->size, 300u);
    EXPECT_TRUE(key_.verify(*first));
    EXPECT_FALSE(jobs::writeCheckpoint(*store_, *store_, signer_, "test:1").has_value());  // nothing new

    append(301, 350);
    EXPECT_EQ(checkpointStatus(*store_).unsigned_entries, 50);
    const auto second = jobs::writeCheckpoint(*store_, *store_, signer_, "test:1");
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(second->size, 350u);
    EXPECT_EQ(checkpointStatus(*store_).unsigned_entries, 0);

    // The extended tree is the tree over all 350 entries.
    audit::Digest digest(audit::HashAlgorithm::Sha256);
    std::vector<audit::Hash> leaves;
    for (const auto& hash : store_->exchangeLogHashes(0, 1000)) {
        leaves.push_back(audit::merkleLeaf(digest, *audit::hashFromHex(hash)));
    }
    EXPECT_EQ(second->root, audit::toHex(audit::merkleRoot(digest, leaves)));
    EXPECT_EQ(second->head, store_->exchangeLogHead().hash);

    const auto report = verify();
    EXPECT_TRUE(report.ok()) << report.findings.front().problem;
    EXPECT_EQ(report.entries, 350);
    EXPECT_EQ(report.checkpoints, 2);
}

TEST_F(AuditJobTest, VerifyNamesTheFirstBadEntry) {
    jobs::writeCheckpoint(*store_, *store_, signer_, "test:1");
    append(301, 320);

    tamper("UPDATE exchange_log SET detail_json = '{\"n\":0}' WHERE seq = 77");
    auto report = verify();
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.findings.front().seq, 77);
    tamper("UPDATE exchange_log SET detail_json = '{\"n\":77}' WHERE seq = 77");
    EXPECT_TRUE(verify().ok());

    // Who a read disclosed is part of the entry: a child taken out of it, or one put in, is an edit.
    tamper("UPDATE exchange_log SET persons = '' WHERE seq = 150");
    report = verify();
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.findings.front().seq, 150);
    tamper("UPDATE exchange_log SET persons = '|P150|P7|' WHERE seq = 150");
    EXPECT_EQ(verify().findings.front().seq, 150);
    tamper("UPDATE exchange_log SET persons = '|P150|' WHERE seq = 150");
    EXPECT_TRUE(verify().ok());

    tamper("DELETE FROM exchange_log WHERE seq = 200");
    report = verify();
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.findings.front().seq, 200);
    EXPECT_NE(report.findings.front().problem.find("missing"), std::string::npos);
}

TEST_F(AuditJobTest, VerifyWithTheIndexNamesEntriesASearchCanNoLongerFind) {
    ASSERT_EQ(indexExchangeLog(*store_), 300);
    append(301, 310);  // not indexed yet: read row by row, nothing to check
    AuditVerifyOptions options;
    options.key = &key_;
    options.index = true;
    auto report = verifyExchangeLog(*store_, options);
    EXPECT_TRUE(report.ok()) << report.findings.front().problem;
    EXPECT_EQ(report.index_checked, 300);
    EXPECT_EQ(verify().index_checked, 0);

    // Who read P77's file: the read drops out of the ledger, and the chain alone cannot tell.
    ASSERT_EQ(store_->searchExchangeLog({.person = "P77"}).size(), 1u);
    tamper("DELETE FROM exchange_log_terms WHERE term = 'p P77'");
    EXPECT_TRUE(store_->searchExchangeLog({.person = "P77"}).empty());
    EXPECT_TRUE(verify().ok());
    report = verifyExchangeLog(*store_, options);
    ASSERT_EQ(report.findings.size(), 1u);
    EXPECT_EQ(report.findings.front().seq, 77);
    EXPECT_NE(report.findings.front().problem.find("--rebuild"), std::string::npos);

    // A term moved to another entry, a term changed, and one added.
    tamper("UPDATE exchange_log_terms SET seq = 91 WHERE term = 'p P90' AND seq = 90");
    tamper("UPDATE exchange_log_terms SET term = 'p P12x' WHERE term = 'p P12' AND seq = 12");
    tamper("INSERT INTO exchange_log_terms (term, seq) VALUES ('a someone', 200)");
    report = verifyExchangeLog(*store_, options);
    std::vector<std::int64_t> named;
    for (const auto& finding : report.findings) {
        named.push_back(finding.seq);
    }
    EXPECT_EQ(named, (std::vector<std::int64_t>{12, 77, 90, 91, 200}));
    // A range checks the index of its entries only.
    options.from = 80;
    options.to = 95;
    report = verifyExchangeLog(*store_, options);
    EXPECT_EQ(report.index_checked, 16);
    ASSERT_EQ(report.findings.size(), 2u);
    EXPECT_EQ(report.findings[0].seq, 90);
    EXPECT_EQ(report.findings[1].seq, 91);

    // Built again from the entries, the index holds together and finds P77's read.
    store_->clearExchangeLogIndex();
    EXPECT_EQ(indexExchangeLog(*store_), 310);
    options.from = 1;
    options.to = 0;
    report = verifyExchangeLog(*store_, options);
    EXPECT_TRUE(report.ok()) << report.findings.front().problem;
    EXPECT_EQ(report.index_checked, 310);
    EXPECT_EQ(store_->searchExchangeLog({.person = "P77"}).size(), 1u);
}

TEST_F(AuditJobTest, VerifyReadsPageAfterPageOnAPoolOfOneConnection) {
    append(301, 45000);  // three pages of 20,000
    jobs::writeCheckpoint(*store_, *store_, signer_, "test:1");
    store::StoreSettings settings;
    settings.sqlite_path = dir_.file("gw.db");
    settings.pool_size = 1;
    auto single = store::openStore(settings);
    AuditVerifyOptions options;
    options.key = &key_;
    auto report = verifyExchangeLog(*single, options);
    EXPECT_TRUE(report.ok()) << report.findings.front().problem;
    EXPECT_EQ(report.entries, 45000);
    EXPECT_EQ(report.checkpoints, 1);

    tamper("UPDATE exchange_log SET detail_json = '{\"n\":0}' WHERE seq = 31234");
    report = verifyExchangeLog(*single, options);
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.findings.front().seq, 31234);
    // A range that ends inside a page stops there, and one that ends on a page's last entry reads no further.
    for (const std::int64_t to : {std::int64_t{20000}, std::int64_t{25000}}) {
        options.to = to;
        report = verifyExchangeLog(*single, options);
        EXPECT_TRUE(report.ok()) << to;
        EXPECT_EQ(report.entries, to);
        EXPECT_EQ(report.last_seq, to);
    }
}

TEST_F(AuditJobTest, VerifyCatchesInsertedAndReorderedEntries) {
    jobs::writeCheckpoint(*store_, *store_, signer_, "test:1");
    tamper(
        "INSERT INTO exchange_log (seq, at, actor, action, subject, detail_json, hash) "
        "SELECT 301, at, actor, action, subject, detail_json, hash FROM exchange_log WHERE seq = 300");
    EXPECT_EQ(verify().findings.front().seq, 301);
    tamper("DELETE FROM exchange_log WHERE seq = 301");

    tamper("UPDATE exchange_log SET seq = -1 WHERE seq = 10");
    tamper("UPDATE exchange_log SET seq = 10 WHERE seq = 11");
    tamper("UPDATE exchange_log SET seq = 11 WHERE seq = -1");
    EXPECT_EQ(verify().findings.front().seq, 10);
    tamper("UPDATE exchange_log SET seq = -1 WHERE seq = 10");
    tamper("UPDATE exchange_log SET seq = 10 WHERE seq = 11");
    tamper("UPDATE exchange_log SET seq = 11 WHERE seq = -1");
    EXPECT_TRUE(verify().ok());

    // Cutting off the end of the log shows against the checkpoint.
    tamper("DELETE FROM exchange_log WHERE seq > 290");
    const auto report = verify();
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.findings.front().seq, 291);
}

TEST_F(AuditJobTest, ProofsVerifyForGoodEntriesOnly) {
    EXPECT_THROW(proveEntry(*store_, 5, std::nullopt), GatewayError);  // no checkpoint yet
    jobs::writeCheckpoint(*store_, *store_, signer_, "test:1");
    for (std::int64_t seq : {1, 2, 123, 256, 300}) {
        const InclusionProof proof = parseProof(renderProof(proveEntry(*store_, seq, std::nullopt)));
        std::string why;
        EXPECT_TRUE(checkProof(proof, key_, &why)) << seq << ": " << why;

        InclusionProof changed = proof;
        changed.entry.detail_json = R"({"n":-1})";
        changed.entry.hash.clear();
        EXPECT_FALSE(checkProof(changed, key_, &why));
        EXPECT_NE(why.find("not in the tree"), std::string::npos);
        InclusionProof other_actor = proof;
        other_actor.entry.actor = "someone";
        EXPECT_FALSE(checkProof(other_actor, key_));

        EXPECT_TRUE(proof.persons_hashed);
        EXPECT_EQ(proof.entry.persons, (std::vector<std::string>{"P" + std::to_string(seq)}));
        InclusionProof hidden = proof;
        hidden.entry.persons.clear();
        hidden.entry.hash.clear();
        EXPECT_FALSE(checkProof(hidden, key_, &why)) << seq << ": a child taken out of the entry";
        // Claiming the entry was hashed the old way, without its persons, does not make it check either.
        hidden.persons_hashed = false;
        EXPECT_FALSE(checkProof(hidden, key_, &why)) << seq;
    }
    const auto other = audit::CheckpointSigner::fromPem(audit::generateSigningKeyPem(audit::SignatureScheme::Sm2), "k");
    const auto other_key = audit::CheckpointVerifier::fromPem(other.publicKeyPem(), "pub");
    EXPECT_FALSE(checkProof(proveEntry(*store_, 9, std::nullopt), other_key));
    EXPECT_THROW(proveEntry(*store_, 301, std::nullopt), GatewayError);
    EXPECT_THROW(parseProof("{}"), GatewayError);
    std::string proof_json = renderProof(proveEntry(*store_, 9, std::nullopt));
    const std::string persons_member = R"("persons":["P9"])";
    ASSERT_NE(proof_json.find(persons_member), std::string::npos) << proof_json;
    EXPECT_THROW(parseProof(std::string(proof_json)
                                .replace(proof_json.find(persons_member), persons_member.size(), R"("persons":"P9")")),
                 GatewayError);
    EXPECT_THROW(parseProof(std::string(proof_json)
                                .replace(proof_json.find(persons_member), persons_member.size(), R"("persons":[9])")),
                 GatewayError);
    EXPECT_THROW(parseProof("not json"), GatewayError);
}

TEST_F(AuditJobTest, ProofsReadBlockRootsKeptByCheckpointsAndSurviveADamagedOne) {
    append(301, 2600);  // two whole blocks of 1,024 leaves and a partial third
    ASSERT_TRUE(jobs::writeCheckpoint(*store_, *store_, signer_, "test:1"));
    EXPECT_EQ(store_->logBlockRoots(0, 100).size(), 2u);
    append(2601, 3100);
    ASSERT_TRUE(jobs::writeCheckpoint(*store_, *store_, signer_, "test:1"));
    EXPECT_EQ(store_->logBlockRoots(0, 100).size(), 3u);  // the third completed since
    // The roots kept are those of the tree over all entries.
    audit::Digest digest(audit::HashAlgorithm::Sha256);
    std::vector<audit::Hash> leaves;
    for (const auto& hash : store_->exchangeLogHashes(0, 5000)) {
        leaves.push_back(audit::merkleLeaf(digest, *audit::hashFromHex(hash)));
    }
    const std::vector<audit::Hash> second(leaves.begin() + 1024, leaves.begin() + 2048);
    EXPECT_EQ(store_->logBlockRoots(1, 1).front(), audit::toHex(audit::merkleRoot(digest, second)));

    const auto checks = [&](std::int64_t seq, std::optional<std::uint64_t> size) {
        const InclusionProof proof = proveEntry(*store_, seq, size);
        std::string why;
        EXPECT_TRUE(checkProof(proof, key_, &why)) << seq << ": " << why;
        EXPECT_EQ(proof.entry.seq, seq);
        return proof;
    };
    for (const std::int64_t seq : {1, 1024, 1025, 2048, 2049, 2600, 3072, 3073, 3100}) {
        checks(seq, std::nullopt);
        checks(seq, 3100);
    }
    EXPECT_EQ(checks(2049, std::nullopt).checkpoint.size, 2600u);

    // A damaged block root (it is not signed) costs the fast path, never a wrong proof.
    const InclusionProof before = checks(5, 3100);
    tamper("UPDATE exchange_log_blocks SET root = '" + std::string(64, 'a') + "' WHERE block_no = 1");
    const InclusionProof after = checks(5, 3100);
    EXPECT_EQ(after.path, before.path);
    tamper("UPDATE exchange_log_blocks SET root = 'not hex' WHERE block_no = 0");
    checks(2000, 3100);
    checks(3100, 3100);
}

TEST_F(AuditJobTest, ExportWritesEveryMatchingEntry) {
    std::ostringstream jsonl;
    EXPECT_EQ(exportExchangeLog(*store_, {}, ExportFormat::JsonLines, jsonl), 300);
    std::ostringstream csv;
    audit::ExchangeLogQuery query;
    query.person = "P14";
    EXPECT_EQ(exportExchangeLog(*store_, query, ExportFormat::Csv, csv), 1);
    // A cell a spreadsheet would run as a formula is defused.
    EXPECT_NE(csv.str().find(",'=cmd|' /C calc'!A0,"), std::string::npos) << csv.str();
    EXPECT_NE(csv.str().find("\"{\"\"n\"\":14}\""), std::string::npos) << csv.str();
}

}  // namespace
}  // namespace gateway::audit
