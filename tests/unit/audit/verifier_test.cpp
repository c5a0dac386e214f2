#include "gateway/audit/verifier.h"

#include "gateway/audit/chain.h"
#include "gateway/common/error.h"

#include <gtest/gtest.h>

namespace gateway::audit {
namespace {

/// A log of `count` chained entries with signed checkpoints at the given sizes, as the store would hold it.
struct Log {
    std::vector<LogEntry> entries;
    std::vector<Checkpoint> checkpoints;
};

Log makeLog(const CheckpointSigner& signer, int count, std::vector<std::uint64_t> sizes) {
    Digest digest(HashAlgorithm::Sha256);
    Log log;
    for (int i = 0; i < count; ++i) {
        log.entries.push_back({0, "2026-11-23T10:00:00Z", "actor" + std::to_string(i % 3), "api.read",
                               "P" + std::to_string(i), R"({"n":)" + std::to_string(i) + "}"});
    }
    chainEntries(digest, 0, kGenesis, log.entries, ChainFormat{});
    MerkleFrontier tree;
    for (const LogEntry& entry : log.entries) {
        tree.append(digest, merkleLeaf(digest, *hashFromHex(entry.hash)));
        if (std::find(sizes.begin(), sizes.end(), tree.size()) != sizes.end()) {
            Checkpoint checkpoint;
            checkpoint.size = tree.size();
            checkpoint.at = "2026-11-23T11:00:00Z";
            checkpoint.algorithm = "sha256";
            checkpoint.root = toHex(tree.root(digest));
            checkpoint.head = entry.hash;
            checkpoint.frontier = tree.toHex();
            checkpoint.previous =
                log.checkpoints.empty() ? noPreviousCheckpoint() : checkpointHash(log.checkpoints.back());
            signer.sign(checkpoint);
            log.checkpoints.push_back(checkpoint);
        }
    }
    return log;
}

class VerifierTest : public ::testing::Test {
protected:
    VerifierTest()
        : signer_(CheckpointSigner::fromPem(generateSigningKeyPem(SignatureScheme::Ed25519), "key")),
          key_(CheckpointVerifier::fromPem(signer_.publicKeyPem(), "public")),
          log_(makeLog(signer_, 50, {10, 20, 40})) {}

    VerifyReport verify(const Log& log, std::optional<Checkpoint> anchor = std::nullopt) {
        LogVerifier verifier(ChainFormat{}, anchor, log.checkpoints, &key_);
        for (const LogEntry& entry : log.entries) {
            if (entry.seq >= verifier.expectedFirst() || !anchor) {
                verifier.add(entry);
            }
        }
        return verifier.finish(log.entries.empty() ? 0 : log.entries.back().seq);
    }

    /// Rewrites every stored hash from `from` on, as someone who knows the algorithm would to hide an edit.
    static void rechain(Log& log, std::size_t from) {
        Digest digest(HashAlgorithm::Sha256);
        Hash previous = from == 0 ? kGenesis : *hashFromHex(log.entries[from - 1].hash);
        for (std::size_t i = from; i < log.entries.size(); ++i) {
            previous = entryHash(digest, previous, log.entries[i], true);
            log.entries[i].hash = toHex(previous);
        }
    }

    CheckpointSigner signer_;
    CheckpointVerifier key_;
    Log log_;
};

TEST_F(VerifierTest, IntactLogPasses) {
    const VerifyReport report = verify(log_);
    EXPECT_TRUE(report.ok()) << report.findings.front().problem;
    EXPECT_EQ(report.entries, 50);
    EXPECT_EQ(report.checkpoints, 3);
    EXPECT_EQ(report.first_seq, 1);
    EXPECT_EQ(report.last_seq, 50);
}

TEST_F(VerifierTest, AnEditedEntryIsNamed) {
    log_.entries[24].detail_json = R"({"n":999})";
    const VerifyReport report = verify(log_);
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.findings.front().seq, 25);
    EXPECT_NE(report.findings.front().problem.find("entry 25"), std::string::npos);
    // The checkpoint over it catches it too.
    EXPECT_EQ(report.findings.size(), 2u);
    EXPECT_EQ(report.findings.back().seq, 40);
}

TEST_F(VerifierTest, AnEditHiddenByRecomputedHashesIsCaughtByTheNextCheckpoint) {
    log_.entries[14].actor = "someone else";
    rechain(log_, 14);
    const VerifyReport report = verify(log_);
    ASSERT_EQ(report.findings.size(), 2u);
    EXPECT_EQ(report.findings[0].seq, 20);
    EXPECT_NE(report.findings[0].problem.find("checkpoint 20"), std::string::npos);
    EXPECT_EQ(report.findings[1].seq, 40);
}

TEST_F(VerifierTest, ADeletedEntryIsNamed) {
    log_.entries.erase(log_.entries.begin() + 30);
    const VerifyReport report = verify(log_);
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.findings.front().seq, 31);
    EXPECT_NE(report.findings.front().problem.find("missing"), std::string::npos);
}

