#include "gateway/jobs/purge_job.h"

#include "gateway/common/error.h"

#include <functional>

namespace gateway::jobs {

PurgeJob::PurgeJob(profile::PurgeStore& store, std::function<model::CalendarDate()> today)
    : store_(store), today_(std::move(today)) {}

PurgeReport PurgeJob::run(const PurgeOptions& options) {
    if (options.after_days < 0) {
        throw GatewayError(ErrorCode::InvalidArgument,
                           "the purge period must be 0 days or more, not " + std::to_string(options.after_days));
    }
    if (options.batch == 0) {
        throw GatewayError(ErrorCode::InvalidArgument, "the purge batch must hold at least one person");
    }
    PurgeReport report;
    report.cutoff = model::CalendarDate::fromDaysSinceEpoch(today_().daysSinceEpoch() - options.after_days).toIso();
    if (options.dry_run) {
        report.due = store_.profilesToPurge(report.cutoff, options.batch);
        if (report.due.size() < options.batch) {
            std::vector<std::string> returned = store_.purgedWithRecords(options.batch - report.due.size());
            report.due.insert(report.due.end(), returned.begin(), returned.end());
        }
        return report;
    }
    // Batch after batch of `find`, until it has no more.
    const auto drain = [&](const std::function<std::vector<std::string>()>& find) {
        for (;;) {
            const std::vector<std::string> due = find();
            const std::vector<profile::PurgeOutcome> purged = store_.purgeProfiles(due, options.actor);
            for (const profile::PurgeOutcome& outcome : purged) {
                ++report.persons;
                report.versions += static_cast<std::uint64_t>(outcome.versions);
                report.records += static_cast<std::uint64_t>(outcome.records);
                report.review_pairs += static_cast<std::uint64_t>(outcome.review_pairs);
            }
            // A short batch was the last; an empty result means another node or a build took the rest.
            if (due.size() < options.batch || purged.empty()) {
                return;
            }
        }
    };
    drain([&] { return store_.profilesToPurge(report.cutoff, options.batch); });
    // Then those whose records came back since an earlier purge.
    drain([&] { return store_.purgedWithRecords(options.batch); });
    return report;
}

}  // namespace gateway::jobs
