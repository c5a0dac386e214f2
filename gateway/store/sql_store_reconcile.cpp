// Reconciliation's part of SqlStore: a source's staged keys and hashes in byte order, runs and their findings, and
// the retirement of records a source deleted.

#include "gateway/store/sql_store.h"

#include "gateway/store/bulk_rows.h"
#include "gateway/store/log_details.h"
#include "gateway/store/port_checks.h"
#include "gateway/store/sql_store_internal.h"

#include <Poco/Data/Statement.h>

namespace gateway::store {

using Poco::Data::Session;
using Poco::Data::Statement;
using namespace Poco::Data::Keywords;

std::vector<reconcile::KeyHash> SqlStore::stagedKeys(std::string_view source, const std::optional<std::string>& after,
                                                     std::size_t limit) {
    requireText("source", source, "the staged keys read");
    if (after) {
        requireText("after", *after, "the staged keys read");
    }
    std::vector<reconcile::KeyHash> rows;
    withSession("read the staged keys of " + std::string(source), [&](Session& session) {
        std::string name(source);
        std::string from = after.value_or("");
        Poco::Int64 rows_limit = rowLimit(limit);
        // Byte order in both databases (PostgreSQL's default collation is the locale's), so that the merge with the
        // source's rows, sorted the same way, meets each key where it expects it.
        const std::string order = "source_id " + std::string(tokens().bytes_collate);
        std::vector<std::string> keys;
        std::vector<std::string> hashes;
        Statement select(session);
        select << sql("SELECT source_id, content_hash FROM source_records WHERE source = ?" +
                      std::string(after ? " AND " + order + " > ?" : "") + " ORDER BY " + order + " LIMIT ?"),
            into(keys), into(hashes), use(name);
        if (after) {
            select, use(from);
        }
        select, use(rows_limit);
        select.execute();
        rows.reserve(keys.size());
        for (std::size_t i = 0; i < keys.size(); ++i) {
            rows.push_back({std::move(keys[i]), std::move(hashes[i])});
        }
    });
    return rows;
}

namespace {

/// reconcile_stage: the findings of one write, in their order.
BulkRows findingStageRows(const std::vector<reconcile::Finding>& findings) {
    BulkRows rows("finding_stage", findings.size());
    rows.ordinal("ordinal", findings)
        .text("kind", findings, &reconcile::Finding::kind)
        .text("source", findings, &reconcile::Finding::source)
        .text("source_id", findings, &reconcile::Finding::source_id)
        .text("person_id", findings, &reconcile::Finding::person_id)
        .text("division", findings, &reconcile::Finding::division)
        .text("detail_json", findings, &reconcile::Finding::detail_json)
        .text("repair", findings, &reconcile::Finding::repair);
    return rows;
}

/// retire_stage: the keys of one retirement.
BulkRows retireStageRows(const std::vector<std::string>& ids) {
    BulkRows rows("retire_stage", ids.size());
    rows.text("source_id", ids, [](const std::string& id) { return id; });
    return rows;
}

constexpr const char* kRunColumns =
    "id, node, trigger_kind, started_at, finished_at, status, as_of, repair, summary_json, error";

std::vector<reconcile::ReconcileRun> readRuns(Statement& select) {
    std::vector<Poco::Int64> ids;
    std::vector<std::string> nodes;
    std::vector<std::string> triggers;
    std::vector<std::string> started;
    std::vector<std::string> finished;
    std::vector<std::string> statuses;
    std::vector<std::string> as_of;
    std::vector<Poco::Int64> repairs;
    std::vector<std::string> summaries;
    std::vector<std::string> errors;
    select, into(ids), into(nodes), into(triggers), into(started), into(finished), into(statuses), into(as_of),
        into(repairs), into(summaries), into(errors);
    select.execute();
    std::vector<reconcile::ReconcileRun> runs(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
        runs[i] = {ids[i],
                   std::move(nodes[i]),
                   std::move(triggers[i]),
                   std::move(started[i]),
                   std::move(finished[i]),
                   std::move(statuses[i]),
                   std::move(as_of[i]),
                   repairs[i] != 0,
                   std::move(summaries[i]),
                   std::move(errors[i])};
    }
    return runs;
}

}  // namespace

std::int64_t SqlStore::startReconcileRun(const reconcile::ReconcileRun& run) {
    validateReconcileRun(run);
    Poco::Int64 id = 0;
    withSession("record the start of a reconcile run", [&](Session& session) {
        WriteTransaction transaction(*this, session);
        std::string node = run.node;
        std::string trigger = run.trigger;
        std::string started_at = run.started_at;
        std::string as_of = run.as_of;
        Poco::Int64 repair = run.repair ? 1 : 0;
        std::string summary = run.summary_json;
        session << sql(
            "INSERT INTO reconcile_runs (node, trigger_kind, started_at, status, as_of, repair, summary_json) "
            "VALUES (?, ?, ?, 'running', ?, ?, ?) RETURNING id"),
            use(node), use(trigger), use(started_at), use(as_of), use(repair), use(summary), into(id), now;
        transaction.commit();
    });
    return id;
}

void SqlStore::addFindings(std::int64_t run_id, const std::vector<reconcile::Finding>& findings) {
    validateFindings(findings);
    if (findings.empty()) {
        return;
    }
    withSession("record " + std::to_string(findings.size()) + " findings", [&](Session& session) {
        WriteTransaction transaction(*this, session);
        session << "CREATE TEMP TABLE finding_stage (ordinal BIGINT NOT NULL, kind TEXT NOT NULL, source TEXT NOT "
                   "NULL, source_id TEXT NOT NULL, person_id TEXT NOT NULL, division TEXT NOT NULL, detail_json TEXT "
                   "NOT NULL, repair TEXT NOT NULL)",
            now;
        insertRows(session, findingStageRows(findings));
        Poco::Int64 run = run_id;
        // The person as linked now: a retired record's link is gone once the run has repaired it, so findings are
        // written before their repair.
        Statement insert(session);
        insert << sql(
            "INSERT INTO reconcile_findings (run_id, kind, source, source_id, person_id, division, detail_json, "
            "repair) "
            "SELECT CAST(? AS BIGINT), q.kind, q.source, q.source_id, q.person, CASE WHEN q.division <> '' THEN "
            "q.division ELSE COALESCE(p.residence_division, '') END, q.detail_json, q.repair FROM "
            "(SELECT s.*, CASE WHEN s.person_id <> '' THEN s.person_id ELSE COALESCE(l.person_id, '') END AS person "
            "FROM finding_stage AS s LEFT JOIN person_links AS l ON l.source = s.source AND l.source_id = s.source_id) "
            "AS q LEFT JOIN profiles AS p ON p.person_id = q.person ORDER BY q.ordinal"),
            use(run);
        insert.execute();
        session << "DROP TABLE finding_stage", now;
        transaction.commit();
    });
}

std::int64_t SqlStore::markRepaired(std::int64_t run_id, const std::string& source, const std::string& kind,
                                    const std::string& repair) {
    validateRepair(source, kind, repair);
    std::int64_t marked = 0;
    withSession("mark the repaired findings of reconcile run " + std::to_string(run_id), [&](Session& session) {
        WriteTransaction transaction(*this, session);
        Poco::Int64 run = run_id;
        std::string source_name = source;
        std::string kind_name = kind;
        std::string done = repair;
        Statement update(session);
        update << sql("UPDATE reconcile_findings SET repair = ? WHERE run_id = ? AND source = ? AND kind = ?"),
            use(done), use(run), use(source_name), use(kind_name);
        marked = static_cast<std::int64_t>(update.execute());
        transaction.commit();
    });
    return marked;
}

void SqlStore::finishReconcileRun(const reconcile::ReconcileRun& run) {
    validateReconcileRun(run);
    withSession("record the end of a reconcile run", [&](Session& session) {
        WriteTransaction transaction(*this, session);
        Poco::Int64 id = run.id;
        std::string finished_at = run.finished_at.empty() ? nowIso() : run.finished_at;
        std::string status = run.status;
        std::string summary = run.summary_json;
        std::string error = run.error;
        Statement update(session);
        update << sql(
            "UPDATE reconcile_runs SET finished_at = ?, status = ?, summary_json = ?, error = ? WHERE id = ?"),
            use(finished_at), use(status), use(summary), use(error), use(id);
        if (update.execute() != 1) {
            throw GatewayError(ErrorCode::NotFound, description() + ": no reconcile run " + std::to_string(run.id));
        }
        insertLogEntry(session, {0, finished_at, run.node, "reconcile.run", "reconcile", reconcileRunDetail(run)});
        transaction.commit();
    });
}

std::optional<reconcile::ReconcileRun> SqlStore::reconcileRun(std::int64_t id) {
    std::vector<reconcile::ReconcileRun> runs;
    withSession("read reconcile run " + std::to_string(id), [&](Session& session) {
        Poco::Int64 key = id;
        Statement select(session);
        select << sql("SELECT " + std::string(kRunColumns) + " FROM reconcile_runs WHERE id = ?"), use(key);
        runs = readRuns(select);
    });
    if (runs.empty()) {
        return std::nullopt;
    }
    return std::move(runs.front());
}

std::vector<reconcile::ReconcileRun> SqlStore::reconcileRuns(std::int64_t before_id, std::size_t limit) {
    std::vector<reconcile::ReconcileRun> runs;
    withSession("read the reconcile runs", [&](Session& session) {
        Poco::Int64 before = before_id > 0 ? before_id : std::numeric_limits<Poco::Int64>::max();
        Poco::Int64 rows = rowLimit(limit);
        Statement select(session);
        select << sql("SELECT " + std::string(kRunColumns) +
                      " FROM reconcile_runs WHERE id < ? ORDER BY id DESC "
                      "LIMIT ?"),
            use(before), use(rows);
        runs = readRuns(select);
    });
    return runs;
}

namespace {

/// " AND division >= ? AND division < ?" for a division prefix (nothing for ""), and the values to bind: a range on
/// digits, which the (run_id, division, id) index serves.
struct DivisionRange {
    std::string condition;
    std::vector<std::string> bounds;
};

DivisionRange divisionRange(const std::string& prefix) {
    requireDivisionPrefix(prefix);
    DivisionRange range;
    if (prefix.empty()) {
        return range;
    }
    range.condition = " AND division >= ?";
    range.bounds.push_back(prefix);
    if (const auto upper = digitsUpperBound(prefix)) {
        range.condition += " AND division < ?";
        range.bounds.push_back(*upper);
    }
    return range;
}

}  // namespace

std::vector<reconcile::Finding> SqlStore::findings(const reconcile::FindingQuery& query) {
    requireText("kind", query.kind, "the findings read");
    DivisionRange range = divisionRange(query.division);
    std::vector<reconcile::Finding> result;
    withSession("read the findings of reconcile run " + std::to_string(query.run_id), [&](Session& session) {
        Poco::Int64 run = query.run_id;
        Poco::Int64 after = query.after_id;
        Poco::Int64 rows = rowLimit(query.limit);
        std::string wanted = query.kind;
        std::vector<Poco::Int64> ids;
        std::vector<std::string> kinds;
        std::vector<std::string> sources;
        std::vector<std::string> source_ids;
        std::vector<std::string> persons;
        std::vector<std::string> divisions;
        std::vector<std::string> details;
        std::vector<std::string> repairs;
        Statement select(session);
        select << sql(
            "SELECT id, kind, source, source_id, person_id, division, detail_json, repair FROM "
            "reconcile_findings WHERE run_id = ? AND id > ?" +
            std::string(wanted.empty() ? "" : " AND kind = ?") + range.condition + " ORDER BY id LIMIT ?"),
            use(run), use(after);
        if (!wanted.empty()) {
            select, use(wanted);
        }
        for (std::string& bound : range.bounds) {
            select, use(bound);
        }
        select, use(rows), into(ids), into(kinds), into(sources), into(source_ids), into(persons), into(divisions),
            into(details), into(repairs);
        select.execute();
        result.resize(ids.size());
        for (std::size_t i = 0; i < ids.size(); ++i) {
            result[i] = {ids[i],
                         query.run_id,
                         std::move(kinds[i]),
                         std::move(sources[i]),
                         std::move(source_ids[i]),
                         std::move(persons[i]),
                         std::move(divisions[i]),
                         std::move(details[i]),
                         std::move(repairs[i])};
        }
    });
    return result;
}

std::vector<reconcile::FindingCount> SqlStore::findingCounts(std::int64_t run_id, const std::string& division,
                                                             std::size_t part_digits) {
    DivisionRange range = divisionRange(division);
    std::vector<reconcile::FindingCount> result;
    withSession("count the findings of reconcile run " + std::to_string(run_id), [&](Session& session) {
        Poco::Int64 run = run_id;
        Poco::Int64 digits = static_cast<Poco::Int64>(std::min<std::size_t>(part_digits, 12));
        std::vector<std::string> parts;
        std::vector<std::string> kinds;
        std::vector<Poco::Int64> counts;
        Statement select(session);
        select << sql(
            "SELECT SUBSTR(division, 1, CAST(? AS INTEGER)), kind, COUNT(*) FROM reconcile_findings "
            "WHERE run_id = ?" +
            range.condition + " GROUP BY 1, 2 ORDER BY 1, 2"),
            use(digits), use(run);
        for (std::string& bound : range.bounds) {
            select, use(bound);
        }
        select, into(parts), into(kinds), into(counts);
        select.execute();
        result.resize(parts.size());
        for (std::size_t i = 0; i < parts.size(); ++i) {
            result[i] = {std::move(parts[i]), std::move(kinds[i]), counts[i]};
        }
    });
    return result;
}

std::int64_t SqlStore::retireRecords(const reconcile::RecordRetirement& retirement) {
    validateRetirement(retirement);
    if (retirement.source_ids.empty()) {
        return 0;
    }
    std::vector<std::string> keys = retirement.source_ids;
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    std::vector<std::string> retired;
    withSession("retire " + std::to_string(keys.size()) + " records of " + retirement.source, [&](Session& session) {
        WriteTransaction transaction(*this, session);
        session << "CREATE TEMP TABLE retire_stage (source_id TEXT PRIMARY KEY)", now;
        insertRows(session, retireStageRows(keys));
        std::string source = retirement.source;
        std::string at = retirement.at;
        std::string reason = retirement.reason;
        std::vector<std::string> linked;
        Statement staged(session);
        staged << sql(
            "SELECT r.source_id, COALESCE(l.person_id, '') FROM source_records AS r "
            "JOIN retire_stage AS s ON s.source_id = r.source_id "
            "LEFT JOIN person_links AS l ON l.source = r.source AND l.source_id = r.source_id "
            "WHERE r.source = ? ORDER BY r.source_id"),
            use(source), into(retired), into(linked);
        staged.execute();
        std::sort(linked.begin(), linked.end());
        linked.erase(std::unique(linked.begin(), linked.end()), linked.end());
        std::erase(linked, std::string());
        // The move goes first, while the link still names the person: the profile build rebuilds that person without
        // the record, or removes it when nothing is left.
        Statement moves(session);
        moves << sql(
            "INSERT INTO person_moves (source, source_id, from_person, to_person, moved_at, reason) "
            "SELECT l.source, l.source_id, l.person_id, '', CAST(? AS TEXT), CAST(? AS TEXT) FROM person_links AS l "
            "JOIN retire_stage AS s ON s.source_id = l.source_id WHERE l.source = ? ORDER BY l.source_id"),
            use(at), use(reason), use(source);
        moves.execute();
        Statement unlink(session);
        unlink << sql(
            "DELETE FROM person_links WHERE source = ? AND source_id IN (SELECT source_id FROM retire_stage)"),
            use(source);
        unlink.execute();
        Statement remove(session);
        remove << sql(
            "DELETE FROM source_records WHERE source = ? AND source_id IN (SELECT source_id FROM retire_stage)"),
            use(source);
        remove.execute();
        session << "DROP TABLE retire_stage", now;
        if (!retired.empty()) {
            insertLogEntry(session, {0,
                                     retirement.at,
                                     retirement.actor,
                                     "record.retire",
                                     retirement.source,
                                     retireDetail(retirement, retired),
                                     {},
                                     std::move(linked)});
        }
        transaction.commit();
    });
    return static_cast<std::int64_t>(retired.size());
}

}  // namespace gateway::store