TEST_F(VerifierTest, AnInsertedEntryIsNamed) {
    // Renumber from 12 on and slip a forged entry in at 12, chained properly to 11.
    for (std::size_t i = 11; i < log_.entries.size(); ++i) {
        ++log_.entries[i].seq;
    }
    LogEntry forged{12, "2026-11-23T10:00:00Z", "nobody", "api.read", "P999", "{}"};
    Digest digest(HashAlgorithm::Sha256);
    forged.hash = toHex(entryHash(digest, *hashFromHex(log_.entries[10].hash), forged, true));
    log_.entries.insert(log_.entries.begin() + 11, forged);
    const VerifyReport report = verify(log_);
    ASSERT_FALSE(report.ok());
    // The forged entry chains; the renumbered entries after it no longer do, and checkpoint 20 no longer matches.
    EXPECT_EQ(report.findings.front().seq, 13);
    EXPECT_TRUE(std::any_of(report.findings.begin(), report.findings.end(), [](const Finding& finding) {
        return finding.problem.find("checkpoint 20") != std::string::npos;
    }));

    // A forged entry with a made-up hash is named itself.
    log_.entries[11].hash = std::string(64, '0');
    EXPECT_EQ(verify(log_).findings.front().seq, 12);
}

TEST_F(VerifierTest, SwappedEntriesAreNamed) {
    std::swap(log_.entries[5].detail_json, log_.entries[6].detail_json);
    std::swap(log_.entries[5].subject, log_.entries[6].subject);
    std::swap(log_.entries[5].actor, log_.entries[6].actor);
    EXPECT_EQ(verify(log_).findings.front().seq, 6);
}

TEST_F(VerifierTest, ACutOffEndIsReported) {
    log_.entries.resize(35);  // checkpoint 40 is now beyond the end
    const VerifyReport report = verify(log_);
    ASSERT_EQ(report.findings.size(), 1u);
    EXPECT_EQ(report.findings.front().seq, 36);
    EXPECT_NE(report.findings.front().problem.find("deleted from its end"), std::string::npos);
}

TEST_F(VerifierTest, AnAlteredCheckpointIsReported) {
    log_.checkpoints[1].root[0] = log_.checkpoints[1].root[0] == 'a' ? 'b' : 'a';
    const VerifyReport report = verify(log_);
    ASSERT_EQ(report.findings.size(), 1u);
    EXPECT_EQ(report.findings.front().seq, 20);
    EXPECT_NE(report.findings.front().problem.find("bad signature"), std::string::npos);
}

TEST_F(VerifierTest, VerifyingFromACheckpointReadsOnlyWhatFollows) {
    const VerifyReport report = verify(log_, log_.checkpoints[1]);
    EXPECT_TRUE(report.ok());
    EXPECT_EQ(report.first_seq, 21);
    EXPECT_EQ(report.entries, 30);
    EXPECT_EQ(report.checkpoints, 1);

    log_.entries[44].subject = "P-changed";
    const VerifyReport bad = verify(log_, log_.checkpoints[1]);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.findings.front().seq, 45);

    Checkpoint broken = log_.checkpoints[1];
    broken.frontier = broken.frontier.substr(64);
    EXPECT_THROW(LogVerifier(ChainFormat{}, broken, {}, &key_), GatewayError);
}

