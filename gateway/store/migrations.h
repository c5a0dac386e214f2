#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gateway::store {

/// One numbered schema change. Statements are written once for both databases; the few type names that differ
/// are tokens that renderMigrationSql() replaces:
///   ${auto_id}  an auto-incrementing BIGINT primary key whose values are never reused
///   ${blob}     a column of raw bytes
///   ${int_key}  a BIGINT primary key whose values the gateway assigns
struct Migration {
    int version = 0;
    std::string_view name;
    /// Executed one by one (PostgreSQL prepares each statement separately, so no statement lists).
    std::vector<std::string_view> statements;
};

/// Every migration, lowest version first, numbered 1, 2, 3… without gaps.
const std::vector<Migration>& migrations();

struct DialectTokens {
    std::string_view auto_id;
    std::string_view blob;
    std::string_view int_key;
    std::string_view text_agg;       // the aggregate joining texts with a separator: text_agg(value, separator)
    std::string_view bytes_collate;  // the collation that orders text byte by byte
    std::string_view text_find;      // text_find(haystack, needle): the 1-based position of needle, 0 if absent
};

/// Replaces the tokens in `sql`; throws std::logic_error on an unknown token, so a typo fails every test.
std::string renderMigrationSql(std::string_view sql, const DialectTokens& tokens);

}  // namespace gateway::store
