#pragma once

// What reconciliation reads and writes: the keys and content hashes the gateway staged from a source, in the byte
// order the merge with the source's rows needs; its runs and their findings; the retirement of records a source
// deleted. The store implements the port.

#include "gateway/reconcile/stream_diff.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::reconcile {

/// One reconciliation: when and where it ran, what it covered, and how it ended.
struct ReconcileRun {
    std::int64_t id = 0;  // assigned by startReconcileRun
    std::string node;     // which gateway process ran it (host:pid)
    std::string trigger;  // "cli" or "schedule"
    std::string started_at;
    std::string finished_at;  // empty while running
    std::string status;       // running, succeeded or failed
    std::string as_of;        // the date the run judged against (YYYY-MM-DD)
    bool repair = false;      // whether it repaired what it found
    /// Per source and in total: rows on each side, findings by kind, repairs, seconds. A JSON object.
    std::string summary_json = "{}";
    std::string error;  // why it failed, one line; empty on success
};

/// One thing a reconciliation found.
struct Finding {
    std::int64_t id = 0;  // filled on read
    std::int64_t run_id = 0;
    /// A discrepancyName() (missing_in_gateway, deleted_at_source, changed) for a record a source and the gateway
    /// disagree on; a rule's code (config/reconcile/gaps.json) for a child the departments disagree about.
    std::string kind;
    std::string source;     // the record's; empty for a finding on a child
    std::string source_id;  // the record's; empty for a finding on a child
    /// The child: for a record, filled by the store from the person links when the record was linked as the finding
    /// was written ('' otherwise); on read, as written.
    std::string person_id;
    /// The child's division of residence, which scopes who may read the finding: for a record, filled by the store
    /// from the person's profile when there is one; on read, as written.
    std::string division;
    std::string detail_json = "{}";  // the evidence, e.g. the content hash on each side
    std::string repair;              // what the run did about it: "" nothing (yet), "restaged" or "retired"
};

/// Which findings of a run to read.
struct FindingQuery {
    std::int64_t run_id = 0;
    std::string kind;      // one kind; empty for every kind
    std::string division;  // a division prefix of digits; "" for every finding, those with no division included
    std::int64_t after_id = 0;
    std::size_t limit = 100;
};

/// How many findings of one kind a part of a division holds.
struct FindingCount {
    std::string part;  // the first `part_digits` digits of the findings' division ("" when 0, or no division)
    std::string kind;
    std::int64_t count = 0;
};

/// Records a source no longer holds, taken out of the gateway.
struct RecordRetirement {
    std::string source;
    std::vector<std::string> source_ids;
    std::string reason;  // e.g. "deleted_at_source"
    std::int64_t run_id = 0;
    std::string at;
    std::string actor;
};

/// Implementations are thread-safe: each call takes a pooled connection. Failures to reach the database throw
/// GatewayError(StoreUnavailable); rejected statements throw GatewayError(StoreError).
class ReconcileStore {
public:
    virtual ~ReconcileStore() = default;

    /// Up to `limit` staged records of `source` (source_id as the key, content hash), in byte order of source_id,
    /// starting after `after` (from the first when nullopt). A caller that pages through a source holds its sync
    /// lease, so that no batch lands between two pages.
    virtual std::vector<KeyHash> stagedKeys(std::string_view source, const std::optional<std::string>& after,
                                            std::size_t limit) = 0;

    /// Records the start of a run (status "running") and returns its id.
    virtual std::int64_t startReconcileRun(const ReconcileRun& run) = 0;
    /// Adds findings to run `run_id` (their run_id and id are ignored).
    virtual void addFindings(std::int64_t run_id, const std::vector<Finding>& findings) = 0;
    /// Sets the repair of run `run_id`'s findings of `kind` on records of `source`, once it is done; returns how many.
    virtual std::int64_t markRepaired(std::int64_t run_id, const std::string& source, const std::string& kind,
                                      const std::string& repair) = 0;
    /// Records the end of run `run.id` (status, summary, error) and appends a "reconcile.run" entry to the exchange
    /// log with its summary, in one transaction. NotFound for an unknown run.
    virtual void finishReconcileRun(const ReconcileRun& run) = 0;
    virtual std::optional<ReconcileRun> reconcileRun(std::int64_t id) = 0;
    /// Up to `limit` runs with an id below `before_id` (all when 0), newest first.
    virtual std::vector<ReconcileRun> reconcileRuns(std::int64_t before_id, std::size_t limit) = 0;
    /// The findings the query selects, in id order. InvalidArgument for a division that is not digits.
    virtual std::vector<Finding> findings(const FindingQuery& query) = 0;
    /// The findings of run `run_id` within `division` (a prefix of digits; "" for all), counted per kind and per
    /// part: the first `part_digits` digits of their division (0 for one count per kind), in (part, kind) order.
    virtual std::vector<FindingCount> findingCounts(std::int64_t run_id, const std::string& division,
                                                    std::size_t part_digits) = 0;

    /// Takes the records out of the gateway, in one transaction: each staged record and its person link is deleted,
    /// a person move from its person to none (with the reason) tells the profile build to rebuild that person and
    /// push the correction, and a "record.retire" exchange-log entry names the run, the reason and the records.
    /// Keys not staged are skipped. Returns how many records were retired.
    virtual std::int64_t retireRecords(const RecordRetirement& retirement) = 0;
};

/// The staged records of one source as a stream, read a page at a time.
class StagedKeyStream : public KeyHashStream {
public:
    StagedKeyStream(ReconcileStore& store, std::string source, std::size_t page_rows = 20000);
    bool next(KeyHash& row) override;

private:
    ReconcileStore& store_;
    std::string source_;
    std::size_t page_rows_;
    std::vector<KeyHash> page_;
    std::size_t at_ = 0;
    std::optional<std::string> after_;
    bool last_page_ = false;
};

}  // namespace gateway::reconcile
