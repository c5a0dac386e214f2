#include "adapters/sql/sql_settings.h"

#include "adapters/common/adapter_settings.h"
#include "gateway/common/error.h"

#include <set>

namespace gateway::adapters::sql {
namespace {

constexpr std::string_view kIdentifierRule =
    "must be a plain identifier (letters, digits and _, not starting with a digit)";

std::string identifier(AdapterSettings& settings, std::string_view key, bool required) {
    std::string name = required ? settings.requiredString(key) : settings.optionalString(key);
    if (!name.empty() && !isPlainIdentifier(name)) {
        settings.fail(key, kIdentifierRule);
    }
    return name;
}

SqlValueType valueType(AdapterSettings& settings, std::string_view key) {
    return settings.oneOf(key, {"integer", "text"}, "integer") == "integer" ? SqlValueType::Integer
                                                                            : SqlValueType::Text;
}

}  // namespace

bool isPlainIdentifier(std::string_view name) {
    if (name.empty() || name.size() > 63) {
        return false;
    }
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
        const bool digit = c >= '0' && c <= '9';
        if (!(letter || (digit && i > 0))) {
            return false;
        }
    }
    return true;
}

std::string quoteIdentifier(std::string_view name) {
    // Names also come from the source's own catalog, which a hostile source controls: a quote inside is doubled,
    // as SQL spells it, so the name can never close its quotes and go on as SQL.
    std::string quoted = "\"";
    for (const char c : name) {
        if (c == '\0') {
            throw GatewayError(ErrorCode::SourceError, "an identifier contains a NUL byte");
        }
        quoted += c;
        if (c == '"') {
            quoted += '"';
        }
    }
    quoted += '"';
    return quoted;
}

SqlAdapterSettings parseSqlAdapterSettings(const AdapterConfig& config) {
    AdapterSettings settings(config.settings_json, config.origin);
    SqlAdapterSettings parsed;
    parsed.connector = settings.oneOf("connector", {"sqlite", "postgresql"}) == "sqlite" ? SqlConnector::Sqlite
                                                                                         : SqlConnector::Postgresql;
    parsed.connection = settings.requiredSecret("connection", "connection_env");
    parsed.schema = identifier(settings, "schema", false);
    parsed.table = identifier(settings, "table", true);
    parsed.columns = settings.stringList("columns");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < parsed.columns.size(); ++i) {
        const std::string key = "columns[" + std::to_string(i) + "]";
        if (!isPlainIdentifier(parsed.columns[i])) {
            settings.fail(key, kIdentifierRule);
        }
        if (!seen.insert(parsed.columns[i]).second) {
            settings.fail(key, "repeats " + parsed.columns[i]);
        }
    }
    parsed.watermark_column = identifier(settings, "watermark_column", true);
    parsed.watermark_type = valueType(settings, "watermark_type");
    parsed.key_column = identifier(settings, "key_column", false);
    parsed.key_type = valueType(settings, "key_type");
    if (!parsed.key_column.empty() && parsed.key_column == parsed.watermark_column) {
        settings.fail("key_column", "must differ from watermark_column");
    }
    parsed.batch_size = static_cast<std::size_t>(settings.integer("batch_size", 1000, 1, 100000));
    parsed.retries = static_cast<int>(settings.integer("retries", 2, 0, 10));
    parsed.retry_delay_ms = settings.integer("retry_delay_ms", 500, 0, 60000);
    settings.finish();
    return parsed;
}

}  // namespace gateway::adapters::sql
