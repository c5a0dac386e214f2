#include "adapters/sql/sql_adapter.h"

#include "gateway/common/error.h"
#include "gateway/common/json_writer.h"
#include "gateway/common/utf8.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <charconv>
#include <random>

namespace gateway::adapters {

void registerSqlAdapter(AdapterRegistry& registry) {
    registry.add("sql", [] { return std::make_unique<sql::SqlAdapter>(); });
}

}  // namespace gateway::adapters

namespace gateway::adapters::sql {
namespace {

using namespace Poco::Data::Keywords;

std::optional<Poco::Int64> parseInteger(std::string_view text) {
    Poco::Int64 value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return value;
}

bool sameName(std::string_view a, std::string_view b, bool ignore_case) {
    if (!ignore_case) {
        return a == b;
    }
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
               return lower(x) == lower(y);
           });
}

}  // namespace

std::string encodeSqlPosition(const SqlPosition& position) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("after");
    json::string(writer, position.after);
    if (position.key) {
        writer.Key("key");
        writer.String(position.key->data(), static_cast<rapidjson::SizeType>(position.key->size()));
    }
    writer.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

std::optional<SqlPosition> decodeSqlPosition(std::string_view text) {
    rapidjson::Document document;
    document.Parse(text.data(), text.size());
    if (document.HasParseError() || !document.IsObject()) {
        return std::nullopt;
    }
    const auto after = document.FindMember("after");
    if (after == document.MemberEnd() || !after->value.IsString()) {
        return std::nullopt;
    }
    SqlPosition position;
    position.after.assign(after->value.GetString(), after->value.GetStringLength());
    const auto key = document.FindMember("key");
    if (key != document.MemberEnd()) {
        if (!key->value.IsString()) {
            return std::nullopt;
        }
        position.key.emplace(key->value.GetString(), key->value.GetStringLength());
    }
    return position;
}

SqlAdapter::SqlAdapter() : SqlAdapter(net::threadSleeper()) {}

SqlAdapter::SqlAdapter(net::Sleeper sleeper) : sleeper_(std::move(sleeper)) {}

SqlAdapter::~SqlAdapter() = default;

void SqlAdapter::open(const AdapterConfig& config) {
    settings_ = parseSqlAdapterSettings(config);
    config_ = config;
    dialect_ = makeDialect(settings_, config.origin);
    session_.reset();
    selected_.clear();
}

void SqlAdapter::close() {
    session_.reset();
    selected_.clear();
}

std::string SqlAdapter::tableName() const {
    return (settings_.schema.empty() ? "" : quoteIdentifier(settings_.schema) + ".") + quoteIdentifier(settings_.table);
}

void SqlAdapter::loadCatalog(Poco::Data::Session& session) {
    const std::vector<CatalogColumn> catalog = dialect_->catalog(session, settings_.schema, settings_.table);
    const std::string table = (settings_.schema.empty() ? "" : settings_.schema + ".") + settings_.table;
    if (catalog.empty()) {
        throw GatewayError(ErrorCode::SourceError, dialect_->description() + ": table " + table + " not found");
    }
    // SQLite matches identifiers case-insensitively, even quoted; PostgreSQL matches quoted ones exactly.
    const bool ignore_case = settings_.connector == SqlConnector::Sqlite;
    auto lookup = [&](const std::string& name, const char* what) {
        for (const auto& column : catalog) {
            if (sameName(column.name, name, ignore_case)) {
                return column;
            }
        }
        std::string known;
        for (const auto& column : catalog) {
            known += (known.empty() ? "" : ", ") + column.name;
        }
        throw GatewayError(ErrorCode::SourceError, dialect_->description() + ": table " + table + " has no " + what +
                                                       " " + name + " (its columns: " + known + ")");
    };

    std::vector<CatalogColumn> selected;
    if (settings_.columns.empty()) {
        selected = catalog;
    } else {
        for (const auto& name : settings_.columns) {
            selected.push_back(lookup(name, "column"));
        }
    }
    auto indexOf = [&](const std::string& name, const char* what) {
        const CatalogColumn column = lookup(name, what);
        for (std::size_t i = 0; i < selected.size(); ++i) {
            if (selected[i].name == column.name) {
                return i;
            }
        }
        // Watermark and key are selected even when not listed: the adapter needs their values.
        selected.push_back(column);
        return selected.size() - 1;
    };
    watermark_index_ = indexOf(settings_.watermark_column, "watermark column");
    key_index_.reset();
    if (!settings_.key_column.empty()) {
        key_index_ = indexOf(settings_.key_column, "key column");
    }
    selected_ = std::move(selected);
}

