#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gateway::audit {

/// One entry of the exchange log. `seq` and `hash` are assigned when it is appended: entries are numbered 1, 2, 3 …
/// without gaps, and each hash covers the entry and the hash of the one before it.
struct LogEntry {
    std::int64_t seq = 0;
    std::string at;  // ISO-8601 UTC
    std::string actor;
    std::string action;   // e.g. "source.pull"
    std::string subject;  // e.g. the source name or a person id
    std::string detail_json;
    std::string hash{};  // lower-case hex, assigned on append
    /// The persons the entry concerns beyond its subject (an API read returning a list), so that "who read this
    /// child's file" is one indexed query. The hash covers them (see ChainFormat).
    std::vector<std::string> persons{};
};

}  // namespace gateway::audit
