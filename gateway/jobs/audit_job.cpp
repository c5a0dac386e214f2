#include "gateway/jobs/audit_job.h"

#include "gateway/audit/checkpoint_writer.h"
#include "gateway/store/lease.h"

#include <Poco/Timestamp.h>

namespace gateway::jobs {

namespace {

constexpr const char* kCheckpointLease = "audit.checkpoint";
constexpr int kCheckpointLeaseSeconds = 300;

}  // namespace

std::optional<audit::Checkpoint> writeCheckpoint(audit::LogStore& store, store::LeaseStore& leases,
                                                 const audit::CheckpointSigner& signer, const std::string& holder) {
    if (!store::acquireLease(leases, kCheckpointLease, holder, Poco::Timestamp(), kCheckpointLeaseSeconds).held) {
        return std::nullopt;
    }
    const store::HeldLease held(leases, kCheckpointLease, holder);
    return audit::signCheckpoint(store, signer);
}

}  // namespace gateway::jobs
