#include "gateway/reconcile/report_charts.h"

#include "gateway/common/format.h"
#include "gateway/common/utf8.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <set>
#include <utility>

namespace gateway::reconcile {
namespace {

// Tableau 10: told apart by most readers, including the common forms of colour blindness for neighbours.
constexpr std::array<std::string_view, 10> kPalette = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                                       "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

constexpr double kChartWidth = 960;
constexpr double kFontPx = 12;
constexpr std::size_t kMaxLabelPoints = 14;
constexpr std::size_t kMaxLegendPoints = 30;

// SVG coordinates with one decimal, independent of the C locale.
std::string num(double value) {
    std::array<char, 32> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed, 1);
    std::string text(buffer.data(), result.ptr);
    if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0) {
        text.resize(text.size() - 2);
    }
    return text == "-0" ? "0" : text;
}

std::u32string codePoints(std::string_view text) {
    return utf8::decode(utf8::toValidUtf8(text)).value_or(std::u32string());
}

// No font metrics without a browser: Latin takes about 0.6 em and Han a full em, which errs on the wide side for the
// fonts the page asks for, so labels get room rather than overlap.
double textWidth(std::string_view text, double font_px) {
    double em = 0;
    for (const char32_t c : codePoints(text)) {
        em += c < 0x80 ? 0.6 : 1.0;
    }
    return em * font_px;
}

std::string shortened(std::string_view text, std::size_t max_points) {
    const std::u32string points = codePoints(text);
    if (points.size() <= max_points) {
        return std::string(text);
    }
    return utf8::encode(std::u32string_view(points).substr(0, max_points - 1)) + "…";
}

std::string partLabel(const KindCounts& part) {
    if (!part.name.empty()) {
        return part.name;
    }
    return part.division.empty() ? "（未知区划）" : part.division;
}

std::int64_t partTotal(const KindCounts& part) {
    std::int64_t total = 0;
    for (const auto& [kind, count] : part.by_kind) {
        total += std::max<std::int64_t>(count, 0);
    }
    return total;
}

std::string text(double x, double y, std::string_view css_class, std::string_view anchor, std::string_view body) {
    return "<text class=\"" + std::string(css_class) + "\" x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" +
           std::string(anchor) + "\">" + std::string(body) + "</text>";
}

std::string line(double x1, double y1, double x2, double y2, std::string_view css_class) {
    return "<line class=\"" + std::string(css_class) + "\" x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" +
           num(x2) + "\" y2=\"" + num(y2) + "\"/>";
}

std::string emptyState(std::string_view message) {
    return "<p class=\"empty chart-empty\">" + std::string(message) + "</p>\n";
}

std::string svgOpen(std::string_view id, double height, std::string_view title) {
    return "<svg id=\"" + std::string(id) + "\" class=\"chart\" role=\"img\" viewBox=\"0 0 " + num(kChartWidth) + " " +
           num(height) + "\" width=\"" + num(kChartWidth) + "\" height=\"" + num(height) +
           "\" preserveAspectRatio=\"xMinYMin meet\"><title>" + std::string(title) + "</title>\n";
}

// The legend wraps onto as many rows as the labels need; returns its markup and height.
std::pair<std::string, double> legend(const std::vector<KindStyle>& kinds, double left) {
    std::string markup = "<g class=\"legend\">";
    double x = left;
    double y = 4;
    for (const KindStyle& kind : kinds) {
        const double item_width = 14 + 6 + textWidth(shortened(kind.label, kMaxLegendPoints), kFontPx) + 18;
        if (x > left && x + item_width > kChartWidth) {
            x = left;
            y += 20;
        }
        markup += "<rect class=\"swatch\" x=\"" + num(x) + "\" y=\"" + num(y) +
                  "\" width=\"14\" height=\"14\" rx=\"2\" fill=\"" + kind.colour + "\"/>";
        markup += text(x + 20, y + 11.5, "legend-label", "start", pageText(shortened(kind.label, kMaxLegendPoints)));
        x += item_width;
    }
    markup += "</g>\n";
    return {markup, kinds.empty() ? 0 : y + 20};
}

}  // namespace

