#include "gateway/reconcile/reconcile_job.h"

#include "gateway/common/error.h"
#include "gateway/common/hash.h"
#include "gateway/common/json_writer.h"
#include "gateway/common/utf8.h"
#include "gateway/intake/stage_row.h"
#include "gateway/reconcile/gap_check.h"
#include "gateway/reconcile/key_sorter.h"
#include "gateway/reconcile/source_pull.h"
#include "gateway/store/lease.h"

#include <Poco/File.h>
#include <Poco/Logger.h>
#include <Poco/Timespan.h>

#include <algorithm>
#include <optional>
#include <thread>
#include <unordered_set>

namespace gateway::reconcile {

namespace {

/// Findings are written a chunk at a time, so that a source with many of them never holds them all.
constexpr std::size_t kFindingChunk = 2000;
/// Keys per retirement transaction.
constexpr std::size_t kRetireChunk = 1000;

/// Keeps the source's sync lease for another lease period; throws Conflict when another node has taken it.
void renewLease(store::LeaseStore& leases, const std::string& source, const std::string& node, const Clock& clock,
                int seconds) {
    const Poco::Timestamp now = clock.now();
    if (!leases.claimLease(intake::syncSourceLease(source), node, formatIso(now),
                           formatIso(now + Poco::Timespan(seconds, 0)))) {
        throw GatewayError(ErrorCode::Conflict, "lost the sync lease to another node");
    }
}

/// Runs `work`: nullopt when it finished, else the one-line message of what it threw. A failure of one phase ends that
/// phase, never the run or the process (the scheduler runs this on a thread of its own).
std::optional<std::string> failureOf(const std::function<void()>& work) {
    try {
        work();
        return std::nullopt;
    } catch (const GatewayError& e) {
        return utf8::toValidUtf8(e.message());
    } catch (const Poco::Exception& e) {
        return utf8::toValidUtf8(e.displayText());
    } catch (const std::exception& e) {
        return std::string("unexpected error: ") + e.what();
    }
}

double secondsSince(const Poco::Timestamp& start, const Clock& clock) {
    return static_cast<double>(clock.now() - start) / 1e6;
}

std::string evidence(const std::string& source_hash, const std::string& gateway_hash) {
    json::Text text;
    json::Writer& writer = text.writer();
    writer.StartObject();
    if (!source_hash.empty()) {
        json::field(writer, "source_hash", source_hash);
    }
    if (!gateway_hash.empty()) {
        json::field(writer, "gateway_hash", gateway_hash);
    }
    writer.EndObject();
    return text.str();
}

void writeCounts(json::Writer& writer, const SourceReconcile& result) {
    json::field(writer, "source_rows", result.counts.source_rows);
    json::field(writer, "gateway_rows", result.counts.gateway_rows);
    json::field(writer, "missing_in_gateway", result.counts.missing_in_gateway);
    json::field(writer, "deleted_at_source", result.counts.deleted_at_source);
    json::field(writer, "changed", result.counts.changed);
    json::field(writer, "quarantined", result.quarantined);
    json::field(writer, "restaged", result.restaged);
    json::field(writer, "retired", result.retired);
}

}  // namespace

std::string summaryJson(const std::vector<SourceReconcile>& sources, const GapReconcile& gaps) {
    json::Text text;
    json::Writer& writer = text.writer();
    SourceReconcile total;
    writer.StartObject();
    json::key(writer, "sources");
    writer.StartObject();
    for (const SourceReconcile& result : sources) {
        json::key(writer, result.source);
        writer.StartObject();
        json::field(writer, "status", result.status);
        json::field(writer, "message", result.message);
        writeCounts(writer, result);
        json::key(writer, "seconds");
        writer.Double(result.seconds);
        writer.EndObject();
        total.counts += result.counts;
        total.quarantined += result.quarantined;
        total.restaged += result.restaged;
        total.retired += result.retired;
    }
    writer.EndObject();
    json::key(writer, "total");
    writer.StartObject();
    writeCounts(writer, total);
    writer.EndObject();
    if (!gaps.status.empty()) {
        json::key(writer, "gaps");
        writer.StartObject();
        json::field(writer, "status", gaps.status);
        json::field(writer, "message", gaps.message);
        json::field(writer, "persons", gaps.persons);
        json::key(writer, "findings");
        writer.StartObject();
        for (const auto& [rule, count] : gaps.findings) {
            json::field(writer, rule, count);
        }
        writer.EndObject();
        json::key(writer, "seconds");
        writer.Double(gaps.seconds);
        writer.EndObject();
    }
    writer.EndObject();
    return text.str();
}

ReconcileJob::ReconcileJob(ReconcileStore& store, intake::IntakeStore& intake, store::LeaseStore& leases,
                           const adapters::AdapterRegistry& registry, std::string work_dir, const Clock& clock)
    : store_(store),
      intake_(intake),
      leases_(leases),
      registry_(registry),
      work_dir_(std::move(work_dir)),
      clock_(clock) {}

ReconcileReport ReconcileJob::run(const std::vector<intake::SyncJob*>& sources, const ReconcileOptions& options,
                                  const GapCheck* gaps) {
    if (options.as_of.empty()) {
        throw GatewayError(ErrorCode::InvalidArgument, "a reconcile run needs the date it judges against");
    }
    closeAbandonedRuns();
    ReconcileReport report;
    ReconcileRun& run = report.run;
    run.node = options.node.empty() ? std::string("local") : options.node;
    run.trigger = options.trigger;
    run.started_at = formatIso(clock_.now());
    run.as_of = options.as_of;
    run.repair = options.repair;
    run.status = "running";
    run.id = store_.startReconcileRun(run);

    ReconcileOptions effective = options;
    effective.node = run.node;
    // Each source on its own thread, as sync runs them: they wait on different systems, and each holds only its own
    // lease.
    report.sources.resize(sources.size());
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < sources.size(); ++i) {
        threads.emplace_back([&, i] { report.sources[i] = reconcileSource(*sources[i], run.id, effective); });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    for (const SourceReconcile& result : report.sources) {
        if (result.status == "failed") {
            run.error += (run.error.empty() ? "" : "; ") + result.source + ": " + result.message;
        }
    }
    if (gaps != nullptr) {
        report.gaps = checkGaps(*gaps, run.id, effective);
        if (report.gaps.status == "failed") {
            run.error += (run.error.empty() ? "" : "; ") + std::string("across departments: ") + report.gaps.message;
        }
    }
    run.status = run.error.empty() ? "succeeded" : "failed";
    run.summary_json = summaryJson(report.sources, report.gaps);
    run.finished_at = formatIso(clock_.now());
    store_.finishReconcileRun(run);
    return report;
}

SourceReconcile ReconcileJob::reconcileSource(intake::SyncJob& sync, std::int64_t run_id,
                                              const ReconcileOptions& options) {
    Poco::Logger& log = Poco::Logger::get("gateway.reconcile");
    const intake::SourceConfig& config = sync.config();
    SourceReconcile result;
    result.source = config.source;
    const Poco::Timestamp started = clock_.now();
    const std::string lease = intake::syncSourceLease(config.source);
    const store::LeaseClaim claim = store::acquireLease(leases_, lease, options.node, started, options.lease_seconds);
    if (!claim.held) {
        result.status = "failed";
        result.message = "another gateway node is syncing this source (" + claim.other.value_or("unknown") + ")";
        return result;
    }
    const store::HeldLease held(leases_, lease, options.node);
    const auto renew = [&] { renewLease(leases_, config.source, options.node, clock_, options.lease_seconds); };
    const auto report = [&](const char* phase, std::int64_t rows, std::int64_t remaining,
                            const Poco::Timestamp& since) {
        if (options.on_progress) {
            options.on_progress({config.source, phase, rows, remaining, secondsSince(since, clock_)});
        }
    };

    const std::string folder = work_dir_ + "/run-" + std::to_string(run_id) + "-" + config.source;
    const auto failure = failureOf([&] {
        // What the source changed since the last sync is not drift: stage it first, under the same lease, so that
        // only what an incremental sync cannot see is left to find.
        intake::SyncOptions sync_options;
        sync_options.trigger = "reconcile";
        sync_options.node = options.node;
        sync_options.lease_seconds = options.lease_seconds;
        sync_options.lease_held = true;
        const Poco::Timestamp sync_started = clock_.now();
        sync_options.on_progress = [&](const intake::SyncProgress& progress) {
            report("sync", progress.pulled, progress.remaining, sync_started);
        };
        const intake::SyncOutcome synced = sync.runOnce(sync_options);
        if (synced.result != intake::SyncResult::Succeeded) {
            throw GatewayError(ErrorCode::SourceError, "the sync before the comparison failed: " + synced.message);
        }

        auto adapter = registry_.create(config.adapter);
        adapter->open(sync.adapterConfig());
        if (adapter->reconcileSupport() != adapters::ReconcileSupport::WholePull) {
            result.status = "skipped";
            result.message = "the " + config.adapter + " adapter cannot list its source whole";
            return;
        }

        Poco::File(folder).createDirectories();
        std::vector<std::string> restage_keys;
        std::vector<std::string> retire_keys;
        {
            KeySorter sorter(folder, options.sort_run_rows);
            const Poco::Timestamp pull_started = clock_.now();
            const SourcePull pulled =
                pullWhole(*adapter, sync.mapping(), config.source, static_cast<std::size_t>(config.batch_size),
                          formatIso(pull_started), sorter, [&](const SourcePull& so_far) {
                              report("compare", so_far.rows, so_far.remaining, pull_started);
                              renew();
                          });
            result.quarantined = pulled.quarantined;

            std::vector<Finding> chunk;
            const auto flush = [&] {
                store_.addFindings(run_id, chunk);
                chunk.clear();
            };
            auto source_rows = sorter.sorted();
            StagedKeyStream staged(store_, config.source);
            result.counts =
                diffStreams(*source_rows, staged,
                            [&](Discrepancy discrepancy, const std::string& key, const std::string& source_hash,
                                const std::string& gateway_hash) {
                                const bool deleted = discrepancy == Discrepancy::DeletedAtSource;
                                (deleted ? retire_keys : restage_keys).push_back(key);
                                chunk.push_back({0, run_id, std::string(discrepancyName(discrepancy)), config.source,
                                                 key, "", "", evidence(source_hash, gateway_hash), ""});
                                if (chunk.size() == kFindingChunk) {
                                    flush();
                                }
                            });
            flush();
        }

        if (options.repair) {
            const auto limit =
                static_cast<std::int64_t>(options.max_retire_share * static_cast<double>(result.counts.gateway_rows));
            if (static_cast<std::int64_t>(retire_keys.size()) > limit) {
                throw GatewayError(ErrorCode::SourceError,
                                   "the source no longer lists " + std::to_string(retire_keys.size()) + " of the " +
                                       std::to_string(result.counts.gateway_rows) +
                                       " records staged from it, more than the share a repair may retire (" +
                                       std::to_string(options.max_retire_share) + "); nothing was retired");
            }
            if (!restage_keys.empty()) {
                result.restaged = restage(sync, *adapter, std::move(restage_keys), run_id, options);
                for (const Discrepancy kind : {Discrepancy::MissingInGateway, Discrepancy::Changed}) {
                    store_.markRepaired(run_id, config.source, std::string(discrepancyName(kind)), "restaged");
                }
            }
            for (std::size_t at = 0; at < retire_keys.size(); at += kRetireChunk) {
                const std::size_t end = std::min(retire_keys.size(), at + kRetireChunk);
                RecordRetirement retirement{config.source,
                                            {retire_keys.begin() + static_cast<std::ptrdiff_t>(at),
                                             retire_keys.begin() + static_cast<std::ptrdiff_t>(end)},
                                            "deleted_at_source",
                                            run_id,
                                            formatIso(clock_.now()),
                                            options.node};
                result.retired += store_.retireRecords(retirement);
                renew();
            }
            if (!retire_keys.empty()) {
                store_.markRepaired(run_id, config.source, std::string(discrepancyName(Discrepancy::DeletedAtSource)),
                                    "retired");
            }
        }
        adapter->close();
        result.status = "compared";
    });
    if (failure) {
        result.status = "failed";
        result.message = *failure;
    }
    // The sorter removed its run files whatever happened; the folder goes too.
    failureOf([&] {
        if (Poco::File(folder).exists()) {
            Poco::File(folder).remove(true);
        }
    });
    if (result.status == "failed") {
        log.error(config.source + ": reconcile failed: " + result.message);
    }
    result.seconds = secondsSince(started, clock_);
    return result;
}

void ReconcileJob::closeAbandonedRuns() {
    for (ReconcileRun run : store_.reconcileRuns(0, 20)) {
        // A run of a process of this host that is gone (killed, or the machine restarted) will never finish: say so,
        // rather than show it running for ever.
        if (run.status == "running" && store::isDeadLocalHolder(run.node)) {
            run.status = "failed";
            run.finished_at = formatIso(clock_.now());
            run.error = "the process that ran it (" + run.node + ") stopped before it finished";
            store_.finishReconcileRun(run);
            Poco::Logger::get("gateway.reconcile")
                .warning("reconcile run " + std::to_string(run.id) + ": " + run.error);
        }
    }
}

GapReconcile ReconcileJob::checkGaps(const GapCheck& gaps, std::int64_t run_id, const ReconcileOptions& options) {
    GapReconcile result;
    const Poco::Timestamp started = clock_.now();
    const auto failure = failureOf([&] {
        const model::DateResult as_of = model::parseDate(options.as_of);
        if (!as_of) {
            throw GatewayError(ErrorCode::InvalidArgument, "as-of date " + options.as_of + ": " + as_of.error());
        }
        const GapCounts counts = judgeEveryPerson(
            gaps.persons, gaps.profiles, gaps.rules, as_of.value(), store_, run_id, options.threads,
            [&](std::int64_t persons) {
                if (options.on_progress) {
                    options.on_progress({"departments", "gaps", persons, -1, secondsSince(started, clock_)});
                }
            });
        result.persons = counts.persons;
        result.findings = counts.findings;
    });
    result.status = failure ? "failed" : "checked";
    result.message = failure.value_or("");
    if (result.status == "failed") {
        Poco::Logger::get("gateway.reconcile").error("across departments: reconcile failed: " + result.message);
    }
    result.seconds = secondsSince(started, clock_);
    return result;
}

std::int64_t ReconcileJob::restage(intake::SyncJob& sync, adapters::Adapter& adapter, std::vector<std::string> keys,
                                   std::int64_t run_id, const ReconcileOptions& options) {
    const intake::SourceConfig& config = sync.config();
    std::unordered_set<std::string> wanted(std::make_move_iterator(keys.begin()), std::make_move_iterator(keys.end()));
    // The watermark stays where the sync left it: these rows are behind it, and the lease keeps it still.
    const std::optional<std::string> watermark = intake_.watermark(config.source);
    if (!watermark) {
        throw GatewayError(ErrorCode::SourceError, "the source has no watermark to restage its rows under");
    }
    const Poco::Timestamp started = clock_.now();
    std::int64_t restaged = 0;
    std::int64_t rows = 0;
    forEachBatch(adapter, config.source, static_cast<std::size_t>(config.batch_size), [&](adapters::PullBatch& batch) {
        intake::BatchCommit commit;
        commit.raw.source = config.source;
        commit.raw.received_at = formatIso(clock_.now());
        commit.expected_watermark = watermark;
        commit.new_watermark = *watermark;
        commit.actor = "reconcile:" + std::to_string(run_id);
        for (const adapters::RawRow& row : batch.rows) {
            ++rows;
            intake::RowOutcome outcome = intake::stageRow(config.source, row, sync.mapping(), commit.raw.received_at);
            if (outcome.record && wanted.erase(outcome.record->source_id) > 0) {
                commit.records.push_back(std::move(*outcome.record));
            }
        }
        if (!commit.records.empty()) {
            commit.raw.payload = std::move(batch.payload);
            commit.raw.sha256 = sha256Hex(commit.raw.payload);
            commit.raw.record_count = static_cast<std::int64_t>(commit.records.size());
            const intake::CommitResult committed = intake_.commitBatch(commit);
            restaged += committed.inserted + committed.updated;
        }
        if (options.on_progress) {
            options.on_progress({config.source, "repair", rows, batch.remaining, secondsSince(started, clock_)});
        }
        renewLease(leases_, config.source, options.node, clock_, options.lease_seconds);
        return !wanted.empty();
    });
    return restaged;
}

}  // namespace gateway::reconcile
