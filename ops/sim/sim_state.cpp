#include "ops/sim/sim_state.h"

#include <stdexcept>

namespace deptsim {

namespace {

std::string tableOf(Source source) {
    switch (source) {
        case Source::Police:
            return "police";
        case Source::School:
            return "school";
        case Source::Health:
            return "health";
        case Source::Civil:
            return "civil";
    }
    return "";
}

constexpr std::array<const char*, 4> kCountFields{"rows", "unmappable", "duplicates", "file_rows"};

std::int64_t& countField(SourceCounts& counts, std::size_t field) {
    switch (field) {
        case 0:
            return counts.rows;
        case 1:
            return counts.unmappable;
        case 2:
            return counts.duplicates;
        default:
            return counts.file_rows;
    }
}

}  // namespace

SimState::SimState(const std::string& path) : db_(path) {
    db_.exec("PRAGMA synchronous=NORMAL");
    db_.exec(
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS children (entity INTEGER PRIMARY KEY, offset INTEGER NOT NULL, "
        "length INTEGER NOT NULL)");
    for (const Source source : kSources) {
        db_.exec("CREATE TABLE IF NOT EXISTS " + tableOf(source) +
                 " (id TEXT PRIMARY KEY, stamp TEXT NOT NULL, entity INTEGER NOT NULL, noise INTEGER NOT NULL, "
                 "kind INTEGER NOT NULL, body TEXT)");
    }
    prepareWriters();
}

void SimState::prepareWriters() {
    for (const Source source : kSources) {
        const auto index = static_cast<std::size_t>(source);
        insert_[index].reset();
        update_[index].reset();
        insert_[index].emplace(db_.prepare("INSERT INTO " + tableOf(source) +
                                           " (id, stamp, entity, noise, kind, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
        update_[index].emplace(db_.prepare("UPDATE " + tableOf(source) +
                                           " SET stamp = ?2, noise = ?4, body = ?6 WHERE id = ?1 AND entity = ?3 "
                                           "AND kind = ?5"));
    }
    set_child_.reset();
    set_child_.emplace(db_.prepare("INSERT OR REPLACE INTO children (entity, offset, length) VALUES (?1, ?2, ?3)"));
    get_child_.reset();
    get_child_.emplace(db_.prepare("SELECT offset, length FROM children WHERE entity = ?1"));
}

void SimState::createSchema() {
    for (auto& statement : insert_) {
        statement.reset();
    }
    for (auto& statement : update_) {
        statement.reset();
    }
    set_child_.reset();
    get_child_.reset();
    db_.exec("PRAGMA journal_mode=DELETE");
    db_.exec("DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS children");
    for (const Source source : kSources) {
        db_.exec("DROP TABLE IF EXISTS " + tableOf(source));
    }
    // The load either finishes or the folder is generated again, so it needs no journal.
    db_.exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF");
    db_.exec(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE children (entity INTEGER PRIMARY KEY, offset INTEGER NOT NULL, length INTEGER NOT NULL)");
    for (const Source source : kSources) {
        db_.exec("CREATE TABLE " + tableOf(source) +
                 " (id TEXT PRIMARY KEY, stamp TEXT NOT NULL, entity INTEGER NOT NULL, noise INTEGER NOT NULL, "
                 "kind INTEGER NOT NULL, body TEXT)");
    }
    prepareWriters();
}

void SimState::finishBulkLoad() {
    db_.exec("CREATE INDEX IF NOT EXISTS police_keyset ON police (stamp, id)");
    db_.exec("CREATE INDEX IF NOT EXISTS civil_keyset ON civil (stamp, id)");
    db_.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL");
}

void SimState::begin() {
    db_.exec("BEGIN IMMEDIATE");
}

void SimState::commit() {
    db_.exec("COMMIT");
}

namespace {

/// Binds the columns an insert and an update of a stored row share: id, stamp, entity, noise, kind, body.
SqliteStatement& bindRow(SqliteStatement& statement, const StoredRow& row, std::string_view body) {
    statement.bind(1, row.id)
        .bind(2, row.stamp)
        .bindInt(3, row.entity)
        .bindInt(4, static_cast<std::int64_t>(row.noise))
        .bindInt(5, static_cast<int>(row.kind));
    if (body.empty()) {
        statement.bindNull(6);
    } else {
        statement.bind(6, body);
    }
    return statement;
}

}  // namespace

void SimState::addRow(Source source, const StoredRow& row, std::string_view body) {
    bindRow(*insert_[static_cast<std::size_t>(source)], row, body).run();
}

void SimState::updateRow(Source source, const StoredRow& row, std::string_view body) {
    bindRow(*update_[static_cast<std::size_t>(source)], row, body).run();
}

void SimState::deleteRow(Source source, std::string_view id) {
    db_.prepare("DELETE FROM " + tableOf(source) + " WHERE id = ?1").bind(1, id).run();
}

std::string SimState::body(Source source, std::string_view id) {
    auto statement = db_.prepare("SELECT body FROM " + tableOf(source) + " WHERE id = ?1");
    statement.bind(1, id);
    return statement.step() ? std::string(statement.text(0)) : std::string();
}

std::vector<StoredRow> SimState::selectRows(Source source, const std::function<bool(std::string_view id)>& wanted) {
    // School row ids are numbers stored as text: order them as numbers.
    auto statement =
        db_.prepare("SELECT id, entity, noise, kind, stamp FROM " + tableOf(source) + " ORDER BY length(id), id");
    std::vector<StoredRow> rows;
    while (statement.step()) {
        const std::string_view id = statement.text(0);
        if (!wanted(id)) {
            continue;
        }
        StoredRow row;
        row.id = std::string(id);
        row.entity = static_cast<std::uint32_t>(statement.integer(1));
        row.noise = static_cast<std::uint64_t>(statement.integer(2));
        row.kind = static_cast<RowKind>(statement.integer(3));
        row.stamp = std::string(statement.text(4));
        rows.push_back(std::move(row));
    }
    return rows;
}

void SimState::eachRow(Source source, const std::function<void(const StoredRow& row, std::string_view body)>& visit) {
    auto statement =
        db_.prepare("SELECT id, entity, noise, kind, stamp, body FROM " + tableOf(source) + " ORDER BY length(id), id");
    StoredRow row;
    while (statement.step()) {
        row.id = std::string(statement.text(0));
        row.entity = static_cast<std::uint32_t>(statement.integer(1));
        row.noise = static_cast<std::uint64_t>(statement.integer(2));
        row.kind = static_cast<RowKind>(statement.integer(3));
        row.stamp = std::string(statement.text(4));
        visit(row, statement.text(5));
    }
}

void SimState::setChild(std::uint32_t entity, std::int64_t offset, std::int64_t length) {
    set_child_->bindInt(1, entity).bindInt(2, offset).bindInt(3, length).run();
}

std::optional<std::pair<std::int64_t, std::int64_t>> SimState::child(std::uint32_t entity) {
    SqliteStatement& statement = *get_child_;
    statement.bindInt(1, entity);
    std::optional<std::pair<std::int64_t, std::int64_t>> where;
    if (statement.step()) {
        where = std::make_pair(statement.integer(0), statement.integer(1));
    }
    statement.reset();
    return where;
}

std::optional<std::string> SimState::meta(const std::string& key) {
    auto statement = db_.prepare("SELECT value FROM meta WHERE key = ?1");
    statement.bind(1, key);
    if (!statement.step()) {
        return std::nullopt;
    }
    return std::string(statement.text(0));
}

void SimState::setMeta(const std::string& key, const std::string& value) {
    db_.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)").bind(1, key).bind(2, value).run();
}

ServedCounts SimState::counts() {
    ServedCounts counts;
    auto number = [&](const std::string& key) {
        const auto value = meta(key);
        return value ? std::stoll(*value) : 0;
    };
    for (const Source source : kSources) {
        for (std::size_t field = 0; field < kCountFields.size(); ++field) {
            countField(counts.of(source), field) =
                number("count." + std::string(sourceName(source)) + "." + kCountFields[field]);
        }
    }
    counts.children = number("count.children");
    counts.households = number("count.households");
    counts.changes = number("count.changes");
    counts.drifts = number("count.drifts");
    return counts;
}

void SimState::setCounts(const ServedCounts& counts) {
    ServedCounts copy = counts;
    for (const Source source : kSources) {
        for (std::size_t field = 0; field < kCountFields.size(); ++field) {
            setMeta("count." + std::string(sourceName(source)) + "." + kCountFields[field],
                    std::to_string(countField(copy.of(source), field)));
        }
    }
    setMeta("count.children", std::to_string(counts.children));
    setMeta("count.households", std::to_string(counts.households));
    setMeta("count.changes", std::to_string(counts.changes));
    setMeta("count.drifts", std::to_string(counts.drifts));
}

PageReader::PageReader(const std::string& path)
    : db_(path, true, true),
      police_(db_.prepare("SELECT stamp, id, body, kind FROM police WHERE (stamp, id) > (?1, ?2) AND stamp >= ?3 "
                          "ORDER BY stamp, id LIMIT ?4")),
      civil_(db_.prepare("SELECT stamp, id, body, kind FROM civil WHERE (stamp, id) > (?1, ?2) AND stamp >= ?3 "
                         "ORDER BY stamp, id LIMIT ?4")) {}

Page PageReader::page(Source source, const std::string& after_stamp, const std::string& after_id,
                      const std::string& since, int limit) {
    if (source != Source::Police && source != Source::Civil) {
        throw std::logic_error("only the police and civil sources are paged");
    }
    SqliteStatement& statement = source == Source::Police ? police_ : civil_;
    statement.bind(1, after_stamp).bind(2, after_id).bind(3, since).bindInt(4, limit + 1);
    Page page;
    page.bodies.reserve(static_cast<std::size_t>(limit));
    page.ids.reserve(static_cast<std::size_t>(limit));
    page.kinds.reserve(static_cast<std::size_t>(limit));
    while (statement.step()) {
        if (static_cast<int>(page.bodies.size()) == limit) {
            page.has_more = true;
            break;
        }
        page.bodies.emplace_back(statement.text(2));
        page.ids.emplace_back(statement.text(1));
        page.kinds.push_back(static_cast<RowKind>(statement.integer(3)));
        page.last_stamp = std::string(statement.text(0));
    }
    if (!page.ids.empty()) {
        page.last_id = page.ids.back();
    }
    statement.reset();
    return page;
}

}  // namespace deptsim
