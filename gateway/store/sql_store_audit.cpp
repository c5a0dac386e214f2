// The exchange log's reads and its signed checkpoints. Appending lives in sql_store.cpp, beside the transactions
// that log what they do.

#include "gateway/store/sql_store_internal.h"

#include <Poco/Data/Statement.h>

#include <algorithm>

namespace gateway::store {

using Poco::Data::Session;
using Poco::Data::Statement;
using namespace Poco::Data::Keywords;

namespace {

constexpr const char* kEntryColumns = "seq, at, actor, action, subject, detail_json, COALESCE(hash, '')";
constexpr const char* kCheckpointColumns = "size, at, algorithm, root, head, frontier, key_id, signature";

constexpr const char* kPersonsQuery =
    "SELECT person_id, seq FROM exchange_log_persons WHERE seq >= ? AND seq <= ? ORDER BY seq, person_id";

/// The entries a statement selects with kEntryColumns, then the persons each names (`persons_query`, kPersonsQuery
/// in the database's dialect; empty to leave them out).
std::vector<ExchangeLogEntry> readEntries(Session& session, const std::string& tail,
                                          const std::function<void(Statement&)>& bind,
                                          const std::string& persons_query) {
    std::vector<Poco::Int64> seqs;
    std::vector<std::string> ats;
    std::vector<std::string> actors;
    std::vector<std::string> actions;
    std::vector<std::string> subjects;
    std::vector<std::string> details;
    std::vector<std::string> hashes;
    {
        // Done with before the persons are read: PostgreSQL runs one statement per connection at a time.
        Statement select(session);
        select << "SELECT " << kEntryColumns << " FROM exchange_log " << tail;
        bind(select);
        select, into(seqs), into(ats), into(actors), into(actions), into(subjects), into(details), into(hashes);
        select.execute();
    }

    std::vector<ExchangeLogEntry> entries;
    entries.reserve(seqs.size());
    for (std::size_t i = 0; i < seqs.size(); ++i) {
        entries.push_back({seqs[i], std::move(ats[i]), std::move(actors[i]), std::move(actions[i]),
                           std::move(subjects[i]), std::move(details[i]), std::move(hashes[i])});
    }
    if (entries.empty() || persons_query.empty()) {
        return entries;
    }
    Poco::Int64 low = seqs.front();
    Poco::Int64 high = seqs.back();
    std::vector<std::string> person_ids;
    std::vector<Poco::Int64> person_seqs;
    Statement persons(session);
    persons << persons_query, use(low), use(high), into(person_ids), into(person_seqs);
    persons.execute();
    // Entries come in seq order, so an entry is found by binary search.
    for (std::size_t i = 0; i < person_ids.size(); ++i) {
        const auto it = std::lower_bound(seqs.begin(), seqs.end(), person_seqs[i]);
        if (it != seqs.end() && *it == person_seqs[i]) {
            entries[static_cast<std::size_t>(it - seqs.begin())].persons.push_back(std::move(person_ids[i]));
        }
    }
    return entries;
}

}  // namespace

std::vector<ExchangeLogEntry> SqlStore::searchExchangeLog(const ExchangeLogQuery& query) {
    const auto the_query = [] { return std::string("the exchange log query"); };
    for (const auto& [field, value] : {std::pair<const char*, const std::string*>{"actor", &query.actor},
                                       {"action", &query.action},
                                       {"person", &query.person},
                                       {"from", &query.from},
                                       {"to", &query.to}}) {
        requireText(field, *value, the_query);
    }
    std::vector<ExchangeLogEntry> result;
    withSession("read the exchange log", [&](Session& session) {
        Conditions conditions;
        if (!query.actor.empty()) {
            conditions.add("actor = ?", query.actor);
        }
        if (query.action.ends_with('.')) {
            // A family of actions: "api." is every action from "api." up to "api/" ('/' follows '.' in ASCII).
            std::string upper = query.action;
            upper.back() = '/';
            conditions.add("action >= ?", query.action);
            conditions.add("action < ?", upper);
        } else if (!query.action.empty()) {
            conditions.add("action = ?", query.action);
        }
        if (!query.person.empty()) {
            conditions.add("(subject = ? OR seq IN (SELECT seq FROM exchange_log_persons WHERE person_id = ?))",
                           query.person);
            conditions.addValue(query.person);
        }
        if (!query.from.empty()) {
            conditions.add("at >= ?", query.from);
        }
        if (!query.to.empty()) {
            conditions.add("at < ?", query.to);
        }
        Poco::Int64 after = query.after_seq;
        Poco::Int64 max_rows = rowLimit(query.limit);
        result = readEntries(
            session, sql("WHERE seq > ?" + conditions.sql() + " ORDER BY seq LIMIT ?"),
            [&](Statement& statement) {
                statement, use(after);
                conditions.bind(statement);
                statement, use(max_rows);
            },
            query.with_persons ? sql(kPersonsQuery) : std::string());
    });
    return result;
}

std::optional<ExchangeLogEntry> SqlStore::exchangeLogEntry(std::int64_t seq) {
    std::optional<ExchangeLogEntry> result;
    withSession("read an exchange log entry", [&](Session& session) {
        Poco::Int64 wanted = seq;
        auto entries = readEntries(
            session, sql("WHERE seq = ?"), [&](Statement& statement) { statement, use(wanted); }, sql(kPersonsQuery));
        if (!entries.empty()) {
            result = std::move(entries.front());
        }
    });
    return result;
}

std::vector<std::string> SqlStore::exchangeLogHashes(std::int64_t after_seq, std::size_t limit) {
    std::vector<std::string> hashes;
    withSession("read the exchange log's hashes", [&](Session& session) {
        Poco::Int64 after = after_seq;
        Poco::Int64 max_rows = rowLimit(limit);
        session << sql("SELECT COALESCE(hash, '') FROM exchange_log WHERE seq > ? ORDER BY seq LIMIT ?"), use(after),
            use(max_rows), into(hashes), now;
    });
    return hashes;
}

LogHead SqlStore::exchangeLogHead() {
    LogHead head;
    withSession("read the exchange log's head", [&](Session& session) {
        std::vector<Poco::Int64> seqs;
        std::vector<std::string> hashes;
        session << "SELECT seq, COALESCE(hash, '') FROM exchange_log ORDER BY seq DESC LIMIT 1", into(seqs),
            into(hashes), now;
        if (!seqs.empty()) {
            head = {seqs.front(), hashes.front()};
        }
    });
    return head;
}

std::optional<std::string> SqlStore::exchangeLogAlgorithm() {
    std::optional<std::string> algorithm;
    withSession("read the exchange log's hash", [&](Session& session) {
        std::vector<std::string> recorded;
        session << "SELECT algorithm FROM exchange_log_chain WHERE id = 1", into(recorded), now;
        if (!recorded.empty()) {
            algorithm = recorded.front();
        }
    });
    return algorithm;
}

void SqlStore::appendCheckpoint(const audit::Checkpoint& checkpoint) {
    withSession("store a checkpoint", [&](Session& session) {
        WriteTransaction transaction(*this, session);
        Poco::Int64 size = static_cast<Poco::Int64>(checkpoint.size);
        Poco::Int64 existing = 0;
        session << sql("SELECT COUNT(*) FROM audit_checkpoints WHERE size = ?"), use(size), into(existing), now;
        if (existing != 0) {
            throw GatewayError(ErrorCode::Conflict, "a checkpoint of " + std::to_string(size) + " entries exists");
        }
        audit::Checkpoint row = checkpoint;
        session << sql(
            "INSERT INTO audit_checkpoints (size, at, algorithm, root, head, frontier, key_id, signature) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
            use(size), use(row.at), use(row.algorithm), use(row.root), use(row.head), use(row.frontier),
            use(row.key_id), use(row.signature), now;
        transaction.commit();
    });
}

std::vector<audit::Checkpoint> SqlStore::readCheckpoints(Session& session, const std::string& tail,
                                                         const std::function<void(Statement&)>& bind) {
    std::vector<Poco::Int64> sizes;
    std::vector<std::string> ats;
    std::vector<std::string> algorithms;
    std::vector<std::string> roots;
    std::vector<std::string> heads;
    std::vector<std::string> frontiers;
    std::vector<std::string> key_ids;
    std::vector<std::string> signatures;
    Statement select(session);
    select << "SELECT " << kCheckpointColumns << " FROM audit_checkpoints " << sql(tail);
    bind(select);
    select, into(sizes), into(ats), into(algorithms), into(roots), into(heads), into(frontiers), into(key_ids),
        into(signatures);
    select.execute();
    std::vector<audit::Checkpoint> checkpoints;
    checkpoints.reserve(sizes.size());
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        checkpoints.push_back({static_cast<std::uint64_t>(sizes[i]), ats[i], algorithms[i], roots[i], heads[i],
                               frontiers[i], key_ids[i], signatures[i]});
    }
    return checkpoints;
}

std::vector<audit::Checkpoint> SqlStore::checkpoints(std::uint64_t min_size, std::uint64_t max_size) {
    std::vector<audit::Checkpoint> result;
    withSession("read the checkpoints", [&](Session& session) {
        Poco::Int64 low = static_cast<Poco::Int64>(std::min<std::uint64_t>(min_size, INT64_MAX));
        Poco::Int64 high = static_cast<Poco::Int64>(std::min<std::uint64_t>(max_size, INT64_MAX));
        result = readCheckpoints(session, "WHERE size >= ? AND size <= ? ORDER BY size",
                                 [&](Statement& statement) { statement, use(low), use(high); });
    });
    return result;
}

std::optional<audit::Checkpoint> SqlStore::latestCheckpoint() {
    return checkpointAtMost(static_cast<std::uint64_t>(INT64_MAX));
}

std::optional<audit::Checkpoint> SqlStore::checkpointAtMost(std::uint64_t size) {
    std::optional<audit::Checkpoint> result;
    withSession("read a checkpoint", [&](Session& session) {
        Poco::Int64 bound = static_cast<Poco::Int64>(std::min<std::uint64_t>(size, INT64_MAX));
        auto found = readCheckpoints(session, "WHERE size <= ? ORDER BY size DESC LIMIT 1",
                                     [&](Statement& statement) { statement, use(bound); });
        if (!found.empty()) {
            result = std::move(found.front());
        }
    });
    return result;
}

std::optional<audit::Checkpoint> SqlStore::checkpointAtLeast(std::uint64_t size) {
    std::optional<audit::Checkpoint> result;
    withSession("read a checkpoint", [&](Session& session) {
        Poco::Int64 bound = static_cast<Poco::Int64>(std::min<std::uint64_t>(size, INT64_MAX));
        auto found = readCheckpoints(session, "WHERE size >= ? ORDER BY size LIMIT 1",
                                     [&](Statement& statement) { statement, use(bound); });
        if (!found.empty()) {
            result = std::move(found.front());
        }
    });
    return result;
}

}  // namespace gateway::store
