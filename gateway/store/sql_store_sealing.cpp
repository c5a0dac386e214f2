// The sealed personal data of SqlStore: sealing on write and opening on read for the other parts, the blind index of
// ID numbers, and the counts and re-sealing that `gateway keys status` and `gateway keys rotate` run.

#include "gateway/common/utf8.h"
#include "gateway/store/sql_store.h"
#include "gateway/store/sql_store_internal.h"
#include "gateway/vault/field_cipher.h"

#include <Poco/Data/LOB.h>
#include <Poco/Data/Statement.h>

#include <cctype>

namespace gateway::store {

using Poco::Data::Session;
using Poco::Data::Statement;
using namespace Poco::Data::Keywords;

namespace {

// Enough of a value to read a token's key id: "e1:" (or "z1:") + at most 32 characters + ':'.
constexpr int kPrefixBytes = 40;

/// The key id a stored value's prefix names, or "" for plaintext. Only the header is checked: the counts do not read
/// whole payloads.
std::string prefixKeyId(std::string_view prefix) {
    for (const std::string_view token_prefix : vault::FieldCipher::kTokenPrefixes) {
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

std::string bytesOf(const Poco::Data::BLOB& blob) {
    if (blob.size() == 0) {
        return {};
    }
    return std::string(reinterpret_cast<const char*>(blob.rawContent()), blob.size());
}

Poco::Data::BLOB blobOf(const std::string& bytes) {
    return Poco::Data::BLOB(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

}  // namespace

const std::vector<SealedColumn>& sealedColumns() {
    static const std::vector<SealedColumn> columns = {
        {"raw_batches", "payload", sealed::kRawPayload, "id", "", true},
        {"source_records", "record_json", sealed::kRecordJson, "source", "source_id", false},
        {"quarantine", "raw_payload", sealed::kQuarantinePayload, "id", "", true},
        {"quarantine", "reason", sealed::kQuarantineReason, "id", "", false},
        {"link_state", "model_json", sealed::kModelJson, "id", "", false},
        {"review_pairs", "explanation_json", sealed::kExplanationJson, "seq", "", false},
        {"profile_versions", "profile_json", sealed::kProfileJson, "person_id", "version", false},
        {"profile_versions", "id_number", sealed::kIdNumber, "person_id", "version", false},
        {"profiles", "id_number", sealed::kIdNumber, "person_id", "", false},
    };
    return columns;
}

std::string SqlStore::seal(std::string_view value, std::string_view context) const {
    if (cipher_ == nullptr || value.empty()) {
        return std::string(value);
    }
    return cipher_->seal(value, context);
}

std::string SqlStore::unseal(std::string value, std::string_view context) const {
    if (!vault::FieldCipher::isSealed(value)) {
        return value;
    }
    if (cipher_ == nullptr) {
        throw GatewayError(ErrorCode::StoreError,
                           description_ + ": " + std::string(context) +
                               " holds sealed values but no keyring is configured (set security.keyring)");
    }
    return cipher_->open(value, context);
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
                    prefixes.push_back(bytesOf(blob));
                }
            } else {
                session << select, into(prefixes), now;
            }
            for (const std::string& prefix : prefixes) {
                const std::string key = prefixKeyId(prefix);
                if (key.empty()) {
                    ++count.plaintext;
                } else {
                    ++count.keys[key];
                }
            }
        }
        snapshot.end();
    });
    return result;
}

std::int64_t SqlStore::resealSome(std::size_t limit, bool plaintext_only) {
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
        resealed += resealColumn(column, limit - done, plaintext_only);
    }
    return resealed;
}

std::int64_t SqlStore::resealColumn(const SealedColumn& column, std::size_t limit, bool plaintext_only) {
    const std::string table(column.table);
    const std::string name(column.column);
    const bool indexed = column.table == "profiles" && column.column == "id_number";
    // Values that start with no current key's header, plain or deflated (or, for plaintext only, with no header).
    // Key ids are [A-Za-z0-9_-], so the literal needs no escaping; LIKE is avoided because '_' is one of its
    // wildcards.
    const std::string type = column.blob ? std::string(tokens().blob) : "TEXT";
    std::string condition = "length(" + name + ") > 0";
    for (const std::string_view prefix : vault::FieldCipher::kTokenPrefixes) {
        const std::string header =
            std::string(prefix) + (plaintext_only ? std::string() : cipher_->currentKeyId() + ":");
        condition += " AND substr(" + name + ", 1, " + std::to_string(header.size()) + ") <> CAST('" + header +
                     "' AS " + type + ")";
    }
    const bool two_keys = !column.key2.empty();
    const auto keyMatch = [](std::string_view key) {
        // Integer keys are compared as integers, so that the primary key's index serves the UPDATE.
        return std::string(key) + (key == "id" || key == "seq" || key == "version" ? " = CAST(? AS BIGINT)" : " = ?");
    };
    std::int64_t selected = 0;
    withSession("re-seal " + table + "." + name, [&](Session& session) {
        WriteTransaction transaction(*this, session);
        std::vector<std::string> keys1;
        std::vector<std::string> keys2;
        std::vector<std::string> texts;
        std::vector<Poco::Data::BLOB> blobs;
        Poco::Int64 max_rows = rowLimit(limit);
        const std::string key1(column.key1);
        const std::string key2(column.key2);
        Statement select(session);
        select << sql("SELECT CAST(" + key1 + " AS TEXT), " +
                      (two_keys ? "CAST(" + key2 + " AS TEXT)" : "CAST('' AS TEXT)") + ", " + name + " FROM " + table +
                      " WHERE " + condition + " LIMIT ?"),
            use(max_rows), into(keys1), into(keys2);
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
            const std::string stored = column.blob ? bytesOf(blobs[i]) : texts[i];
            const std::string plain = unseal(stored, column.context);
            std::string token = cipher_->seal(plain, column.context);
            if (indexed) {
                indexes.push_back(idNumberIndex(plain));
            }
            if (column.blob) {
                new_blobs.push_back(blobOf(token));
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
