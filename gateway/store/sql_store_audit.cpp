// The exchange log's port (audit::LogStore): appending and chaining entries (also inside the transactions that log
// what they do), reads, the index, block roots and signed checkpoints.

#include "gateway/store/port_checks.h"
#include "gateway/store/sql_store_internal.h"

#include "gateway/audit/index_terms.h"

#include <Poco/Data/Statement.h>

#include <algorithm>
#include <iterator>

namespace gateway::store {

using Poco::Data::Session;
using Poco::Data::Statement;
using namespace Poco::Data::Keywords;

namespace {

constexpr const char* kEntryColumns = "e.seq, e.at, e.actor, e.action, e.subject, e.detail_json, COALESCE(e.hash, '')";
constexpr const char* kCheckpointColumns =
    "size, at, algorithm, root, head, frontier, key_id, signature, version, previous, persons_from";

/// Terms per page of forEachLogTerm: a few megabytes.
constexpr Poco::Int64 kLogTermPage = 100000;

/// The entries `tail` selects (it follows "SELECT <columns> FROM ", and takes `bind`'s parameters), with the persons
/// each names when `with_persons`.
std::vector<ExchangeLogEntry> readEntries(Session& session, const std::string& tail,
                                          const std::function<void(Statement&)>& bind, bool with_persons) {
    std::vector<Poco::Int64> seqs;
    std::vector<std::string> ats;
    std::vector<std::string> actors;
    std::vector<std::string> actions;
    std::vector<std::string> subjects;
    std::vector<std::string> details;
    std::vector<std::string> hashes;
    std::vector<std::string> persons;
    Statement select(session);
    select << "SELECT " << kEntryColumns << (with_persons ? ", e.persons" : ", ''") << " FROM " << tail;
    bind(select);
    select, into(seqs), into(ats), into(actors), into(actions), into(subjects), into(details), into(hashes),
        into(persons);
    select.execute();

    std::vector<ExchangeLogEntry> entries;
    entries.reserve(seqs.size());
    for (std::size_t i = 0; i < seqs.size(); ++i) {
        entries.push_back({seqs[i], std::move(ats[i]), std::move(actors[i]), std::move(actions[i]),
                           std::move(subjects[i]), std::move(details[i]), std::move(hashes[i]),
                           splitCodes(persons[i])});
    }
    return entries;
}

/// A query's filters twice over: as terms, which find the entries the log index covers, and as conditions on
/// an entry's own columns, which decide for every entry, indexed or not.
struct LogFilter {
    std::vector<std::string> terms;  // each must be among the entry's terms
    Conditions columns;
};

LogFilter logFilter(const ExchangeLogQuery& query, std::string_view text_find) {
    LogFilter filter;
    if (!query.person.empty()) {
        filter.terms.push_back(audit::indexTerm('p', query.person));
        if (query.person.find(kCodeSeparator) == std::string::npos) {
            filter.columns.add("(e.subject = ? OR " + std::string(text_find) + "(e.persons, ?) > 0)", query.person);
            filter.columns.addValue(std::string(1, kCodeSeparator) + query.person + kCodeSeparator);
        } else {
            filter.columns.add("e.subject = ?", query.person);
        }
    }
    if (!query.actor.empty()) {
        filter.terms.push_back(audit::indexTerm('a', query.actor));
        filter.columns.add("e.actor = ?", query.actor);
    }
    if (query.action.ends_with('.')) {
        // A family of actions ("api." is every action that starts with it) is compared row by row, in seq order, so
        // that a page stops at its limit: a family such as "api." is most of the log, and a term range would first
        // gather every entry in it.
        filter.columns.add("substr(e.action, 1, " + std::to_string(utf8::length(query.action)) + ") = ?", query.action);
    } else if (!query.action.empty()) {
        filter.terms.push_back(audit::indexTerm('x', query.action));
        filter.columns.add("e.action = ?", query.action);
    }
    if (!query.from.empty()) {
        filter.columns.add("e.at >= ?", query.from);
    }
    if (!query.to.empty()) {
        filter.columns.add("e.at < ?", query.to);
    }
    return filter;
}

Poco::Int64 indexedSeq(Session& session) {
    std::vector<Poco::Int64> indexed;
    session << "SELECT seq FROM exchange_log_indexed WHERE id = 1", into(indexed), now;
    return indexed.empty() ? 0 : indexed.front();
}

/// exchange_log: entries numbered and chained, in order, the writer holding lockExchangeLog().
BulkRows logRows(const std::vector<ExchangeLogEntry>& entries) {
    BulkRows rows("exchange_log", entries.size());
    rows.integer("seq", entries, &ExchangeLogEntry::seq)
        .text("at", entries, &ExchangeLogEntry::at)
        .text("actor", entries, &ExchangeLogEntry::actor)
        .text("action", entries, &ExchangeLogEntry::action)
        .text("subject", entries, &ExchangeLogEntry::subject)
        .text("detail_json", entries, &ExchangeLogEntry::detail_json)
        .text("hash", entries, &ExchangeLogEntry::hash)
        .text("persons", entries, [](const ExchangeLogEntry& entry) { return joinCodes(entry.persons); });
    return rows;
}

/// exchange_log_terms: (term, seq) pairs, sorted so that the inserts walk the index once.
BulkRows logTermRows(const std::vector<std::pair<std::string, Poco::Int64>>& terms) {
    BulkRows rows("exchange_log_terms", terms.size());
    rows.text("term", terms, &std::pair<std::string, Poco::Int64>::first)
        .integer("seq", terms, &std::pair<std::string, Poco::Int64>::second);
    return rows;
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
        LogFilter filter = logFilter(query, tokens().text_find);
        Poco::Int64 after = query.after_seq;
        if (!filter.terms.empty()) {
            // The entries the index covers, found through their terms. The index only ever grows, and the terms of
            // every entry up to the seq read here are committed with it.
            Poco::Int64 indexed = indexedSeq(session);
            if (after < indexed) {
                Poco::Int64 max_rows = rowLimit(query.limit);
                // Walked in seq order along the first term's index range, so a page stops at its limit.
                std::string tail =
                    "exchange_log_terms t JOIN exchange_log e ON e.seq = t.seq WHERE t.term = ? AND t.seq > ? AND "
                    "t.seq <= ?";
                for (std::size_t i = 1; i < filter.terms.size(); ++i) {
                    tail += " AND e.seq IN (SELECT seq FROM exchange_log_terms WHERE term = ?)";
                }
                tail += filter.columns.sql() + " ORDER BY t.seq LIMIT ?";
                result = readEntries(
                    session, sql(tail),
                    [&](Statement& statement) {
                        statement, use(filter.terms.front()), use(after), use(indexed);
                        for (std::size_t i = 1; i < filter.terms.size(); ++i) {
                            statement, use(filter.terms[i]);
                        }
                        filter.columns.bind(statement);
                        statement, use(max_rows);
                    },
                    query.with_persons);
                if (result.size() >= query.limit) {
                    return;
                }
            }
            // The rest are read row by row: at most what was appended since the indexer last ran.
            after = std::max(after, indexed);
        }
        Poco::Int64 max_rows = rowLimit(query.limit - result.size());
        auto rest = readEntries(
            session, sql("exchange_log e WHERE e.seq > ?" + filter.columns.sql() + " ORDER BY e.seq LIMIT ?"),
            [&](Statement& statement) {
                statement, use(after);
                filter.columns.bind(statement);
                statement, use(max_rows);
            },
            query.with_persons);
        if (result.empty()) {
            result = std::move(rest);
        } else {
            std::move(rest.begin(), rest.end(), std::back_inserter(result));
        }
    });
    return result;
}

