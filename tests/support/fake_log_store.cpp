#include "tests/support/fake_log_store.h"

#include "gateway/audit/chain.h"
#include "gateway/audit/index_terms.h"
#include "gateway/common/error.h"
#include "gateway/common/utf8.h"
#include "gateway/store/port_checks.h"
#include "gateway/store/text_checks.h"

#include <algorithm>

namespace gateway::testing {

namespace {

bool matches(const audit::ExchangeLogEntry& entry, const audit::ExchangeLogQuery& query) {
    if (!query.person.empty() && entry.subject != query.person &&
        std::find(entry.persons.begin(), entry.persons.end(), query.person) == entry.persons.end()) {
        return false;
    }
    if (!query.actor.empty() && entry.actor != query.actor) {
        return false;
    }
    if (query.action.ends_with('.') ? !entry.action.starts_with(query.action)
                                    : !query.action.empty() && entry.action != query.action) {
        return false;
    }
    return (query.from.empty() || entry.at >= query.from) && (query.to.empty() || entry.at < query.to);
}

}  // namespace

std::int64_t FakeLogStore::appendExchangeLog(const audit::ExchangeLogEntry& entry) {
    return appendExchangeLog(std::vector<audit::ExchangeLogEntry>{entry});
}

std::int64_t FakeLogStore::appendExchangeLog(const std::vector<audit::ExchangeLogEntry>& entries) {
    for (const auto& entry : entries) {
        store::validateLogEntry(entry);
    }
    if (entries.empty()) {
        return 0;
    }
    std::vector<audit::ExchangeLogEntry> appended = entries;
    for (auto& entry : appended) {
        std::sort(entry.persons.begin(), entry.persons.end());
        entry.persons.erase(std::unique(entry.persons.begin(), entry.persons.end()), entry.persons.end());
    }
    const std::lock_guard lock(mutex_);
    audit::Hash previous = audit::kGenesis;
    if (!entries_.empty()) {
        previous = *audit::hashFromHex(entries_.back().hash);
    }
    audit::Digest digest(algorithm_);
    audit::chainEntries(digest, static_cast<std::int64_t>(entries_.size()), previous, appended, {algorithm_, 1});
    entries_.insert(entries_.end(), appended.begin(), appended.end());
    return entries_.back().seq;
}

std::vector<audit::ExchangeLogEntry> FakeLogStore::exchangeLog(std::int64_t after_seq, std::size_t limit) {
    audit::ExchangeLogQuery query;
    query.after_seq = after_seq;
    query.limit = limit;
    return searchExchangeLog(query);
}

std::vector<audit::ExchangeLogEntry> FakeLogStore::searchExchangeLog(const audit::ExchangeLogQuery& query) {
    for (const auto& [field, value] : {std::pair<const char*, const std::string*>{"actor", &query.actor},
                                       {"action", &query.action},
                                       {"person", &query.person},
                                       {"from", &query.from},
                                       {"to", &query.to}}) {
        store::requireText(field, *value, "the exchange log query");
    }
    const std::lock_guard lock(mutex_);
    std::vector<audit::ExchangeLogEntry> result;
    for (auto entry = entries_.begin() + std::clamp<std::int64_t>(query.after_seq, 0, std::ssize(entries_));
         entry != entries_.end() && result.size() < query.limit; ++entry) {
        if (matches(*entry, query)) {
            result.push_back(*entry);
            if (!query.with_persons) {
                result.back().persons.clear();
            }
        }
    }
    return result;
}

std::int64_t FakeLogStore::indexExchangeLog(std::size_t max_entries) {
    const std::lock_guard lock(mutex_);
    std::int64_t count = 0;
    while (indexed_ < std::ssize(entries_) && static_cast<std::size_t>(count) < max_entries) {
        const auto& entry = entries_[static_cast<std::size_t>(indexed_)];
        for (std::string& term : audit::indexTerms(entry)) {
            terms_.emplace(std::move(term), entry.seq);
        }
        ++indexed_;
        ++count;
    }
    return count;
}

std::int64_t FakeLogStore::exchangeLogIndexed() {
    const std::lock_guard lock(mutex_);
    return indexed_;
}

void FakeLogStore::forEachLogTerm(std::int64_t first_seq, std::int64_t last_seq,
                                  const std::function<void(const std::string& term, std::int64_t seq)>& visit) {
    // Copied first, so that the visitor may call back into the store.
    std::vector<std::pair<std::string, std::int64_t>> terms;
    {
        const std::lock_guard lock(mutex_);
        terms.assign(terms_.begin(), terms_.end());
    }
    for (const auto& [term, seq] : terms) {
        if (seq >= first_seq && seq <= last_seq) {
            visit(term, seq);
        }
    }
}

void FakeLogStore::clearExchangeLogIndex() {
    const std::lock_guard lock(mutex_);
    terms_.clear();
    indexed_ = 0;
}

std::optional<audit::ExchangeLogEntry> FakeLogStore::exchangeLogEntry(std::int64_t seq) {
    const std::lock_guard lock(mutex_);
    if (seq < 1 || seq > std::ssize(entries_)) {
        return std::nullopt;
    }
    return entries_[static_cast<std::size_t>(seq - 1)];
}

std::vector<std::string> FakeLogStore::exchangeLogHashes(std::int64_t after_seq, std::size_t limit) {
    const std::lock_guard lock(mutex_);
    std::vector<std::string> hashes;
    for (auto entry = entries_.begin() + std::clamp<std::int64_t>(after_seq, 0, std::ssize(entries_));
         entry != entries_.end() && hashes.size() < limit; ++entry) {
        hashes.push_back(entry->hash);
    }
    return hashes;
}

audit::LogHead FakeLogStore::exchangeLogHead() {
    const std::lock_guard lock(mutex_);
    if (entries_.empty()) {
        return {};
    }
    return {entries_.back().seq, entries_.back().hash};
}

std::optional<std::string> FakeLogStore::exchangeLogAlgorithm() {
    const std::lock_guard lock(mutex_);
    if (entries_.empty()) {
        return std::nullopt;
    }
    return std::string(audit::hashAlgorithmName(algorithm_));
}

std::int64_t FakeLogStore::exchangeLogPersonsFrom() {
    // This log was begun by a version that hashes the persons.
    return 1;
}

std::vector<std::string> FakeLogStore::logBlockRoots(std::int64_t first_block, std::size_t limit) {
    const std::lock_guard lock(mutex_);
    std::vector<std::string> roots;
    for (auto block = block_roots_.find(first_block);
         block != block_roots_.end() && roots.size() < limit && block->first == first_block + std::ssize(roots);
         ++block) {
        roots.push_back(block->second);
    }
    return roots;
}

void FakeLogStore::storeLogBlockRoots(std::int64_t first_block, const std::vector<std::string>& roots) {
    const std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < roots.size(); ++i) {
        block_roots_.emplace(first_block + static_cast<std::int64_t>(i), roots[i]);
    }
}

