#pragma once

#include <string>
#include <vector>

namespace gateway::intake {

/// One configured source: which adapter pulls it, which mapping reads it, how often.
struct SourceConfig {
    std::string source;  // e.g. "police_population"; lower-case letters, digits and '_'
    std::string description;
    std::string adapter;  // a registered adapter name: rest, sql, file, or a plugin's
    std::string mapping;  // path of the mapping file, resolved against the start directory
    bool enabled = true;
    int schedule_seconds = 0;   // 0: only on demand (gateway sync)
    int batch_size = 1000;      // rows per pull, and so per transaction
    std::string settings_json;  // the adapter's own settings, as JSON text
    std::string origin;         // the file it came from
};

/// Reads one source file (JSON). Unknown or repeated keys, wrong types and bad values throw
/// GatewayError(InvalidConfig) with "FILE:LINE: at /KEY: what is wrong". Relative mapping paths resolve against
/// `base_dir`.
SourceConfig readSourceConfig(const std::string& path, const std::string& base_dir);

/// Reads every *.json in `dir`, sorted by name; two files naming the same source is an error.
/// A missing or empty folder gives no sources (a gateway may run with none configured yet).
std::vector<SourceConfig> readSourceConfigs(const std::string& dir, const std::string& base_dir);

}  // namespace gateway::intake
