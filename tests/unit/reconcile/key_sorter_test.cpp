// Sorting a re-pulled source's rows by key in bounded memory: in memory when they fit, through run files when they do
// not, with the same result either way; the last copy of a key wins, as a later copy of a record does at intake.

#include "gateway/reconcile/key_sorter.h"

#include "gateway/common/error.h"
#include "tests/support/temp_dir.h"

#include <Poco/DirectoryIterator.h>

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace gateway::reconcile {
namespace {

std::vector<KeyHash> drain(KeyHashStream& stream) {
    std::vector<KeyHash> rows;
    KeyHash row;
    while (stream.next(row)) {
        rows.push_back(row);
    }
    return rows;
}

std::size_t filesIn(const std::string& folder) {
    std::size_t files = 0;
    for (Poco::DirectoryIterator it(folder), end; it != end; ++it) {
        ++files;
    }
    return files;
}

std::vector<KeyHash> sortedWith(std::size_t run_rows, const std::vector<KeyHash>& rows, const std::string& folder,
                                std::size_t* runs = nullptr) {
    KeySorter sorter(folder, run_rows);
    for (const KeyHash& row : rows) {
        sorter.add(row);
    }
    auto stream = sorter.sorted();
    if (runs != nullptr) {
        *runs = sorter.runs();
    }
    return drain(*stream);
}

TEST(KeySorterTest, RowsComeBackInByteOrderOnceEachWhetherInMemoryOrThroughRuns) {
    testing::TempDir dir;
    std::vector<KeyHash> rows;
    std::mt19937 random(7);
    for (int i = 0; i < 5000; ++i) {
        const int key = static_cast<int>(random() % 3000);  // many keys given more than once
        rows.push_back({"k" + std::to_string(key), "h" + std::to_string(i)});
    }
    rows.push_back({"张三", "cjk"});
    rows.push_back({"", "empty key"});
    std::size_t runs = 0;
    const std::vector<KeyHash> in_memory = sortedWith(100000, rows, dir.path(), &runs);
    EXPECT_EQ(runs, 0u);
    const std::vector<KeyHash> through_runs = sortedWith(97, rows, dir.path(), &runs);
    EXPECT_GT(runs, 50u);
    ASSERT_EQ(in_memory.size(), through_runs.size());
    for (std::size_t i = 0; i < in_memory.size(); ++i) {
        EXPECT_EQ(in_memory[i].key, through_runs[i].key);
        EXPECT_EQ(in_memory[i].hash, through_runs[i].hash) << in_memory[i].key;
    }
    for (std::size_t i = 1; i < through_runs.size(); ++i) {
        ASSERT_LT(through_runs[i - 1].key, through_runs[i].key);
    }
    EXPECT_EQ(through_runs.front().key, "");
    EXPECT_EQ(through_runs.back().key, "张三");
    EXPECT_EQ(filesIn(dir.path()), 0u) << "run files are removed with the sorter";
}

TEST(KeySorterTest, TheLastCopyOfAKeyWinsAcrossRuns) {
    testing::TempDir dir;
    const std::vector<KeyHash> rows = {{"b", "1"}, {"a", "1"}, {"b", "2"}, {"c", "1"}, {"a", "2"}, {"b", "3"}};
    for (const std::size_t run_rows : {1u, 2u, 4u, 100u}) {
        const std::vector<KeyHash> sorted = sortedWith(run_rows, rows, dir.path());
        ASSERT_EQ(sorted.size(), 3u) << run_rows;
        EXPECT_EQ(sorted[0].key + sorted[0].hash, "a2") << run_rows;
        EXPECT_EQ(sorted[1].key + sorted[1].hash, "b3") << run_rows;
        EXPECT_EQ(sorted[2].key + sorted[2].hash, "c1") << run_rows;
    }
}

TEST(KeySorterTest, KeysAndHashesKeepEveryByte) {
    testing::TempDir dir;
    const std::string odd_key("a\0b\n\xff", 5);
    const std::string long_hash(100000, 'x');
    const std::vector<KeyHash> sorted = sortedWith(1, {{odd_key, long_hash}, {"a", ""}}, dir.path());
    ASSERT_EQ(sorted.size(), 2u);
    EXPECT_EQ(sorted[0].key, "a");
    EXPECT_EQ(sorted[0].hash, "");
    EXPECT_EQ(sorted[1].key, odd_key);
    EXPECT_EQ(sorted[1].hash, long_hash);
}

TEST(KeySorterTest, AnEmptySorterGivesAnEmptyStreamAndMisuseIsRefused) {
    testing::TempDir dir;
    KeySorter sorter(dir.path(), 10);
    auto stream = sorter.sorted();
    KeyHash row;
    EXPECT_FALSE(stream->next(row));
    EXPECT_THROW(sorter.add({"a", "1"}), GatewayError);
    EXPECT_THROW(sorter.sorted(), GatewayError);
    EXPECT_THROW(KeySorter(dir.path(), 0), GatewayError);
}

TEST(KeySorterTest, AFolderThatCannotTakeRunsIsAnError) {
    KeySorter sorter("/nonexistent/folder", 1);
    EXPECT_THROW(sorter.add({"a", "1"}), GatewayError);
}

}  // namespace
}  // namespace gateway::reconcile
