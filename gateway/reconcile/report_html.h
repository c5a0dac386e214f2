#pragma once

// The report of one reconciliation run for one division, as a single self-contained HTML page (no script, style or
// font from anywhere else): what a township clerk or a district officer opens from the console or a mail.

#include "gateway/reconcile/reconcile_store.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gateway::reconcile {

/// Findings of one kind in one division.
struct KindCounts {
    /// The division the counts are for (e.g. a township's 9-digit prefix padded to 12: "320411104000").
    std::string division;
    std::string name;                             // its name, e.g. "罗溪镇" ("" when unknown)
    std::map<std::string, std::int64_t> by_kind;  // kind → findings
};

/// One earlier run, for the trend.
struct TrendPoint {
    std::int64_t run_id = 0;
    std::string as_of;          // YYYY-MM-DD
    std::string status;         // succeeded or failed
    std::int64_t findings = 0;  // within the report's division
};

struct ReportData {
    ReconcileRun run;
    std::string division;       // the report's scope ("" for everything)
    std::string division_name;  // e.g. "常州市新北区"
    /// The labels of the kinds, in the order the report lists them (kind → Chinese label).
    std::vector<std::pair<std::string, std::string>> kinds;
    std::map<std::string, std::int64_t> totals;  // kind → findings in the division
    std::vector<KindCounts> parts;               // one per township (or village, for a township's report)
    std::vector<TrendPoint> trend;               // up to the last 30 runs, oldest first, this run last
    std::string generated_at;                    // ISO-8601 UTC
};

/// The page, in Simplified Chinese: the run (when, as of, status, whether it repaired), totals per kind, a table and a
/// stacked bar chart of the findings per part, and a line chart of the findings over the runs of the trend. Charts
/// are inline SVG. Every text from the data is HTML-escaped.
std::string renderReportHtml(const ReportData& data);

}  // namespace gateway::reconcile
