#pragma once

// What publishing stores: the outbox of profile changes, each subscriber's cursor and attempts, and dead letters.
// The store implements it; the deliverer, the changes feed and the push routes use it.

#include "gateway/audit/log_store.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::publish {

using audit::ExchangeLogEntry;

/// One profile change to publish, written by commitProfiles in the same transaction as the version. Push subscribers
/// and the changes feed read the entries in seq order, which is commit order.
struct OutboxEntry {
    std::int64_t seq = 0;
    std::string person_id;
    std::int64_t version = 0;
    std::string division;           // residence division of this version ("" for a removal)
    std::string previous_division;  // residence division of the version before ("" for a first version)
    bool removed = false;
    std::string correction_json;  // as ProfileVersion::correction_json
    std::string created_at;       // ISO-8601 UTC
    std::string profile_json;     // the version's whole profile, read with the entry
    bool removed_now = false;     // the person's current version is a removal (of age, or gone)
};

/// Where one push subscriber stands.
struct PushState {
    std::string subscriber;
    std::int64_t delivered_through = 0;  // outbox seq up to which everything is delivered or dead-lettered
    std::int64_t delivered = 0;          // events delivered so far
    int attempts = 0;                    // failed attempts in a row (the backoff grows with them)
    int refusals = 0;                    // of which the subscriber answered with an error, at the current batch
    std::string next_attempt_at;         // ISO-8601 UTC; "" means now
    std::string last_error;
    std::string last_success_at;
    std::int64_t dead_letters = 0;  // entries in the dead state now
    std::int64_t redeliveries = 0;  // dead letters an operator asked to send again, not yet sent
};

/// An outbox entry a subscriber did not accept within its attempts.
struct DeadLetter {
    std::string subscriber;
    std::int64_t outbox_seq = 0;
    std::string person_id;
    std::int64_t version = 0;
    int attempts = 0;
    std::string error;
    std::string dead_at;
    std::string status;  // "dead", "redeliver" (asked for again) or "redelivered"
};

/// What one delivery attempt for a subscriber changes, written in one transaction with its exchange-log entry.
struct PushOutcome {
    std::string subscriber;
    std::int64_t delivered_through = 0;     // the new cursor (the old one after a failure)
    std::int64_t delivered = 0;             // events accepted now
    int attempts = 0;                       // failed attempts in a row after this outcome (0 after success)
    int refusals = 0;                       // refused attempts at the current batch after this outcome
    std::string next_attempt_at;            // when to try again ("" = at once)
    std::string error;                      // this attempt's failure, "" on success
    std::vector<std::int64_t> dead;         // outbox seqs that become dead letters (their attempts are spent)
    std::vector<std::int64_t> redelivered;  // dead letters delivered by this attempt
    std::string at;                         // ISO-8601 UTC
    ExchangeLogEntry log;                   // appended when its action is not empty
};

/// The outbox and the push state of each subscriber.
/// Implementations are thread-safe: each call takes a pooled connection. Failures to reach the database throw
/// GatewayError(StoreUnavailable); rejected statements throw GatewayError(StoreError); a lost optimistic race throws
/// GatewayError(Conflict).
class OutboxStore {
public:
    virtual ~OutboxStore() = default;

    /// Outbox entries with seq > after_seq whose division or previous division starts with `division_prefix` (all
    /// entries for ""), in seq order, at most `limit`. Throws InvalidArgument unless the prefix is all digits.
    virtual std::vector<OutboxEntry> outbox(std::int64_t after_seq, std::string_view division_prefix,
                                            std::size_t limit) = 0;
    /// The entries with these seqs, in seq order (unknown seqs are skipped).
    virtual std::vector<OutboxEntry> outboxEntries(const std::vector<std::int64_t>& seqs) = 0;
    /// The highest outbox seq, 0 when empty.
    virtual std::int64_t outboxHead() = 0;

    /// A subscriber's state; zeros for one never delivered to.
    virtual PushState pushState(std::string_view subscriber) = 0;
    /// Writes an attempt's outcome (see PushOutcome) in one transaction.
    virtual void commitPushOutcome(const PushOutcome& outcome) = 0;
    /// A subscriber's dead letters with outbox seq > after_seq, in seq order; `status` "" means any.
    virtual std::vector<DeadLetter> deadLetters(std::string_view subscriber, std::string_view status,
                                                std::int64_t after_seq, std::size_t limit) = 0;
    /// Marks the subscriber's dead letters (all when `seq` is nullopt, else that one) for redelivery and appends a
    /// "push.redeliver" exchange-log entry, in one transaction. Returns how many were marked.
    virtual std::int64_t requestRedelivery(std::string_view subscriber, std::optional<std::int64_t> seq,
                                           std::string_view actor) = 0;
};

}  // namespace gateway::publish
