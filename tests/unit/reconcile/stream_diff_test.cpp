// The merge of a source's rows with the gateway's: every kind of disagreement, at the ends as in the middle, in key
// order, and streams that break their order refused rather than misread.

#include "gateway/reconcile/stream_diff.h"

#include "gateway/common/error.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace gateway::reconcile {
namespace {

class VectorStream : public KeyHashStream {
public:
    explicit VectorStream(std::vector<KeyHash> rows) : rows_(std::move(rows)) {}

    bool next(KeyHash& row) override {
        if (at_ == rows_.size()) {
            return false;
        }
        row = rows_[at_++];
        return true;
    }

private:
    std::vector<KeyHash> rows_;
    std::size_t at_ = 0;
};

using Found = std::vector<std::pair<Discrepancy, std::string>>;

DiffCounts diff(std::vector<KeyHash> source, std::vector<KeyHash> gateway, Found* found = nullptr) {
    VectorStream at_source(std::move(source));
    VectorStream in_gateway(std::move(gateway));
    return diffStreams(
        at_source, in_gateway,
        [found](Discrepancy discrepancy, const std::string& key, const std::string&, const std::string&) {
            if (found != nullptr) {
                found->emplace_back(discrepancy, key);
            }
        });
}

TEST(StreamDiffTest, TwoEmptySidesAgree) {
    const DiffCounts counts = diff({}, {});
    EXPECT_TRUE(counts.agrees());
    EXPECT_EQ(counts.source_rows, 0);
    EXPECT_EQ(counts.gateway_rows, 0);
}

TEST(StreamDiffTest, EqualSidesAgreeAndAreCounted) {
    const std::vector<KeyHash> rows = {{"a", "1"}, {"b", "2"}, {"c", "3"}};
    Found found;
    const DiffCounts counts = diff(rows, rows, &found);
    EXPECT_TRUE(counts.agrees());
    EXPECT_EQ(counts.source_rows, 3);
    EXPECT_EQ(counts.gateway_rows, 3);
    EXPECT_TRUE(found.empty());
}

TEST(StreamDiffTest, EachDisagreementIsReportedOnceInKeyOrderIncludingAtBothEnds) {
    Found found;
    const DiffCounts counts = diff({{"a", "1"}, {"c", "3"}, {"d", "4*"}, {"f", "6"}, {"h", "8"}},
                                   {{"b", "2"}, {"c", "3"}, {"d", "4"}, {"e", "5"}, {"f", "6"}, {"i", "9"}}, &found);
    const Found expected = {{Discrepancy::MissingInGateway, "a"}, {Discrepancy::DeletedAtSource, "b"},
                            {Discrepancy::Changed, "d"},          {Discrepancy::DeletedAtSource, "e"},
                            {Discrepancy::MissingInGateway, "h"}, {Discrepancy::DeletedAtSource, "i"}};
    EXPECT_EQ(found, expected);
    EXPECT_EQ(counts.missing_in_gateway, 2);
    EXPECT_EQ(counts.deleted_at_source, 3);
    EXPECT_EQ(counts.changed, 1);
    EXPECT_EQ(counts.source_rows, 5);
    EXPECT_EQ(counts.gateway_rows, 6);
    EXPECT_FALSE(counts.agrees());
}

TEST(StreamDiffTest, OneSideEmptyMakesEveryRowOfTheOtherADisagreement) {
    EXPECT_EQ(diff({{"a", "1"}, {"b", "2"}}, {}).missing_in_gateway, 2);
    EXPECT_EQ(diff({}, {{"a", "1"}, {"b", "2"}}).deleted_at_source, 2);
}

TEST(StreamDiffTest, KeysCompareAsBytes) {
    // Upper case before lower case before any UTF-8 multi-byte character: the order of COLLATE "C" and of SQLite.
    const std::vector<KeyHash> rows = {{"", "0"}, {"Z9", "1"}, {"a1", "2"}, {"张三", "3"}, {"\xff", "4"}};
    EXPECT_TRUE(diff(rows, rows).agrees());
    EXPECT_EQ(diff(rows, rows).source_rows, 5);
}

TEST(StreamDiffTest, AStreamOutOfOrderOrRepeatingAKeyIsRefusedNamingItsSide) {
    const auto refused = [](std::vector<KeyHash> source, std::vector<KeyHash> gateway, const std::string& side,
                            const std::string& keys) {
        try {
            diff(std::move(source), std::move(gateway));
            ADD_FAILURE() << "accepted";
        } catch (const GatewayError& e) {
            EXPECT_EQ(e.code(), ErrorCode::SourceError);
            EXPECT_EQ(e.message().rfind(side, 0), 0u) << e.message();
            EXPECT_NE(e.message().find(keys), std::string::npos) << e.message();
        }
    };
    refused({{"b", "1"}, {"a", "2"}}, {}, "the source", "key \"a\" comes after \"b\"");
    refused({}, {{"a", "1"}, {"a", "1"}}, "the gateway", "key \"a\" comes after \"a\"");
    refused({{"a", "1"}, {"c", "1"}}, {{"a", "1"}, {"d", "1"}, {"c", "1"}}, "the gateway", "\"c\" comes after \"d\"");
}

TEST(StreamDiffTest, NamesAreTheReportsOwn) {
    EXPECT_EQ(discrepancyName(Discrepancy::MissingInGateway), "missing_in_gateway");
    EXPECT_EQ(discrepancyName(Discrepancy::DeletedAtSource), "deleted_at_source");
    EXPECT_EQ(discrepancyName(Discrepancy::Changed), "changed");
}

}  // namespace
}  // namespace gateway::reconcile
