// The reconciliation report page: every kind and part with its counts, one bar segment per non-zero (part, kind) and
// one point per run, text from the data never read as markup, nothing fetched or run, and a sensible page for empty
// data and for a township of 150 villages.

#include "gateway/reconcile/report_html.h"

#include "gateway/common/format.h"
#include "gateway/common/utf8.h"
#include "gateway/reconcile/report_charts.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <limits>
#include <set>
#include <string>
#include <vector>

namespace gateway::reconcile {
namespace {

const std::vector<std::pair<std::string, std::string>> kKinds = {
    {"school_age_not_enrolled", "适龄儿童在户籍登记但未在校（控辍保学）"},
    {"newborn_unregistered", "新生儿出生满30天未落户"},
    {"missing_in_gateway", "网关缺少源系统记录"},
};

ReportData sampleReport() {
    ReportData data;
    data.run.id = 42;
    data.run.trigger = "schedule";
    data.run.started_at = "2026-11-01T02:00:00Z";
    data.run.finished_at = "2026-11-01T02:07:31Z";
    data.run.status = "succeeded";
    data.run.as_of = "2026-11-01";
    data.run.repair = true;
    data.division = "320411000000";
    data.division_name = "常州市新北区";
    data.kinds = kKinds;
    data.parts = {
        {"320411104000", "罗溪镇", {{"school_age_not_enrolled", 12}, {"newborn_unregistered", 3}}},
        {"320411105000", "孟河镇", {{"missing_in_gateway", 1234}}},
        {"320411106000", "西夏墅镇", {{"school_age_not_enrolled", 0}}},
    };
    data.totals = {{"school_age_not_enrolled", 12}, {"newborn_unregistered", 3}, {"missing_in_gateway", 1234}};
    data.trend = {{38, "2026-10-28", "succeeded", 1500},
                  {39, "2026-10-29", "failed", 0},
                  {40, "2026-10-30", "succeeded", 1320},
                  {41, "2026-10-31", "succeeded", 1290},
                  {42, "2026-11-01", "succeeded", 1249}};
    data.generated_at = "2026-11-01T02:07:32Z";
    return data;
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
    std::size_t count = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) {
        ++count;
    }
    return count;
}

// The markup from `open` up to the end of the element it starts, e.g. one table or one chart.
std::string element(const std::string& html, const std::string& open, const std::string& close) {
    const std::size_t begin = html.find(open);
    if (begin == std::string::npos) {
        return "";
    }
    const std::size_t end = html.find(close, begin);
    return end == std::string::npos ? "" : html.substr(begin, end + close.size() - begin);
}

// Every element opened is closed, innermost first; void elements and self-closed SVG shapes aside. Enough for a page
// whose text is all escaped, so that every '<' starts a tag.
std::string tagProblem(const std::string& html) {
    static const std::set<std::string> kVoid = {"meta", "link", "br", "hr", "img", "input"};
    std::vector<std::string> open;
    for (std::size_t at = html.find('<'); at != std::string::npos; at = html.find('<', at + 1)) {
        const std::size_t end = html.find('>', at);
        if (end == std::string::npos) {
            return "a '<' that is never closed by '>'";
        }
        const std::string tag = html.substr(at + 1, end - at - 1);
        if (tag.empty() || tag[0] == '!') {
            continue;
        }
        const bool closing = tag[0] == '/';
        const std::size_t name_begin = closing ? 1 : 0;
        const std::size_t name_end = tag.find_first_of(" /\n", name_begin);
        const std::string name =
            tag.substr(name_begin, name_end == std::string::npos ? std::string::npos : name_end - name_begin);
        if (closing) {
            if (open.empty() || open.back() != name) {
                return "</" + name + "> closes " + (open.empty() ? "nothing" : "<" + open.back() + ">");
            }
            open.pop_back();
        } else if (!kVoid.count(name) && tag.back() != '/') {
            open.push_back(name);
        }
    }
    return open.empty() ? "" : "<" + open.back() + "> is never closed";
}

void expectSelfContained(const std::string& html) {
    for (const std::string forbidden : {"http://", "https://", "src=", "<script", "href=", "url(", "@import"}) {
        EXPECT_EQ(html.find(forbidden), std::string::npos) << forbidden;
    }
    EXPECT_EQ(tagProblem(html), "");
    EXPECT_TRUE(utf8::isValid(html));
}

// The width attribute of each bar segment, in order.
std::vector<double> segmentWidths(const std::string& chart) {
    std::vector<double> widths;
    const std::string open = "<rect class=\"seg\"";
    for (std::size_t at = chart.find(open); at != std::string::npos; at = chart.find(open, at + 1)) {
        const std::size_t width = chart.find("width=\"", at) + 7;
        widths.push_back(std::strtod(chart.c_str() + width, nullptr));
    }
    return widths;
}

TEST(ReportHtmlTest, IsOneChineseDocumentWithTheRunInItsHeader) {
    const std::string html = renderReportHtml(sampleReport());
    EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=\"zh-CN\">", 0), 0u);
    EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
    EXPECT_NE(html.find("<title>对账报告 · 常州市新北区 · 第 42 次运行</title>"), std::string::npos);
    EXPECT_NE(html.find("<h1>对账报告</h1>"), std::string::npos);
    EXPECT_NE(html.find("常州市新北区 <span class=\"code\">320411000000</span>"), std::string::npos);
    const std::string meta = element(html, "<dl class=\"meta\">", "</dl>");
    for (const std::string expected :
         {"<dt>运行编号</dt><dd>#42</dd>", "<dt>核对日期</dt><dd>2026-11-01</dd>",
          "<dt>运行状态</dt><dd><span class=\"badge ok\">成功</span></dd>", "<dt>处理方式</dt><dd>已修复</dd>",
          "<dt>开始时间</dt><dd>2026-11-01 02:00:00 UTC</dd>", "<dt>结束时间</dt><dd>2026-11-01 02:07:31 UTC</dd>",
          "<dt>触发方式</dt><dd>定时任务</dd>", "<dt>报告生成时间</dt><dd>2026-11-01 02:07:32 UTC</dd>"}) {
        EXPECT_NE(meta.find(expected), std::string::npos) << expected;
    }
    EXPECT_EQ(occurrences(html, "<style>"), 1u);
    expectSelfContained(html);
}