void FakeLogStore::appendCheckpoint(const audit::Checkpoint& checkpoint) {
    const std::lock_guard lock(mutex_);
    if (!checkpoints_.emplace(checkpoint.size, checkpoint).second) {
        throw GatewayError(ErrorCode::Conflict,
                           "a checkpoint of " + std::to_string(checkpoint.size) + " entries exists");
    }
}

std::vector<audit::Checkpoint> FakeLogStore::checkpoints(std::uint64_t min_size, std::uint64_t max_size) {
    const std::lock_guard lock(mutex_);
    std::vector<audit::Checkpoint> result;
    for (auto found = checkpoints_.lower_bound(min_size); found != checkpoints_.end() && found->first <= max_size;
         ++found) {
        result.push_back(found->second);
    }
    return result;
}

std::optional<audit::Checkpoint> FakeLogStore::latestCheckpoint() {
    const std::lock_guard lock(mutex_);
    if (checkpoints_.empty()) {
        return std::nullopt;
    }
    return checkpoints_.rbegin()->second;
}

std::optional<audit::Checkpoint> FakeLogStore::checkpointAtMost(std::uint64_t size) {
    const std::lock_guard lock(mutex_);
    const auto above = checkpoints_.upper_bound(size);
    if (above == checkpoints_.begin()) {
        return std::nullopt;
    }
    return std::prev(above)->second;
}

std::optional<audit::Checkpoint> FakeLogStore::checkpointAtLeast(std::uint64_t size) {
    const std::lock_guard lock(mutex_);
    const auto found = checkpoints_.lower_bound(size);
    if (found == checkpoints_.end()) {
        return std::nullopt;
    }
    return found->second;
}

}  // namespace gateway::testing
