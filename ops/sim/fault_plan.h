#pragma once

#include "ops/sim/source_rows.h"

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace deptsim {

/// The fault modes (PROTOCOL.md): what goes wrong on the police, OAuth and civil endpoints and the health drop.
struct FaultSpec {
    double http500 = 0;         // probability of a 500
    double timeout = 0;         // probability that a request hangs for hang_ms before it is answered
    double truncate = 0;        // probability that a 200 body is cut in half
    double duplicate_page = 0;  // probability that a page comes back with the cursor it was asked for
    int slow_ms = 0;            // delay before every response
    int hang_ms = 30000;        // how long `timeout` hangs
    int token_expiry = 0;       // tokens stop working after this many requests; 0: only after expires_in
    int lose_page = 0;          // the next this many pages with rows of police, and as many of civil, are lost
    bool half_csv = false;      // the next health drop is written half, without a marker
    bool down = false;          // every request 503

    friend bool operator==(const FaultSpec&, const FaultSpec&) = default;
};

/// Reads "http500=0.1,slow=50,down"; the empty text means no faults. nullopt with `error` on a bad item.
std::optional<FaultSpec> parseFaultSpec(std::string_view spec, std::string& error);
std::string formatFaultSpec(const FaultSpec& spec);

/// The faults in force and the draws that decide them. A draw depends only on the seed, the fault, the request
/// (method and URI) and how many times that same request was made before, so a client that makes the same
/// requests sees the same faults on every run, and a retry draws afresh. Thread-safe.
class FaultState {
public:
    explicit FaultState(std::uint64_t seed) : seed_(seed) {}

    void set(const FaultSpec& spec);
    /// The faults in force; lose_page is what is left of it (the larger of the two endpoints' counts).
    FaultSpec spec() const;
    /// Counts this request and returns how many times it was made before.
    std::uint64_t occurrence(const std::string& request_key);
    bool draw(std::string_view fault, const std::string& request_key, std::uint64_t occurrence,
              double probability) const;
    /// True once after half_csv was set: the drop being written now is the one to leave half-written.
    bool takeHalfCsv();
    /// True when this page of `source` (Police or Civil) is to be lost, counting it: the endpoints count apart.
    bool takeLostPage(Source source);

private:
    std::uint64_t seed_;
    mutable std::mutex mutex_;
    FaultSpec spec_;
    std::array<int, 2> pages_to_lose_{};  // police, civil
    std::unordered_map<std::string, std::uint64_t> occurrences_;
};

}  // namespace deptsim