TEST_F(VerifierTest, FindingsAreCapped) {
    // Every entry edited: one finding each, of which the report keeps the first kMaxFindings and counts the rest.
    Log big = makeLog(signer_, 300, {});
    for (auto& entry : big.entries) {
        entry.detail_json = "{}";
    }
    const VerifyReport report = verify(big);
    EXPECT_EQ(report.findings.size(), VerifyReport::kMaxFindings);
    EXPECT_EQ(report.more_findings, 300 - static_cast<std::int64_t>(VerifyReport::kMaxFindings));
}

TEST_F(VerifierTest, ChainedCheckpointsHoldTogether) {
    const CheckpointChain chain = checkCheckpointChain(log_.checkpoints, 1);
    EXPECT_TRUE(chain.findings.empty());
    EXPECT_EQ(chain.persons_from, 1);
    EXPECT_TRUE(checkCheckpointChain({}, 5).findings.empty());
}

TEST_F(VerifierTest, ADeletedCheckpointBreaksTheChainWhereItWas) {
    std::vector<Checkpoint> middle_gone{log_.checkpoints[0], log_.checkpoints[2]};
    CheckpointChain chain = checkCheckpointChain(middle_gone, 1);
    ASSERT_EQ(chain.findings.size(), 1u);
    EXPECT_EQ(chain.findings.front().seq, 40);
    EXPECT_NE(chain.findings.front().problem.find("does not follow checkpoint 10"), std::string::npos);

    std::vector<Checkpoint> first_gone{log_.checkpoints[1], log_.checkpoints[2]};
    chain = checkCheckpointChain(first_gone, 1);
    ASSERT_EQ(chain.findings.size(), 1u);
    EXPECT_EQ(chain.findings.front().seq, 20);
    EXPECT_NE(chain.findings.front().problem.find("before it were deleted"), std::string::npos);
}

TEST_F(VerifierTest, AChangedPersonsFromIsNamedAfterTheCheckpointThatSignedIt) {
    CheckpointChain chain = checkCheckpointChain(log_.checkpoints, 41);
    ASSERT_EQ(chain.findings.size(), 1u);
    EXPECT_EQ(chain.findings.front().seq, 41);
    EXPECT_NE(chain.findings.front().problem.find("persons_from was changed"), std::string::npos);
    EXPECT_EQ(chain.persons_from, 1) << "the entries are checked with the signed value";

    // Signed differently by one checkpoint than by the one before it.
    std::vector<Checkpoint> resigned = log_.checkpoints;
    resigned[2].persons_from = 15;
    resigned[2].previous = checkpointHash(resigned[1]);
    signer_.sign(resigned[2]);
    chain = checkCheckpointChain(resigned, 15);
    ASSERT_EQ(chain.findings.size(), 1u);
    EXPECT_EQ(chain.findings.front().seq, 40);
    EXPECT_NE(chain.findings.front().problem.find("changed between them"), std::string::npos);
}

TEST_F(VerifierTest, UnchainedCheckpointsOfAnEarlierVersionLeadIntoTheChain) {
    Log log = makeLog(signer_, 30, {10, 20, 30});
    for (std::size_t i = 0; i < 2; ++i) {
        log.checkpoints[i].version = 1;
        log.checkpoints[i].previous.clear();
        signer_.sign(log.checkpoints[i]);
    }
    log.checkpoints[2].previous = checkpointHash(log.checkpoints[1]);
    signer_.sign(log.checkpoints[2]);
    EXPECT_TRUE(verify(log).ok());
    EXPECT_TRUE(checkCheckpointChain(log.checkpoints, 1).findings.empty());

    // One of the old form after a chained one was not signed by an earlier version.
    Log later = makeLog(signer_, 20, {10, 20});
    later.checkpoints[1].version = 1;
    signer_.sign(later.checkpoints[1]);
    const CheckpointChain chain = checkCheckpointChain(later.checkpoints, 1);
    ASSERT_EQ(chain.findings.size(), 1u);
    EXPECT_EQ(chain.findings.front().seq, 20);
    EXPECT_NE(chain.findings.front().problem.find("unchained form"), std::string::npos);
}

}  // namespace
}  // namespace gateway::audit