TEST(ReportHtmlTest, FailedAndCheckOnlyRunsSayWhy) {
    ReportData data = sampleReport();
    data.run.status = "failed";
    data.run.repair = false;
    data.run.error = "source school_register unreachable";
    const std::string html = renderReportHtml(data);
    EXPECT_NE(html.find("<span class=\"badge failed\">失败</span>"), std::string::npos);
    EXPECT_NE(html.find("<dd>仅核查</dd>"), std::string::npos);
    EXPECT_NE(html.find("失败原因：source school_register unreachable"), std::string::npos);
}

TEST(ReportHtmlTest, TotalsListEveryKindWithItsLabelAndCount) {
    const std::string totals = element(renderReportHtml(sampleReport()), "<table class=\"totals\">", "</table>");
    ASSERT_FALSE(totals.empty());
    EXPECT_NE(totals.find("适龄儿童在户籍登记但未在校（控辍保学）</td><td class=\"mono\">school_age_not_enrolled</td>"
                          "<td class=\"num\">12</td>"),
              std::string::npos);
    EXPECT_NE(
        totals.find("新生儿出生满30天未落户</td><td class=\"mono\">newborn_unregistered</td><td class=\"num\">3</td>"),
        std::string::npos);
    EXPECT_NE(totals.find("<td class=\"mono\">missing_in_gateway</td><td class=\"num\">1,234</td>"), std::string::npos);
    EXPECT_NE(totals.find("<th colspan=\"2\">合计</th><td class=\"num\">1,249</td>"), std::string::npos);
}

