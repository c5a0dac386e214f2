#pragma once

// publish::OutboxStore in memory, for unit tests of the deliverer and the changes feed. Every method behaves as the
// SQL store's: entries in seq order, selected by division or the division left, with the content of a person whose
// latest version is a removal withheld; push outcomes move the cursor, add up deliveries, keep the last error and
// success through outcomes without them, and turn entries into dead letters (a redelivered one that fails is dead
// again); an outcome's entry and each redelivery request go to the exchange log given.
//
// The SQL store's outbox is written by commitProfiles; here a test writes it with appendVersion().

#include "gateway/audit/log_store.h"
#include "gateway/common/clock.h"
#include "gateway/publish/outbox_store.h"

#include <map>
#include <mutex>

namespace gateway::testing {

/// Thread-safe, as the port requires. `log` and `clock` (which dates what an outcome or a request does not) must
/// outlive the store.
class FakeOutboxStore : public publish::OutboxStore {
public:
    FakeOutboxStore(audit::LogStore& log, const Clock& clock) : log_(log), clock_(clock) {}

    std::vector<publish::OutboxEntry> outbox(std::int64_t after_seq, std::string_view division_prefix,
                                             std::size_t limit) override;
    std::vector<publish::OutboxEntry> outboxEntries(const std::vector<std::int64_t>& seqs) override;
    std::int64_t outboxHead() override;
    publish::PushState pushState(std::string_view subscriber) override;
    void commitPushOutcome(const publish::PushOutcome& outcome) override;
    std::vector<publish::DeadLetter> deadLetters(std::string_view subscriber, std::string_view status,
                                                 std::int64_t after_seq, std::size_t limit) override;
    std::int64_t requestRedelivery(std::string_view subscriber, std::optional<std::int64_t> seq,
                                   std::string_view actor) override;

    /// Appends the outbox entry of a version written, as commitProfiles does, and returns its seq (1, 2, 3 …).
    /// `entry.seq` and `entry.removed_now` are ignored: the latter is read from the person's latest entry.
    std::int64_t appendVersion(publish::OutboxEntry entry);

private:
    using LetterKey = std::pair<std::string, std::int64_t>;  // subscriber, outbox seq

    publish::OutboxEntry read(const publish::OutboxEntry& entry) const;

    audit::LogStore& log_;
    const Clock& clock_;
    std::mutex mutex_;
    std::vector<publish::OutboxEntry> entries_;             // entries_[i].seq == i + 1
    std::map<std::string, bool, std::less<>> removed_now_;  // per person: whether its latest version is a removal
    std::map<std::string, publish::PushState, std::less<>> states_;
    std::map<LetterKey, publish::DeadLetter> letters_;
};

}  // namespace gateway::testing
