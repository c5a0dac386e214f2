#pragma once

#include "adapters/adapter.h"
#include "adapters/sql/sql_dialect.h"
#include "adapters/sql/sql_settings.h"
#include "gateway/net/retry.h"

#include <Poco/Data/Session.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::adapters {

/// Adds the `sql` adapter (a front-end exchange table in SQLite or PostgreSQL, polled by a watermark column).
void registerSqlAdapter(AdapterRegistry& registry);

}  // namespace gateway::adapters

namespace gateway::adapters::sql {

/// What an `sql` watermark records: the last row's watermark value and, with a key column, its key. Callers treat
/// the encoded form as opaque.
struct SqlPosition {
    std::string after;
    std::optional<std::string> key;

    bool operator==(const SqlPosition&) const = default;
};

std::string encodeSqlPosition(const SqlPosition& position);
/// nullopt when `text` is not a watermark this adapter wrote.
std::optional<SqlPosition> decodeSqlPosition(std::string_view text);

/// Polls a table by a watermark column: `WHERE wm > ? ORDER BY wm LIMIT n`, or with a key column
/// `WHERE (wm > ? OR (wm = ? AND key > ?)) ORDER BY wm, key LIMIT n`.
///
/// Without a key column, rows that share the last watermark value of a full batch are never split across two
/// batches (the next pull starts after that value): the batch ends before them, or, when the whole batch shares
/// one value, takes every row with it. Rows whose watermark is NULL are never read.
///
/// Each row is a JSON object of column → text (SQL NULL → null, integers as digits, blobs as base64); the
/// payload is those objects as JSON lines. A lost connection is retried on a fresh session, then reported as
/// GatewayError(SourceUnavailable); a missing table or column is GatewayError(SourceError) naming it.
class SqlAdapter : public Adapter {
public:
    SqlAdapter();
    /// `sleeper` waits between connection attempts.
    explicit SqlAdapter(net::Sleeper sleeper);
    ~SqlAdapter() override;

    void open(const AdapterConfig& config) override;
    PullBatch pull(const std::optional<std::string>& since, std::size_t max_records) override;
    bool prefetchable() const override { return true; }
    /// Reading from no watermark selects every row of the table or query.
    ReconcileSupport reconcileSupport() const override { return ReconcileSupport::WholePull; }
    void close() override;

    const SqlAdapterSettings& settings() const { return settings_; }

private:
    using Row = std::vector<std::optional<std::string>>;

    PullBatch attempt(const std::optional<SqlPosition>& position, std::size_t limit,
                      const std::optional<std::string>& since);
    void loadCatalog(Poco::Data::Session& session);
    /// Rows matching `where` (with its parameters), in watermark order, at most `limit` when given.
    std::vector<Row> fetch(Poco::Data::Session& session, const std::optional<SqlPosition>& position, bool equal_only,
                           std::optional<std::size_t> limit);
    const std::string& watermarkOf(const Row& row) const;
    std::string tableName() const;

    net::Sleeper sleeper_;
    AdapterConfig config_;
    SqlAdapterSettings settings_;
    std::unique_ptr<SqlDialect> dialect_;
    std::optional<Poco::Data::Session> session_;
    std::vector<CatalogColumn> selected_;  // empty until the catalog was read on the current session
    std::size_t watermark_index_ = 0;
    std::optional<std::size_t> key_index_;
};

}  // namespace gateway::adapters::sql