std::optional<ExchangeLogEntry> SqlStore::exchangeLogEntry(std::int64_t seq) {
    std::optional<ExchangeLogEntry> result;
    withSession("read an exchange log entry", [&](Session& session) {
        Poco::Int64 wanted = seq;
        auto entries = readEntries(
            session, sql("exchange_log e WHERE e.seq = ?"), [&](Statement& statement) { statement, use(wanted); },
            true);
        if (!entries.empty()) {
            result = std::move(entries.front());
        }
    });
    return result;
}

std::int64_t SqlStore::indexExchangeLog(std::size_t max_entries) {
    std::int64_t count = 0;
    withSession("index the exchange log", [&](Session& session) {
        WriteTransaction transaction(*this, session);
        // Written first, so that the row stays locked to the end of the transaction and two nodes never index the
        // same entries (SQLite has one writer at a time anyway).
        session << "UPDATE exchange_log_indexed SET seq = seq WHERE id = 1", now;
        std::vector<Poco::Int64> indexed;
        session << "SELECT seq FROM exchange_log_indexed WHERE id = 1", into(indexed), now;
        if (indexed.empty()) {
            session << "INSERT INTO exchange_log_indexed (id, seq) VALUES (1, 0)", now;
        }
        Poco::Int64 from = indexed.empty() ? 0 : indexed.front();
        Poco::Int64 max_rows = rowLimit(max_entries);
        std::vector<Poco::Int64> seqs;
        std::vector<std::string> actors;
        std::vector<std::string> actions;
        std::vector<std::string> subjects;
        std::vector<std::string> persons;
        session << sql(
            "SELECT seq, actor, action, subject, persons FROM exchange_log WHERE seq > ? ORDER BY seq "
            "LIMIT ?"),
            use(from), use(max_rows), into(seqs), into(actors), into(actions), into(subjects), into(persons), now;
        if (seqs.empty()) {
            return;
        }
        std::vector<std::pair<std::string, Poco::Int64>> rows;
        rows.reserve(seqs.size() * 4);
        for (std::size_t i = 0; i < seqs.size(); ++i) {
            ExchangeLogEntry entry;
            entry.actor = std::move(actors[i]);
            entry.action = std::move(actions[i]);
            entry.subject = std::move(subjects[i]);
            entry.persons = splitCodes(persons[i]);
            for (std::string& term : audit::indexTerms(entry)) {
                rows.emplace_back(std::move(term), seqs[i]);
            }
        }
        // In key order, so that the inserts walk the index once instead of landing at random places in it.
        std::sort(rows.begin(), rows.end());
        insertRows(session, logTermRows(rows));
        Poco::Int64 last = seqs.back();
        session << sql("UPDATE exchange_log_indexed SET seq = ? WHERE id = 1"), use(last), now;
        transaction.commit();
        count = static_cast<std::int64_t>(seqs.size());
    });
    return count;
}

