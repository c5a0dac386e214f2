#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace deptsim {

/// How the sink misbehaves on /hooks/ (PROTOCOL.md, "sink"): "down", "http500=P", "slow=MS", "name=NAME".
struct SinkFailSpec {
    bool down = false;   // every hook request 503
    double http500 = 0;  // probability of a 500
    int slow_ms = 0;     // delay before every hook response
    std::string name;    // only this subscriber path fails; empty: all of them

    friend bool operator==(const SinkFailSpec&, const SinkFailSpec&) = default;
};

/// Reads "down,name=district"; the empty text means no failures. nullopt with `error` on a bad item.
std::optional<SinkFailSpec> parseSinkFailSpec(std::string_view text, std::string& error);
std::string formatSinkFailSpec(const SinkFailSpec& spec);

/// What the sink does to one hook request.
struct SinkFailure {
    int status = 0;    // 0: answer normally; otherwise 500 or 503
    int delay_ms = 0;  // wait this long first
};

/// The failures in force and the draws that decide them. An http500 draw depends only on the seed, the
/// subscriber name, the idempotency key and how many times that name and key came before, so the same
/// deliveries meet the same failures on every run and a retry draws afresh. Thread-safe.
class SinkFailState {
public:
    explicit SinkFailState(std::uint64_t seed) : seed_(seed) {}

    void set(const SinkFailSpec& spec);
    SinkFailSpec spec() const;
    /// Decides the fate of a request to /hooks/{name} carrying `idempotency_key` (possibly empty).
    SinkFailure decide(const std::string& name, const std::string& idempotency_key);

private:
    std::uint64_t seed_;
    mutable std::mutex mutex_;
    SinkFailSpec spec_;
    std::unordered_map<std::string, std::uint64_t> occurrences_;
};

}  // namespace deptsim