std::string pageText(std::string_view text) {
    return escapeHtml(utf8::toValidUtf8(text));
}

std::vector<KindStyle> kindStyles(const ReportData& data) {
    std::vector<KindStyle> styles;
    std::set<std::string> listed;
    for (const auto& [kind, label] : data.kinds) {
        if (listed.insert(kind).second) {
            styles.push_back({kind, label.empty() ? kind : label, ""});
        }
    }
    std::set<std::string> unlisted;
    for (const auto& [kind, count] : data.totals) {
        unlisted.insert(kind);
    }
    for (const KindCounts& part : data.parts) {
        for (const auto& [kind, count] : part.by_kind) {
            unlisted.insert(kind);
        }
    }
    for (const std::string& kind : unlisted) {
        if (!listed.count(kind)) {
            styles.push_back({kind, kind, ""});
        }
    }
    for (std::size_t i = 0; i < styles.size(); ++i) {
        // Past the palette, the golden angle keeps each new hue far from the ones before it.
        styles[i].colour = i < kPalette.size() ? std::string(kPalette[i])
                                               : "hsl(" + std::to_string((i * 137 + 20) % 360) + ", 55%, " +
                                                     std::to_string(i % 2 == 0 ? 42 : 58) + "%)";
    }
    return styles;
}

AxisScale niceScale(std::int64_t max_value, std::int64_t max_ticks) {
    constexpr std::int64_t kLargest = std::numeric_limits<std::int64_t>::max();
    max_ticks = std::max<std::int64_t>(max_ticks, 1);
    if (max_value <= 0) {
        return {1, 1};
    }
    for (std::int64_t power = 1;; power *= 10) {
        for (const std::int64_t multiple : {1, 2, 5}) {
            if (power > kLargest / multiple) {
                break;
            }
            const std::int64_t step = multiple * power;
            const std::int64_t steps = max_value / step + (max_value % step != 0 ? 1 : 0);
            if (steps <= max_ticks && steps <= kLargest / step) {
                return {steps * step, step};
            }
        }
        if (power > kLargest / 10) {
            // Counts this large never occur; an axis with only its ends still draws.
            return {max_value, max_value};
        }
    }
}

