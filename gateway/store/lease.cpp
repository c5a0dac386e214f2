#include "gateway/store/lease.h"

#include "gateway/common/clock.h"

#include <Poco/Environment.h>
#include <Poco/Process.h>
#include <Poco/Timespan.h>

namespace gateway::store {

HeldLease::HeldLease(LeaseStore& leases, std::string job, std::string holder)
    : leases_(leases), job_(std::move(job)), holder_(std::move(holder)) {}

HeldLease::~HeldLease() {
    try {
        leases_.releaseLease(job_, holder_);
    } catch (const std::exception&) {
        // The lease runs out by itself.
    }
}

bool isDeadLocalHolder(const std::string& holder) {
    const auto colon = holder.rfind(':');
    if (colon == std::string::npos || holder.substr(0, colon) != Poco::Environment::nodeName()) {
        return false;
    }
    try {
        const auto pid = static_cast<Poco::Process::PID>(std::stol(holder.substr(colon + 1)));
        return pid > 0 && !Poco::Process::isRunning(pid);
    } catch (const std::exception&) {
        return false;
    }
}

LeaseClaim acquireLease(LeaseStore& store, const std::string& job, const std::string& holder,
                        const Poco::Timestamp& now, int lease_seconds) {
    LeaseClaim claim;
    const std::string expires = formatIso(now + Poco::Timespan(lease_seconds, 0));
    if (store.claimLease(job, holder, formatIso(now), expires)) {
        claim.held = true;
        return claim;
    }
    claim.other = store.leaseHolder(job);
    if (claim.other && isDeadLocalHolder(*claim.other) && store.takeOverLease(job, *claim.other, holder, expires)) {
        claim.held = true;
        claim.taken_from = claim.other;
        claim.other.reset();
    }
    return claim;
}

}  // namespace gateway::store
