#pragma once

// The charts of the reconciliation report as inline SVG whose geometry is computed here, so that the page needs no
// script and draws the same in a browser, a mail client or a printout.

#include "gateway/reconcile/report_html.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::reconcile {

/// A kind as the report shows it: its label and its colour in the legend, the bars and the tables.
struct KindStyle {
    std::string kind;
    std::string label;   // as given, not escaped
    std::string colour;  // a CSS colour
};

/// The kinds of `data.kinds` in their order, then any kind that only the totals or the parts name (sorted, labelled
/// by its code), so that no count goes unshown. Colours are distinct for the first ten, then spread by hue.
std::vector<KindStyle> kindStyles(const ReportData& data);

/// An axis from 0 to `max` in ticks of `step`: whole numbers, a step of 1, 2 or 5 times a power of ten, at most
/// `max_ticks` steps, `max` ≥ the value given and ≥ 1 (so that no scale divides by zero).
struct AxisScale {
    std::int64_t max = 1;
    std::int64_t step = 1;
};
AxisScale niceScale(std::int64_t max_value, std::int64_t max_ticks = 5);

/// Text from the data, ready for the page: ill-formed UTF-8 replaced, then HTML-escaped.
std::string pageText(std::string_view text);

/// Horizontal stacked bars, one row per part (so that the chart grows with the parts and labels never overlap), one
/// `rect class="seg"` per non-zero (part, kind), a legend and both axes titled. `part_noun` titles the parts' axis.
/// With no parts, an empty-state paragraph instead.
std::string findingsBarChart(const std::vector<KindStyle>& kinds, const std::vector<KindCounts>& parts,
                             std::string_view part_noun);

/// The findings of each run of the trend (oldest first) as a line with one `circle class="point"` per run; failed runs
/// and `current_run_id` are marked. With no runs, an empty-state paragraph instead.
std::string trendLineChart(const std::vector<TrendPoint>& trend, std::int64_t current_run_id);

}  // namespace gateway::reconcile