std::string findingsBarChart(const std::vector<KindStyle>& kinds, const std::vector<KindCounts>& parts,
                             std::string_view part_noun) {
    if (parts.empty()) {
        return emptyState("没有可列出的" + pageText(part_noun) + "。");
    }
    constexpr double kRowHeight = 22;
    constexpr double kBarHeight = 14;
    constexpr double kTotalRoom = 64;

    double label_width = textWidth(part_noun, kFontPx);
    std::int64_t max_total = 0;
    for (const KindCounts& part : parts) {
        label_width = std::max(label_width, textWidth(shortened(partLabel(part), kMaxLabelPoints), kFontPx));
        max_total = std::max(max_total, partTotal(part));
    }
    const double plot_left = std::min(label_width, 14 * kFontPx) + 16;
    const double plot_width = kChartWidth - plot_left - kTotalRoom;
    const AxisScale scale = niceScale(max_total);
    const auto x_of = [&](double value) { return plot_left + value / static_cast<double>(scale.max) * plot_width; };

    auto [legend_markup, legend_height] = legend(kinds, plot_left);
    const double axis_top = legend_height + 30;
    const double plot_top = axis_top + 6;
    const double plot_bottom = plot_top + static_cast<double>(parts.size()) * kRowHeight;
    const double height = plot_bottom + 50;

    std::string svg = svgOpen("findings-chart", height, "各" + pageText(part_noun) + "发现数（按类别堆叠）");
    svg += legend_markup;
    // The ticks are repeated under the last row so that a long chart can be read without scrolling back up.
    svg += "<g class=\"axis\">";
    for (std::int64_t i = 0; i <= scale.max / scale.step; ++i) {
        const std::int64_t tick = i * scale.step;
        const double x = x_of(static_cast<double>(tick));
        svg += line(x, axis_top, x, plot_bottom, tick == 0 ? "axis-line" : "grid");
        svg += text(x, axis_top - 6, "tick", "middle", withThousands(tick));
        svg += text(x, plot_bottom + 16, "tick", "middle", withThousands(tick));
    }
    svg += text(plot_left - 8, axis_top - 6, "axis-title", "end", pageText(part_noun));
    svg += text(plot_left + plot_width / 2, plot_bottom + 38, "axis-title", "middle", "发现数（条）");
    svg += "</g>\n";

    for (std::size_t row = 0; row < parts.size(); ++row) {
        const KindCounts& part = parts[row];
        const std::string label = partLabel(part);
        const double top = plot_top + static_cast<double>(row) * kRowHeight;
        const double bar_top = top + (kRowHeight - kBarHeight) / 2;
        svg += "<g class=\"row\">";
        svg += "<text class=\"part-label\" x=\"" + num(plot_left - 8) + "\" y=\"" + num(bar_top + 11) +
               "\" text-anchor=\"end\"><title>" + pageText(label) + " " + pageText(part.division) + "</title>" +
               pageText(shortened(label, kMaxLabelPoints)) + "</text>";
        std::int64_t stacked = 0;
        for (const KindStyle& kind : kinds) {
            const auto found = part.by_kind.find(kind.kind);
            if (found == part.by_kind.end() || found->second <= 0) {
                continue;
            }
            const double x = x_of(static_cast<double>(stacked));
            stacked += found->second;
            svg += "<rect class=\"seg\" x=\"" + num(x) + "\" y=\"" + num(bar_top) + "\" width=\"" +
                   num(x_of(static_cast<double>(stacked)) - x) + "\" height=\"" + num(kBarHeight) + "\" fill=\"" +
                   kind.colour + "\"><title>" + pageText(label) + " · " + pageText(kind.label) + "：" +
                   withThousands(found->second) + "</title></rect>";
        }
        svg += text(x_of(static_cast<double>(stacked)) + 6, bar_top + 11, "bar-total", "start", withThousands(stacked));
        svg += "</g>\n";
    }
    svg += "</svg>\n";
    return svg;
}

