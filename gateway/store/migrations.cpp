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
    all.push_back({3,
                   "linkage",
                   {
                       // The person each staged record belongs to. No foreign key to source_records: a link run
                       // writes millions of rows, and records are never deleted.
                       R"(CREATE TABLE person_links (
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    person_id TEXT NOT NULL CHECK (person_id <> ''),
    linked_at TEXT NOT NULL,
    PRIMARY KEY (source, source_id)
))",
                       // A person's records, already in (source, source_id) order.
                       "CREATE INDEX person_links_person ON person_links (person_id, source, source_id)",
                       R"(CREATE TABLE review_pairs (
    seq ${auto_id},
    pair_id TEXT NOT NULL UNIQUE,
    left_source TEXT NOT NULL,
    left_id TEXT NOT NULL,
    right_source TEXT NOT NULL,
    right_id TEXT NOT NULL,
    weight DOUBLE PRECISION NOT NULL,
    reason TEXT NOT NULL,
    explanation_json TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'decided', 'obsolete')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    decision TEXT NOT NULL DEFAULT '' CHECK (decision IN ('', 'link', 'no_link')),
    reviewer TEXT NOT NULL DEFAULT '',
    comment TEXT NOT NULL DEFAULT '',
    decided_at TEXT NOT NULL DEFAULT ''
))",
                       // The queue a reviewer pages through, and the decisions the matcher obeys.
                       "CREATE INDEX review_pairs_status ON review_pairs (status, seq)",
                       // One row (id 1), written by every link run.
                       R"(CREATE TABLE link_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    linked_through_batch BIGINT NOT NULL,
    model_json TEXT NOT NULL,
    linked_at TEXT NOT NULL
))",
                   }});
    all.push_back({4,
                   "profiles",
                   {
                       // Every version of every child's profile, never updated. classifications and alerts are the
                       // codes in the builder's order as "|code|code|" ("" for none), so that a version reads back
                       // whole; queries filter on profile_codes instead.
                       R"(CREATE TABLE profile_versions (
    person_id TEXT NOT NULL CHECK (person_id <> ''),
    version BIGINT NOT NULL CHECK (version >= 1),
    built_at TEXT NOT NULL,
    profile_json TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    id_number TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    residence_division TEXT NOT NULL,
    hukou_division TEXT NOT NULL,
    classifications TEXT NOT NULL,
    alerts TEXT NOT NULL,
    removed INTEGER NOT NULL CHECK (removed IN (0, 1)),
    PRIMARY KEY (person_id, version)
))",
                       // The current version of each profile: what queries, counts and pushes read.
                       R"(CREATE TABLE profiles (
    person_id TEXT PRIMARY KEY CHECK (person_id <> ''),
    version BIGINT NOT NULL CHECK (version >= 1),
    built_at TEXT NOT NULL,
    profile_json TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    id_number TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    residence_division TEXT NOT NULL,
    hukou_division TEXT NOT NULL,
    classifications TEXT NOT NULL,
    alerts TEXT NOT NULL,
    removed INTEGER NOT NULL CHECK (removed IN (0, 1))
))",
                       // Division prefixes are digit ranges (see queryProfiles), which a plain index serves in any
                       // collation.
                       "CREATE INDEX profiles_residence ON profiles (residence_division, person_id)",
                       "CREATE INDEX profiles_birth_date ON profiles (birth_date)",
                       "CREATE INDEX profiles_id_number ON profiles (id_number)",
                       "CREATE INDEX profiles_built_at ON profiles (built_at)",
                       // The classification and alert codes of each current profile, one row per code: filtering
                       // and counting by one code is an index lookup.
                       R"(CREATE TABLE profile_codes (
    person_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('classification', 'alert')),
    code TEXT NOT NULL CHECK (code <> ''),
    PRIMARY KEY (person_id, kind, code)
))",
                       "CREATE INDEX profile_codes_code ON profile_codes (kind, code, person_id)",
                   }});
    all.push_back({5,
                   "publish",
                   {
                       // Records a link run or review decision moved from one existing person to another.
                       R"(CREATE TABLE person_moves (
    seq ${auto_id},
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    from_person TEXT NOT NULL,
    to_person TEXT NOT NULL,
    moved_at TEXT NOT NULL
))",
                       // One row (id 1): what the last profile build covered.
                       R"(CREATE TABLE profile_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    moves_through BIGINT NOT NULL,
    built_through_batch BIGINT NOT NULL,
    as_of TEXT NOT NULL
))",
                       // The transactional outbox: one entry per profile version, written with the version.
                       R"(CREATE TABLE outbox (
    seq ${auto_id},
    person_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    division TEXT NOT NULL,
    previous_division TEXT NOT NULL,
    removed INTEGER NOT NULL CHECK (removed IN (0, 1)),
    correction TEXT NOT NULL,
    created_at TEXT NOT NULL
))",
                       // A subscriber of a village or township reads its own entries through these.
                       "CREATE INDEX outbox_division ON outbox (division, seq)",
                       "CREATE INDEX outbox_previous_division ON outbox (previous_division, seq)",
                       R"(CREATE TABLE push_state (
    subscriber TEXT PRIMARY KEY,
    delivered_through BIGINT NOT NULL,
    delivered BIGINT NOT NULL,
    attempts INTEGER NOT NULL,
    refusals INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT NOT NULL,
    last_success_at TEXT NOT NULL
))",
                       R"(CREATE TABLE push_dead_letters (
    subscriber TEXT NOT NULL,
    outbox_seq BIGINT NOT NULL,
    attempts INTEGER NOT NULL,
    error TEXT NOT NULL,
    dead_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('dead', 'redeliver', 'redelivered')),
    PRIMARY KEY (subscriber, outbox_seq)
))",
                       "CREATE INDEX push_dead_letters_status ON push_dead_letters (subscriber, status, outbox_seq)",
                       // The current version's JSON is read from profile_versions: kept in profiles too, it was
                       // written twice, and every list or count that reads a row stepped through its overflow pages.
                       "ALTER TABLE profiles DROP COLUMN profile_json",
                       // The township and district of residence, so that a list of either is an index equality that
                       // also yields person order (a range over residence_division must sort all its rows).
                       "ALTER TABLE profiles ADD COLUMN township TEXT NOT NULL DEFAULT ''",
                       "ALTER TABLE profiles ADD COLUMN district TEXT NOT NULL DEFAULT ''",
                       "UPDATE profiles SET township = substr(residence_division, 1, 9), "
                       "district = substr(residence_division, 1, 6)",
                       "CREATE INDEX profiles_township ON profiles (township, person_id)",
                       "CREATE INDEX profiles_district ON profiles (district, person_id)",
                   }});
    all.push_back({6,
                   "chained exchange log",
                   {
                       // The gateway numbers entries itself, under the log's lock, so that they run 1, 2, 3 …
                       // without the gaps a database sequence leaves: a gap is then a deleted entry. Earlier entries
                       // are renumbered in order and chained by SqlStore::migrate().
                       R"(CREATE TABLE exchange_log_chained (
    seq ${int_key},
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail_json TEXT NOT NULL,
    hash TEXT
))",
                       "INSERT INTO exchange_log_chained (seq, at, actor, action, subject, detail_json) "
                       "SELECT ROW_NUMBER() OVER (ORDER BY seq), at, actor, action, subject, detail_json "
                       "FROM exchange_log",
                       "DROP TABLE exchange_log",
                       "ALTER TABLE exchange_log_chained RENAME TO exchange_log",
                       "CREATE INDEX exchange_log_action ON exchange_log (action, seq)",
                       "CREATE INDEX exchange_log_subject ON exchange_log (subject, seq)",
                       "CREATE INDEX exchange_log_actor ON exchange_log (actor, seq)",
                       "CREATE INDEX exchange_log_at ON exchange_log (at)",
                       // Who an entry concerns besides its subject (the children an API list returned).
                       R"(CREATE TABLE exchange_log_persons (
    person_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (person_id, seq)
))",
                       "CREATE INDEX exchange_log_persons_seq ON exchange_log_persons (seq)",
                       // One row: the hash the log is chained with, fixed by its first entry.
                       R"(CREATE TABLE exchange_log_chain (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    algorithm TEXT NOT NULL
))",
                       R"(CREATE TABLE audit_checkpoints (
    size ${int_key},
    at TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    root TEXT NOT NULL,
    head TEXT NOT NULL,
    frontier TEXT NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL
))",
                   }});
    all.push_back({7,
                   "sealed personal data",
                   {
                       // With a keyring, id_number holds a sealed token (a fresh nonce each time), so exact lookups
                       // go through a keyed blind index of the normalised number instead. '' for no number, and
                       // for rows written without a keyring (looked up by id_number itself). The sealed columns
                       // themselves keep their types: tokens are printable text, and fit BLOB and TEXT alike.
                       "ALTER TABLE profiles ADD COLUMN id_number_index TEXT NOT NULL DEFAULT ''",
                       "CREATE INDEX profiles_id_number_index ON profiles (id_number_index)",
                   }});
    all.push_back({8,
                   "purge of aged-out profiles",
                   {
                       // Why a current profile is removed ('adult' or 'gone'; '' while it is live), the as-of date
                       // it was removed on, and when the personal data of an adult's profile was purged: the purge
                       // finds its work through an index, without opening sealed JSON. Removals written before
                       // this migration keep '' and are not purged.
                       "ALTER TABLE profiles ADD COLUMN removed_reason TEXT NOT NULL DEFAULT ''",
                       "ALTER TABLE profiles ADD COLUMN removed_on TEXT NOT NULL DEFAULT ''",
                       "ALTER TABLE profiles ADD COLUMN purged_at TEXT NOT NULL DEFAULT ''",
                       "CREATE INDEX profiles_removed ON profiles (removed_reason, removed_on, person_id)",
                   }});
    all.push_back({9,
                   "exchange log indexed off the append path",
                   {
                       // An append writes only the entry's row, keyed by seq, and the near-sequential index on its
                       // time. Every other index had random keys, and cost each append several page writes. The
                       // persons an entry names move into the entry's row as "|id|id|", so that they are read with it.
                       "ALTER TABLE exchange_log ADD COLUMN persons TEXT NOT NULL DEFAULT ''",
                       "UPDATE exchange_log SET persons = '|' || (SELECT ${text_agg}(q.person_id, '|') FROM "
                       "(SELECT p.person_id FROM exchange_log_persons p WHERE p.seq = exchange_log.seq "
                       "ORDER BY p.person_id) AS q) || '|' "
                       "WHERE seq IN (SELECT seq FROM exchange_log_persons)",
                       "DROP INDEX exchange_log_action",
                       "DROP INDEX exchange_log_subject",
                       "DROP INDEX exchange_log_actor",
                       "DROP TABLE exchange_log_persons",
                       // Lookups by actor, action and person go through terms ("a " actor, "x " action, "p " subject
                       // or person), which the log indexer adds after the fact in large sorted runs, up to the seq
                       // in exchange_log_indexed. Entries after it are found by reading their rows. Terms are only
                       // looked up whole, so they compare byte by byte, the cheapest order in any database locale.
                       R"(CREATE TABLE exchange_log_terms (
    term TEXT ${bytes_collate} NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (term, seq)
))",
                       R"(CREATE TABLE exchange_log_indexed (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL
))",
                       "INSERT INTO exchange_log_indexed (id, seq) VALUES (1, 0)",
                   }});
    all.push_back({10,
                   "merkle block roots",
                   {
                       // The root of each whole block of entries' leaves in the log's Merkle tree (block_no b holds
                       // entries b * size + 1 …, the size being audit::kBlockLeaves), kept by checkpoint signing so
                       // that a proof reads O(log n) hashes. Derived data: a proof is checked against its signed root.
                       R"(CREATE TABLE exchange_log_blocks (
    block_no ${int_key},
    root TEXT NOT NULL
))",
                   }});
    all.push_back({11,
                   "exchange log hashes cover persons",
                   {
                       // The persons an entry names (who an API read disclosed) are hashed with it from this seq on.
                       // A log begun earlier keeps its entries' hashes, and with them the checkpoints signed over
                       // them; a new log covers them from entry 1.
                       "ALTER TABLE exchange_log_chain ADD COLUMN persons_from BIGINT NOT NULL DEFAULT 1",
                       "UPDATE exchange_log_chain SET persons_from = (SELECT COALESCE(MAX(seq), 0) + 1 FROM "
                       "exchange_log)",
                   }});
    all.push_back({12,
                   "chained checkpoints",
                   {
                       // A checkpoint names the one signed before it and the persons_from in force, under its
                       // signature. Those signed earlier keep the statement they were signed in (version 1).
                       "ALTER TABLE audit_checkpoints ADD COLUMN version BIGINT NOT NULL DEFAULT 1",
                       "ALTER TABLE audit_checkpoints ADD COLUMN previous TEXT NOT NULL DEFAULT ''",
                       "ALTER TABLE audit_checkpoints ADD COLUMN persons_from BIGINT NOT NULL DEFAULT 0",
                   }});
    all.push_back({13,
                   "reconciliation",
                   {
                       R"(CREATE TABLE reconcile_runs (
    id ${auto_id},
    node TEXT NOT NULL,
    trigger_kind TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    as_of TEXT NOT NULL,
    repair INTEGER NOT NULL CHECK (repair IN (0, 1)),
    summary_json TEXT NOT NULL,
    error TEXT NOT NULL DEFAULT ''
))",
                       R"(CREATE TABLE reconcile_findings (
    id ${auto_id},
    run_id BIGINT NOT NULL REFERENCES reconcile_runs (id),
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    division TEXT NOT NULL,
    detail_json TEXT NOT NULL,
    repair TEXT NOT NULL
))",
                       "CREATE INDEX reconcile_findings_run ON reconcile_findings (run_id, kind, id)",
                       // A township or village reads its own findings of a run.
                       "CREATE INDEX reconcile_findings_division ON reconcile_findings (run_id, division, id)",
                       // Why a record left its person when it went to none: a record its source deleted, retired.
                       "ALTER TABLE person_moves ADD COLUMN reason TEXT NOT NULL DEFAULT ''",
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
        } else if (token == "int_key") {
            out.append(tokens.int_key);
        } else if (token == "text_agg") {
            out.append(tokens.text_agg);
        } else if (token == "bytes_collate") {
            out.append(tokens.bytes_collate);
        } else {
            throw std::logic_error("unknown token ${" + std::string(token) + "} in migration SQL");
        }
        pos = end + 1;
    }
    return out;
}

}  // namespace gateway::store
