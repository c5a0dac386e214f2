#pragma once

// store::LeaseStore in memory, for unit tests of the jobs that take leases. Every method behaves as the SQL store's:
// a lease is free once its expiry is before the claim's `now`, its holder renews it, a release by anyone else does
// nothing, and a takeover moves it only from the holder named.

#include "gateway/store/lease_store.h"

#include <map>
#include <mutex>

namespace gateway::testing {

/// Thread-safe, as the port requires.
class FakeLeaseStore : public store::LeaseStore {
public:
    bool claimLease(std::string_view job, std::string_view holder, std::string_view now,
                    std::string_view expires_at) override;
    void releaseLease(std::string_view job, std::string_view holder) override;
    std::optional<std::string> leaseHolder(std::string_view job) override;
    bool takeOverLease(std::string_view job, std::string_view from_holder, std::string_view to_holder,
                       std::string_view expires_at) override;

    /// When the lease on `job` expires, if anyone holds it: what a test checks a renewal by.
    std::optional<std::string> leaseExpiry(std::string_view job);

private:
    struct Lease {
        std::string holder;
        std::string expires_at;  // ISO-8601 UTC, which compares as text in time order
    };

    std::mutex mutex_;
    std::map<std::string, Lease, std::less<>> leases_;
};

}  // namespace gateway::testing
