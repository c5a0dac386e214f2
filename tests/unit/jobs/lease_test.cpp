// acquireLease and HeldLease, by which one node of several runs a job, against the in-memory lease store: a lease is
// another node's until it expires by the clock, its holder renews it, a holder that is a dead process of this host
// loses it at once, and a held lease is given back however its scope ends.

#include "gateway/store/lease.h"

#include "gateway/common/clock.h"
#include "tests/support/fake_lease_store.h"
#include "tests/support/manual_clock.h"

#include <Poco/Environment.h>
#include <Poco/Process.h>

#include <gtest/gtest.h>

#include <stdexcept>

namespace gateway::store {
namespace {

using namespace std::chrono_literals;

constexpr const char* kJob = "sync:police_population";

class LeaseTest : public ::testing::Test {
protected:
    LeaseClaim acquire(const std::string& holder, int seconds = 60) {
        return acquireLease(leases_, kJob, holder, clock_.now(), seconds);
    }

    testing::FakeLeaseStore leases_;
    testing::ManualClock clock_;
};

TEST_F(LeaseTest, AnotherNodesLeaseHoldsUntilItExpires) {
    ASSERT_TRUE(acquire("node-a").held);
    clock_.advance(59s);
    const LeaseClaim refused = acquire("node-b");
    EXPECT_FALSE(refused.held);
    EXPECT_EQ(refused.other, "node-a");
    EXPECT_FALSE(refused.taken_from.has_value());
    clock_.advance(2s);
    const LeaseClaim taken = acquire("node-b");
    EXPECT_TRUE(taken.held) << "expired a second ago";
    EXPECT_FALSE(taken.other.has_value());
    EXPECT_EQ(leases_.leaseHolder(kJob), "node-b");
    EXPECT_FALSE(acquire("node-a").held);
}

TEST_F(LeaseTest, TheHolderRenewsItsLeaseFromNow) {
    ASSERT_TRUE(acquire("node-a").held);
    EXPECT_EQ(leases_.leaseExpiry(kJob), "2026-11-01T08:01:00.000Z");
    clock_.advance(50s);
    ASSERT_TRUE(acquire("node-a").held);
    EXPECT_EQ(leases_.leaseExpiry(kJob), "2026-11-01T08:01:50.000Z");
    clock_.advance(50s);
    EXPECT_FALSE(acquire("node-b").held) << "the renewal moved the expiry on";
}

TEST_F(LeaseTest, ADeadProcessOfThisHostLosesItsLeaseAtOnce) {
    Poco::ProcessHandle exited = Poco::Process::launch("true", {});
    const auto pid = exited.id();
    ASSERT_EQ(exited.wait(), 0);
    const std::string dead = Poco::Environment::nodeName() + ":" + std::to_string(pid);
    ASSERT_TRUE(isDeadLocalHolder(dead));
    ASSERT_TRUE(acquire(dead).held);

    const LeaseClaim claim = acquire("node-b");
    EXPECT_TRUE(claim.held) << "without waiting for the expiry";
    EXPECT_EQ(claim.taken_from, dead);
    EXPECT_FALSE(claim.other.has_value());
    EXPECT_EQ(leases_.leaseHolder(kJob), "node-b");
}

TEST_F(LeaseTest, ALiveOrRemoteHolderIsWaitedOut) {
    const std::string alive = Poco::Environment::nodeName() + ":" + std::to_string(Poco::Process::id());
    ASSERT_TRUE(acquire(alive).held);
    EXPECT_FALSE(acquire("node-b").held) << "this very process";
    clock_.advance(61s);
    ASSERT_TRUE(acquire("elsewhere:1").held);
    const LeaseClaim claim = acquire("node-b");
    EXPECT_FALSE(claim.held) << "a process of another host is not ours to judge";
    EXPECT_EQ(claim.other, "elsewhere:1");
}

TEST_F(LeaseTest, AHeldLeaseIsGivenBackWhenItsScopeEndsByAnException) {
    ASSERT_TRUE(acquire("node-a").held);
    try {
        const HeldLease held(leases_, kJob, "node-a");
        throw std::runtime_error("the run failed");
    } catch (const std::runtime_error&) {
    }
    EXPECT_FALSE(leases_.leaseHolder(kJob).has_value());
    EXPECT_TRUE(acquire("node-b").held) << "at once, not after the expiry";
}

TEST_F(LeaseTest, AHeldLeaseGivesBackOnlyItsOwnHolders) {
    ASSERT_TRUE(acquire("node-a").held);
    {
        const HeldLease held(leases_, kJob, "node-a");
        clock_.advance(61s);
        ASSERT_TRUE(acquire("node-b").held) << "node-a overran its lease";
    }
    EXPECT_EQ(leases_.leaseHolder(kJob), "node-b") << "node-a's release leaves node-b's lease alone";
}

}  // namespace
}  // namespace gateway::store
