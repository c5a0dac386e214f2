#pragma once

// intake::IntakeStore in memory, for unit tests of the sync job. Every method behaves as the SQL store's: a batch is
// validated whole, then committed whole or not at all (a moved watermark is a Conflict, a source_id given twice a
// StoreError); records are inserted at version 1, changed ones get the next version, unchanged ones are left; raw
// batches are numbered 1, 2, 3 … across sources; a commit and a finished run each append their entry ("source.pull",
// "sync.run", with the SQL store's details) to the exchange log given. Personal data is kept as given: this store
// has no keyring to seal it with.

#include "gateway/audit/log_store.h"
#include "gateway/common/clock.h"
#include "gateway/intake/intake_store.h"

#include <map>
#include <mutex>

namespace gateway::testing {

/// Thread-safe, as the port requires. `log` and `clock` (which dates a watermark's move) must outlive the store.
class FakeIntakeStore : public intake::IntakeStore {
public:
    FakeIntakeStore(audit::LogStore& log, const Clock& clock) : log_(log), clock_(clock) {}

    intake::CommitResult commitBatch(const intake::BatchCommit& batch) override;
    std::optional<std::string> watermark(std::string_view source) override;
    std::optional<intake::StagedRecord> sourceRecord(std::string_view source, std::string_view source_id) override;
    std::int64_t countSourceRecords(std::string_view source) override;
    std::vector<intake::QuarantinedRecord> quarantined(std::string_view source, std::size_t limit) override;
    std::optional<intake::RawBatch> rawBatch(std::int64_t batch_id) override;
    std::int64_t countRawBatches(std::string_view source) override;
    std::int64_t startSyncRun(const intake::SyncRun& run) override;
    void finishSyncRun(const intake::SyncRun& run) override;
    intake::SourceSummary sourceSummary(std::string_view source) override;
    std::int64_t countQuarantined(std::string_view source) override;

    /// Every staged record, in (source, source_id) order: what the fakes of later stages read.
    std::vector<intake::StagedRecord> stagedRecords();

private:
    struct Watermark {
        std::string value;
        std::string updated_at;
    };
    using Key = std::pair<std::string, std::string>;  // source, source_id

    audit::LogStore& log_;
    const Clock& clock_;
    std::mutex mutex_;
    std::map<std::string, Watermark, std::less<>> watermarks_;
    std::vector<intake::RawBatch> batches_;  // batches_[i] has id i + 1
    std::map<Key, intake::StagedRecord> records_;
    std::vector<intake::QuarantinedRecord> quarantine_;  // in commit order
    std::vector<intake::SyncRun> runs_;                  // runs_[i] has id i + 1
};

}  // namespace gateway::testing
