#include "tests/support/fake_lease_store.h"

namespace gateway::testing {

bool FakeLeaseStore::claimLease(std::string_view job, std::string_view holder, std::string_view now,
                                std::string_view expires_at) {
    const std::lock_guard lock(mutex_);
    const auto found = leases_.find(job);
    if (found == leases_.end()) {
        leases_.emplace(std::string(job), Lease{std::string(holder), std::string(expires_at)});
        return true;
    }
    if (found->second.expires_at < now || found->second.holder == holder) {
        found->second = Lease{std::string(holder), std::string(expires_at)};
        return true;
    }
    return false;
}

void FakeLeaseStore::releaseLease(std::string_view job, std::string_view holder) {
    const std::lock_guard lock(mutex_);
    const auto found = leases_.find(job);
    if (found != leases_.end() && found->second.holder == holder) {
        leases_.erase(found);
    }
}

std::optional<std::string> FakeLeaseStore::leaseHolder(std::string_view job) {
    const std::lock_guard lock(mutex_);
    const auto found = leases_.find(job);
    if (found == leases_.end()) {
        return std::nullopt;
    }
    return found->second.holder;
}

bool FakeLeaseStore::takeOverLease(std::string_view job, std::string_view from_holder, std::string_view to_holder,
                                   std::string_view expires_at) {
    const std::lock_guard lock(mutex_);
    const auto found = leases_.find(job);
    if (found == leases_.end() || found->second.holder != from_holder) {
        return false;
    }
    found->second = Lease{std::string(to_holder), std::string(expires_at)};
    return true;
}

std::optional<std::string> FakeLeaseStore::leaseExpiry(std::string_view job) {
    const std::lock_guard lock(mutex_);
    const auto found = leases_.find(job);
    if (found == leases_.end()) {
        return std::nullopt;
    }
    return found->second.expires_at;
}

}  // namespace gateway::testing
