#pragma once

#include "ops/sim/source_rows.h"
#include "ops/sim/sqlite_db.h"

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace deptsim {

/// Rows served per source (distinct source IDs), how many of them are deliberately unmappable or duplicates,
/// and for the health drop how many CSV rows all files hold together (a changed birth is in two files).
struct SourceCounts {
    std::int64_t rows = 0;
    std::int64_t unmappable = 0;
    std::int64_t duplicates = 0;
    std::int64_t file_rows = 0;
};

struct ServedCounts {
    std::array<SourceCounts, 4> sources;
    std::int64_t children = 0;
    std::int64_t households = 0;
    std::int64_t changes = 0;
    std::int64_t drifts = 0;

    SourceCounts& of(Source source) { return sources[static_cast<std::size_t>(source)]; }
    const SourceCounts& of(Source source) const { return sources[static_cast<std::size_t>(source)]; }
};

/// A source row as the state remembers it: enough to render it again.
struct StoredRow {
    std::string id;
    std::uint32_t entity = 0;
    std::uint64_t noise = 0;
    RowKind kind = RowKind::Primary;
    std::string stamp;  // police/civil: updated_at; health: 更新时间; school: unused
};

/// The simulator's own bookkeeping (DIR/state/sim.db): every row of every source with its entity and noise
/// seed, the police and civil bodies as served, where each child's facts are in children.jsonl, the counts and
/// the parameters of the city. One writer at a time; the server reads through PageReader connections.
class SimState {
public:
    explicit SimState(const std::string& path);

    /// Drops whatever was there and creates the tables, set up for a fast bulk load.
    void createSchema();
    /// Builds the paging indexes and switches to WAL so that readers and the change writer coexist.
    void finishBulkLoad();

    void begin();
    void commit();

    void addRow(Source source, const StoredRow& row, std::string_view body);
    void updateRow(Source source, const StoredRow& row, std::string_view body);
    /// A row the source no longer holds: no page serves it and no later change or drift picks it.
    void deleteRow(Source source, std::string_view id);
    /// The police or civil body as served now ("" for the other sources).
    std::string body(Source source, std::string_view id);
    /// The rows of `source` for which `wanted(id)` holds, in source-ID order.
    std::vector<StoredRow> selectRows(Source source, const std::function<bool(std::string_view id)>& wanted);
    /// Every row of `source` with its body as served ("" for school and health), in source-ID order, one at a
    /// time: a whole source's bodies need not fit in memory.
    void eachRow(Source source, const std::function<void(const StoredRow& row, std::string_view body)>& visit);

    void setChild(std::uint32_t entity, std::int64_t offset, std::int64_t length);
    /// Where the child's current facts are in children.jsonl: {offset, length}.
    std::optional<std::pair<std::int64_t, std::int64_t>> child(std::uint32_t entity);

    std::optional<std::string> meta(const std::string& key);
    void setMeta(const std::string& key, const std::string& value);

    ServedCounts counts();
    void setCounts(const ServedCounts& counts);

private:
    SqliteDb db_;
    std::array<std::optional<SqliteStatement>, 4> insert_;
    std::array<std::optional<SqliteStatement>, 4> update_;
    std::optional<SqliteStatement> set_child_;
    std::optional<SqliteStatement> get_child_;
    void prepareWriters();
};

/// One page of a served source, in (stamp, id) order.
struct Page {
    std::vector<std::string> bodies;
    std::vector<std::string> ids;  // beside each body, with the row's kind: what a lost page records
    std::vector<RowKind> kinds;
    std::string last_stamp;
    std::string last_id;
    bool has_more = false;
};

/// A read-only connection for serving pages; one per server thread at a time.
class PageReader {
public:
    explicit PageReader(const std::string& path);

    /// Rows of `source` (Police or Civil) after (after_stamp, after_id) with stamp >= since, at most `limit`.
    Page page(Source source, const std::string& after_stamp, const std::string& after_id, const std::string& since,
              int limit);

private:
    SqliteDb db_;
    SqliteStatement police_;
    SqliteStatement civil_;
};

}  // namespace deptsim