TEST(ReportHtmlTest, PartsTableHasOneColumnPerKindAndATotal) {
    const std::string html = renderReportHtml(sampleReport());
    const std::string parts = element(html, "<table class=\"parts\">", "</table>");
    ASSERT_FALSE(parts.empty());
    for (const auto& [kind, label] : kKinds) {
        EXPECT_NE(parts.find(label + "</th>"), std::string::npos) << kind;
    }
    EXPECT_NE(parts.find("<tr><td class=\"mono\">320411104000</td><td>罗溪镇</td><td class=\"num\">12</td>"
                         "<td class=\"num\">3</td><td class=\"num zero\">0</td><td class=\"num\">15</td></tr>"),
              std::string::npos);
    EXPECT_NE(parts.find("<tr><td class=\"mono\">320411105000</td><td>孟河镇</td><td class=\"num zero\">0</td>"
                         "<td class=\"num zero\">0</td><td class=\"num\">1,234</td><td class=\"num\">1,234</td></tr>"),
              std::string::npos);
    EXPECT_NE(parts.find("<td>西夏墅镇</td>"), std::string::npos);
    EXPECT_NE(parts.find("<tfoot><tr><th colspan=\"2\">合计</th><td class=\"num\">12</td><td class=\"num\">3</td>"
                         "<td class=\"num\">1,234</td><td class=\"num\">1,249</td></tr></tfoot>"),
              std::string::npos);
    EXPECT_NE(html.find("共 <strong>1,249</strong> 条发现，涉及 2 个乡镇（街道）"), std::string::npos);
}

TEST(ReportHtmlTest, BarChartHasASegmentPerNonZeroPartAndKindAndALegend) {
    const std::string chart = element(renderReportHtml(sampleReport()), "<svg id=\"findings-chart\"", "</svg>");
    ASSERT_FALSE(chart.empty());
    const std::vector<double> widths = segmentWidths(chart);
    ASSERT_EQ(widths.size(), 3u);  // 罗溪镇 ×2, 孟河镇 ×1; 西夏墅镇's zero draws nothing
    for (const double width : widths) {
        EXPECT_GT(width, 0);
    }
    EXPECT_GT(widths[2], widths[0] + widths[1]);  // 1,234 against 15, on one scale
    EXPECT_EQ(occurrences(chart, "<rect class=\"swatch\""), kKinds.size());
    for (const auto& [kind, label] : kKinds) {
        EXPECT_NE(chart.find(">" + label + "</text>"), std::string::npos) << kind;
    }
    for (const std::string part : {"罗溪镇", "孟河镇", "西夏墅镇"}) {
        EXPECT_NE(chart.find("</title>" + part + "</text>"), std::string::npos) << part;
    }
    EXPECT_NE(chart.find(">发现数（条）</text>"), std::string::npos);
    EXPECT_NE(chart.find(">乡镇（街道）</text>"), std::string::npos);
    EXPECT_NE(chart.find("孟河镇 · 网关缺少源系统记录：1,234</title>"), std::string::npos);
}

TEST(ReportHtmlTest, TrendChartHasAPointPerRunAndMarksFailedAndCurrent) {
    const std::string chart = element(renderReportHtml(sampleReport()), "<svg id=\"trend-chart\"", "</svg>");
    ASSERT_FALSE(chart.empty());
    EXPECT_EQ(occurrences(chart, "<circle class=\"point"), 5u);
    EXPECT_EQ(occurrences(chart, "<circle class=\"point failed\""), 1u);
    EXPECT_EQ(occurrences(chart, "<circle class=\"point current\""), 1u);
    EXPECT_EQ(occurrences(chart, "<path class=\"line\""), 1u);
    EXPECT_NE(chart.find("第 39 次运行 · 2026-10-29 · 0 条发现 · 失败</title>"), std::string::npos);
    EXPECT_NE(chart.find(">#42</text>"), std::string::npos);
    EXPECT_NE(chart.find(">核对日期 / 运行编号</text>"), std::string::npos);
}

TEST(ReportHtmlTest, TextFromTheDataIsNeverMarkup) {
    const std::string hostile = "<script>alert(1)</script>";
    const std::string attribute = "x\" onload=\"alert('1')";
    ReportData data = sampleReport();
    data.division_name = hostile;
    data.division = attribute;
    data.kinds.push_back({"k&<b>", hostile});
    data.totals["k&<b>"] = 1;
    data.totals["unlisted<i>"] = 2;
    data.parts.push_back({attribute, hostile, {{"k&<b>", 1}, {"unlisted<i>", 2}}});
    data.run.status = hostile;
    data.run.trigger = attribute;
    data.run.error = hostile;
    data.run.as_of = hostile;
    data.trend.back().as_of = hostile;
    data.generated_at = attribute;

    const std::string html = renderReportHtml(data);
    EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(html.find("x&quot; onload=&quot;alert(&#39;1&#39;)"), std::string::npos);
    EXPECT_NE(html.find("k&amp;&lt;b&gt;"), std::string::npos);
    EXPECT_NE(html.find("unlisted&lt;i&gt;"), std::string::npos);
    EXPECT_EQ(html.find(hostile), std::string::npos);
    EXPECT_EQ(html.find(attribute), std::string::npos);
    EXPECT_EQ(html.find("<b>"), std::string::npos);
    EXPECT_EQ(html.find("<i>"), std::string::npos);
    expectSelfContained(html);
}

