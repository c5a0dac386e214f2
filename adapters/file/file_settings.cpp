#include "adapters/file/file_settings.h"

#include "adapters/common/adapter_settings.h"

#include <set>

namespace gateway::adapters::file {
namespace {

/// One ASCII character usable as CSV syntax. Letters and digits are refused because GB18030 reuses them as
/// trailing bytes of four-byte characters, and CR/LF because they end records.
char syntaxCharacter(AdapterSettings& settings, std::string_view key, char fallback) {
    const auto value = settings.maybeString(key);
    if (!value) {
        return fallback;
    }
    const bool one_byte = value->size() == 1;
    const auto c = one_byte ? static_cast<unsigned char>((*value)[0]) : 0;
    const bool alphanumeric = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    if (!one_byte || c >= 0x80 || c == '\r' || c == '\n' || c == 0 || alphanumeric) {
        settings.fail(key, "must be one ASCII character other than a letter, a digit, CR or LF");
    }
    return static_cast<char>(c);
}

}  // namespace

FileAdapterSettings parseFileAdapterSettings(const AdapterConfig& config) {
    AdapterSettings settings(config.settings_json, config.origin);
    FileAdapterSettings parsed;
    parsed.dir = settings.requiredString("dir");
    parsed.pattern = settings.requiredString("pattern");
    if (parsed.pattern.find('/') != std::string::npos) {
        settings.fail("pattern", "must match file names only, without '/'");
    }
    parsed.format = settings.oneOf("format", {"csv", "jsonl"}, "csv") == "csv" ? FileFormat::Csv : FileFormat::Jsonl;
    const std::string encoding = settings.oneOf("encoding", {"auto", "utf-8", "gbk", "gb18030"}, "auto");
    if (encoding != "auto") {
        parsed.encoding = charset::encodingFromName(encoding);
    }

    if (const auto marker = settings.maybeString("marker_suffix")) {
        if (marker->empty() || marker->find('/') != std::string::npos) {
            settings.fail("marker_suffix", "must be a non-empty file name suffix such as .ok");
        }
        parsed.marker_suffix = *marker;
    }
    const std::int64_t settle_seconds = settings.integer("settle_seconds", -1, 0, 7 * 24 * 3600);
    if (settle_seconds >= 0) {
        parsed.settle_seconds = settle_seconds;
    }
    if (parsed.marker_suffix.empty() && !parsed.settle_seconds) {
        settings.fail("marker_suffix",
                      "is required (or settle_seconds): the adapter must know when a file is complete");
    }

    const auto archive_dir = settings.maybeString("archive_dir");
    if (archive_dir && !archive_dir->empty()) {
        parsed.archive_dir = *archive_dir;
    } else if (archive_dir) {
        settings.fail("archive_dir", "must not be empty");
    } else if (config.state_dir.empty()) {
        settings.fail("archive_dir", "is required when the source has no state folder");
    } else {
        parsed.archive_dir = config.state_dir + "/archive";
    }
    parsed.max_record_bytes =
        static_cast<std::size_t>(settings.integer("max_record_bytes", 1 << 20, 256, std::int64_t{1} << 30));

    AdapterSettings csv = settings.object("csv");
    parsed.delimiter = syntaxCharacter(csv, "delimiter", ',');
    parsed.quote = syntaxCharacter(csv, "quote", '"');
    if (parsed.quote == parsed.delimiter) {
        csv.fail("quote", "must differ from the delimiter");
    }
    parsed.header = csv.boolean("header", true);
    parsed.columns = csv.stringList("columns");
    if (parsed.header && !parsed.columns.empty()) {
        csv.fail("columns", "is only allowed with \"header\": false (the header row names the columns)");
    }
    if (!parsed.header && parsed.columns.empty()) {
        csv.fail("columns", "is required when \"header\" is false");
    }
    std::set<std::string> seen;
    for (const auto& column : parsed.columns) {
        if (column.empty() || !seen.insert(column).second) {
            csv.fail("columns", "must be distinct, non-empty names");
        }
    }
    if (parsed.format == FileFormat::Jsonl && settings.has("csv")) {
        settings.fail("csv", "is only allowed with \"format\": \"csv\"");
    }
    settings.finish();
    return parsed;
}

}  // namespace gateway::adapters::file
