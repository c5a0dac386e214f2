#include "gateway/intake/sync_job.h"

#include "gateway/intake/batch_source.h"
#include "gateway/intake/stage_row.h"

#include "gateway/common/error.h"
#include "gateway/common/hash.h"
#include "gateway/common/utf8.h"
#include "gateway/model/source_record.h"
#include "gateway/store/lease.h"

#include <Poco/File.h>
#include <Poco/Logger.h>
#include <Poco/Timespan.h>

#include <unordered_map>

namespace gateway::intake {
namespace {

std::string isoAfter(const Poco::Timestamp& now, int seconds) {
    return formatIso(now + Poco::Timespan(seconds, 0));
}

}  // namespace

std::string syncSourceLease(const std::string& source) {
    return "sync:" + source;
}

SyncJob::SyncJob(IntakeStore& store, store::LeaseStore& leases, const adapters::AdapterRegistry& registry,
                 SourceConfig config, mapping::Mapping mapping, std::string state_dir, const Clock& clock)
    : store_(store),
      leases_(leases),
      registry_(registry),
      config_(std::move(config)),
      mapping_(std::move(mapping)),
      state_dir_(std::move(state_dir)),
      clock_(clock) {
    if (mapping_.source() != config_.source) {
        throw GatewayError(ErrorCode::InvalidConfig, config_.origin + ": key 'mapping': " + config_.mapping +
                                                         " maps source " + utf8::quote(mapping_.source()) + ", not " +
                                                         utf8::quote(config_.source));
    }
}

adapters::AdapterConfig SyncJob::adapterConfig() const {
    const std::string adapter_dir = state_dir_ + "/" + config_.source;
    Poco::File(adapter_dir).createDirectories();
    return {config_.source, config_.settings_json, config_.origin, adapter_dir};
}

BatchCommit SyncJob::buildCommit(const adapters::PullBatch& batch, const std::optional<std::string>& expected,
                                 const std::string& actor) const {
    BatchCommit commit;
    commit.raw.source = config_.source;
    commit.raw.received_at = formatIso(clock_.now());
    commit.raw.payload = batch.payload;
    commit.raw.sha256 = sha256Hex(batch.payload);
    commit.raw.record_count = static_cast<std::int64_t>(batch.rows.size());
    commit.expected_watermark = expected;
    commit.new_watermark = batch.watermark;
    commit.actor = actor;

    // A source may send one record twice in a batch (a repeated page, a duplicated row): the later copy is the
    // newer one, and staging both would make the database reject the whole batch.
    std::unordered_map<std::string, std::size_t> position;
    for (const auto& row : batch.rows) {
        RowOutcome outcome = stageRow(config_.source, row, mapping_, commit.raw.received_at);
        if (outcome.quarantined) {
            commit.quarantined.push_back(std::move(*outcome.quarantined));
            continue;
        }
        StagedRecord& staged = *outcome.record;
        if (const auto it = position.find(staged.source_id); it != position.end()) {
            commit.records[it->second] = std::move(staged);
        } else {
            position.emplace(staged.source_id, commit.records.size());
            commit.records.push_back(std::move(staged));
        }
    }
    return commit;
}

SyncOutcome SyncJob::runOnce(const SyncOptions& options) {
    Poco::Logger& log = Poco::Logger::get("gateway.sync");
    SyncOutcome outcome;
    const std::string lease = syncSourceLease(config_.source);
    const std::string node = options.node.empty() ? std::string("local") : options.node;

    Poco::Timestamp now = clock_.now();
    const store::LeaseClaim claim = options.lease_held
                                        ? store::LeaseClaim{true, std::nullopt, std::nullopt}
                                        : store::acquireLease(leases_, lease, node, now, options.lease_seconds);
    if (!claim.held) {
        outcome.result = SyncResult::Skipped;
        outcome.message =
            config_.source + ": another gateway node is syncing this source (" + claim.other.value_or("unknown") + ")";
        return outcome;
    }
    if (claim.taken_from) {
        log.warning(config_.source + ": took over the sync lease of " + *claim.taken_from +
                    ", which is no longer running");
    }

    SyncRun& run = outcome.run;
    run.source = config_.source;
    run.node = node;
    run.trigger = options.trigger;
    run.started_at = formatIso(now);
    run.id = store_.startSyncRun(run);
    const Poco::Timestamp started = now;
    const auto fail = [&](const std::string& message) {
        run.status = "failed";
        run.error = utf8::toValidUtf8(message);
        outcome.result = SyncResult::Failed;
        outcome.message = run.error;
        log.error(config_.source + ": sync failed: " + run.error);
    };

    try {
        auto adapter = registry_.create(config_.adapter);
        adapter->open(adapterConfig());

        std::optional<std::string> expected = store_.watermark(config_.source);
        std::optional<std::string> since = options.full ? std::nullopt : expected;
        SyncProgress progress;
        progress.source = config_.source;
        {
            BatchSource batches(*adapter, since, static_cast<std::size_t>(config_.batch_size));
            while (auto pulled = batches.next()) {
                const adapters::PullBatch& batch = *pulled;
                const BatchCommit commit = buildCommit(batch, expected, node);
                const CommitResult result = store_.commitBatch(commit);

                ++run.batches;
                run.pulled += static_cast<std::int64_t>(batch.rows.size());
                run.inserted += result.inserted;
                run.updated += result.updated;
                run.unchanged += result.unchanged;
                run.quarantined += result.quarantined;
                expected = batch.watermark;
                const std::int64_t remaining = batch.remaining;
                batches.committed(std::move(*pulled));

                now = clock_.now();
                if (options.on_progress) {
                    progress.batches = run.batches;
                    progress.pulled = run.pulled;
                    progress.staged = run.inserted + run.updated + run.unchanged;
                    progress.quarantined = run.quarantined;
                    progress.remaining = remaining;
                    progress.seconds = static_cast<double>(now - started) / 1e6;
                    options.on_progress(progress);
                }
                if (!leases_.claimLease(lease, node, formatIso(now), isoAfter(now, options.lease_seconds))) {
                    throw GatewayError(ErrorCode::Conflict, config_.source + ": lost the sync lease to another node");
                }
            }
        }  // the prefetch thread is joined and every committed batch acknowledged before the adapter closes
        adapter->close();
        run.status = "succeeded";
        outcome.result = SyncResult::Succeeded;
    } catch (const GatewayError& e) {
        fail(e.message());
    } catch (const Poco::Exception& e) {
        fail(e.displayText());
    } catch (const std::exception& e) {
        // Not expected from the adapters or the store; it still ends the run, not the process, since the scheduler
        // runs this on a thread of its own.
        fail(std::string("unexpected error: ") + e.what());
    }

    run.finished_at = formatIso(clock_.now());
    try {
        store_.finishSyncRun(run);
        if (!options.lease_held) {
            leases_.releaseLease(lease, node);
        }
    } catch (const GatewayError& e) {
        // The staged data is committed batch by batch already; only the run's bookkeeping is lost, and the lease
        // expires by itself.
        log.error(config_.source + ": cannot record the end of sync run " + std::to_string(run.id) + ": " +
                  e.message());
        if (outcome.result == SyncResult::Succeeded) {
            outcome.result = SyncResult::Failed;
            outcome.message = e.message();
        }
    }
    return outcome;
}

}  // namespace gateway::intake
