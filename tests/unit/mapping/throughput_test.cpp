#include "mapping_fixture.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>

// Not a timed test: it measures and prints apply() throughput on a typical police row, so that a regression is
// visible in the test log. The benchmark of record is in ops/bench/.
namespace gateway::mapping {
namespace {

constexpr const char* kPoliceRow =
    R"({"person_id":"P0000123","xm":"张子涵","xb":"2","csrq":"20140305","gmsfhm":"320411201403051248","mz":"01",)"
    R"("hjdz_qhdm":"320411101201","xzz_qhdm":"320411101201","xzz":"江苏省常州市新北区孟河镇孟城社区12号","hh":"H00000456",)"
    R"("fq":{"xm":"张伟","gmsfhm":"320411198506120037","zt":"外出务工","lxdh":"13912345678"},)"
    R"("mq":{"xm":"李娜","gmsfhm":"320411198703040028","zt":"在家","lxdh":"13812345678"},)"
    R"("updated_at":"2026-11-01T08:00:00Z"})";

TEST(MappingThroughputTest, PoliceRow) {
    const Mapping mapping = Mapping::load(testing::mappingsDir() + "/police_population.json", testing::testContext());
    MappedRecord out;
    mapping.applyInto(kPoliceRow, out);
    ASSERT_EQ(out.outcome, Outcome::Accepted) << out.reason << (out.warnings.empty() ? "" : out.warnings[0]);

    const auto measure = [&](auto&& run_once) {
        const auto start = std::chrono::steady_clock::now();
        std::size_t rows = 0;
        auto elapsed = std::chrono::steady_clock::duration::zero();
        while (elapsed < std::chrono::milliseconds(500)) {
            for (int i = 0; i < 1000; ++i) {
                run_once();
            }
            rows += 1000;
            elapsed = std::chrono::steady_clock::now() - start;
        }
        return static_cast<double>(rows) / std::chrono::duration<double>(elapsed).count();
    };
    const double reused = measure([&] { mapping.applyInto(kPoliceRow, out); });
    std::size_t sink = 0;
    const double fresh = measure([&] { sink += mapping.apply(kPoliceRow).record.source_id.size(); });
    EXPECT_GT(sink, 0u);
    EXPECT_EQ(out.outcome, Outcome::Accepted);
    std::printf("apply() on a police row: %.0f rows/s reusing the result, %.0f rows/s with a new result each time\n",
                reused, fresh);
    RecordProperty("rows_per_second_apply_into", static_cast<int>(reused));
    RecordProperty("rows_per_second_apply", static_cast<int>(fresh));
}

}  // namespace
}  // namespace gateway::mapping
