// Reconciliation's reads: a source's staged keys and hashes in byte order.

#include "gateway/store/sql_store.h"

#include "gateway/store/sql_store_internal.h"

#include <Poco/Data/Statement.h>

namespace gateway::store {

using Poco::Data::Session;
using Poco::Data::Statement;
using namespace Poco::Data::Keywords;

std::vector<reconcile::KeyHash> SqlStore::stagedKeys(std::string_view source, const std::optional<std::string>& after,
                                                     std::size_t limit) {
    requireText("source", source, "the staged keys read");
    if (after) {
        requireText("after", *after, "the staged keys read");
    }
    std::vector<reconcile::KeyHash> rows;
    withSession("read the staged keys of " + std::string(source), [&](Session& session) {
        std::string name(source);
        std::string from = after.value_or("");
        Poco::Int64 rows_limit = rowLimit(limit);
        // Byte order in both databases (PostgreSQL's default collation is the locale's), so that the merge with the
        // source's rows, sorted the same way, meets each key where it expects it.
        const std::string order = "source_id " + std::string(tokens().bytes_collate);
        std::vector<std::string> keys;
        std::vector<std::string> hashes;
        Statement select(session);
        select << sql("SELECT source_id, content_hash FROM source_records WHERE source = ?" +
                      std::string(after ? " AND " + order + " > ?" : "") + " ORDER BY " + order + " LIMIT ?"),
            into(keys), into(hashes), use(name);
        if (after) {
            select, use(from);
        }
        select, use(rows_limit);
        select.execute();
        rows.reserve(keys.size());
        for (std::size_t i = 0; i < keys.size(); ++i) {
            rows.push_back({std::move(keys[i]), std::move(hashes[i])});
        }
    });
    return rows;
}

}  // namespace gateway::store
