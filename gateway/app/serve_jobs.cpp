#include "gateway/app/serve_jobs.h"

#include "gateway/audit/log_verify.h"
#include "gateway/common/error.h"
#include "gateway/jobs/audit_job.h"

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

}  // namespace gateway::app