void SqlStore::forEachLogTerm(std::int64_t first_seq, std::int64_t last_seq,
                              const std::function<void(const std::string& term, std::int64_t seq)>& visit) {
    withSession("read the exchange log's index", [&](Session& session) {
        // In key order, a page at a time: the index has no other order to read it in, and no page is read twice.
        std::string after_term;
        Poco::Int64 after_seq = -1;
        Poco::Int64 first = first_seq;
        Poco::Int64 last = last_seq;
        Poco::Int64 page = kLogTermPage;
        for (;;) {
            std::vector<std::string> terms;
            std::vector<Poco::Int64> seqs;
            session << sql(
                "SELECT term, seq FROM exchange_log_terms WHERE (term, seq) > (?, ?) ORDER BY term, seq LIMIT ?"),
                use(after_term), use(after_seq), use(page), into(terms), into(seqs), now;
            for (std::size_t i = 0; i < terms.size(); ++i) {
                if (seqs[i] >= first && seqs[i] <= last) {
                    visit(terms[i], seqs[i]);
                }
            }
            if (terms.size() < static_cast<std::size_t>(page)) {
                return;
            }
            after_term = std::move(terms.back());
            after_seq = seqs.back();
        }
    });
}

void SqlStore::clearExchangeLogIndex() {
    withSession("clear the exchange log's index", [&](Session& session) {
        WriteTransaction transaction(*this, session);
        // The watermark row first, as the indexer does, so that a run in progress elsewhere finishes before this.
        session << "UPDATE exchange_log_indexed SET seq = 0 WHERE id = 1", now;
        session << "DELETE FROM exchange_log_terms", now;
        transaction.commit();
    });
}