std::vector<SqlAdapter::Row> SqlAdapter::fetch(Poco::Data::Session& session, const std::optional<SqlPosition>& position,
                                               bool equal_only, std::optional<std::size_t> limit) {
    std::string sql = "SELECT ";
    for (std::size_t i = 0; i < selected_.size(); ++i) {
        sql += (i == 0 ? "" : ", ") + dialect_->selectExpression(selected_[i]);
    }
    // Qualified references in WHERE and ORDER BY: PostgreSQL resolves a bare ORDER BY name to the output column of
    // that name, which is the column's text, and "10" sorts before "8".
    sql += " FROM " + tableName() + " AS src";
    const std::string watermark = "src." + quoteIdentifier(selected_[watermark_index_].name);
    const std::string key = key_index_ ? "src." + quoteIdentifier(selected_[*key_index_].name) : std::string();
    std::vector<std::pair<std::string, SqlValueType>> parameters;
    auto parameter = [&](const std::string& value, SqlValueType type) {
        parameters.emplace_back(value, type);
        return dialect_->placeholder(static_cast<int>(parameters.size()));
    };
    // Each placeholder is taken in its own statement: the order of the parameters must match the text.
    if (equal_only) {
        sql += " WHERE " + watermark + " = ";
        sql += parameter(position->after, settings_.watermark_type);
    } else if (!position) {
        sql += " WHERE " + watermark + " IS NOT NULL";
    } else if (key_index_ && position->key) {
        sql += " WHERE (" + watermark + " > ";
        sql += parameter(position->after, settings_.watermark_type);
        sql += " OR (" + watermark + " = ";
        sql += parameter(position->after, settings_.watermark_type);
        sql += " AND " + key + " > ";
        sql += parameter(*position->key, settings_.key_type);
        sql += "))";
    } else if (!key_index_ && position->key) {
        // Written while a key column broke ties: rows sharing that watermark may remain, so they are read again
        // rather than skipped.
        sql += " WHERE " + watermark + " >= ";
        sql += parameter(position->after, settings_.watermark_type);
    } else {
        sql += " WHERE " + watermark + " > ";
        sql += parameter(position->after, settings_.watermark_type);
    }
    sql += " ORDER BY " + watermark + (key_index_ ? ", " + key : "");
    if (limit) {
        sql += " LIMIT " + std::to_string(*limit);
    }

    // A fresh Statement for every execution, binding scalars only: Poco 1.11's PostgreSQL connector frees a result
    // twice when a Statement that once succeeded fails later, and mishandles vector binding.
    Poco::Data::Statement statement(session);
    statement << sql;
    for (const auto& [value, type] : parameters) {
        if (type == SqlValueType::Integer) {
            statement.addBind(bind(*parseInteger(value)));
        } else {
            statement.addBind(bind(value));
        }
    }
    statement.execute();
    Poco::Data::RecordSet result(statement);
    std::vector<Row> rows;
    rows.reserve(result.rowCount());
    for (std::size_t r = 0; r < result.rowCount(); ++r) {
        Row row(selected_.size());
        for (std::size_t c = 0; c < selected_.size(); ++c) {
            row[c] = dialect_->value(result, c, r, selected_[c]);
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

const std::string& SqlAdapter::watermarkOf(const Row& row) const {
    // WHERE excludes NULL watermarks, so every fetched row has one.
    return *row[watermark_index_];
}

PullBatch SqlAdapter::attempt(const std::optional<SqlPosition>& position, std::size_t limit,
                              const std::optional<std::string>& since) {
    if (!session_) {
        session_.emplace(dialect_->connect());
        selected_.clear();
    }
    Poco::Data::Session& session = *session_;
    if (selected_.empty()) {
        loadCatalog(session);
    }
    std::vector<Row> rows = fetch(session, position, false, limit + 1);
    const bool more = rows.size() > limit;
    std::size_t keep = std::min(rows.size(), limit);
    if (more && !key_index_ && watermarkOf(rows[limit]) == watermarkOf(rows[limit - 1])) {
        const std::string last = watermarkOf(rows[limit - 1]);
        std::size_t first = limit - 1;
        while (first > 0 && watermarkOf(rows[first - 1]) == last) {
            --first;
        }
        if (first > 0) {
            keep = first;
        } else {
            rows = fetch(session, SqlPosition{last, std::nullopt}, true, std::nullopt);
            keep = rows.size();
        }
    }
    rows.resize(keep);

    PullBatch batch;
    batch.more = more;
    if (rows.empty()) {
        batch.watermark = since.value_or("");
        return batch;
    }
    const std::string& locator_column = selected_[key_index_.value_or(watermark_index_)].name;
    rapidjson::StringBuffer buffer;
    for (const Row& row : rows) {
        RawRow raw;
        raw.locator = settings_.table + " " + locator_column + "=" +
                      utf8::toValidUtf8(row[key_index_.value_or(watermark_index_)].value_or("NULL"));
        buffer.Clear();
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        writer.StartObject();
        for (std::size_t c = 0; c < selected_.size(); ++c) {
            const std::string& name = selected_[c].name;
            json::key(writer, name);
            const auto& value = row[c];
            if (!value) {
                writer.Null();
                continue;
            }
            writer.String(value->data(), static_cast<rapidjson::SizeType>(value->size()));
            utf8::DecodeError error;
            if (raw.error.empty() && !utf8::isValid(*value)) {
                utf8::decode(*value, &error);
                raw.error = raw.locator + ": column " + name + " is not valid UTF-8 (" + error.reason + ")";
            }
        }
        writer.EndObject();
        // The writer copies bytes as they are, so a row with invalid UTF-8 keeps them in `raw` for quarantine.
        (raw.error.empty() ? raw.json : raw.raw).assign(buffer.GetString(), buffer.GetSize());
        batch.payload += raw.error.empty() ? raw.json : raw.raw;
        batch.payload += '\n';
        batch.rows.push_back(std::move(raw));
    }

    const Row& last = rows.back();
    SqlPosition next{watermarkOf(last), std::nullopt};
    if (settings_.watermark_type == SqlValueType::Integer && !parseInteger(next.after)) {
        throw GatewayError(ErrorCode::SourceError, dialect_->description() + ": " + batch.rows.back().locator +
                                                       ": watermark column " + settings_.watermark_column + " holds " +
                                                       utf8::quote(next.after) + ", not an integer");
    }
    if (key_index_) {
        const auto& key = last[*key_index_];
        if (!key || (settings_.key_type == SqlValueType::Integer && !parseInteger(*key))) {
            throw GatewayError(ErrorCode::SourceError,
                               dialect_->description() + ": " + batch.rows.back().locator + ": key column " +
                                   settings_.key_column + " holds " + (key ? utf8::quote(*key) : "NULL") +
                                   (key ? ", not an integer" : ", so the rows after it cannot be told apart"));
        }
        next.key = key;
    }
    batch.watermark = encodeSqlPosition(next);
    return batch;
}

PullBatch SqlAdapter::pull(const std::optional<std::string>& since, std::size_t max_records) {
    if (!dialect_) {
        throw GatewayError(ErrorCode::Internal, "the sql adapter was pulled before open()");
    }
    std::optional<SqlPosition> position;
    if (since && !since->empty()) {
        position = decodeSqlPosition(*since);
        const bool fits = position &&
                          (settings_.watermark_type == SqlValueType::Text || parseInteger(position->after)) &&
                          (!position->key || settings_.key_type == SqlValueType::Text || parseInteger(*position->key));
        if (!fits) {
            throw GatewayError(ErrorCode::InvalidConfig,
                               "source " + config_.source +
                                   ": the stored watermark was not written by the sql adapter with these "
                                   "watermark_type/key_type settings: " +
                                   utf8::quote(*since, 80));
        }
    }
    const std::size_t limit = std::clamp<std::size_t>(max_records, 1, settings_.batch_size);

    net::RetryPolicy policy;
    policy.max_attempts = settings_.retries + 1;
    policy.base_delay = std::chrono::milliseconds(settings_.retry_delay_ms);
    policy.max_delay = std::chrono::milliseconds(std::max<std::int64_t>(settings_.retry_delay_ms * 8, 1));
    net::Retrier retrier(policy, std::random_device()(), sleeper_);
    return retrier.run(config_.source, [&](int) -> PullBatch {
        try {
            return attempt(position, limit, since);
        } catch (const net::TransientFailure&) {
            session_.reset();
            throw;
        } catch (const GatewayError&) {
            session_.reset();
            throw;
        } catch (const Poco::Exception& error) {
            const bool transient = dialect_->isTransient(error, session_ ? &*session_ : nullptr);
            // A failed statement may leave the connection in any state, and the table may have changed: start
            // over with a new session and a fresh look at the catalog.
            session_.reset();
            selected_.clear();
            std::string message = error.displayText();
            std::replace(message.begin(), message.end(), '\n', ' ');
            if (transient) {
                throw net::TransientFailure(ErrorCode::SourceUnavailable, dialect_->description() + ": " + message);
            }
            throw GatewayError(ErrorCode::SourceError, dialect_->description() + ": " + message);
        }
    });
}

}  // namespace gateway::adapters::sql
