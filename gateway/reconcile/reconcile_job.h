#pragma once

// One reconciliation run: each source, under its sync lease, synced and then read whole and compared with what the
// gateway staged from it; what differs is recorded as findings and, when asked, repaired through the normal path
// (restaged as a batch; a record its source deleted retired, which the profile build turns into a correction).

#include "adapters/adapter.h"
#include "gateway/common/clock.h"
#include "gateway/intake/intake_store.h"
#include "gateway/intake/sync_job.h"
#include "gateway/profile/profile_store.h"
#include "gateway/reconcile/gap_finder.h"
#include "gateway/reconcile/reconcile_store.h"
#include "gateway/reconcile/stream_diff.h"
#include "gateway/store/lease_store.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace gateway::reconcile {

/// Where one source stands, reported after each batch of each phase.
struct ReconcileProgress {
    std::string source;
    std::string phase;            // "sync", "compare" (the source read whole) or "repair" (read again to restage)
    std::int64_t rows = 0;        // rows read in this phase so far
    std::int64_t remaining = -1;  // rows the source still holds, when it tells; -1 unknown
    double seconds = 0;           // since the phase started
};

struct ReconcileOptions {
    bool repair = false;
    std::string trigger = "cli";         // "cli" or "schedule"
    std::string node;                    // this process (host:pid); holds each source's sync lease while it is compared
    std::string as_of;                   // YYYY-MM-DD the run judges against (required)
    int lease_seconds = 600;             // renewed after every batch
    std::size_t sort_run_rows = 200000;  // rows of a source's keys held in memory before a run goes to disk
    unsigned threads = 2;                // workers judging persons across departments
    /// A repair retires at most this share of a source's staged records. Above it the source is reported failed and
    /// nothing of it is retired: a source that suddenly lists almost nothing is more likely broken than emptied.
    double max_retire_share = 0.10;
    std::function<void(const ReconcileProgress&)> on_progress;
};

/// What one source came to.
struct SourceReconcile {
    std::string source;
    std::string status;   // "compared", "skipped" (the adapter cannot list its source whole) or "failed"
    std::string message;  // why it was skipped or failed
    DiffCounts counts;
    std::int64_t quarantined = 0;  // rows of the source intake would quarantine: not compared
    std::int64_t restaged = 0;
    std::int64_t retired = 0;
    double seconds = 0;
};

/// The cross-department phase: every linked person built on the as-of date and judged by the rules.
struct GapCheck {
    profile::ProfileBuildStore& persons;
    const profile::ProfileConfig& profiles;
    const GapRules& rules;
};

/// What the cross-department phase came to.
struct GapReconcile {
    std::string status;   // "checked" or "failed"; empty when the run had no such phase
    std::string message;  // why it failed
    std::int64_t persons = 0;
    std::map<std::string, std::int64_t> findings;  // per rule, every rule listed (none when the phase failed)
    double seconds = 0;
};

struct ReconcileReport {
    ReconcileRun run;  // as recorded; status "succeeded" unless a source failed (a skipped source does not)
    std::vector<SourceReconcile> sources;
    GapReconcile gaps;
};

class ReconcileJob {
public:
    /// `work_dir` holds the key sorter's run files while a source is compared (created if missing).
    ReconcileJob(ReconcileStore& store, intake::IntakeStore& intake, store::LeaseStore& leases,
                 const adapters::AdapterRegistry& registry, std::string work_dir, const Clock& clock);

    /// Marks failed the runs left "running" by processes of this host that are gone, then reconciles `sources`, each
    /// on its own thread (each by its sync job, which knows its adapter and mapping), then,
    /// with `gaps`, the departments against each other. Never throws for source or store failures of one phase:
    /// they fail that phase, recorded with their message, and the others go on. Throws when the run itself cannot be
    /// recorded.
    ReconcileReport run(const std::vector<intake::SyncJob*>& sources, const ReconcileOptions& options,
                        const GapCheck* gaps = nullptr);

private:
    SourceReconcile reconcileSource(intake::SyncJob& sync, std::int64_t run_id, const ReconcileOptions& options);
    void closeAbandonedRuns();
    GapReconcile checkGaps(const GapCheck& gaps, std::int64_t run_id, const ReconcileOptions& options);
    std::int64_t restage(intake::SyncJob& sync, adapters::Adapter& adapter, std::vector<std::string> keys,
                         std::int64_t run_id, const ReconcileOptions& options);

    ReconcileStore& store_;
    intake::IntakeStore& intake_;
    store::LeaseStore& leases_;
    const adapters::AdapterRegistry& registry_;
    std::string work_dir_;
    const Clock& clock_;
};

/// The run's summary as stored and logged: per source and in total, rows, findings by kind, repairs, seconds; and
/// the cross-department phase, persons judged and findings per rule.
std::string summaryJson(const std::vector<SourceReconcile>& sources, const GapReconcile& gaps);

}  // namespace gateway::reconcile
