#pragma once

#include "gateway/store/lease_store.h"

#include <Poco/Timestamp.h>

#include <optional>
#include <string>

namespace gateway::store {

/// What acquireLease() found.
struct LeaseClaim {
    bool held = false;                      // `holder` holds the lease now
    std::optional<std::string> other;       // who holds it instead, when not held
    std::optional<std::string> taken_from;  // a dead local holder it was taken over from
};

/// Takes or renews the lease on `job` for `lease_seconds`. A lease held by a process of this host that is no
/// longer running (a run killed before it could release it; holders are named "host:pid") is taken over at once:
/// waiting it out would stall the job for nothing.
LeaseClaim acquireLease(LeaseStore& store, const std::string& job, const std::string& holder,
                        const Poco::Timestamp& now, int lease_seconds);

/// Gives a lease back however the scope that holds it ends, so that another node may take the job's next round. A
/// failure to give it back is left to the lease's expiry.
class HeldLease {
public:
    HeldLease(LeaseStore& leases, std::string job, std::string holder);
    ~HeldLease();
    HeldLease(const HeldLease&) = delete;
    HeldLease& operator=(const HeldLease&) = delete;

private:
    LeaseStore& leases_;
    std::string job_;
    std::string holder_;
};

/// Whether `holder` ("host:pid") names a process of this host that is gone.
bool isDeadLocalHolder(const std::string& holder);

}  // namespace gateway::store
