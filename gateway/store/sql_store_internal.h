#pragma once

// Shared by the translation units that implement SqlStore (sql_store.cpp the pool, sessions and migrations;
// sql_store_<port>.cpp the statements of each stage's port) and its subclasses; not part of the store's interface.

#include "gateway/common/clock.h"
#include "gateway/common/error.h"
#include "gateway/common/json_writer.h"
#include "gateway/common/utf8.h"
#include "gateway/store/sql_store.h"
#include "gateway/store/text_checks.h"

#include <Poco/Data/LOB.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Timestamp.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::store {

/// The contexts values are sealed for (see sealedColumns()): the column each belongs in.
namespace sealed {
constexpr std::string_view kRawPayload = "raw_batches.payload";
constexpr std::string_view kRecordJson = "source_records.record_json";
constexpr std::string_view kQuarantinePayload = "quarantine.raw_payload";
/// Mapping problems quote the value they reject: a mistyped citizen ID is still one.
constexpr std::string_view kQuarantineReason = "quarantine.reason";
constexpr std::string_view kModelJson = "link_state.model_json";
constexpr std::string_view kExplanationJson = "review_pairs.explanation_json";
constexpr std::string_view kProfileJson = "profile_versions.profile_json";
/// profiles.id_number and profile_versions.id_number: one staged value is written to both, so they share it.
constexpr std::string_view kIdNumber = "profiles.id_number";
/// The hash of the batch a quarantined row came from, as SQL over the quarantine row: a part of its sealed row.
constexpr std::string_view kQuarantineBatchHash =
    "(SELECT b.sha256 FROM raw_batches AS b WHERE b.id = quarantine.batch_id)";
}  // namespace sealed

/// The bytes of a BLOB column's value ("" for an empty one, whose content pointer may be null).
inline std::string fromBlob(const Poco::Data::BLOB& blob) {
    if (blob.size() == 0) {
        return {};
    }
    return std::string(reinterpret_cast<const char*>(blob.rawContent()), blob.size());
}

/// `bytes` as a BLOB parameter.
inline Poco::Data::BLOB toBlob(const std::string& bytes) {
    return Poco::Data::BLOB(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

/// The row a sealed value is bound to (FieldCipher's `row`) from the parts of its key (SealedColumn::row): each as
/// its length in decimal, ':' and its bytes, so that no two keys spell the same row ("ab" + "c" against "a" + "bc").
inline std::string sealedRow(const std::vector<std::string_view>& parts) {
    std::string row;
    for (const std::string_view part : parts) {
        row += std::to_string(part.size());
        row += ':';
        row += part;
    }
    return row;
}

/// Separates the codes of a profile in its classifications and alerts columns; commitProfiles rejects codes that
/// contain it.
constexpr char kCodeSeparator = '|';

/// The codes as stored in one text column: "|a|b|", or "" for none, so that a version reads back exactly.
inline std::string joinCodes(const std::vector<std::string>& codes) {
    if (codes.empty()) {
        return {};
    }
    std::string out(1, kCodeSeparator);
    for (const std::string& code : codes) {
        out += code;
        out += kCodeSeparator;
    }
    return out;
}

/// The inverse of joinCodes().
inline std::vector<std::string> splitCodes(std::string_view text) {
    std::vector<std::string> codes;
    std::size_t start = 1;
    while (start < text.size()) {
        const std::size_t end = text.find(kCodeSeparator, start);
        if (end == std::string_view::npos) {
            break;
        }
        codes.emplace_back(text.substr(start, end - start));
        start = end + 1;
    }
    return codes;
}

// LIMIT takes a signed 64-bit count; PostgreSQL rejects a negative one.
inline Poco::Int64 rowLimit(std::size_t limit) {
    return static_cast<Poco::Int64>(std::min<std::size_t>(limit, std::numeric_limits<Poco::Int64>::max()));
}

/// The smallest digit string above every string that starts with `prefix` ("3204" → "3205", "3209" → "321"),
/// or nullopt when there is none ("999"). Digits only, so that the range holds in every collation: "320:" would
/// sort among the prefix's own codes in a locale that ignores punctuation.
inline std::optional<std::string> digitsUpperBound(std::string prefix) {
    while (!prefix.empty() && prefix.back() == '9') {
        prefix.pop_back();
    }
    if (prefix.empty()) {
        return std::nullopt;
    }
    ++prefix.back();
    return prefix;
}

/// Rolls back unless committed, so that every early exit (Conflict, a rejected statement) leaves nothing behind.
class SqlStore::WriteTransaction {
public:
    WriteTransaction(SqlStore& store, Poco::Data::Session& session) : store_(store), session_(session) {
        store_.beginWrite(session_);
    }
    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;

    ~WriteTransaction() {
        if (done_) {
            return;
        }
        try {
            store_.rollbackWrite(session_);
        } catch (const Poco::Exception&) {
            // Not reported: the failure that brought us here is already propagating and says more. A rollback
            // fails only on a broken connection; the database then discards the transaction itself, and the pool
            // drops the connection because it no longer reports itself connected.
        }
    }

    void commit() {
        store_.commitWrite(session_);
        done_ = true;
    }

private:
    SqlStore& store_;
    Poco::Data::Session& session_;
    bool done_ = false;
};

/// A read-only snapshot for the duration of one call, ended however the call ends.
class SqlStore::ReadSnapshot {
public:
    ReadSnapshot(SqlStore& store, Poco::Data::Session& session) : store_(store), session_(session) {
        store_.beginSnapshot(session_);
    }
    ReadSnapshot(const ReadSnapshot&) = delete;
    ReadSnapshot& operator=(const ReadSnapshot&) = delete;

    ~ReadSnapshot() {
        if (done_) {
            return;
        }
        try {
            store_.endSnapshot(session_);
        } catch (const Poco::Exception&) {
            // As for WriteTransaction: a failure is already propagating, and a broken connection is dropped.
        }
    }

    void end() {
        done_ = true;
        store_.endSnapshot(session_);
    }

private:
    SqlStore& store_;
    Poco::Data::Session& session_;
    bool done_ = false;
};

/// The WHERE conditions of a query and the text values they bind, in order. Values live in a deque so that the
/// references Poco binds stay valid as more are added.
class Conditions {
public:
    void add(std::string_view condition) {
        sql_ += " AND ";
        sql_ += condition;
    }
    void add(std::string_view condition, std::string value) {
        add(condition);
        values_.push_back(std::move(value));
    }
    /// Another value for the last condition, which has more than one placeholder.
    void addValue(std::string value) { values_.push_back(std::move(value)); }
    /// residence_division starts with `prefix` (digits). A village, township or district is an equality on its own
    /// indexed column, whose index also yields person order, so a page reads only its own rows; other prefixes are
    /// an index range.
    void divisionPrefix(const std::string& prefix) {
        if (prefix.empty()) {
            return;
        }
        if (prefix.size() == 12 || prefix.size() == 9 || prefix.size() == 6) {
            add(prefix.size() == 12  ? "p.residence_division = ?"
                : prefix.size() == 9 ? "p.township = ?"
                                     : "p.district = ?",
                prefix);
            return;
        }
        add("p.residence_division >= ?", prefix);
        if (auto upper = digitsUpperBound(prefix)) {
            add("p.residence_division < ?", std::move(*upper));
        }
    }

    const std::string& sql() const { return sql_; }
    void bind(Poco::Data::Statement& statement) {
        for (std::string& value : values_) {
            statement, Poco::Data::Keywords::use(value);
        }
    }

private:
    std::string sql_;
    std::deque<std::string> values_;
};

}  // namespace gateway::store
