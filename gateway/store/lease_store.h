#pragma once

// Leases, by which one node of several runs a job at a time (a source's sync, the link run, a subscriber's
// deliveries). The store implements the port; acquireLease() (lease.h) is how jobs take one.

#include <optional>
#include <string>
#include <string_view>

namespace gateway::store {

/// Leases on named jobs. Implementations are thread-safe: each call takes a pooled connection. Failures to reach the
/// database throw GatewayError(StoreUnavailable); rejected statements throw GatewayError(StoreError).
class LeaseStore {
public:
    virtual ~LeaseStore() = default;

    /// Takes or renews the lease on `job` for `holder` until `expires_at` if it is free, expired (its expiry is
    /// before `now`) or already held by `holder`. Returns whether `holder` holds it now. Times are ISO-8601 UTC.
    virtual bool claimLease(std::string_view job, std::string_view holder, std::string_view now,
                            std::string_view expires_at) = 0;
    /// Gives the lease up if `holder` holds it.
    virtual void releaseLease(std::string_view job, std::string_view holder) = 0;
    /// Who holds the lease on `job` (expired or not), if anyone.
    virtual std::optional<std::string> leaseHolder(std::string_view job) = 0;
    /// Moves the lease from `from_holder` (known to be dead) to `to_holder`; false if someone else holds it by now.
    virtual bool takeOverLease(std::string_view job, std::string_view from_holder, std::string_view to_holder,
                               std::string_view expires_at) = 0;
};

}  // namespace gateway::store
