#pragma once

#include "gateway/app/runtime.h"
#include "gateway/audit/checkpoint.h"
#include "gateway/jobs/link_job.h"
#include "gateway/jobs/profile_job.h"
#include "gateway/jobs/purge_job.h"
#include "gateway/jobs/scheduler.h"
#include "gateway/publish/deliverer.h"

#include <memory>
#include <vector>

namespace gateway::app {

/// What `gateway serve` runs in the background, each on its own interval: every scheduled source's sync, linking
/// with the profile build after it, the purge of those who came of age, push deliveries, and the exchange log's index
/// and checkpoints. Every job is built in the constructor, so that a broken mapping or subscriber file stops start-up
/// (GatewayError) rather than a run hours later. `runtime` and `signer` (null: no checkpoints) must outlive it.
class BackgroundJobs {
public:
    BackgroundJobs(Runtime& runtime, const audit::CheckpointSigner* signer);

    /// The link job, which review decisions made through the API also run.
    jobs::LinkJob& linkJob() { return link_job_; }

    void start() { scheduler_.start(); }
    /// Waits for the runs in progress.
    void stop() { scheduler_.stop(); }
    std::size_t size() const { return scheduler_.size(); }

private:
    void addSyncs();
    void addLinkAndProfiles();
    void addPurge();
    void addPush();
    void addExchangeLog(const audit::CheckpointSigner* signer);
    void addReconcile();
    void runScheduledReconcile();

    Runtime& runtime_;
    std::vector<std::unique_ptr<intake::SyncJob>> sync_jobs_;
    std::vector<std::unique_ptr<intake::SyncJob>> reconcile_sources_;  // every enabled source, scheduled or not
    jobs::LinkJob link_job_;
    jobs::ProfileJob profile_job_;
    jobs::PurgeJob purge_job_;
    std::unique_ptr<publish::Deliverer> deliverer_;
    jobs::Scheduler scheduler_;  // last: stopped (and its runs finished) before the jobs it runs go
};

}  // namespace gateway::app
