#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace deptsim {

/// One request to /hooks/{name} as the sink answered it.
struct HookRecord {
    std::string name;
    std::string received_at;      // ISO-8601 UTC with milliseconds
    std::string idempotency_key;  // empty: the header was missing
    bool signature_valid = false;
    int status = 0;
    std::optional<std::string> body;  // compact JSON; nullopt when the body was not a JSON object or array
};

/// What /control/received reports for one subscriber or all of them.
struct ReceivedSummary {
    std::int64_t count = 0;         // requests recorded, whatever the answer
    std::int64_t accepted = 0;      // 2xx answers for a key not accepted before
    std::int64_t duplicates = 0;    // 2xx answers for a key accepted before
    std::vector<std::string> keys;  // the accepted keys, each once, in arrival order
};

/// DIR/received.jsonl and what it says: one line per hook request, written before the request is answered and
/// flushed to disk (fsync) before any 2xx answer. Thread-safe: a key's first acceptance is decided and written
/// under one lock, so two concurrent requests with the same key are one acceptance and one duplicate.
class SinkLedger {
public:
    /// Opens `path` for appending, creating it; lines already there (from an earlier run on the same folder)
    /// count, so a key accepted before a restart is a duplicate after it. Throws std::runtime_error on an I/O error.
    explicit SinkLedger(const std::string& path);
    ~SinkLedger();
    SinkLedger(const SinkLedger&) = delete;
    SinkLedger& operator=(const SinkLedger&) = delete;

    /// Appends the line for `record` and returns whether it is a duplicate (a key already accepted for this
    /// name). A 2xx record of a new key makes the key accepted. Throws std::runtime_error on an I/O error, in
    /// which case nothing counts.
    bool record(const HookRecord& record);

    /// For one subscriber, or all of them when `name` is nullopt.
    ReceivedSummary summary(const std::optional<std::string>& name) const;

private:
    struct Subscriber {
        std::int64_t count = 0;
        std::int64_t duplicates = 0;
        std::set<std::string> accepted;
    };

    /// Counts a line; the caller holds the lock.
    void count(const std::string& name, const std::string& key, int status);
    /// Counts the lines already in `path`; true when its last line is cut short.
    bool load(const std::string& path);
    void append(const std::string& line, bool sync);

    int fd_ = -1;
    mutable std::mutex mutex_;
    std::map<std::string, Subscriber> subscribers_;
    std::vector<std::pair<std::string, std::string>> accepted_order_;  // (name, key) in arrival order
};

/// The wall clock as "2026-11-01T08:00:00.123Z".
std::string receivedAtNow();

}  // namespace deptsim
