// `gateway audit`: verify a log that holds and one edited behind the gateway's back, sign checkpoints with a key made
// by keygen, prove an entry and check the proof (and a doctored copy of it), export with filters, and refuse what
// makes no sense.

#include "gateway/audit/chain.h"
#include "gateway/store/store.h"

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace gateway::testing {
namespace {

using namespace Poco::Data::Keywords;

constexpr int kEntries = 10;

int modeOf(const std::string& path) {
    struct stat status {};
    return ::stat(path.c_str(), &status) == 0 ? static_cast<int>(status.st_mode & 07777) : -1;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> result;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        result.push_back(line);
    }
    return result;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

class AuditCliTest : public ::testing::Test {
protected:
    /// Entries 1 … 10, one a day from 2026-11-01: odd ones by "sync" about source.pull, even ones by "app" reading
    /// person Pn; entry 5 names P2 among its persons too.
    void SetUp() override {
        store::StoreSettings settings;
        settings.sqlite_path = dir_.file("gw.db");
        auto store = store::openStore(settings);
        store->migrate();
        std::vector<audit::ExchangeLogEntry> entries;
        for (int i = 1; i <= kEntries; ++i) {
            audit::ExchangeLogEntry entry;
            entry.at = "2026-11-" + std::string(i < 10 ? "0" : "") + std::to_string(i) + "T08:00:00.000Z";
            entry.actor = i % 2 == 1 ? "sync" : "app";
            entry.action = i % 2 == 1 ? "source.pull" : "api.read";
            entry.subject = i % 2 == 1 ? "police_population" : "P" + std::to_string(i);
            entry.detail_json = R"({"n":)" + std::to_string(i) + "}";
            if (i == 5) {
                entry.persons = {"P2"};
            }
            entries.push_back(entry);
        }
        store->appendExchangeLog(entries);
    }

    /// `gateway audit ARGS` in the test's folder, on its SQLite file.
    RunResult audit(std::vector<std::string> args, const std::vector<std::string>& settings = {}) {
        args.insert(args.begin(), "audit");
        args.insert(args.end(), {"--set", "store.sqlite.path=gw.db"});
        for (const std::string& setting : settings) {
            args.insert(args.end(), {"--set", setting});
        }
        return runGateway(args, dir_.path());
    }

    /// Makes key.pem (and key.pub.pem with its public half) and signs a checkpoint over every entry.
    void signAll() {
        const auto keygen = audit({"keygen", "--output", "key.pem"});
        ASSERT_EQ(keygen.exit_code, 0) << keygen.err;
        writeFile(dir_.file("key.pub.pem"), keygen.out);
        const auto signed_now = audit({"checkpoint"}, {"audit.signing_key=key.pem"});
        ASSERT_EQ(signed_now.exit_code, 0) << signed_now.err;
    }

    /// Appends `count` more entries, as the gateway would.
    void append(int count) {
        store::StoreSettings settings;
        settings.sqlite_path = dir_.file("gw.db");
        auto store = store::openStore(settings);
        for (int i = 0; i < count; ++i) {
            store->appendExchangeLog(audit::ExchangeLogEntry{0, "2026-11-20T08:00:00.000Z", "app", "api.read", "P1",
                                                             R"({"more":)" + std::to_string(i) + "}"});
        }
    }

    /// Edits entry `seq` and recomputes every stored hash from it on, to hide the edit from the chain.
    void rewriteFrom(std::int64_t seq) {
        tamper(R"(UPDATE exchange_log SET detail_json = '{"edited":true}' WHERE seq = )" + std::to_string(seq));
        store::StoreSettings settings;
        settings.sqlite_path = dir_.file("gw.db");
        auto store = store::openStore(settings);
        audit::Digest digest(audit::HashAlgorithm::Sha256);
        audit::Hash previous = *audit::hashFromHex(store->exchangeLogEntry(seq - 1)->hash);
        for (const auto& entry : store->exchangeLog(seq - 1, 1000)) {
            previous = audit::entryHash(digest, previous, entry, true);
            tamper("UPDATE exchange_log SET hash = '" + audit::toHex(previous) +
                   "' WHERE seq = " + std::to_string(entry.seq));
        }
    }

    /// Runs SQL on the file directly, as an intruder with write access to it would.
    void tamper(const std::string& statement) {
        Poco::Data::SQLite::Connector::registerConnector();
        Poco::Data::Session session("SQLite", dir_.file("gw.db"));
        session << statement, now;
    }

    TempDir dir_;
};

TEST_F(AuditCliTest, VerifyOfAnUntouchedLogExitsZero) {
    const auto result = audit({"verify"});
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_TRUE(contains(result.out, "entries checked: 10 (1 to 10)")) << result.out;
    EXPECT_TRUE(contains(result.out, "unsigned entries: 10")) << result.out;
    EXPECT_TRUE(contains(result.out, "signatures NOT checked")) << result.out;
    EXPECT_TRUE(contains(result.out, "OK")) << result.out;

    const auto range = audit({"verify", "--from", "4", "--to", "6", "--json"});
    EXPECT_EQ(range.exit_code, 0) << range.out << range.err;
    EXPECT_TRUE(contains(range.out, R"("ok":true)")) << range.out;
    EXPECT_TRUE(contains(range.out, R"("findings":[])")) << range.out;
}

TEST_F(AuditCliTest, VerifyNamesTheEditedEntryAndExitsNonZero) {
    signAll();
    const auto clean = audit({"verify", "--public-key", "key.pub.pem"});
    EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
    EXPECT_TRUE(contains(clean.out, "checkpoints checked: 1, signatures checked with key")) << clean.out;

    tamper(R"(UPDATE exchange_log SET detail_json = '{"n":33}' WHERE seq = 3)");
    const auto result = audit({"verify", "--public-key", "key.pub.pem"});
    EXPECT_EQ(result.exit_code, 65) << result.out << result.err;
    EXPECT_TRUE(contains(result.out, "seq 3: ")) << result.out;
    EXPECT_TRUE(contains(result.out, "FAILED")) << result.out;
    // The configured key is used when no --public-key is given; --json names the entry too.
    const auto json = audit({"verify", "--json"}, {"audit.signing_key=key.pem"});
    EXPECT_EQ(json.exit_code, 65) << json.out << json.err;
    EXPECT_TRUE(contains(json.out, R"("ok":false)")) << json.out;
    EXPECT_TRUE(contains(json.out, R"("findings":[{"seq":3,)")) << json.out;
    EXPECT_TRUE(contains(json.out, R"("signatures_checked":true)")) << json.out;

    // Put back as it was, the log holds again.
    tamper(R"(UPDATE exchange_log SET detail_json = '{"n":3}' WHERE seq = 3)");
    EXPECT_EQ(audit({"verify"}).exit_code, 0);
}

TEST_F(AuditCliTest, VerifyWithIndexFindsADamagedIndexAndRebuildMendsIt) {
    ASSERT_EQ(audit({"index"}).exit_code, 0);
    const auto clean = audit({"verify", "--index"});
    EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
    EXPECT_TRUE(contains(clean.out, "log index checked for 10 entries (it covers entries up to 10)")) << clean.out;
    EXPECT_FALSE(contains(audit({"verify"}).out, "log index checked")) << "only when asked";

    // Entry 5's read of P2 no longer shows in P2's ledger.
    tamper("DELETE FROM exchange_log_terms WHERE term = 'p P2' AND seq = 5");
    EXPECT_EQ(audit({"verify"}).exit_code, 0) << "the chain is intact";
    const auto damaged = audit({"verify", "--index", "--json"});
    EXPECT_EQ(damaged.exit_code, 65) << damaged.out << damaged.err;
    EXPECT_TRUE(contains(damaged.out, R"("findings":[{"seq":5,"problem":"the log index does not hold)")) << damaged.out;
    EXPECT_TRUE(contains(damaged.out, R"("index_checked":10)")) << damaged.out;

    const auto rebuilt = audit({"index", "--rebuild"});
    EXPECT_EQ(rebuilt.exit_code, 0) << rebuilt.err;
    EXPECT_TRUE(contains(rebuilt.out, "cleared the log index")) << rebuilt.out;
    EXPECT_TRUE(contains(rebuilt.out, "indexed 10 entries")) << rebuilt.out;
    EXPECT_EQ(audit({"verify", "--index"}).exit_code, 0);
    EXPECT_EQ(audit({"status", "--rebuild"}).exit_code, 64);
}

TEST_F(AuditCliTest, KeygenThenCheckpointLeavesNoBacklog) {
    const auto before = audit({"status"});
    EXPECT_EQ(before.exit_code, 0) << before.err;
    EXPECT_TRUE(contains(before.out, "head: 10 entries (sha256)")) << before.out;
    EXPECT_TRUE(contains(before.out, "latest checkpoint: none")) << before.out;
    EXPECT_TRUE(contains(before.out, "unsigned entries: 10")) << before.out;
    EXPECT_TRUE(contains(before.out, "signing key: none")) << before.out;
    EXPECT_TRUE(contains(before.out, "unindexed entries: 10 (gateway serve indexes every 5 s")) << before.out;

    const auto indexed = audit({"index"});
    EXPECT_EQ(indexed.exit_code, 0) << indexed.err;
    EXPECT_TRUE(contains(indexed.out, "indexed 10 entries in ")) << indexed.out;
    EXPECT_TRUE(contains(indexed.out, "the index covers entries 1 to 10")) << indexed.out;
    EXPECT_TRUE(contains(audit({"index"}).out, "indexed 0 entries")) << "nothing new";
    EXPECT_TRUE(contains(audit({"status", "--json"}).out, R"("unindexed_entries":0)"));
    EXPECT_TRUE(contains(audit({"status", "--json"}).out, R"("persons_hashed_from":1)"));
    EXPECT_EQ(audit({"index", "--json"}).exit_code, 64);

    const auto no_key = audit({"checkpoint"});
    EXPECT_EQ(no_key.exit_code, 78);
    EXPECT_TRUE(contains(no_key.err, "no signing key configured: set audit.signing_key")) << no_key.err;

    const auto keygen = audit({"keygen", "--output", "key.pem"});
    ASSERT_EQ(keygen.exit_code, 0) << keygen.err;
    EXPECT_EQ(modeOf(dir_.file("key.pem")), 0600);
    EXPECT_TRUE(contains(readFile(dir_.file("key.pem")), "-----BEGIN PRIVATE KEY-----"));
    EXPECT_TRUE(contains(keygen.out, "-----BEGIN PUBLIC KEY-----")) << keygen.out;
    EXPECT_TRUE(contains(keygen.err, "key id ")) << keygen.err;
    const std::string key_id = keygen.err.substr(keygen.err.find("key id ") + 7, 16);

    const auto signed_now = audit({"checkpoint"}, {"audit.signing_key=key.pem"});
    ASSERT_EQ(signed_now.exit_code, 0) << signed_now.err;
    EXPECT_TRUE(contains(signed_now.out, "signed checkpoint of 10 entries")) << signed_now.out;
    EXPECT_TRUE(contains(signed_now.out, "key " + key_id + " (ed25519)")) << signed_now.out;

    const auto after = audit({"status"}, {"audit.signing_key=key.pem", "audit.checkpoint_interval_seconds=30"});
    EXPECT_EQ(after.exit_code, 0) << after.err;
    EXPECT_TRUE(contains(after.out, "latest checkpoint: 10 entries at ")) << after.out;
    EXPECT_TRUE(contains(after.out, ", key " + key_id)) << after.out;
    EXPECT_TRUE(contains(after.out, "unsigned entries: 0")) << after.out;
    EXPECT_TRUE(contains(after.out, "signing key: " + key_id)) << after.out;
    EXPECT_TRUE(contains(after.out, "gateway serve signs every 30 s")) << after.out;
    EXPECT_EQ(audit({"status"}, {"audit.checkpoint_interval_seconds=0"}).exit_code, 78);
    const auto bad_key = audit({"status"}, {"audit.signing_key=gw.db"});
    EXPECT_EQ(bad_key.exit_code, 78);
    EXPECT_TRUE(contains(bad_key.err, "audit.signing_key")) << bad_key.err;
    const auto json = audit({"status", "--json"});
    EXPECT_TRUE(contains(json.out, R"("unsigned_entries":0)")) << json.out;
    EXPECT_TRUE(contains(json.out, R"("key_id":")" + key_id)) << json.out;
    EXPECT_TRUE(contains(json.out, R"("entries":10,"head_hash":")")) << json.out;
    EXPECT_TRUE(contains(json.out, R"("signing_key_id":null})")) << json.out;  // no key configured
    const auto keyed = audit({"status", "--json"}, {"audit.signing_key=key.pem"});
    EXPECT_TRUE(contains(keyed.out, R"("signing_key_id":")" + key_id + "\"}")) << keyed.out;

    const auto again = audit({"checkpoint"}, {"audit.signing_key=key.pem"});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_TRUE(contains(again.out, "nothing to sign")) << again.out;

    // An SM2 key signs too.
    const auto sm2 = audit({"keygen", "--output", "sm2.pem", "--algorithm", "sm2"});
    ASSERT_EQ(sm2.exit_code, 0) << sm2.err;
    EXPECT_TRUE(contains(sm2.err, "sm2")) << sm2.err;
}

TEST_F(AuditCliTest, ProofOfAnEntryChecksAndADoctoredOneDoesNot) {
    const auto unsigned_yet = audit({"prove", "4"});
    EXPECT_NE(unsigned_yet.exit_code, 0);
    EXPECT_TRUE(contains(unsigned_yet.err, "not covered by a signed checkpoint")) << unsigned_yet.err;

    signAll();
    const auto proof = audit({"prove", "4"});
    ASSERT_EQ(proof.exit_code, 0) << proof.err;
    EXPECT_TRUE(contains(proof.out, R"("subject":"P4")")) << proof.out;
    writeFile(dir_.file("proof.json"), proof.out);
    const auto valid = audit({"check-proof", "proof.json", "--public-key", "key.pub.pem"});
    EXPECT_EQ(valid.exit_code, 0) << valid.out << valid.err;
    EXPECT_TRUE(contains(valid.out, "valid: entry 4 ")) << valid.out;
    EXPECT_EQ(audit({"prove", "4", "--size", "10"}).out, proof.out);

    // The entry says someone else read the file.
    std::string doctored = proof.out;
    doctored.replace(doctored.find(R"("actor":"app")"), 13, R"("actor":"bob")");
    writeFile(dir_.file("doctored.json"), doctored);
    const auto invalid = audit({"check-proof", "doctored.json", "--public-key", "key.pub.pem"});
    EXPECT_EQ(invalid.exit_code, 65) << invalid.out << invalid.err;
    EXPECT_TRUE(contains(invalid.out, "invalid: the entry does not match its hash")) << invalid.out;

    // Another key did not sign it.
    const auto other = audit({"keygen", "--output", "other.pem"});
    writeFile(dir_.file("other.pub.pem"), other.out);
    const auto wrong_key = audit({"check-proof", "proof.json", "--public-key", "other.pub.pem"});
    EXPECT_EQ(wrong_key.exit_code, 65);
    EXPECT_TRUE(contains(wrong_key.out, "invalid: the checkpoint's signature does not verify")) << wrong_key.out;

    writeFile(dir_.file("garbage.json"), "{not json");
    const auto garbage = audit({"check-proof", "garbage.json", "--public-key", "key.pub.pem"});
    EXPECT_EQ(garbage.exit_code, 65);
    EXPECT_TRUE(contains(garbage.out, "invalid: ")) << garbage.out;

    const auto missing = audit({"prove", "99"});
    EXPECT_NE(missing.exit_code, 0);
    EXPECT_TRUE(contains(missing.err, "no exchange log entry 99")) << missing.err;
}

TEST_F(AuditCliTest, ExportWritesTheMatchingEntries) {
    const auto csv =
        audit({"export", "--format", "csv", "--actor", "app", "--from", "2026-11-03", "--to", "2026-11-09T00:00:00Z"});
    ASSERT_EQ(csv.exit_code, 0) << csv.err;
    const auto rows = lines(csv.out);
    ASSERT_EQ(rows.size(), 4u) << csv.out;
    EXPECT_EQ(rows[0], "seq,at,actor,action,subject,persons,detail_json,hash");
    EXPECT_EQ(rows[1].substr(0, rows[1].rfind(',') + 1), R"(4,2026-11-04T08:00:00.000Z,app,api.read,P4,,"{""n"":4}",)")
        << rows[1];
    EXPECT_EQ(rows[2].substr(0, 6), "6,2026");
    EXPECT_EQ(rows[3].substr(0, 6), "8,2026");
    EXPECT_TRUE(contains(csv.err, "exported 3 entries")) << csv.err;

    const auto jsonl = audit({"export", "--format", "jsonl", "--person", "P2", "--output", "p2.jsonl"});
    ASSERT_EQ(jsonl.exit_code, 0) << jsonl.err;
    EXPECT_EQ(jsonl.out, "");
    const auto entries = lines(readFile(dir_.file("p2.jsonl")));
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].substr(0, 9), R"({"seq":2,)");
    EXPECT_EQ(entries[1].substr(0, 9), R"({"seq":5,)");
    EXPECT_TRUE(contains(entries[1], R"("actor":"sync")")) << entries[1];

    const auto pulls = audit({"export", "--format", "jsonl", "--action", "source."});
    EXPECT_EQ(lines(pulls.out).size(), 5u) << pulls.out;
}

TEST_F(AuditCliTest, KeygenNeverOverwritesAFile) {
    writeFile(dir_.file("key.pem"), "precious\n");
    const auto result = audit({"keygen", "--output", "key.pem"});
    EXPECT_NE(result.exit_code, 0);
    EXPECT_TRUE(contains(result.err, "exists already")) << result.err;
    EXPECT_EQ(readFile(dir_.file("key.pem")), "precious\n");
    EXPECT_EQ(result.out, "");
}

TEST_F(AuditCliTest, ATrustedCheckpointCatchesDeletedCheckpointsAndRewrittenEntries) {
    signAll();
    append(5);
    const auto newest = audit({"checkpoint", "--json"}, {"audit.signing_key=key.pem"});
    ASSERT_EQ(newest.exit_code, 0) << newest.err;
    writeFile(dir_.file("trusted.json"), newest.out);
    const auto clean = audit({"verify", "--public-key", "key.pub.pem", "--trusted-checkpoint", "trusted.json"});
    EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
    EXPECT_TRUE(contains(clean.out, "trusted checkpoint: 15 entries signed at ")) << clean.out;

    tamper("DELETE FROM audit_checkpoints WHERE size = 15");
    rewriteFrom(12);
    // The database alone holds together up to the checkpoint left, and says that is as far as it reached.
    const auto alone = audit({"verify", "--public-key", "key.pub.pem"});
    EXPECT_EQ(alone.exit_code, 0) << alone.out << alone.err;
    EXPECT_TRUE(contains(alone.out, "newest checkpoint verified: 10 entries signed at ")) << alone.out;
    EXPECT_TRUE(contains(alone.out, "--trusted-checkpoint")) << alone.out;

    const auto result = audit({"verify", "--public-key", "key.pub.pem", "--trusted-checkpoint", "trusted.json"});
    EXPECT_EQ(result.exit_code, 65) << result.out << result.err;
    EXPECT_TRUE(contains(lines(result.out).front(), "seq 15: the trusted checkpoint 15 (signed at ")) << result.out;
    EXPECT_TRUE(contains(result.out, "is not in the database")) << result.out;
    EXPECT_TRUE(contains(result.out, "entries up to 15 differ from checkpoint 15")) << result.out;
    const auto json = audit({"verify", "--json", "--trusted-checkpoint", "trusted.json"});
    EXPECT_EQ(json.exit_code, 65) << json.out << json.err;
    EXPECT_TRUE(contains(json.out, R"("trusted_checkpoint":15)")) << json.out;

    // The file must hold a checkpoint, signed by the key checked with.
    writeFile(dir_.file("bad.json"), R"({"size":15})");
    EXPECT_EQ(audit({"verify", "--trusted-checkpoint", "bad.json"}).exit_code, 64);
    EXPECT_EQ(audit({"verify", "--trusted-checkpoint", "missing.json"}).exit_code, 64);
    std::string forged = newest.out;
    forged.replace(forged.find(R"("root":")") + 8, 4, "0000");
    writeFile(dir_.file("forged.json"), forged);
    const auto refused = audit({"verify", "--public-key", "key.pub.pem", "--trusted-checkpoint", "forged.json"});
    EXPECT_EQ(refused.exit_code, 64) << refused.out << refused.err;
    EXPECT_TRUE(contains(refused.err, "does not carry a valid signature")) << refused.err;
}

TEST_F(AuditCliTest, VerifyFindsPersonsFromRaisedBehindTheGatewaysBack) {
    signAll();
    tamper("UPDATE exchange_log_chain SET persons_from = 50");
    const auto result = audit({"verify", "--public-key", "key.pub.pem"});
    EXPECT_EQ(result.exit_code, 65) << result.out << result.err;
    EXPECT_TRUE(contains(result.out, "seq 11: the database says entries' hashes cover persons from entry 50"))
        << result.out;
    // Nor is the changed value signed over.
    append(1);
    const auto refused = audit({"checkpoint"}, {"audit.signing_key=key.pem"});
    EXPECT_NE(refused.exit_code, 0) << refused.out;
    EXPECT_TRUE(contains(refused.err, "persons_from")) << refused.err;
}

TEST_F(AuditCliTest, BadArgumentsGiveAUsageError) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {},
             {"frobnicate"},
             {"verify", "extra"},
             {"verify", "--from", "x"},
             {"verify", "--from", "0"},
             {"verify", "--from", "5", "--to", "2"},
             {"verify", "--format", "csv"},
             {"status", "--output", "x"},
             {"export"},
             {"export", "--format", "xml"},
             {"export", "--format", "csv", "--from", "yesterday"},
             {"prove"},
             {"prove", "four"},
             {"prove", "4", "--size", "-1"},
             {"check-proof", "proof.json"},
             {"keygen"},
             {"keygen", "--output", "k.pem", "--algorithm", "rsa"},
             {"verify", "--no-such-option"},
             {"status", "--trusted-checkpoint", "x.json"},
         }) {
        const auto result = audit(args);
        std::string joined;
        for (const auto& arg : args) {
            joined += " " + arg;
        }
        EXPECT_EQ(result.exit_code, 64) << "audit" << joined << ": " << result.out << result.err;
        EXPECT_FALSE(result.err.empty()) << "audit" << joined;
    }
    const auto help = audit({"--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_TRUE(contains(help.out, "usage: gateway audit verify")) << help.out;
}

}  // namespace
}  // namespace gateway::testing
