#pragma once

#include "gateway/audit/log_store.h"

#include <cstdint>
#include <ostream>

namespace gateway::audit {

enum class ExportFormat { Csv, JsonLines };

/// Writes every entry matching the query (its limit ignored; read page by page) and returns how many. CSV cells
/// that a spreadsheet would run as a formula (starting with = + - @ or a tab) are prefixed with an apostrophe.
std::int64_t exportExchangeLog(audit::LogStore& store, audit::ExchangeLogQuery query, ExportFormat format,
                               std::ostream& out);

}  // namespace gateway::audit
