// The sealed personal data of SqlStore: sealing on write and opening on read for the other parts, the blind index of
// ID numbers, and the counts and re-sealing that `gateway keys status` and `gateway keys rotate` run.

#include "gateway/common/utf8.h"
#include "gateway/store/sql_store.h"
#include "gateway/store/sql_store_internal.h"
#include "gateway/vault/field_cipher.h"

#include <Poco/Data/LOB.h>
#include <Poco/Data/Statement.h>

#include <array>
#include <cctype>

namespace gateway::store {

using Poco::Data::Session;
using Poco::Data::Statement;
using namespace Poco::Data::Keywords;

namespace {

// Enough of a value to read a token's key id: "e2:" (or another prefix) + at most 32 characters + ':'.
constexpr int kPrefixBytes = 40;

/// The key id the header of a stored value names after one of `prefixes`, or "" for none. Only the header is checked:
/// the counts do not read whole payloads.
std::string prefixKeyId(std::string_view prefix, const std::array<std::string_view, 2>& prefixes) {
    for (const std::string_view token_prefix : prefixes) {
        if (!prefix.starts_with(token_prefix)) {
            continue;
        }
        const std::size_t end = prefix.find(':', token_prefix.size());
        if (end == std::string_view::npos) {
            return {};
        }
        const std::string_view id = prefix.substr(token_prefix.size(), end - token_prefix.size());
        return vault::isValidKeyId(id) ? std::string(id) : std::string();
    }
    return {};
}

}  // namespace

const std::vector<SealedColumn>& sealedColumns() {
    // The rows values are bound to, as the writers spell them with sealedRow(). Ids the database assigns in the
    // writing transaction (raw batches, quarantined rows, review pairs' seq) and profile versions, numbered under the
    // profiles' lock, are not known when a value is sealed, before the transaction: natural keys stand in for them.
    // A quarantined row is bound to its batch through the batch's hash, which is there when it is sealed.
    static const std::vector<SealedColumn> columns = {
        {"raw_batches", "payload", sealed::kRawPayload, "id", "", true, {"source", "sha256"}},
        {"source_records", "record_json", sealed::kRecordJson, "source", "source_id", false, {"source", "source_id"}},
        {"quarantine",
         "raw_payload",
         sealed::kQuarantinePayload,
         "id",
         "",
         true,
         {"source", sealed::kQuarantineBatchHash, "locator"}},
        {"quarantine",
         "reason",
         sealed::kQuarantineReason,
         "id",
         "",
         false,
         {"source", sealed::kQuarantineBatchHash, "locator"}},
        {"link_state", "model_json", sealed::kModelJson, "id", "", false, {"CAST(id AS TEXT)"}},
        {"review_pairs", "explanation_json", sealed::kExplanationJson, "seq", "", false, {"pair_id"}},
        {"profile_versions",
         "profile_json",
         sealed::kProfileJson,
         "person_id",
         "version",
         false,
         {"person_id", "content_hash"}},
        {"profile_versions", "id_number", sealed::kIdNumber, "person_id", "version", false, {"person_id"}},
        {"profiles", "id_number", sealed::kIdNumber, "person_id", "", false, {"person_id"}},
    };
    return columns;
}

std::string SqlStore::seal(std::string_view value, std::string_view context, std::string_view row) const {
    if (cipher_ == nullptr || value.empty()) {
        return std::string(value);
    }
    return cipher_->seal(value, context, row);
}

std::string SqlStore::unseal(std::string value, std::string_view context, std::string_view row) const {
    if (value.empty()) {
        return value;
    }
    const bool is_token = vault::FieldCipher::isSealed(value);
    if (cipher_ == nullptr) {
        if (is_token) {
            throw GatewayError(ErrorCode::StoreError,
                               description_ + ": " + std::string(context) +
                                   " holds sealed values but no keyring is configured (set security.keyring)");
        }
        return value;
    }
    if (!is_token) {
        // Never quoted: it may be the very ID number that should have been sealed.
        throw GatewayError(ErrorCode::StoreError,
                           description_ + ": " + std::string(context) +
                               " holds a value that is not sealed (written without a keyring, or put there by hand); "
                               "`gateway keys rotate` seals such values");
    }
    return cipher_->open(value, context, row);
}

void SqlStore::unsealRecord(StagedRecord& record) const {
    record.record_json =
        unseal(std::move(record.record_json), sealed::kRecordJson, sealedRow({record.source, record.source_id}));
}

std::string SqlStore::idNumberIndex(std::string_view id_number) const {
    if (cipher_ == nullptr) {
        return {};
    }
    std::string normal;
    normal.reserve(id_number.size());
    for (char c : id_number) {
        if (c != ' ' && c != '\t') {
            normal += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
    }
    if (normal.empty()) {
        return {};
    }
    return cipher_->blindIndex(normal, sealed::kIdNumber);
}

std::vector<SealedColumnCount> SqlStore::sealedCounts() {
    std::vector<SealedColumnCount> result;
    withSession("count the sealed values", [&](Session& session) {
        result.clear();
        ReadSnapshot snapshot(*this, session);
        for (const SealedColumn& column : sealedColumns()) {
            SealedColumnCount& count = result.emplace_back();
            count.column = std::string(column.table) + "." + std::string(column.column);
            const std::string name(column.column);
            const std::string select = "SELECT substr(" + name + ", 1, " + std::to_string(kPrefixBytes) + ") FROM " +
                                       std::string(column.table) + " WHERE length(" + name + ") > 0";
            std::vector<std::string> prefixes;
            if (column.blob) {
                std::vector<Poco::Data::BLOB> blobs;
                session << select, into(blobs), now;
                prefixes.reserve(blobs.size());
                for (const auto& blob : blobs) {
                    prefixes.push_back(fromBlob(blob));
                }
            } else {
                session << select, into(prefixes), now;
            }
            for (const std::string& prefix : prefixes) {
                if (std::string key = prefixKeyId(prefix, vault::FieldCipher::kTokenPrefixes); !key.empty()) {
                    ++count.keys[key];
                } else if (!prefixKeyId(prefix, vault::FieldCipher::kUnboundTokenPrefixes).empty()) {
                    ++count.unbound;
                } else {
                    ++count.plaintext;
                }
            }
        }
        snapshot.end();
    });
    return result;
}

std::int64_t SqlStore::resealSome(std::size_t limit, bool unbound_only) {
    if (cipher_ == nullptr) {
        throw GatewayError(ErrorCode::InvalidConfig,
                           description_ + ": no keyring is configured (security.keyring), so nothing can be sealed");
    }
    std::int64_t resealed = 0;
    for (const SealedColumn& column : sealedColumns()) {
        const auto done = static_cast<std::size_t>(resealed);
        if (done >= limit) {
            break;
        }
        resealed += resealColumn(column, limit - done, unbound_only);
    }
    return resealed;
}

std::int64_t SqlStore::resealColumn(const SealedColumn& column, std::size_t limit, bool unbound_only) {
    const std::string table(column.table);
    const std::string name(column.column);
    const bool indexed = column.table == "profiles" && column.column == "id_number";
    // Values that start with no current key's bound header, plain or deflated (or, for unbound only, with no bound
    // header at all). Key ids are [A-Za-z0-9_-], so the literal needs no escaping; LIKE is avoided because '_' is one
    // of its wildcards.
    const std::string type = column.blob ? std::string(tokens().blob) : "TEXT";
    std::string condition = "length(" + name + ") > 0";
    for (const std::string_view prefix : vault::FieldCipher::kTokenPrefixes) {
        const std::string header = std::string(prefix) + (unbound_only ? std::string() : cipher_->currentKeyId() + ":");
        condition += " AND substr(" + name + ", 1, " + std::to_string(header.size()) + ") <> CAST('" + header +
                     "' AS " + type + ")";
    }
    const bool two_keys = !column.key2.empty();
    const auto keyMatch = [](std::string_view key) {
        // Integer keys are compared as integers, so that the primary key's index serves the UPDATE.
        return std::string(key) + (key == "id" || key == "seq" || key == "version" ? " = CAST(? AS BIGINT)" : " = ?");
    };
    constexpr std::size_t kMaxRowParts = 3;
    if (column.row.empty() || column.row.size() > kMaxRowParts) {
        throw GatewayError(ErrorCode::Internal, table + "." + name + ": a sealed column's row has one to three parts");
    }
    std::int64_t selected = 0;
    withSession("re-seal " + table + "." + name, [&](Session& session) {
        WriteTransaction transaction(*this, session);
        std::vector<std::string> keys1;
        std::vector<std::string> keys2;
        std::array<std::vector<std::string>, kMaxRowParts> parts;
        std::vector<std::string> texts;
        std::vector<Poco::Data::BLOB> blobs;
        Poco::Int64 max_rows = rowLimit(limit);
        const std::string key1(column.key1);
        const std::string key2(column.key2);
        std::string part_columns;
        for (std::size_t i = 0; i < kMaxRowParts; ++i) {
            part_columns +=
                i < column.row.size() ? "CAST(" + std::string(column.row[i]) + " AS TEXT), " : "CAST('' AS TEXT), ";
        }
        Statement select(session);
        select << sql("SELECT CAST(" + key1 + " AS TEXT), " +
                      (two_keys ? "CAST(" + key2 + " AS TEXT)" : "CAST('' AS TEXT)") + ", " + part_columns + name +
                      " FROM " + table + " WHERE " + condition + " LIMIT ?"),
            use(max_rows), into(keys1), into(keys2), into(parts[0]), into(parts[1]), into(parts[2]);
        if (column.blob) {
            select, into(blobs);
        } else {
            select, into(texts);
        }
        select.execute();
        selected = static_cast<std::int64_t>(keys1.size());
        if (selected == 0) {
            return;
        }
        std::vector<std::string> new_texts;
        std::vector<Poco::Data::BLOB> new_blobs;
        std::vector<std::string> indexes;
        for (std::size_t i = 0; i < keys1.size(); ++i) {
            std::vector<std::string_view> row_parts;
            for (std::size_t part = 0; part < column.row.size(); ++part) {
                row_parts.push_back(parts[part][i]);
            }
            const std::string row = sealedRow(row_parts);
            const std::string stored = column.blob ? fromBlob(blobs[i]) : texts[i];
            // The one read of plaintext and unbound tokens: they are sealed bound to this row now.
            std::string plain = stored;
            if (vault::FieldCipher::isBound(stored)) {
                plain = cipher_->open(stored, column.context, row);
            } else if (vault::FieldCipher::isSealed(stored)) {
                plain = cipher_->openUnbound(stored, column.context);
            }
            std::string token = cipher_->seal(plain, column.context, row);
            if (indexed) {
                indexes.push_back(idNumberIndex(plain));
            }
            if (column.blob) {
                new_blobs.push_back(toBlob(token));
            } else {
                new_texts.push_back(std::move(token));
            }
        }
        // The stored value is part of the match: a row a writer changed since the SELECT is left alone.
        std::string update = "UPDATE " + table + " SET " + name + " = ?";
        if (indexed) {
            update += ", id_number_index = ?";
        }
        update += " WHERE " + keyMatch(key1);
        if (two_keys) {
            update += " AND " + keyMatch(key2);
        }
        update += " AND " + name + " = ?";
        Statement statement(session);
        statement << sql(update);
        if (column.blob) {
            statement, use(new_blobs);
        } else {
            statement, use(new_texts);
        }
        if (indexed) {
            statement, use(indexes);
        }
        statement, use(keys1);
        if (two_keys) {
            statement, use(keys2);
        }
        if (column.blob) {
            statement, use(blobs);
        } else {
            statement, use(texts);
        }
        statement.execute();
        transaction.commit();
    });
    return selected;
}

}  // namespace gateway::store
