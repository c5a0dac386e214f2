#include "gateway/linkage/blocking.h"

#include "tests/unit/linkage/linkage_fixtures.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace gateway::linkage {
namespace {

using fixtures::Records;

constexpr const char* kBlockingConfig = R"({"fields": {
        "name": {"type": "chinese_name", "from": "/name"},
        "born": {"type": "date", "from": "/born"},
        "code": {"type": "text", "from": "/code"},
        "town": {"type": "division", "from": "/town"}},
    "comparisons": [{"field": "code", "levels": ["exact"]}],
    "deterministic": [{"name": "by_code", "equal": ["code"]}],
    "blocking": [{"name": "year+name", "key": ["born:year", "name:pinyin"]},
                 {"name": "township", "key": ["town:prefix=9"]},
                 {"name": "initials", "key": ["name:initials"]}],
    "max_block_size": 3})";

using Visit = std::tuple<std::size_t, std::uint32_t, std::uint32_t>;  // rule, a, b

class BlockingTest : public ::testing::Test {
protected:
    BlockingTest() : records_(LinkageConfig::parse(kBlockingConfig, "blocking.json")) {}

    std::size_t add(const std::string& source, const std::string& members) {
        const std::string json = R"({"source":")" + source + R"(","source_id":"r)" +
                                 std::to_string(records_.table().size()) + "\"" +
                                 (members.empty() ? "" : "," + members) + "}";
        EXPECT_EQ(records_.table().addJson(json), "") << json;
        return records_.table().size() - 1;
    }

    static std::vector<Visit> visits(const Blocker& blocker, unsigned threads, const std::vector<bool>* dirty = nullptr,
                                     bool every_rule = false) {
        std::vector<std::vector<Visit>> per_thread(std::max(1u, threads));
        blocker.forEachPair(
            threads, dirty,
            [&per_thread](unsigned thread, std::size_t rule, std::uint32_t a, std::uint32_t b) {
                per_thread[thread].emplace_back(rule, a, b);
            },
            every_rule);
        std::vector<Visit> all;
        for (const auto& list : per_thread) {
            all.insert(all.end(), list.begin(), list.end());
        }
        std::sort(all.begin(), all.end());
        return all;
    }

    static std::set<std::pair<std::uint32_t, std::uint32_t>> pairs(const std::vector<Visit>& list) {
        std::set<std::pair<std::uint32_t, std::uint32_t>> result;
        for (const auto& [rule, a, b] : list) {
            result.emplace(a, b);
        }
        return result;
    }

    Records records_;
};

TEST_F(BlockingTest, DeterministicRulesBlockFirst) {
    const Blocker blocker(records_.table());
    ASSERT_EQ(blocker.rules().size(), 4u);
    EXPECT_EQ(blocker.rules()[0].name, "deterministic:by_code");
    EXPECT_EQ(blocker.rules()[1].name, "year+name");
    EXPECT_EQ(blocker.rules()[3].name, "initials");
}

TEST_F(BlockingTest, EachPairIsVisitedOnceUnderTheFirstRuleThatFindsIt) {
    const std::size_t a = add("s1", R"("name":"张子涵","born":"2014-03-05","code":"k1","town":"320411101201")");
    const std::size_t b = add("s2", R"("name":"张紫涵","born":"2014-07-01","code":"k1","town":"320411101202")");
    const std::size_t c = add("s3", R"("name":"王浩","born":"2010-01-01","town":"320411102001")");
    const Blocker blocker(records_.table());
    const std::vector<Visit> once = visits(blocker, 1);
    // a~b share code (rule 0), the year and the pinyin of the name (rule 1), the township (rule 2) and the initials
    // (rule 3): visited once, under rule 0. c shares nothing with them.
    ASSERT_EQ(once.size(), 1u);
    EXPECT_EQ(once[0], Visit(0, a, b));
    const std::vector<Visit> every = visits(blocker, 1, nullptr, true);
    EXPECT_EQ(every, (std::vector<Visit>{{0, a, b}, {1, a, b}, {2, a, b}, {3, a, b}}));
    EXPECT_EQ(pairs(every).count({std::min(a, c), std::max(a, c)}), 0u);
}

TEST_F(BlockingTest, AbsentKeyPartsBlockNothing) {
    add("s1", R"("name":"张子涵")");
    add("s2", R"("name":"张子涵")");
    add("s3", R"("born":"2014-03-05")");
    add("s4", R"("born":"2014-03-05")");
    const Blocker blocker(records_.table());
    // year+name needs both parts; only the initials rule pairs the two 张子涵.
    const std::vector<Visit> all = visits(blocker, 1, nullptr, true);
    EXPECT_EQ(all, (std::vector<Visit>{{3, 0, 1}}));
}

