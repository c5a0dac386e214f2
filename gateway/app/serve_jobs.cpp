#include "gateway/app/serve_jobs.h"

#include "gateway/audit/log_verify.h"
#include "gateway/common/error.h"
#include "gateway/jobs/audit_job.h"
#include "gateway/reconcile/reconcile_job.h"
#include "gateway/reconcile/reconcile_schedule.h"
#include "gateway/store/lease.h"

#include <Poco/DateTime.h>
#include <Poco/LocalDateTime.h>
#include <Poco/Logger.h>

#include <chrono>
#include <string>

namespace gateway::app {

namespace {

Poco::Logger& logger() {
    return Poco::Logger::get("gateway");
}

}  // namespace

BackgroundJobs::BackgroundJobs(Runtime& runtime, const audit::CheckpointSigner* signer)
    : runtime_(runtime),
      link_job_(runtime.makeLinkJob()),
      profile_job_(runtime.makeProfileJob()),
      purge_job_(runtime.makePurgeJob()),
      deliverer_(runtime.makeDeliverer()) {
    addSyncs();
    addLinkAndProfiles();
    addPurge();
    addPush();
    addExchangeLog(signer);
    addReconcile();
}

void BackgroundJobs::addSyncs() {
    const GatewaySettings& settings = runtime_.settings();
    for (const auto& source : runtime_.sources()) {
        if (!settings.intake.schedule || !source.enabled || source.schedule_seconds <= 0) {
            continue;
        }
        sync_jobs_.push_back(std::make_unique<intake::SyncJob>(runtime_.makeSyncJob(source)));
        intake::SyncJob* job = sync_jobs_.back().get();
        scheduler_.add({"sync:" + source.source, std::chrono::seconds(source.schedule_seconds), [job] {
                            intake::SyncOptions options;
                            options.trigger = "schedule";
                            options.node = Runtime::nodeName();
                            const auto outcome = job->runOnce(options);
                            if (outcome.result == intake::SyncResult::Succeeded) {
                                logger().information(job->config().source + ": synced " +
                                                     std::to_string(outcome.run.pulled) + " rows, " +
                                                     std::to_string(outcome.run.quarantined) + " quarantined");
                            } else if (outcome.result == intake::SyncResult::Skipped) {
                                logger().debug(outcome.message);
                            }
                        }});
    }
}

void BackgroundJobs::addLinkAndProfiles() {
    const GatewaySettings& settings = runtime_.settings();
    if (settings.linkage.schedule_seconds <= 0) {
        return;
    }
    scheduler_.add({"link", std::chrono::seconds(settings.linkage.schedule_seconds), [this] {
                        jobs::LinkRunOptions options;
                        options.threads = static_cast<unsigned>(runtime_.settings().linkage.threads);
                        options.actor = Runtime::nodeName();
                        try {
                            const jobs::LinkRunReport report = link_job_.run(options);
                            if (report.dirty > 0) {
                                logger().information("linked " + std::to_string(report.dirty) +
                                                     " records: " + std::to_string(report.changed_assignments) +
                                                     " assignments changed, " + std::to_string(report.stats.review) +
                                                     " pairs for review");
                            }
                            // Profiles follow the persons, every round: what a link run or a reviewer's decision
                            // changed (cheap when nothing did), and everyone when the date moves.
                            jobs::ProfileRunOptions run;
                            run.actor = Runtime::nodeName();
                            const jobs::ProfileRunReport profiles = profile_job_.run(run);
                            if (profiles.written > 0 || profiles.removed > 0) {
                                logger().information("profiles: " + std::to_string(profiles.written) +
                                                     " new versions, " + std::to_string(profiles.removed) + " removed");
                            }
                        } catch (const GatewayError& e) {
                            logger().error("linking or profiles failed: " + e.message());
                        }
                    }});
}

void BackgroundJobs::addPurge() {
    // Hourly, not daily, so that a node that restarts often still purges; a round with nothing due is two index
    // lookups.
    scheduler_.add({"profile.purge", std::chrono::hours(1), [this] {
                        jobs::PurgeOptions options;
                        options.after_days = runtime_.settings().profile.purge_after_days;
                        options.actor = Runtime::nodeName();
                        try {
                            const jobs::PurgeReport report = purge_job_.run(options);
                            if (report.persons > 0) {
                                logger().information("purged the personal data of " + std::to_string(report.persons) +
                                                     " persons removed as adult on or before " + report.cutoff);
                            }
                        } catch (const GatewayError& e) {
                            logger().error("purge failed: " + e.message());
                        }
                    }});
}

void BackgroundJobs::addPush() {
    if (deliverer_->subscribers().empty()) {
        return;
    }
    const GatewaySettings& settings = runtime_.settings();
    scheduler_.add({"push", std::chrono::milliseconds(settings.push.interval_ms), [this] {
                        try {
                            for (const auto& report : deliverer_->deliverAll(runtime_.settings().push.threads)) {
                                if (report.delivered > 0 || report.dead_lettered > 0) {
                                    logger().information("push " + report.subscriber + ": " +
                                                         std::to_string(report.delivered) + " delivered, " +
                                                         std::to_string(report.dead_lettered) + " dead-lettered");
                                }
                                if (!report.error.empty() && !report.waiting) {
                                    logger().warning("push " + report.subscriber + ": " + report.error);
                                }
                            }
                        } catch (const GatewayError& e) {
                            logger().error("push failed: " + e.message());
                        }
                    }});
}

void BackgroundJobs::addExchangeLog(const audit::CheckpointSigner* signer) {
    const GatewaySettings& settings = runtime_.settings();
    // Like signing, indexing runs after the appends: an append writes only its own row.
    scheduler_.add({"audit.index", std::chrono::seconds(settings.audit.index_interval_seconds), [this] {
                        try {
                            if (const auto indexed = audit::indexExchangeLog(runtime_.store())) {
                                logger().debug("exchange log index: " + std::to_string(indexed) + " entries added");
                            }
                        } catch (const GatewayError& e) {
                            logger().warning(
                                "exchange log index not brought up to date (searches read the entries since row by "
                                "row): " +
                                e.message());
                        }
                    }});
    if (signer == nullptr) {
        logger().warning("audit.signing_key is not set: the exchange log is chained but no checkpoint is signed");
        return;
    }
    // Signing never holds up the exchange: entries are chained as they come, and a checkpoint that fails or lags
    // leaves a backlog (GET /metrics) that the next one catches up.
    scheduler_.add(
        {"audit.checkpoint", std::chrono::seconds(settings.audit.checkpoint_interval_seconds), [this, signer] {
             try {
                 const auto checkpoint =
                     jobs::writeCheckpoint(runtime_.store(), runtime_.store(), *signer, Runtime::nodeName());
                 if (checkpoint) {
                     logger().debug("exchange log checkpoint signed at " + std::to_string(checkpoint->size) +
                                    " entries");
                 }
             } catch (const GatewayError& e) {
                 logger().warning("exchange log checkpoint not signed (entries go on being chained): " + e.message());
             }
         }});
}

void BackgroundJobs::addReconcile() {
    const GatewaySettings& settings = runtime_.settings();
    if (settings.reconcile.schedule.empty()) {
        return;
    }
    for (const auto& source : runtime_.sources()) {
        if (source.enabled) {
            reconcile_sources_.push_back(std::make_unique<intake::SyncJob>(runtime_.makeSyncJob(source)));
        }
    }
    // Asked often: cheap (one read of the latest runs) until the time of day comes.
    scheduler_.add(
        {"reconcile", std::chrono::seconds(settings.reconcile.check_seconds), [this] { runScheduledReconcile(); }});
}

void BackgroundJobs::runScheduledReconcile() {
    const GatewaySettings& settings = runtime_.settings();
    const Clock& clock = runtime_.clock();
    store::Store& store = runtime_.store();
    // Its own holder name, so that this process's scheduled syncs and the reconciliation exclude each other on a
    // source's sync lease as two nodes would.
    const std::string node = Runtime::nodeName() + "/reconcile";
    constexpr int kLeaseSeconds = 3600;
    try {
        const auto since = reconcile::lastScheduledInstant(settings.reconcile.schedule, clock.now());
        if (!since || reconcile::scheduledRunSince(store, *since)) {
            return;
        }
        if (!store::acquireLease(store, reconcile::kScheduledRunLease, node, clock.now(), kLeaseSeconds).held) {
            return;
        }
        const store::HeldLease held(store, reconcile::kScheduledRunLease, node);
        if (reconcile::scheduledRunSince(store, *since)) {
            return;  // another node ran it while this one waited for the lease
        }
        reconcile::ReconcileOptions options;
        options.repair = settings.reconcile.repair;
        options.trigger = "schedule";
        options.node = node;
        // The day of the schedule's own clock: at 02:00 in China it is still yesterday in UTC.
        const Poco::LocalDateTime local{Poco::DateTime(clock.now())};
        options.as_of = model::CalendarDate(local.year(), local.month(), local.day()).toIso();
        options.max_retire_share = settings.reconcile.max_retire_percent / 100.0;
        options.on_progress = [&](const reconcile::ReconcileProgress&) {
            const Poco::Timestamp now = clock.now();
            store.claimLease(reconcile::kScheduledRunLease, node, formatIso(now),
                             formatIso(now + Poco::Timespan(kLeaseSeconds, 0)));
        };
        std::vector<intake::SyncJob*> sources;
        for (const auto& job : reconcile_sources_) {
            sources.push_back(job.get());
        }
        reconcile::ReconcileJob job(store, store, store, runtime_.registry(), settings.intake.state_dir + "/reconcile",
                                    clock);
        const reconcile::GapCheck gaps{store, runtime_.profileConfig(), runtime_.gapRules()};
        const reconcile::ReconcileReport report = job.run(sources, options, &gaps);
        if (report.run.status == "succeeded") {
            logger().information("reconcile run " + std::to_string(report.run.id) + " succeeded");
        } else {
            logger().error("reconcile run " + std::to_string(report.run.id) + " failed: " + report.run.error);
        }
    } catch (const GatewayError& e) {
        logger().error("reconcile failed: " + e.message());
    }
}

}  // namespace gateway::app
