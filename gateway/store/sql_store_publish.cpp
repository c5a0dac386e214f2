// The publishing part of SqlStore: the records moved between persons (for corrections), the outbox of profile
// changes, and each push subscriber's cursor, failures and dead letters.

#include "gateway/store/sql_store.h"
#include "gateway/store/sql_store_internal.h"

#include <Poco/Data/Statement.h>

namespace gateway::store {

using Poco::Data::Session;
using Poco::Data::Statement;
using namespace Poco::Data::Keywords;

namespace {

constexpr const char* kOutboxColumns =
    "o.seq, o.person_id, o.version, o.division, o.previous_division, o.removed, o.correction, o.created_at, "
    "v.profile_json, v.content_hash, COALESCE(c.removed, 0)";

void requireSubscriber(std::string_view subscriber) {
    requireNonEmptyText("subscriber", subscriber, [] { return std::string("the push request"); });
}

}  // namespace

std::vector<PersonMove> SqlStore::personMoves(std::int64_t after_seq) {
    std::vector<PersonMove> result;
    withSession("read the person moves", [&](Session& session) {
        std::vector<Poco::Int64> seqs;
        std::vector<std::string> sources;
        std::vector<std::string> ids;
        std::vector<std::string> from;
        std::vector<std::string> to;
        std::vector<std::string> at;
        std::vector<std::string> reasons;
        Poco::Int64 after = after_seq;
        session << sql(
            "SELECT seq, source, source_id, from_person, to_person, moved_at, reason FROM person_moves "
            "WHERE seq > ? ORDER BY seq"),
            use(after), into(seqs), into(sources), into(ids), into(from), into(to), into(at), into(reasons), now;
        result.resize(seqs.size());
        for (std::size_t i = 0; i < seqs.size(); ++i) {
            result[i] = {seqs[i],          std::move(sources[i]), std::move(ids[i]),    std::move(from[i]),
                         std::move(to[i]), std::move(at[i]),      std::move(reasons[i])};
        }
    });
    return result;
}

ProfileState SqlStore::profileState() {
    ProfileState state;
    withSession("read the profile state", [&](Session& session) {
        std::vector<Poco::Int64> moves;
        std::vector<Poco::Int64> built;
        std::vector<std::string> as_of;
        session << "SELECT moves_through, built_through_batch, as_of FROM profile_state WHERE id = 1", into(moves),
            into(built), into(as_of), now;
        if (!moves.empty()) {
            state = {moves.front(), built.front(), as_of.front()};
        }
    });
    return state;
}

void SqlStore::setProfileState(const ProfileState& state) {
    requireText("as_of", state.as_of, [] { return std::string("the profile state"); });
    withSession("write the profile state", [&](Session& session) {
        WriteTransaction transaction(*this, session);
        Poco::Int64 moves = state.moves_through;
        Poco::Int64 built = state.built_through_batch;
        std::string as_of = state.as_of;
        session << sql(
            "INSERT INTO profile_state (id, moves_through, built_through_batch, as_of) VALUES (1, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET moves_through = excluded.moves_through, "
            "built_through_batch = excluded.built_through_batch, as_of = excluded.as_of"),
            use(moves), use(built), use(as_of), now;
        transaction.commit();
    });
}

std::vector<OutboxEntry> SqlStore::readOutbox(Session& session, const std::string& tail,
                                              const std::function<void(Statement&)>& bind) {
    std::vector<Poco::Int64> seqs;
    std::vector<std::string> persons;
    std::vector<Poco::Int64> versions;
    std::vector<std::string> divisions;
    std::vector<std::string> previous;
    std::vector<Poco::Int64> removed;
    std::vector<std::string> corrections;
    std::vector<std::string> created;
    std::vector<std::string> json;
    std::vector<std::string> hashes;
    std::vector<Poco::Int64> removed_now;
    Statement select(session);
    select << sql(std::string("SELECT ") + kOutboxColumns +
                  " FROM outbox AS o JOIN profile_versions AS v ON v.person_id = o.person_id "
                  "AND v.version = o.version LEFT JOIN profiles AS c ON c.person_id = o.person_id " +
                  tail);
    bind(select);
    select, into(seqs), into(persons), into(versions), into(divisions), into(previous), into(removed),
        into(corrections), into(created), into(json), into(hashes), into(removed_now);
    select.execute();
    std::vector<OutboxEntry> result(seqs.size());
    for (std::size_t i = 0; i < seqs.size(); ++i) {
        OutboxEntry& entry = result[i];
        entry.seq = seqs[i];
        entry.person_id = std::move(persons[i]);
        entry.version = versions[i];
        entry.division = std::move(divisions[i]);
        entry.previous_division = std::move(previous[i]);
        entry.removed = removed[i] != 0;
        entry.correction_json = std::move(corrections[i]);
        entry.created_at = std::move(created[i]);
        entry.removed_now = removed_now[i] != 0;
        // What left the views is never read again, not even to be rendered away.
        entry.profile_json = entry.removed_now ? std::string()
                                               : unseal(std::move(json[i]), sealed::kProfileJson,
                                                        sealedRow({entry.person_id, hashes[i]}));
    }
    return result;
}

std::vector<OutboxEntry> SqlStore::outbox(std::int64_t after_seq, std::string_view division_prefix, std::size_t limit) {
    requireDivisionPrefix(division_prefix);
    std::vector<OutboxEntry> result;
    withSession("read the outbox", [&](Session& session) {
        Poco::Int64 after = after_seq;
        Poco::Int64 max_rows = rowLimit(limit);
        std::string low(division_prefix);
        std::string high = digitsUpperBound(low).value_or(":");
        if (division_prefix.empty()) {
            result = readOutbox(session, "WHERE o.seq > ? ORDER BY o.seq LIMIT ?",
                                [&](Statement& statement) { statement, use(after), use(max_rows); });
        } else if (division_prefix.size() <= 6) {
            // A city or district holds most entries: walk them in seq order and filter.
            result = readOutbox(session,
                                "WHERE o.seq > ? AND ((o.division >= ? AND o.division < ?) OR "
                                "(o.previous_division >= ? AND o.previous_division < ?)) ORDER BY o.seq LIMIT ?",
                                [&](Statement& statement) {
                                    statement, use(after), use(low), use(high), use(low), use(high), use(max_rows);
                                });
        } else {
            // A township or village holds few: gather them from the two division indexes, then order.
            result = readOutbox(
                session,
                "WHERE o.seq IN (SELECT seq FROM outbox WHERE division >= ? AND division < ? AND seq > ? "
                "UNION SELECT seq FROM outbox WHERE previous_division >= ? AND previous_division < ? AND seq > ?) "
                "ORDER BY o.seq LIMIT ?",
                [&](Statement& statement) {
                    statement, use(low), use(high), use(after), use(low), use(high), use(after), use(max_rows);
                });
        }
    });
    return result;
}

std::vector<OutboxEntry> SqlStore::outboxEntries(const std::vector<std::int64_t>& seqs) {
    std::vector<OutboxEntry> result;
    if (seqs.empty()) {
        return result;
    }
    withSession("read outbox entries", [&](Session& session) {
        for (const std::int64_t seq : seqs) {
            Poco::Int64 wanted = seq;
            auto rows = readOutbox(session, "WHERE o.seq = ?", [&](Statement& statement) { statement, use(wanted); });
            for (auto& row : rows) {
                result.push_back(std::move(row));
            }
        }
    });
    std::sort(result.begin(), result.end(), [](const auto& a, const auto& b) { return a.seq < b.seq; });
    return result;
}

std::int64_t SqlStore::outboxHead() {
    Poco::Int64 head = 0;
    withSession("read the outbox head",
                [&](Session& session) { session << "SELECT COALESCE(MAX(seq), 0) FROM outbox", into(head), now; });
    return head;
}

PushState SqlStore::pushState(std::string_view subscriber) {
    requireSubscriber(subscriber);
    PushState state;
    state.subscriber = std::string(subscriber);
    withSession("read the push state of " + utf8::quote(subscriber), [&](Session& session) {
        std::string name(subscriber);
        std::vector<Poco::Int64> through;
        std::vector<Poco::Int64> delivered;
        std::vector<Poco::Int64> attempts;
        std::vector<Poco::Int64> refusals;
        std::vector<std::string> next;
        std::vector<std::string> error;
        std::vector<std::string> success;
        session << sql(
            "SELECT delivered_through, delivered, attempts, refusals, next_attempt_at, last_error, "
            "last_success_at FROM push_state WHERE subscriber = ?"),
            use(name), into(through), into(delivered), into(attempts), into(refusals), into(next), into(error),
            into(success), now;
        if (!through.empty()) {
            state.delivered_through = through.front();
            state.delivered = delivered.front();
            state.attempts = static_cast<int>(attempts.front());
            state.refusals = static_cast<int>(refusals.front());
            state.next_attempt_at = next.front();
            state.last_error = error.front();
            state.last_success_at = success.front();
        }
        Poco::Int64 dead = 0;
        Poco::Int64 asked = 0;
        session << sql("SELECT COUNT(*) FROM push_dead_letters WHERE subscriber = ? AND status = 'dead'"), use(name),
            into(dead), now;
        session << sql("SELECT COUNT(*) FROM push_dead_letters WHERE subscriber = ? AND status = 'redeliver'"),
            use(name), into(asked), now;
        state.dead_letters = dead;
        state.redeliveries = asked;
    });
    return state;
}

void SqlStore::commitPushOutcome(const PushOutcome& outcome) {
    requireSubscriber(outcome.subscriber);
    const auto where = [&] { return "the push outcome of " + utf8::quote(outcome.subscriber); };
    requireText("error", outcome.error, where);
    const std::string at = outcome.at.empty() ? nowIso() : outcome.at;
    withSession("record a push to " + utf8::quote(outcome.subscriber), [&](Session& session) {
        WriteTransaction transaction(*this, session);
        std::string name = outcome.subscriber;
        Poco::Int64 through = outcome.delivered_through;
        Poco::Int64 delivered = outcome.delivered;
        Poco::Int64 attempts = outcome.attempts;
        Poco::Int64 refusals = outcome.refusals;
        std::string next = outcome.next_attempt_at;
        std::string error = outcome.error;
        std::string success = outcome.error.empty() && outcome.delivered > 0 ? at : std::string();
        session << sql(
            "INSERT INTO push_state (subscriber, delivered_through, delivered, attempts, refusals, "
            "next_attempt_at, last_error, last_success_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (subscriber) DO UPDATE SET delivered_through = excluded.delivered_through, "
            "delivered = push_state.delivered + excluded.delivered, attempts = excluded.attempts, "
            "refusals = excluded.refusals, "
            "next_attempt_at = excluded.next_attempt_at, "
            "last_error = CASE WHEN excluded.last_error = '' THEN push_state.last_error "
            "ELSE excluded.last_error END, "
            "last_success_at = CASE WHEN excluded.last_success_at = '' THEN push_state.last_success_at "
            "ELSE excluded.last_success_at END"),
            use(name), use(through), use(delivered), use(attempts), use(refusals), use(next), use(error), use(success),
            now;
        if (!outcome.dead.empty()) {
            std::vector<std::string> names(outcome.dead.size(), name);
            std::vector<Poco::Int64> seqs(outcome.dead.begin(), outcome.dead.end());
            std::vector<Poco::Int64> spent(outcome.dead.size(), outcome.attempts);
            std::vector<std::string> errors(outcome.dead.size(), outcome.error);
            std::vector<std::string> dead_at(outcome.dead.size(), at);
            // A redelivered letter that fails again is dead again.
            session << sql(
                "INSERT INTO push_dead_letters (subscriber, outbox_seq, attempts, error, dead_at, status) "
                "VALUES (?, ?, ?, ?, ?, 'dead') ON CONFLICT (subscriber, outbox_seq) DO UPDATE SET "
                "attempts = excluded.attempts, error = excluded.error, dead_at = excluded.dead_at, "
                "status = 'dead'"),
                use(names), use(seqs), use(spent), use(errors), use(dead_at), now;
        }
        if (!outcome.redelivered.empty()) {
            std::vector<std::string> names(outcome.redelivered.size(), name);
            std::vector<Poco::Int64> seqs(outcome.redelivered.begin(), outcome.redelivered.end());
            session << sql(
                "UPDATE push_dead_letters SET status = 'redelivered' WHERE subscriber = ? "
                "AND outbox_seq = ?"),
                use(names), use(seqs), now;
        }
        if (!outcome.log.action.empty()) {
            ExchangeLogEntry entry = outcome.log;
            if (entry.at.empty()) {
                entry.at = at;
            }
            insertLogEntry(session, entry);
        }
        transaction.commit();
    });
}

std::vector<DeadLetter> SqlStore::deadLetters(std::string_view subscriber, std::string_view status,
                                              std::int64_t after_seq, std::size_t limit) {
    requireSubscriber(subscriber);
    if (!status.empty() && status != "dead" && status != "redeliver" && status != "redelivered") {
        throw GatewayError(ErrorCode::InvalidArgument,
                           "dead-letter status " + utf8::quote(status) + " is not dead, redeliver or redelivered");
    }
    std::vector<DeadLetter> result;
    withSession("read the dead letters of " + utf8::quote(subscriber), [&](Session& session) {
        std::string name(subscriber);
        std::string wanted(status);
        Poco::Int64 after = after_seq;
        Poco::Int64 max_rows = rowLimit(limit);
        std::vector<Poco::Int64> seqs;
        std::vector<std::string> persons;
        std::vector<Poco::Int64> versions;
        std::vector<Poco::Int64> attempts;
        std::vector<std::string> errors;
        std::vector<std::string> dead_at;
        std::vector<std::string> statuses;
        session << sql(
            "SELECT d.outbox_seq, o.person_id, o.version, d.attempts, d.error, d.dead_at, d.status "
            "FROM push_dead_letters AS d JOIN outbox AS o ON o.seq = d.outbox_seq "
            "WHERE d.subscriber = ? AND (CAST(? AS TEXT) = '' OR d.status = ?) AND d.outbox_seq > ? "
            "ORDER BY d.outbox_seq LIMIT ?"),
            use(name), use(wanted), use(wanted), use(after), use(max_rows), into(seqs), into(persons), into(versions),
            into(attempts), into(errors), into(dead_at), into(statuses), now;
        result.resize(seqs.size());
        for (std::size_t i = 0; i < seqs.size(); ++i) {
            result[i] = {name,
                         seqs[i],
                         std::move(persons[i]),
                         versions[i],
                         static_cast<int>(attempts[i]),
                         std::move(errors[i]),
                         std::move(dead_at[i]),
                         std::move(statuses[i])};
        }
    });
    return result;
}

std::int64_t SqlStore::requestRedelivery(std::string_view subscriber, std::optional<std::int64_t> seq,
                                         std::string_view actor) {
    requireSubscriber(subscriber);
    requireNonEmptyText("actor", actor, [] { return std::string("the redelivery request"); });
    std::int64_t marked = 0;
    withSession("ask for redelivery to " + utf8::quote(subscriber), [&](Session& session) {
        WriteTransaction transaction(*this, session);
        std::string name(subscriber);
        Poco::Int64 only = seq.value_or(0);
        Poco::Int64 every = seq ? 0 : 1;
        Statement update(session);
        update << sql(
            "UPDATE push_dead_letters SET status = 'redeliver' WHERE subscriber = ? AND status = 'dead' "
            "AND (CAST(? AS BIGINT) = 1 OR outbox_seq = ?)"),
            use(name), use(every), use(only);
        marked = static_cast<std::int64_t>(update.execute());
        std::string detail = "{\"marked\":" + std::to_string(marked) +
                             (seq ? ",\"outbox_seq\":" + std::to_string(*seq) : std::string()) + "}";
        insertLogEntry(session, {0, nowIso(), std::string(actor), "push.redeliver", name, detail});
        transaction.commit();
    });
    return marked;
}

}  // namespace gateway::store