TEST_F(BlockingTest, OversizedBlocksAreSkippedWithAWarning) {
    for (int i = 0; i < 4; ++i) {
        add("s" + std::to_string(i), R"("town":"320411101201")");
    }
    add("s9", R"("town":"320411102201","code":"x")");
    add("s8", R"("town":"320411102201","code":"x")");
    const Blocker blocker(records_.table());
    ASSERT_EQ(blocker.warnings().size(), 1u);
    EXPECT_NE(blocker.warnings()[0].find("blocking rule township: a block of 4 records"), std::string::npos)
        << blocker.warnings()[0];
    EXPECT_NE(blocker.warnings()[0].find("exceeds max_block_size"), std::string::npos);
    const std::vector<Visit> all = visits(blocker, 1);
    EXPECT_EQ(all, (std::vector<Visit>{{0, 4, 5}}));
    EXPECT_EQ(blocker.pairBound(), 2u) << "the code block and the township block of s9 and s8";
}

TEST_F(BlockingTest, PairInASkippedBlockIsStillFoundByALaterRule) {
    const std::vector<std::string> others = {"李明", "王芳", "陈静", "刘洋"};
    for (const std::string& name : others) {
        add("s1", R"("town":"320411101201","name":")" + name + "\"");
    }
    const std::size_t a = add("t1", R"("town":"320411101201","name":"张子涵")");
    const std::size_t b = add("t2", R"("town":"320411101202","name":"张紫涵")");
    const Blocker blocker(records_.table());
    ASSERT_EQ(blocker.warnings().size(), 1u) << "the township block of six is skipped";
    // The initials rule, after the skipped township rule, still finds a~b.
    EXPECT_EQ(visits(blocker, 1), (std::vector<Visit>{{3, a, b}}));
}

TEST_F(BlockingTest, DirtyRunsVisitOnlyPairsWithADirtyRecord) {
    for (int i = 0; i < 3; ++i) {
        add("s" + std::to_string(i), R"("code":"k")");
    }
    const Blocker blocker(records_.table());
    std::vector<bool> dirty = {false, false, true};
    EXPECT_EQ(pairs(visits(blocker, 1, &dirty)), (std::set<std::pair<std::uint32_t, std::uint32_t>>{{0, 2}, {1, 2}}));
    std::vector<bool> clean(3, false);
    EXPECT_TRUE(visits(blocker, 1, &clean).empty());
    EXPECT_EQ(visits(blocker, 1).size(), 3u);
}

TEST(BlockingConstraintTest, AcrossSourcesOnlySkipsPairsOfOneSource) {
    Records records(LinkageConfig::parse(R"({"fields": {"code": {"type": "text", "from": "/code"}},
        "comparisons": [{"field": "code", "levels": ["exact"]}], "blocking": [["code"]],
        "constraints": {"across_sources_only": true}})",
                                         "across.json"));
    ASSERT_EQ(records.table().addJson(R"({"source":"a","source_id":"1","code":"k"})"), "");
    ASSERT_EQ(records.table().addJson(R"({"source":"a","source_id":"2","code":"k"})"), "");
    ASSERT_EQ(records.table().addJson(R"({"source":"b","source_id":"3","code":"k"})"), "");
    const Blocker blocker(records.table());
    std::set<std::pair<std::uint32_t, std::uint32_t>> seen;
    blocker.forEachPair(1, nullptr,
                        [&seen](unsigned, std::size_t, std::uint32_t a, std::uint32_t b) { seen.emplace(a, b); });
    EXPECT_EQ(seen, (std::set<std::pair<std::uint32_t, std::uint32_t>>{{0, 2}, {1, 2}}));
}

TEST(BlockingThreadsTest, ThreadsVisitTheSamePairs) {
    Records records(LinkageConfig::parse(R"({"fields": {"code": {"type": "text", "from": "/code"},
            "born": {"type": "date", "from": "/born"}},
        "comparisons": [{"field": "code", "levels": ["exact"]}],
        "blocking": [["code"], ["born"]]})",
                                         "threads.json"));
    for (int i = 0; i < 300; ++i) {
        ASSERT_EQ(records.table().addJson(R"({"source":"s","source_id":")" + std::to_string(i) + R"(","code":"k)" +
                                          std::to_string(i % 40) + R"(","born":"201)" + std::to_string(i % 7) +
                                          R"(-01-01"})"),
                  "");
    }
    const Blocker blocker(records.table());
    auto collect = [&blocker](unsigned threads, bool every_rule) {
        std::vector<std::vector<Visit>> per_thread(threads);
        blocker.forEachPair(
            threads, nullptr,
            [&per_thread](unsigned thread, std::size_t rule, std::uint32_t a, std::uint32_t b) {
                per_thread[thread].emplace_back(rule, a, b);
            },
            every_rule);
        std::vector<Visit> all;
        for (const auto& list : per_thread) {
            all.insert(all.end(), list.begin(), list.end());
        }
        std::sort(all.begin(), all.end());
        return all;
    };
    const std::vector<Visit> one = collect(1, false);
    EXPECT_EQ(collect(3, false), one);
    EXPECT_EQ(collect(3, true), collect(1, true));
    // No pair twice, every pair ordered.
    std::set<std::pair<std::uint32_t, std::uint32_t>> distinct;
    for (const auto& [rule, a, b] : one) {
        EXPECT_LT(a, b);
        distinct.emplace(a, b);
    }
    EXPECT_EQ(distinct.size(), one.size());
    EXPECT_LE(one.size(), blocker.pairBound());
}

}  // namespace
}  // namespace gateway::linkage