TEST(ReportHtmlTest, KindsOnlyTheCountsNameAreShownByTheirCode) {
    ReportData data = sampleReport();
    data.totals["changed"] = 7;
    data.parts[0].by_kind["changed"] = 7;
    const std::string html = renderReportHtml(data);
    EXPECT_NE(html.find("changed</td><td class=\"mono\">changed</td><td class=\"num\">7</td>"), std::string::npos);
    EXPECT_EQ(segmentWidths(element(html, "<svg id=\"findings-chart\"", "</svg>")).size(), 4u);
    EXPECT_NE(html.find("<th colspan=\"2\">合计</th><td class=\"num\">1,256</td>"), std::string::npos);
}

TEST(ReportHtmlTest, IllFormedUtf8IsReplacedNotPassedOn) {
    ReportData data = sampleReport();
    data.parts[0].name = "罗溪\xff镇";
    const std::string html = renderReportHtml(data);
    EXPECT_TRUE(utf8::isValid(html));
    EXPECT_NE(html.find("罗溪\xEF\xBF\xBD镇"), std::string::npos);
}

TEST(ReportHtmlTest, NothingAtAllStillMakesAPage) {
    const std::string html = renderReportHtml(ReportData{});
    EXPECT_NE(html.find("<h1>对账报告</h1>"), std::string::npos);
    EXPECT_NE(html.find("全部区划"), std::string::npos);
    EXPECT_NE(html.find("无发现"), std::string::npos);
    EXPECT_NE(html.find("没有可列出的区划。"), std::string::npos);
    EXPECT_NE(html.find("尚无历次运行的记录。"), std::string::npos);
    EXPECT_EQ(html.find("<svg"), std::string::npos);
    for (const std::string bad : {"nan", "inf", "-0"}) {
        EXPECT_EQ(html.find("\"" + bad), std::string::npos) << bad;
    }
    expectSelfContained(html);
}

TEST(ReportHtmlTest, NoFindingsDrawsAnEmptyScaleAndOnePointCentred) {
    ReportData data = sampleReport();
    data.totals.clear();
    for (KindCounts& part : data.parts) {
        part.by_kind.clear();
    }
    data.trend = {{42, "2026-11-01", "succeeded", 0}};
    const std::string html = renderReportHtml(data);
    EXPECT_NE(html.find("<p class=\"empty\">无发现</p>"), std::string::npos);
    EXPECT_NE(html.find("无发现：本次运行在本区划内没有发现需要处理的问题。"), std::string::npos);
    const std::string bars = element(html, "<svg id=\"findings-chart\"", "</svg>");
    EXPECT_TRUE(segmentWidths(bars).empty());
    EXPECT_NE(bars.find(">罗溪镇</text>"), std::string::npos);
    const std::string trend = element(html, "<svg id=\"trend-chart\"", "</svg>");
    EXPECT_EQ(occurrences(trend, "<circle class=\"point current\" cx=\"502\""), 1u);
    EXPECT_EQ(trend.find("<path"), std::string::npos);
    EXPECT_NE(html.find("目前只有一次运行"), std::string::npos);
    for (const std::string bad : {"nan", "inf"}) {
        EXPECT_EQ(html.find("=\"" + bad), std::string::npos) << bad;
        EXPECT_EQ(html.find("=\"-" + bad), std::string::npos) << bad;
    }
    expectSelfContained(html);
}