std::int64_t SqlStore::exchangeLogIndexed() {
    std::int64_t indexed = 0;
    withSession("read how far the exchange log is indexed", [&](Session& session) { indexed = indexedSeq(session); });
    return indexed;
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

std::int64_t SqlStore::exchangeLogPersonsFrom() {
    std::int64_t first = 1;
    withSession("read the exchange log's format", [&](Session& session) {
        std::vector<Poco::Int64> recorded;
        session << "SELECT persons_from FROM exchange_log_chain WHERE id = 1", into(recorded), now;
        if (!recorded.empty()) {
            first = recorded.front();
        }
    });
    return first;
}

std::vector<std::string> SqlStore::logBlockRoots(std::int64_t first_block, std::size_t limit) {
    std::vector<std::string> roots;
    withSession("read the exchange log's block roots", [&](Session& session) {
        Poco::Int64 first = first_block;
        Poco::Int64 max_rows = rowLimit(limit);
        std::vector<Poco::Int64> blocks;
        session << sql("SELECT block_no, root FROM exchange_log_blocks WHERE block_no >= ? ORDER BY block_no LIMIT ?"),
            use(first), use(max_rows), into(blocks), into(roots), now;
        // Up to the first gap.
        for (std::size_t i = 0; i < blocks.size(); ++i) {
            if (blocks[i] != first + static_cast<Poco::Int64>(i)) {
                roots.resize(i);
                break;
            }
        }
    });
    return roots;
}

void SqlStore::storeLogBlockRoots(std::int64_t first_block, const std::vector<std::string>& roots) {
    if (roots.empty()) {
        return;
    }
    withSession("store the exchange log's block roots", [&](Session& session) {
        WriteTransaction transaction(*this, session);
        std::vector<Poco::Int64> blocks;
        std::vector<std::string> values = roots;
        for (std::size_t i = 0; i < roots.size(); ++i) {
            blocks.push_back(first_block + static_cast<Poco::Int64>(i));
        }
        session << sql(
            "INSERT INTO exchange_log_blocks (block_no, root) VALUES (?, ?) ON CONFLICT (block_no) DO "
            "NOTHING"),
            use(blocks), use(values), now;
        transaction.commit();
    });
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
        Poco::Int64 version = row.version;
        Poco::Int64 persons_from = row.persons_from;
        session << sql(
            "INSERT INTO audit_checkpoints (size, at, algorithm, root, head, frontier, key_id, signature, version, "
            "previous, persons_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
            use(size), use(row.at), use(row.algorithm), use(row.root), use(row.head), use(row.frontier),
            use(row.key_id), use(row.signature), use(version), use(row.previous), use(persons_from), now;
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
    std::vector<Poco::Int64> versions;
    std::vector<std::string> previous;
    std::vector<Poco::Int64> persons_from;
    Statement select(session);
    select << "SELECT " << kCheckpointColumns << " FROM audit_checkpoints " << sql(tail);
    bind(select);
    select, into(sizes), into(ats), into(algorithms), into(roots), into(heads), into(frontiers), into(key_ids),
        into(signatures), into(versions), into(previous), into(persons_from);
    select.execute();
    std::vector<audit::Checkpoint> checkpoints;
    checkpoints.reserve(sizes.size());
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        checkpoints.push_back({static_cast<std::uint64_t>(sizes[i]), ats[i], algorithms[i], roots[i], heads[i],
                               frontiers[i], key_ids[i], signatures[i], static_cast<int>(versions[i]), previous[i],
                               persons_from[i]});
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

namespace {}  // namespace

std::int64_t SqlStore::appendExchangeLog(const ExchangeLogEntry& entry) {
    return appendExchangeLog(std::vector<ExchangeLogEntry>{entry});
}

std::int64_t SqlStore::appendExchangeLog(const std::vector<ExchangeLogEntry>& entries) {
    for (const ExchangeLogEntry& entry : entries) {
        validateLogEntry(entry);
    }
    std::int64_t seq = 0;
    if (entries.empty()) {
        return seq;
    }
    withSession("append to the exchange log", [&](Session& session) {
        WriteTransaction transaction(*this, session);
        seq = insertLogEntries(session, entries);
        transaction.commit();
    });
    return seq;
}

std::int64_t SqlStore::insertLogEntry(Session& session, const ExchangeLogEntry& entry) {
    return insertLogEntries(session, std::vector<ExchangeLogEntry>{entry});
}

std::int64_t SqlStore::insertLogEntries(Session& session, std::vector<ExchangeLogEntry> entries) {
    if (entries.empty()) {
        return 0;
    }
    // Held to the end of the transaction, so that entries are numbered and chained in commit order, by one writer
    // at a time even across nodes.
    lockExchangeLog(session);
    const audit::ChainFormat format = chainFormat(session);
    audit::Digest digest(format.algorithm);
    Poco::Int64 last_seq = 0;
    std::string last_hash;
    session << "SELECT seq, COALESCE(hash, '') FROM exchange_log ORDER BY seq DESC LIMIT 1", into(last_seq),
        into(last_hash), now;
    audit::Hash previous = audit::kGenesis;
    if (last_seq > 0) {
        const auto parsed = audit::hashFromHex(last_hash);
        if (!parsed) {
            throw GatewayError(ErrorCode::StoreError, "exchange log entry " + std::to_string(last_seq) +
                                                          " has no valid hash; run `gateway audit verify`");
        }
        previous = *parsed;
    }
    for (ExchangeLogEntry& entry : entries) {
        std::sort(entry.persons.begin(), entry.persons.end());
        entry.persons.erase(std::unique(entry.persons.begin(), entry.persons.end()), entry.persons.end());
    }
    audit::chainEntries(digest, last_seq, previous, entries, format);
    insertRows(session, logRows(entries));
    return entries.back().seq;
}

audit::ChainFormat SqlStore::chainFormat(Session& session) {
    std::vector<std::string> recorded;
    std::vector<Poco::Int64> persons_from;
    session << "SELECT algorithm, persons_from FROM exchange_log_chain WHERE id = 1", into(recorded),
        into(persons_from), now;
    if (recorded.empty()) {
        std::string name(audit::hashAlgorithmName(log_hash_));
        session << sql("INSERT INTO exchange_log_chain (id, algorithm, persons_from) VALUES (1, ?, 1)"), use(name), now;
        return {log_hash_, 1};
    }
    const auto algorithm = audit::parseHashAlgorithm(recorded.front());
    if (!algorithm) {
        throw GatewayError(ErrorCode::StoreError,
                           "the exchange log names an unknown hash " + utf8::quote(recorded.front()));
    }
    return {*algorithm, persons_from.front()};
}

std::vector<ExchangeLogEntry> SqlStore::exchangeLog(std::int64_t after_seq, std::size_t limit) {
    ExchangeLogQuery query;
    query.after_seq = after_seq;
    query.limit = limit;
    return searchExchangeLog(query);
}

}  // namespace gateway::store
