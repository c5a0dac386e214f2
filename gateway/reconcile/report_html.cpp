#include "gateway/reconcile/report_html.h"

#include "gateway/common/format.h"
#include "gateway/reconcile/report_charts.h"

#include <algorithm>
#include <string_view>

namespace gateway::reconcile {
namespace {

// Fonts are named, never loaded: the page must open where nothing can be fetched, and every desktop in a county
// office has one of these.
constexpr std::string_view kStyle = R"(
:root { color-scheme: light; --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --panel: #f5f7fa; --accent: #2f5d8a; }
* { box-sizing: border-box; }
body { margin: 0; background: #eef2f6; color: var(--ink); font: 14px/1.6 "Noto Sans CJK SC", "Source Han Sans SC",
  "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 24px 40px; }
header.report { background: #fff; border-top: 4px solid var(--accent); border-radius: 6px; padding: 20px 24px;
  box-shadow: 0 1px 3px rgba(15, 23, 42, .08); }
h1 { margin: 0; font-size: 26px; letter-spacing: .05em; }
.scope { margin: 4px 0 16px; font-size: 17px; }
.code, .mono { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: .9em; color: var(--muted); }
dl.meta { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 8px 24px; margin: 0; }
dl.meta div { border-left: 3px solid var(--line); padding-left: 10px; }
dl.meta dt { color: var(--muted); font-size: 12px; }
dl.meta dd { margin: 0; font-weight: 600; }
.badge { display: inline-block; padding: 0 10px; border-radius: 10px; font-size: 13px; color: #fff; }
.badge.ok { background: #3b8c4a; } .badge.failed { background: #c0392b; } .badge.other { background: #7b8794; }
.error { margin: 14px 0 0; padding: 8px 12px; background: #fdecea; border-left: 3px solid #c0392b; }
.lead { margin: 16px 0 0; font-size: 16px; }
.lead strong { font-size: 22px; color: var(--accent); }
section { background: #fff; border-radius: 6px; margin-top: 20px; padding: 16px 24px 20px;
  box-shadow: 0 1px 3px rgba(15, 23, 42, .08); }
h2 { font-size: 18px; margin: 0 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
.empty { color: var(--muted); font-size: 15px; padding: 12px 0; margin: 0; }
.table-wrap { overflow-x: auto; margin-top: 12px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { background: var(--panel); font-weight: 600; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.parts thead th.kind { white-space: normal; overflow-wrap: anywhere; min-width: 5.5em; max-width: 8em;
  font-size: 12px; line-height: 1.35; }
table.parts td, table.parts tbody th { white-space: nowrap; }
td.zero { color: #b0bac5; }
tbody tr:nth-child(even) { background: #fafbfc; }
tfoot td, tfoot th { font-weight: 700; border-top: 2px solid var(--line); border-bottom: none; }
.swatch-box { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 8px;
  vertical-align: -1px; }
svg.chart { display: block; width: 100%; height: auto; max-width: 960px; font-size: 12px; }
svg.chart text { fill: var(--ink); }
svg.chart .tick { fill: var(--muted); font-size: 11px; }
svg.chart .run-id { font-size: 10px; }
svg.chart .axis-title { font-weight: 600; }
svg.chart .grid { stroke: #e4e9f0; stroke-width: 1; }
svg.chart .axis-line, svg.chart .tick-mark { stroke: #9aa5b1; stroke-width: 1; }
svg.chart .bar-total { fill: var(--muted); font-size: 11px; }
svg.chart g.row:hover .part-label { font-weight: 700; }
svg.chart rect.seg:hover { opacity: .8; }
svg.chart .line { fill: none; stroke: #2f5d8a; stroke-width: 2; stroke-linejoin: round; }
svg.chart .area { fill: #2f5d8a; fill-opacity: .08; stroke: none; }
svg.chart .point, svg.chart .legend-point { fill: #fff; stroke: #2f5d8a; stroke-width: 2; }
svg.chart .point.failed, svg.chart .legend-point.failed { fill: #c0392b; stroke: #c0392b; }
svg.chart .point.current, svg.chart .legend-point.current { fill: #2f5d8a; }
svg.chart .point-value { font-weight: 700; fill: #2f5d8a; }
footer { margin-top: 16px; color: var(--muted); font-size: 12px; text-align: center; }
@media print { body { background: #fff; } section, header.report { box-shadow: none; } }
)";

// "2026-11-01T08:30:00Z" reads better as "2026-11-01 08:30:00 UTC"; anything else is shown as it came.
std::string displayTime(const std::string& iso) {
    if (iso.empty()) {
        return "—";
    }
    if (iso.size() >= 20 && iso[10] == 'T' && iso.back() == 'Z') {
        return pageText(iso.substr(0, 10) + " " + iso.substr(11, 8) + " UTC");
    }
    return pageText(iso);
}

std::string statusBadge(const std::string& status) {
    if (status == "succeeded") {
        return "<span class=\"badge ok\">成功</span>";
    }
    if (status == "failed") {
        return "<span class=\"badge failed\">失败</span>";
    }
    if (status == "running") {
        return "<span class=\"badge other\">进行中</span>";
    }
    return "<span class=\"badge other\">" + pageText(status) + "</span>";
}

std::string triggerName(const std::string& trigger) {
    if (trigger == "cli") {
        return "命令行";
    }
    if (trigger == "schedule") {
        return "定时任务";
    }
    return trigger.empty() ? "—" : pageText(trigger);
}

// Division codes are 12 digits with the village in the last three: parts that all end in "000" are townships.
std::string partNoun(const std::vector<KindCounts>& parts) {
    const auto is_township = [](const KindCounts& part) {
        return part.division.size() == 12 && part.division.compare(9, 3, "000") == 0;
    };
    const auto is_village = [](const KindCounts& part) {
        return part.division.size() == 12 && part.division.compare(9, 3, "000") != 0;
    };
    if (!parts.empty() && std::all_of(parts.begin(), parts.end(), is_township)) {
        return "乡镇（街道）";
    }
    if (!parts.empty() && std::all_of(parts.begin(), parts.end(), is_village)) {
        return "村（社区）";
    }
    return "区划";
}

std::int64_t countOf(const std::map<std::string, std::int64_t>& counts, const std::string& kind) {
    const auto found = counts.find(kind);
    return found == counts.end() ? 0 : found->second;
}

std::string countCell(std::int64_t count) {
    return std::string(count == 0 ? "<td class=\"num zero\">" : "<td class=\"num\">") + withThousands(count) + "</td>";
}

std::string swatch(const KindStyle& kind) {
    return "<span class=\"swatch-box\" style=\"background:" + kind.colour + "\"></span>";
}

std::string header(const ReportData& data, std::int64_t total, const std::string& part_noun) {
    const ReconcileRun& run = data.run;
    std::string scope = pageText(data.division_name);
    if (scope.empty()) {
        scope = data.division.empty() ? "全部区划" : "区划";
    }
    std::string html = "<header class=\"report\">\n<h1>对账报告</h1>\n<p class=\"scope\">" + scope;
    if (!data.division.empty()) {
        html += " <span class=\"code\">" + pageText(data.division) + "</span>";
    }
    html += "</p>\n<dl class=\"meta\">\n";
    const auto item = [&html](std::string_view term, const std::string& value) {
        html += "<div><dt>" + std::string(term) + "</dt><dd>" + value + "</dd></div>\n";
    };
    item("运行编号", "#" + std::to_string(run.id));
    item("核对日期", run.as_of.empty() ? "—" : pageText(run.as_of));
    item("运行状态", statusBadge(run.status));
    item("处理方式", run.repair ? "已修复" : "仅核查");
    item("开始时间", displayTime(run.started_at));
    item("结束时间", displayTime(run.finished_at));
    item("触发方式", triggerName(run.trigger));
    item("报告生成时间", displayTime(data.generated_at));
    html += "</dl>\n";
    if (!run.error.empty()) {
        html += "<p class=\"error\">失败原因：" + pageText(run.error) + "</p>\n";
    }
    if (total == 0) {
        html += "<p class=\"lead\">无发现：本次运行在本区划内没有发现需要处理的问题。</p>\n";
    } else {
        std::int64_t parts_with_findings = 0;
        for (const KindCounts& part : data.parts) {
            const bool any = std::any_of(part.by_kind.begin(), part.by_kind.end(),
                                         [](const auto& entry) { return entry.second > 0; });
            parts_with_findings += any ? 1 : 0;
        }
        html += "<p class=\"lead\">共 <strong>" + withThousands(total) + "</strong> 条发现，涉及 " +
                withThousands(parts_with_findings) + " 个" + part_noun + "。</p>\n";
    }
    return html + "</header>\n";
}

std::string totalsSection(const std::vector<KindStyle>& kinds, const ReportData& data, std::int64_t total) {
    std::string html = "<section id=\"totals\">\n<h2>按类别汇总</h2>\n";
    if (kinds.empty()) {
        return html + "<p class=\"empty\">无发现</p>\n</section>\n";
    }
    if (total == 0) {
        html += "<p class=\"empty\">无发现</p>\n";
    }
    html +=
        "<div class=\"table-wrap\"><table class=\"totals\">\n<thead><tr><th>类别</th><th>代码</th>"
        "<th class=\"num\">发现数</th></tr></thead>\n<tbody>\n";
    for (const KindStyle& kind : kinds) {
        html += "<tr><td>" + swatch(kind) + pageText(kind.label) + "</td><td class=\"mono\">" + pageText(kind.kind) +
                "</td>" + countCell(countOf(data.totals, kind.kind)) + "</tr>\n";
    }
    html += "</tbody>\n<tfoot><tr><th colspan=\"2\">合计</th><td class=\"num\">" + withThousands(total) +
            "</td></tr></tfoot>\n</table></div>\n</section>\n";
    return html;
}

std::string partsSection(const std::vector<KindStyle>& kinds, const ReportData& data, const std::string& part_noun) {
    std::string html = "<section id=\"parts\">\n<h2>各" + part_noun + "发现</h2>\n";
    html += findingsBarChart(kinds, data.parts, part_noun);
    if (data.parts.empty()) {
        return html + "</section>\n";
    }
    html += "<div class=\"table-wrap\"><table class=\"parts\">\n<thead><tr><th>区划代码</th><th>名称</th>";
    for (const KindStyle& kind : kinds) {
        html += "<th class=\"num kind\">" + swatch(kind) + pageText(kind.label) + "</th>";
    }
    html += "<th class=\"num\">合计</th></tr></thead>\n<tbody>\n";
    std::map<std::string, std::int64_t> column_totals;
    std::int64_t grand_total = 0;
    for (const KindCounts& part : data.parts) {
        html += "<tr><td class=\"mono\">" + pageText(part.division) + "</td><td>" +
                (part.name.empty() ? "—" : pageText(part.name)) + "</td>";
        std::int64_t part_total = 0;
        for (const KindStyle& kind : kinds) {
            const std::int64_t count = countOf(part.by_kind, kind.kind);
            column_totals[kind.kind] += count;
            part_total += count;
            html += countCell(count);
        }
        grand_total += part_total;
        html += countCell(part_total) + "</tr>\n";
    }
    html += "</tbody>\n<tfoot><tr><th colspan=\"2\">合计</th>";
    for (const KindStyle& kind : kinds) {
        html += countCell(column_totals[kind.kind]);
    }
    html += countCell(grand_total) + "</tr></tfoot>\n</table></div>\n</section>\n";
    return html;
}

std::string trendSection(const ReportData& data) {
    std::string html = "<section id=\"trend\">\n<h2>历次运行趋势</h2>\n";
    if (data.trend.size() == 1) {
        html += "<p class=\"empty\">目前只有一次运行，趋势将在之后的运行中显示。</p>\n";
    }
    return html + trendLineChart(data.trend, data.run.id) + "</section>\n";
}

}  // namespace

std::string renderReportHtml(const ReportData& data) {
    const std::vector<KindStyle> kinds = kindStyles(data);
    std::int64_t total = 0;
    for (const KindStyle& kind : kinds) {
        total += std::max<std::int64_t>(countOf(data.totals, kind.kind), 0);
    }
    const std::string part_noun = partNoun(data.parts);
    const std::string scope_title = data.division_name.empty() ? "全部区划" : pageText(data.division_name);

    std::string html = "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n";
    html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    html += "<title>对账报告 · " + scope_title + " · 第 " + std::to_string(data.run.id) + " 次运行</title>\n";
    html += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n<main>\n";
    html += header(data, total, part_noun);
    html += totalsSection(kinds, data, total);
    html += partsSection(kinds, data, part_noun);
    html += trendSection(data);
    html += "<footer>childgateway 对账报告 · 运行 #" + std::to_string(data.run.id) + " · 生成于 " +
            displayTime(data.generated_at) + "</footer>\n";
    html += "</main>\n</body>\n</html>\n";
    return html;
}

}  // namespace gateway::reconcile
