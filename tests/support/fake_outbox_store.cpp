#include "tests/support/fake_outbox_store.h"

#include "gateway/common/error.h"
#include "gateway/common/utf8.h"
#include "gateway/store/text_checks.h"

#include <algorithm>

namespace gateway::testing {

using publish::DeadLetter;
using publish::OutboxEntry;
using publish::PushOutcome;
using publish::PushState;

namespace {

void requireSubscriber(std::string_view subscriber) {
    store::requireNonEmptyText("subscriber", subscriber, "the push request");
}

}  // namespace

std::int64_t FakeOutboxStore::appendVersion(OutboxEntry entry) {
    const std::lock_guard lock(mutex_);
    entry.seq = static_cast<std::int64_t>(entries_.size()) + 1;
    entry.removed_now = false;
    removed_now_[entry.person_id] = entry.removed;
    entries_.push_back(std::move(entry));
    return entries_.back().seq;
}

OutboxEntry FakeOutboxStore::read(const OutboxEntry& entry) const {
    OutboxEntry result = entry;
    result.removed_now = removed_now_.at(entry.person_id);
    if (result.removed_now) {
        // What left the views is never read again, not even to be rendered away.
        result.profile_json.clear();
    }
    return result;
}

std::vector<OutboxEntry> FakeOutboxStore::outbox(std::int64_t after_seq, std::string_view division_prefix,
                                                 std::size_t limit) {
    store::requireDivisionPrefix(division_prefix);
    const std::lock_guard lock(mutex_);
    std::vector<OutboxEntry> result;
    for (auto entry = entries_.begin() + std::clamp<std::int64_t>(after_seq, 0, std::ssize(entries_));
         entry != entries_.end() && result.size() < limit; ++entry) {
        if (entry->division.starts_with(division_prefix) || entry->previous_division.starts_with(division_prefix)) {
            result.push_back(read(*entry));
        }
    }
    return result;
}

std::vector<OutboxEntry> FakeOutboxStore::outboxEntries(const std::vector<std::int64_t>& seqs) {
    const std::lock_guard lock(mutex_);
    std::vector<OutboxEntry> result;
    for (const std::int64_t seq : seqs) {
        if (seq >= 1 && seq <= std::ssize(entries_)) {
            result.push_back(read(entries_[static_cast<std::size_t>(seq - 1)]));
        }
    }
    std::sort(result.begin(), result.end(), [](const auto& a, const auto& b) { return a.seq < b.seq; });
    return result;
}

std::int64_t FakeOutboxStore::outboxHead() {
    const std::lock_guard lock(mutex_);
    return static_cast<std::int64_t>(entries_.size());
}

PushState FakeOutboxStore::pushState(std::string_view subscriber) {
    requireSubscriber(subscriber);
    const std::lock_guard lock(mutex_);
    PushState state;
    const auto found = states_.find(subscriber);
    if (found != states_.end()) {
        state = found->second;
    }
    state.subscriber = std::string(subscriber);
    state.dead_letters = 0;
    state.redeliveries = 0;
    for (const auto& [key, letter] : letters_) {
        if (key.first == subscriber) {
            state.dead_letters += letter.status == "dead" ? 1 : 0;
            state.redeliveries += letter.status == "redeliver" ? 1 : 0;
        }
    }
    return state;
}

void FakeOutboxStore::commitPushOutcome(const PushOutcome& outcome) {
    requireSubscriber(outcome.subscriber);
    store::requireText("error", outcome.error, "the push outcome of " + utf8::quote(outcome.subscriber));
    const std::string at = outcome.at.empty() ? formatIso(clock_.now()) : outcome.at;
    const std::lock_guard lock(mutex_);
    if (!outcome.log.action.empty()) {
        audit::ExchangeLogEntry entry = outcome.log;
        if (entry.at.empty()) {
            entry.at = at;
        }
        // First: it is the one write here that may be refused, and then nothing else is written.
        log_.appendExchangeLog(entry);
    }
    PushState& state = states_[outcome.subscriber];
    state.delivered_through = outcome.delivered_through;
    state.delivered += outcome.delivered;
    state.attempts = outcome.attempts;
    state.refusals = outcome.refusals;
    state.next_attempt_at = outcome.next_attempt_at;
    if (!outcome.error.empty()) {
        state.last_error = outcome.error;
    }
    if (outcome.error.empty() && outcome.delivered > 0) {
        state.last_success_at = at;
    }
    for (const std::int64_t seq : outcome.dead) {
        DeadLetter& letter = letters_[{outcome.subscriber, seq}];
        letter.subscriber = outcome.subscriber;
        letter.outbox_seq = seq;
        letter.attempts = outcome.attempts;
        letter.error = outcome.error;
        letter.dead_at = at;
        letter.status = "dead";
    }
    for (const std::int64_t seq : outcome.redelivered) {
        const auto found = letters_.find({outcome.subscriber, seq});
        if (found != letters_.end()) {
            found->second.status = "redelivered";
        }
    }
}

std::vector<DeadLetter> FakeOutboxStore::deadLetters(std::string_view subscriber, std::string_view status,
                                                     std::int64_t after_seq, std::size_t limit) {
    requireSubscriber(subscriber);
    if (!status.empty() && status != "dead" && status != "redeliver" && status != "redelivered") {
        throw GatewayError(ErrorCode::InvalidArgument,
                           "dead-letter status " + utf8::quote(status) + " is not dead, redeliver or redelivered");
    }
    const std::lock_guard lock(mutex_);
    std::vector<DeadLetter> result;
    for (auto found = letters_.upper_bound({std::string(subscriber), after_seq});
         found != letters_.end() && found->first.first == subscriber && result.size() < limit; ++found) {
        const DeadLetter& letter = found->second;
        // As the SQL store's join: a letter is read with its outbox entry, and one without it is not read.
        if ((!status.empty() && letter.status != status) || letter.outbox_seq < 1 ||
            letter.outbox_seq > std::ssize(entries_)) {
            continue;
        }
        DeadLetter read = letter;
        const OutboxEntry& entry = entries_[static_cast<std::size_t>(letter.outbox_seq - 1)];
        read.person_id = entry.person_id;
        read.version = entry.version;
        result.push_back(std::move(read));
    }
    return result;
}

std::int64_t FakeOutboxStore::requestRedelivery(std::string_view subscriber, std::optional<std::int64_t> seq,
                                                std::string_view actor) {
    requireSubscriber(subscriber);
    store::requireNonEmptyText("actor", actor, "the redelivery request");
    const std::lock_guard lock(mutex_);
    std::vector<DeadLetter*> marked;
    for (auto& [key, letter] : letters_) {
        if (key.first == subscriber && letter.status == "dead" && (!seq || key.second == *seq)) {
            marked.push_back(&letter);
        }
    }
    const std::string detail = "{\"marked\":" + std::to_string(marked.size()) +
                               (seq ? ",\"outbox_seq\":" + std::to_string(*seq) : std::string()) + "}";
    log_.appendExchangeLog(
        {0, formatIso(clock_.now()), std::string(actor), "push.redeliver", std::string(subscriber), detail});
    for (DeadLetter* letter : marked) {
        letter->status = "redeliver";
    }
    return static_cast<std::int64_t>(marked.size());
}

}  // namespace gateway::testing
