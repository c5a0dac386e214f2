// The reconciliation report as an officer sees it: rendered for a district of ten townships with every kind of
// finding and 30 runs of trend, written to a file and opened in Debian's chromium through open_report.mjs, which
// fails on any console error, any URL asked for, a script, or a chart drawing nothing. The page and its screenshot
// stay in the build tree (artifacts/) to be looked at.
//
// Without chromium or tests/browser/node_modules the tests fail, unless GATEWAY_TEST_BROWSER_OPTIONAL is set to a
// non-empty value other than 0, when they are skipped.

#include "gateway/reconcile/report_html.h"

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

namespace gateway::reconcile {
namespace {

namespace fs = std::filesystem;

const std::string kBrowserDir = GATEWAY_BROWSER_DIR;
const std::string kArtifactsDir = GATEWAY_ARTIFACTS_DIR;

std::string environment(const char* name) {
    const char* value = std::getenv(name);
    return value == nullptr ? "" : value;
}

std::string chromiumPath() {
    const std::string configured = environment("CHROMIUM");
    return configured.empty() ? "/usr/bin/chromium" : configured;
}

// The node on PATH, as a shell would find it ("" when there is none).
std::string nodePath() {
    const std::string path = environment("PATH");
    std::size_t begin = 0;
    while (begin <= path.size()) {
        const std::size_t end = std::min(path.find(':', begin), path.size());
        const fs::path candidate = fs::path(path.substr(begin, end - begin)) / "node";
        std::error_code error;
        if (end > begin && fs::is_regular_file(candidate, error) &&
            (fs::status(candidate, error).permissions() & fs::perms::owner_exec) != fs::perms::none) {
            return candidate.string();
        }
        begin = end + 1;
    }
    return "";
}

// What keeps the browser from being driven, in words that say how to fix it; "" when nothing does.
std::string missingBrowser() {
    if (!fs::exists(chromiumPath())) {
        return "no chromium at " + chromiumPath() + " (ops/setup.sh installs Debian's chromium)";
    }
    if (nodePath().empty()) {
        return "no node on PATH (ops/setup.sh installs nodejs and npm)";
    }
    if (!fs::exists(kBrowserDir + "/node_modules/playwright-core/package.json")) {
        return "no " + kBrowserDir + "/node_modules (ctest's browser.install runs npm ci --prefix tests/browser)";
    }
    return "";
}

class ReportBrowserTest : public ::testing::Test {
protected:
    void SetUp() override {
        const std::string missing = missingBrowser();
        if (missing.empty()) {
            return;
        }
        const std::string optional = environment("GATEWAY_TEST_BROWSER_OPTIONAL");
        if (!optional.empty() && optional != "0") {
            GTEST_SKIP() << missing << "; skipped because GATEWAY_TEST_BROWSER_OPTIONAL is set";
        }
        FAIL() << missing << "; set GATEWAY_TEST_BROWSER_OPTIONAL=1 to skip the browser tests instead";
    }

