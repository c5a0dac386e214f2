#pragma once

#include <Poco/Types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace gateway::store {

/// Rows for one bulk write, held column by column. A table's description is the one function that fills it from
/// the rows (its columns, in order, and where each value comes from); SqlStore::insertRows() makes of it an INSERT
/// with one bound vector per column, and the PostgreSQL store the rows of a COPY, so that no table's columns are
/// spelt twice.
class BulkRows {
public:
    enum class Kind { Text, Integer, Real, Bytes };

    struct Column {
        std::string name;
        Kind kind = Kind::Text;
        std::vector<std::string> text;  // Text and Bytes
        std::vector<Poco::Int64> integers;
        std::vector<double> reals;  // finite: the caller has rejected NaN and infinities
    };

    BulkRows(std::string table, std::size_t rows) : table_(std::move(table)), rows_(rows) {}

    /// A column of text (or, for Kind::Bytes, of bytes) taken from each row by `get`, a member pointer or a
    /// callable of (row) or (row, position).
    template <typename Row, typename Get>
    BulkRows& text(std::string name, const std::vector<Row>& rows, Get get, Kind kind = Kind::Text) {
        Column& column = add(std::move(name), kind);
        column.text.reserve(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            column.text.push_back(valueOf(get, rows[i], i));
        }
        return *this;
    }

    template <typename Row, typename Get>
    BulkRows& bytes(std::string name, const std::vector<Row>& rows, Get get) {
        return text(std::move(name), rows, get, Kind::Bytes);
    }

    template <typename Row, typename Get>
    BulkRows& integer(std::string name, const std::vector<Row>& rows, Get get) {
        Column& column = add(std::move(name), Kind::Integer);
        column.integers.reserve(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            column.integers.push_back(static_cast<Poco::Int64>(valueOf(get, rows[i], i)));
        }
        return *this;
    }

    template <typename Row, typename Get>
    BulkRows& real(std::string name, const std::vector<Row>& rows, Get get) {
        Column& column = add(std::move(name), Kind::Real);
        column.reals.reserve(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            column.reals.push_back(static_cast<double>(valueOf(get, rows[i], i)));
        }
        return *this;
    }

    /// The row's position in the rows, for staging tables that keep the caller's order.
    template <typename Row>
    BulkRows& ordinal(std::string name, const std::vector<Row>& rows) {
        return integer(std::move(name), rows, [](const Row&, std::size_t i) { return static_cast<Poco::Int64>(i); });
    }

    const std::string& table() const { return table_; }
    std::size_t size() const { return rows_; }
    std::vector<Column>& columns() { return columns_; }
    const std::vector<Column>& columns() const { return columns_; }
    /// "a, b, c", for the statement.
    std::string columnList() const;

private:
    Column& add(std::string name, Kind kind) {
        columns_.push_back(Column{std::move(name), kind, {}, {}, {}});
        return columns_.back();
    }

    template <typename Get, typename Row>
    static decltype(auto) valueOf(const Get& get, const Row& row, std::size_t i) {
        if constexpr (std::is_invocable_v<const Get&, const Row&, std::size_t>) {
            return std::invoke(get, row, i);
        } else {
            return std::invoke(get, row);
        }
    }

    std::string table_;
    std::size_t rows_;
    std::vector<Column> columns_;
};

}  // namespace gateway::store
