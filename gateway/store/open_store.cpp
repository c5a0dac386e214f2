// Opening the configured store: the one place that knows both implementations.

#include "gateway/store/store.h"

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

int latestSchemaVersion() {
    return migrations().empty() ? 0 : migrations().back().version;
}

}  // namespace gateway::store