std::string trendLineChart(const std::vector<TrendPoint>& trend, std::int64_t current_run_id) {
    if (trend.empty()) {
        return emptyState("尚无历次运行的记录。");
    }
    constexpr double kHeight = 340;
    constexpr double kLeft = 72;
    constexpr double kRight = 28;
    constexpr double kTop = 44;
    constexpr double kBottom = 76;
    constexpr double kInset = 16;  // keeps the first and last points off the axes
    constexpr double kDateWidth = 84;
    const double plot_width = kChartWidth - kLeft - kRight;
    const double plot_height = kHeight - kTop - kBottom;
    const double plot_bottom = kTop + plot_height;

    std::int64_t max_findings = 0;
    for (const TrendPoint& point : trend) {
        max_findings = std::max(max_findings, point.findings);
    }
    const AxisScale scale = niceScale(max_findings);
    const std::size_t count = trend.size();
    const auto x_at = [&](std::size_t index) {
        if (count == 1) {
            return kLeft + plot_width / 2;
        }
        return kLeft + kInset + static_cast<double>(index) * (plot_width - 2 * kInset) / static_cast<double>(count - 1);
    };
    const auto y_of = [&](std::int64_t value) {
        const double clamped = static_cast<double>(std::max<std::int64_t>(value, 0));
        return plot_bottom - clamped / static_cast<double>(scale.max) * plot_height;
    };

    std::string svg = svgOpen("trend-chart", kHeight, "历次运行的发现数");
    svg += "<g class=\"legend\">";
    const double legend_left = kLeft + plot_width - 280;
    svg += "<circle class=\"legend-point\" cx=\"" + num(legend_left + 6) + "\" cy=\"14\" r=\"4\"/>";
    svg += text(legend_left + 16, 18, "legend-label", "start", "成功的运行");
    svg += "<circle class=\"legend-point failed\" cx=\"" + num(legend_left + 106) + "\" cy=\"14\" r=\"4\"/>";
    svg += text(legend_left + 116, 18, "legend-label", "start", "失败的运行");
    svg += "<circle class=\"legend-point current\" cx=\"" + num(legend_left + 206) + "\" cy=\"14\" r=\"6\"/>";
    svg += text(legend_left + 218, 18, "legend-label", "start", "本次运行");
    svg += "</g>\n<g class=\"axis\">";
    for (std::int64_t i = 0; i <= scale.max / scale.step; ++i) {
        const std::int64_t tick = i * scale.step;
        const double y = y_of(tick);
        svg += line(kLeft, y, kLeft + plot_width, y, tick == 0 ? "axis-line" : "grid");
        svg += text(kLeft - 8, y + 4, "tick", "end", withThousands(tick));
    }
    svg += line(kLeft, kTop, kLeft, plot_bottom, "axis-line");
    // Label as many runs as fit, always the newest; the others keep their tick and tooltip.
    const std::size_t every = std::max<std::size_t>(
        1, static_cast<std::size_t>(static_cast<double>(count) * kDateWidth / (plot_width - 2 * kInset)) + 1);
    for (std::size_t i = 0; i < count; ++i) {
        const double x = x_at(i);
        svg += line(x, plot_bottom, x, plot_bottom + 5, "tick-mark");
        const bool last = i + 1 == count;
        if (last || (i % every == 0 && count - 1 - i >= every)) {
            svg += text(x, plot_bottom + 20, "tick", "middle", pageText(trend[i].as_of));
            svg += text(x, plot_bottom + 34, "tick run-id", "middle", "#" + std::to_string(trend[i].run_id));
        }
    }
    svg += text(4, kTop - 14, "axis-title", "start", "发现数（条）");
    svg += text(kLeft + plot_width / 2, kHeight - 12, "axis-title", "middle", "核对日期 / 运行编号");
    svg += "</g>\n";

    if (count > 1) {
        std::string path;
        for (std::size_t i = 0; i < count; ++i) {
            path += (i == 0 ? "M" : " L") + num(x_at(i)) + " " + num(y_of(trend[i].findings));
        }
        svg += "<path class=\"area\" d=\"" + path + " L" + num(x_at(count - 1)) + " " + num(plot_bottom) + " L" +
               num(x_at(0)) + " " + num(plot_bottom) + " Z\"/>\n";
        svg += "<path class=\"line\" d=\"" + path + "\"/>\n";
    }
    for (std::size_t i = 0; i < count; ++i) {
        const TrendPoint& point = trend[i];
        const bool failed = point.status == "failed";
        const bool current = point.run_id == current_run_id;
        std::string css_class = "point";
        css_class += failed ? " failed" : "";
        css_class += current ? " current" : "";
        svg += "<circle class=\"" + css_class + "\" cx=\"" + num(x_at(i)) + "\" cy=\"" + num(y_of(point.findings)) +
               "\" r=\"" + (current ? "6" : "4") + "\"><title>第 " + std::to_string(point.run_id) + " 次运行 · " +
               pageText(point.as_of) + " · " + withThousands(point.findings) + " 条发现" + (failed ? " · 失败" : "") +
               "</title></circle>";
        if (current) {
            svg += text(x_at(i), y_of(point.findings) - 12, "point-value", "middle", withThousands(point.findings));
        }
    }
    svg += "\n</svg>\n";
    return svg;
}

}  // namespace gateway::reconcile
