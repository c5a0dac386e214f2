// writeCheckpoint signs only under the checkpoint lease, against the in-memory exchange log and lease store: another
// node's lease means no checkpoint, and the writer gives its own lease back once it has signed.

#include "gateway/jobs/audit_job.h"

#include "tests/support/fake_lease_store.h"
#include "tests/support/fake_log_store.h"

#include <gtest/gtest.h>

namespace gateway::jobs {
namespace {

constexpr const char* kLease = "audit.checkpoint";

class CheckpointLeaseTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::vector<audit::ExchangeLogEntry> entries;
        for (int i = 1; i <= 5; ++i) {
            entries.push_back({0, "2026-11-01T08:00:00.000Z", "app", "api.read", "P" + std::to_string(i), "{}"});
        }
        log_.appendExchangeLog(entries);
    }

    testing::FakeLogStore log_;
    testing::FakeLeaseStore leases_;
    audit::CheckpointSigner signer_ =
        audit::CheckpointSigner::fromPem(audit::generateSigningKeyPem(audit::SignatureScheme::Ed25519), "key");
};

TEST_F(CheckpointLeaseTest, AnotherNodeHoldingTheLeaseMeansNoCheckpoint) {
    // Far on either side of any clock the writer may read.
    ASSERT_TRUE(leases_.claimLease(kLease, "node-b", "2000-01-01T00:00:00.000Z", "2999-01-01T00:00:00.000Z"));
    EXPECT_FALSE(writeCheckpoint(log_, leases_, signer_, "node-a").has_value());
    EXPECT_FALSE(log_.latestCheckpoint().has_value());
    EXPECT_EQ(leases_.leaseHolder(kLease), "node-b");
}

TEST_F(CheckpointLeaseTest, TheWriterSignsEveryEntryAndGivesItsLeaseBack) {
    const auto checkpoint = writeCheckpoint(log_, leases_, signer_, "node-a");
    ASSERT_TRUE(checkpoint.has_value());
    EXPECT_EQ(checkpoint->size, 5u);
    EXPECT_EQ(checkpoint->head, log_.exchangeLogHead().hash);
    EXPECT_EQ(log_.latestCheckpoint()->size, 5u);
    EXPECT_FALSE(leases_.leaseHolder(kLease).has_value());
    EXPECT_FALSE(writeCheckpoint(log_, leases_, signer_, "node-b").has_value()) << "nothing appended since";
}

}  // namespace
}  // namespace gateway::jobs
