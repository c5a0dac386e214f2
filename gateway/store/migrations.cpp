#include "gateway/store/migrations.h"

#include <stdexcept>

namespace gateway::store {

namespace {

// Timestamps are ISO-8601 UTC text in both databases: the same format everywhere, and text order is time order.
// Never edit a migration that has shipped; add the next number instead.
std::vector<Migration> buildMigrations() {
    std::vector<Migration> all;
    all.push_back({1,
                   "staging",
                   {
                       R"(CREATE TABLE source_state (
    source TEXT PRIMARY KEY,
    watermark TEXT NOT NULL,
    updated_at TEXT NOT NULL
))",
                       R"(CREATE TABLE raw_batches (
    id ${auto_id},
    source TEXT NOT NULL,
    received_at TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    record_count BIGINT NOT NULL,
    payload ${blob} NOT NULL
))",
                       "CREATE INDEX raw_batches_source ON raw_batches (source, id)",
                       R"(CREATE TABLE source_records (
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    observed_at TEXT NOT NULL,
    record_json TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    version BIGINT NOT NULL CHECK (version >= 1),
    batch_id BIGINT NOT NULL REFERENCES raw_batches (id),
    staged_at TEXT NOT NULL,
    PRIMARY KEY (source, source_id)
))",
                       // Linkage reads "what changed since batch N"; tracing a record to its bytes goes the same way.
                       "CREATE INDEX source_records_batch ON source_records (batch_id)",
                       R"(CREATE TABLE quarantine (
    id ${auto_id},
    source TEXT NOT NULL,
    batch_id BIGINT NOT NULL REFERENCES raw_batches (id),
    locator TEXT NOT NULL,
    raw_payload ${blob} NOT NULL,
    reason TEXT NOT NULL
))",
                       "CREATE INDEX quarantine_source ON quarantine (source, id)",
                       "CREATE INDEX quarantine_batch ON quarantine (batch_id)",
                       R"(CREATE TABLE exchange_log (
    seq ${auto_id},
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail_json TEXT NOT NULL
))",
                       "CREATE INDEX exchange_log_action ON exchange_log (action, seq)",
                       "CREATE INDEX exchange_log_subject ON exchange_log (subject, seq)",
                       "CREATE INDEX exchange_log_at ON exchange_log (at)",
                   }});
    all.push_back({2,
                   "sync runs and job leases",
                   {
                       R"(CREATE TABLE sync_runs (
    id ${auto_id},
    source TEXT NOT NULL,
    node TEXT NOT NULL,
    trigger_kind TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    batches BIGINT NOT NULL DEFAULT 0,
    pulled BIGINT NOT NULL DEFAULT 0,
    inserted BIGINT NOT NULL DEFAULT 0,
    updated BIGINT NOT NULL DEFAULT 0,
    unchanged BIGINT NOT NULL DEFAULT 0,
    quarantined BIGINT NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT ''
))",
                       "CREATE INDEX sync_runs_source ON sync_runs (source, id)",
                       // One row per scheduled job; a node runs the job only while it holds an unexpired lease, so
                       // nodes sharing one database never run the same job twice at once.
                       R"(CREATE TABLE job_leases (
    job TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at TEXT NOT NULL
))",
                   }});
    return all;
}

}  // namespace

const std::vector<Migration>& migrations() {
    static const std::vector<Migration> all = buildMigrations();
    return all;
}

std::string renderMigrationSql(std::string_view sql, const DialectTokens& tokens) {
    std::string out;
    out.reserve(sql.size() + 64);
    std::size_t pos = 0;
    while (pos < sql.size()) {
        const std::size_t start = sql.find("${", pos);
        if (start == std::string_view::npos) {
            out.append(sql.substr(pos));
            break;
        }
        const std::size_t end = sql.find('}', start);
        if (end == std::string_view::npos) {
            throw std::logic_error("unterminated token in migration SQL: " + std::string(sql.substr(start)));
        }
        out.append(sql.substr(pos, start - pos));
        const std::string_view token = sql.substr(start + 2, end - start - 2);
        if (token == "auto_id") {
            out.append(tokens.auto_id);
        } else if (token == "blob") {
            out.append(tokens.blob);
        } else {
            throw std::logic_error("unknown token ${" + std::string(token) + "} in migration SQL");
        }
        pos = end + 1;
    }
    return out;
}

}  // namespace gateway::store
