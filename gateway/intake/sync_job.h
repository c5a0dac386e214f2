#pragma once

#include "adapters/adapter.h"
#include "gateway/common/clock.h"
#include "gateway/intake/intake_store.h"
#include "gateway/intake/source_config.h"
#include "gateway/mapping/mapping.h"
#include "gateway/store/lease_store.h"

#include <cstdint>
#include <functional>
#include <string>

namespace gateway::intake {

/// Where a run stands, reported after every committed batch.
struct SyncProgress {
    std::string source;
    std::int64_t batches = 0;
    std::int64_t pulled = 0;  // rows received
    std::int64_t staged = 0;  // inserted + updated + unchanged
    std::int64_t quarantined = 0;
    std::int64_t remaining = -1;  // rows the source still holds, when it can tell; -1 unknown
    double seconds = 0;           // since the run started
};

struct SyncOptions {
    bool full = false;            // start from the beginning instead of the stored watermark
    std::string trigger = "cli";  // "cli" or "schedule"
    std::string node;             // this process, e.g. host:pid; holds the job's lease
    int lease_seconds = 600;      // renewed after every batch; another node takes over a lease left to expire
    /// The caller holds the source's sync lease (syncSourceLease) as `node` and keeps it after the run: a
    /// reconciliation syncs first and compares under the same lease, so that no batch lands in between.
    bool lease_held = false;
    std::function<void(const SyncProgress&)> on_progress;
};

enum class SyncResult { Succeeded, Failed, Skipped };

struct SyncOutcome {
    SyncResult result = SyncResult::Failed;
    SyncRun run;          // as recorded (not recorded when skipped)
    std::string message;  // why it failed or was skipped
};

/// The name of the lease that lets one node at a time pull `source`.
std::string syncSourceLease(const std::string& source);

/// The intake of one source: adapter → mapping → store, one transaction per batch with its watermark.
/// The scheduler, the CLI and the tests all call runOnce().
class SyncJob {
public:
    /// Checks that the mapping is for this source. `state_dir` is the adapter's own folder. `leases` keeps two nodes
    /// from pulling one source at once.
    SyncJob(IntakeStore& store, store::LeaseStore& leases, const adapters::AdapterRegistry& registry,
            SourceConfig config, mapping::Mapping mapping, std::string state_dir, const Clock& clock);

    /// Pulls until the source has nothing more. Every row ends staged or quarantined; the watermark moves only
    /// with the batch it covers, so a run stopped at any point (even kill -9) resumes without gap or duplicate.
    /// Never throws for source or store failures: they end the run as Failed, recorded with their message.
    SyncOutcome runOnce(const SyncOptions& options);

    const SourceConfig& config() const { return config_; }
    const mapping::Mapping& mapping() const { return mapping_; }
    /// What the source's adapter is opened with; creates its own folder under the state folder.
    adapters::AdapterConfig adapterConfig() const;

private:
    BatchCommit buildCommit(const adapters::PullBatch& batch, const std::optional<std::string>& expected,
                            const std::string& actor) const;

    IntakeStore& store_;
    store::LeaseStore& leases_;
    const adapters::AdapterRegistry& registry_;
    SourceConfig config_;
    mapping::Mapping mapping_;
    std::string state_dir_;
    const Clock& clock_;
};

}  // namespace gateway::intake
