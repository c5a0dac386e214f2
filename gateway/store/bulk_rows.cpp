#include "gateway/store/bulk_rows.h"

namespace gateway::store {

std::string BulkRows::columnList() const {
    std::string list;
    for (const Column& column : columns_) {
        list += (list.empty() ? "" : ", ") + column.name;
    }
    return list;
}

}  // namespace gateway::store
