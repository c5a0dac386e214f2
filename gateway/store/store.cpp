#include "gateway/store/store.h"

#include "gateway/common/hash.h"
#include "gateway/store/migrations.h"
#include "gateway/store/postgresql_store.h"
#include "gateway/store/sqlite_store.h"

#include <utility>

namespace gateway::store {

std::unique_ptr<Store> openStore(const StoreSettings& settings) {
    switch (settings.kind) {
        case StoreKind::Sqlite:
            return std::make_unique<SqliteStore>(settings);
        case StoreKind::Postgresql:
            return std::make_unique<PostgresqlStore>(settings);
    }
    throw GatewayError(ErrorCode::Internal, "unknown store kind");
}

std::string_view storeKindName(StoreKind kind) {
    switch (kind) {
        case StoreKind::Sqlite:
            return "sqlite";
        case StoreKind::Postgresql:
            return "postgresql";
    }
    return "unknown";
}

std::string reviewPairId(std::string_view a_source, std::string_view a_id, std::string_view b_source,
                         std::string_view b_id) {
    // The unit and record separators are control characters no source name or record id uses, so two different
    // pairs never hash the same text.
    std::string a = std::string(a_source) + '\x1f' + std::string(a_id);
    std::string b = std::string(b_source) + '\x1f' + std::string(b_id);
    if (b < a) {
        std::swap(a, b);
    }
    return sha256Hex(a + '\x1e' + b).substr(0, 16);
}

int latestSchemaVersion() {
    return migrations().empty() ? 0 : migrations().back().version;
}

}  // namespace gateway::store
