#include "adapters/adapter.h"
#include "adapters/file/file_adapter.h"
#include "adapters/rest/rest_adapter.h"
#include "adapters/sql/sql_adapter.h"

namespace gateway::adapters {

void registerBuiltinAdapters(AdapterRegistry& registry) {
    registerRestAdapter(registry);
    registerSqlAdapter(registry);
    registerFileAdapter(registry);
}

}  // namespace gateway::adapters