TEST(ReportHtmlTest, ATownshipOf150VillagesGetsARowEach) {
    ReportData data = sampleReport();
    data.division = "320411104000";
    data.division_name = "罗溪镇";
    data.parts.clear();
    data.totals.clear();
    for (int village = 1; village <= 150; ++village) {
        const std::string code = std::to_string(320411104000 + village);
        KindCounts part{code, "罗溪镇第" + std::to_string(village) + "村民委员会及其所辖自然村", {}};
        part.by_kind["school_age_not_enrolled"] = village % 7;
        part.by_kind["newborn_unregistered"] = village % 3;
        part.by_kind["missing_in_gateway"] = village % 11 == 0 ? 40 : 0;
        for (const auto& [kind, count] : part.by_kind) {
            data.totals[kind] += count;
        }
        data.parts.push_back(part);
    }
    std::size_t non_zero = 0;
    for (const KindCounts& part : data.parts) {
        for (const auto& [kind, count] : part.by_kind) {
            non_zero += count > 0 ? 1 : 0;
        }
    }

    const std::string html = renderReportHtml(data);
    expectSelfContained(html);
    const std::string chart = element(html, "<svg id=\"findings-chart\"", "</svg>");
    EXPECT_EQ(segmentWidths(chart).size(), non_zero);
    EXPECT_NE(chart.find(">村（社区）</text>"), std::string::npos);
    // Long names are cut in the chart (the whole name is its tooltip and stays in the table).
    EXPECT_NE(chart.find(">罗溪镇第150村民委员会及…</text>"), std::string::npos);
    EXPECT_NE(html.find("<td>罗溪镇第150村民委员会及其所辖自然村</td>"), std::string::npos);

    // The chart is as tall as its rows need, and the labels' baselines are a row apart.
    const std::size_t height_at = chart.find("height=\"") + 8;
    EXPECT_GT(std::strtod(chart.c_str() + height_at, nullptr), 150 * 22.0);
    std::vector<double> baselines;
    const std::string label = "<text class=\"part-label\"";
    for (std::size_t at = chart.find(label); at != std::string::npos; at = chart.find(label, at + 1)) {
        baselines.push_back(std::strtod(chart.c_str() + chart.find("y=\"", at) + 3, nullptr));
    }
    ASSERT_EQ(baselines.size(), 150u);
    for (std::size_t i = 1; i < baselines.size(); ++i) {
        EXPECT_GE(baselines[i] - baselines[i - 1], 20.0) << i;
    }
}

TEST(ReportChartsTest, ScalesAreWholeRoundAndNeverZero) {
    const auto scale = [](std::int64_t value) {
        const AxisScale s = niceScale(value);
        return std::to_string(s.max) + "/" + std::to_string(s.step);
    };
    EXPECT_EQ(scale(-3), "1/1");
    EXPECT_EQ(scale(0), "1/1");
    EXPECT_EQ(scale(1), "1/1");
    EXPECT_EQ(scale(5), "5/1");
    EXPECT_EQ(scale(7), "8/2");
    EXPECT_EQ(scale(10), "10/2");
    EXPECT_EQ(scale(99), "100/20");
    EXPECT_EQ(scale(101), "150/50");
    EXPECT_EQ(scale(1249), "1500/500");
    const AxisScale largest = niceScale(std::numeric_limits<std::int64_t>::max());
    EXPECT_GE(largest.max, std::numeric_limits<std::int64_t>::max() / 2);
    EXPECT_GT(largest.step, 0);
}

TEST(ReportChartsTest, KindsKeepTheirOrderAndGetDistinctColours) {
    ReportData data;
    for (int i = 0; i < 14; ++i) {
        data.kinds.push_back({"kind" + std::to_string(100 + i), "类别" + std::to_string(i)});
    }
    data.totals["zzz_unlisted"] = 1;
    const std::vector<KindStyle> styles = kindStyles(data);
    ASSERT_EQ(styles.size(), 15u);
    EXPECT_EQ(styles.front().kind, "kind100");
    EXPECT_EQ(styles.back().kind, "zzz_unlisted");
    EXPECT_EQ(styles.back().label, "zzz_unlisted");
    std::set<std::string> colours;
    for (const KindStyle& style : styles) {
        colours.insert(style.colour);
    }
    EXPECT_EQ(colours.size(), styles.size());
}

}  // namespace
}  // namespace gateway::reconcile