    // Writes the page to artifacts/NAME.html, opens it, and returns what open_report.mjs found (exit code, its JSON
    // line or its complaints). The screenshot goes to artifacts/NAME.png.
    testing::RunResult open(const ReportData& data, const std::string& name) {
        fs::create_directories(kArtifactsDir);
        const std::string page = kArtifactsDir + "/" + name + ".html";
        const std::string screenshot = kArtifactsDir + "/" + name + ".png";
        fs::remove(screenshot);
        testing::writeFile(page, renderReportHtml(data));
        testing::RunResult result =
            testing::runProgram(nodePath(), {kBrowserDir + "/open_report.mjs", page, screenshot}, kBrowserDir);
        std::cout << "page: " << page << "\nscreenshot: " << screenshot << "\n";
        RecordProperty("screenshot", screenshot);
        return result;
    }
};

const std::vector<std::pair<std::string, std::string>> kKinds = {
    {"school_age_not_enrolled", "适龄儿童在户籍登记但未在校（控辍保学）"},
    {"enrolled_not_in_population_register", "在籍学生未在人口信息系统登记"},
    {"newborn_unregistered", "新生儿出生满30天未落户"},
    {"assistance_no_longer_met", "仍在领取保障金但已不符合条件"},
    {"stale_classification", "留守/困境儿童超过180天无任何部门确认"},
    {"identity_contradiction", "各部门登记的身份信息不一致"},
    {"missing_in_gateway", "源系统有而网关缺少的记录"},
    {"deleted_at_source", "源系统已删除的记录"},
    {"changed", "源系统已修改的记录"},
};

// A district of ten townships as a scheduled repairing run would report it, with counts that vary the way real ones
// do (some kinds absent in some townships, record drift rarer than gaps between departments).
ReportData districtReport() {
    ReportData data;
    data.run.id = 42;
    data.run.node = "gateway-01:4242";
    data.run.trigger = "schedule";
    data.run.started_at = "2026-11-01T02:00:00Z";
    data.run.finished_at = "2026-11-01T02:07:31Z";
    data.run.status = "succeeded";
    data.run.as_of = "2026-11-01";
    data.run.repair = true;
    data.division = "320411000000";
    data.division_name = "常州市新北区";
    data.kinds = kKinds;
    data.generated_at = "2026-11-01T02:07:32Z";
    const std::vector<std::pair<std::string, std::string>> townships = {
        {"320411100000", "罗溪镇"},     {"320411101000", "孟河镇"},   {"320411102000", "西夏墅镇"},
        {"320411103000", "薛家镇"},     {"320411104000", "奔牛镇"},   {"320411105000", "春江街道"},
        {"320411106000", "新桥街道"},   {"320411107000", "三井街道"}, {"320411108000", "河海街道"},
        {"320411109000", "龙虎塘街道"},
    };
    for (std::size_t t = 0; t < townships.size(); ++t) {
        KindCounts part{townships[t].first, townships[t].second, {}};
        for (std::size_t k = 0; k < kKinds.size(); ++k) {
            const std::int64_t base = k < 6 ? 3 + static_cast<std::int64_t>((t * 7 + k * 5) % 19) : 1 + (t + k) % 4;
            const std::int64_t count = (t + 2 * k) % 5 == 0 ? 0 : base;
            if (count > 0) {
                part.by_kind[kKinds[k].first] = count;
                data.totals[kKinds[k].first] += count;
            }
        }
        data.parts.push_back(part);
    }
    for (int i = 0; i < 30; ++i) {
        const int day = 3 + i;  // 2026-10-03 … 2026-11-01
        char as_of[16];
        std::snprintf(as_of, sizeof as_of, "2026-%02d-%02d", day <= 31 ? 10 : 11, day <= 31 ? day : day - 31);
        TrendPoint point{13 + i, as_of, i == 17 ? "failed" : "succeeded", 0};
        point.findings = i == 17 ? 212 : 960 - 11 * i + (i * 37) % 53;
        data.trend.push_back(point);
    }
    std::int64_t total = 0;
    for (const auto& [kind, count] : data.totals) {
        total += count;
    }
    data.trend.back().findings = total;
    return data;
}

std::size_t nonZeroCells(const ReportData& data) {
    std::size_t cells = 0;
    for (const KindCounts& part : data.parts) {
        for (const auto& [kind, count] : part.by_kind) {
            cells += count > 0 ? 1 : 0;
        }
    }
    return cells;
}

TEST_F(ReportBrowserTest, ChromiumShowsTheDistrictReportWithBothCharts) {
    const ReportData data = districtReport();
    const testing::RunResult result = open(data, "reconcile_report");
    ASSERT_EQ(result.exit_code, 0) << result.err << result.out;

    rapidjson::Document found;
    ASSERT_FALSE(found.Parse(result.out.c_str()).HasParseError()) << result.out;
    EXPECT_STREQ(found["title"].GetString(), "对账报告 · 常州市新北区 · 第 42 次运行");
    EXPECT_EQ(found["segments"].GetUint64(), nonZeroCells(data));
    EXPECT_EQ(found["points"].GetUint64(), 30u);
    EXPECT_GT(fs::file_size(kArtifactsDir + "/reconcile_report.png"), 10000u);
}

TEST_F(ReportBrowserTest, HostileNamesStayTextInChromium) {
    ReportData data = districtReport();
    data.division_name = "<script>alert(1)</script>";
    data.parts[0].name = "<img src=x onerror=alert(1)>";
    data.parts[1].name = "\" onmouseover=\"alert(1)";
    data.kinds[0].second = "<svg onload=alert(1)>";
    const testing::RunResult result = open(data, "reconcile_report_hostile");
    // open_report.mjs fails on a script element, a dialog, an uncaught error or a request for "x".
    ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
    rapidjson::Document found;
    ASSERT_FALSE(found.Parse(result.out.c_str()).HasParseError()) << result.out;
    EXPECT_STREQ(found["title"].GetString(), "对账报告 · <script>alert(1)</script> · 第 42 次运行");
}

}  // namespace
}  // namespace gateway::reconcile
