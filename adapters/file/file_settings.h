#pragma once

#include "adapters/adapter.h"
#include "adapters/common/charset.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gateway::adapters::file {

enum class FileFormat { Csv, Jsonl };

/// The `file` adapter's settings, e.g. for health_births:
///
///     {"dir": "/data/health_drop", "pattern": "births_*.csv", "format": "csv", "encoding": "auto",
///      "marker_suffix": ".ok", "csv": {"delimiter": ",", "quote": "\"", "header": true}}
struct FileAdapterSettings {
    std::string dir;      // the drop folder
    std::string pattern;  // glob on file names, e.g. births_*.csv
    FileFormat format = FileFormat::Csv;
    std::optional<charset::Encoding> encoding;  // nullopt: auto (byte-order mark, else UTF-8 or GB18030 by content)
    /// A file is complete when NAME + marker_suffix exists beside it (empty: no marker rule) ...
    std::string marker_suffix;
    /// ... and/or when it has not been modified for this long (nullopt: no settle rule). At least one rule is set.
    std::optional<std::int64_t> settle_seconds;
    std::string archive_dir;  // where fully staged files go; default STATE_DIR/archive
    std::size_t max_record_bytes = 1 << 20;

    // CSV only.
    char delimiter = ',';
    char quote = '"';
    bool header = true;                // the first record names the columns
    std::vector<std::string> columns;  // the column names when there is no header row
};

/// Parses and validates; throws GatewayError(InvalidConfig) "ORIGIN: settings.KEY: problem".
FileAdapterSettings parseFileAdapterSettings(const AdapterConfig& config);

}  // namespace gateway::adapters::file
