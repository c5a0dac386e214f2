#include "gateway/linkage/scoring.h"

#include "gateway/common/error.h"
#include "tests/unit/linkage/linkage_fixtures.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace gateway::linkage {
namespace {

using fixtures::citizenId;
using fixtures::Rec;
using fixtures::Records;

// --- Comparator::level on the child configuration ---------------------------------------------------------------

class ChildLevelTest : public ::testing::Test {
protected:
    Records records_;

    int level(std::string_view comparison, std::size_t a, std::size_t b) {
        const Comparator comparator(records_.table());
        const int forward = comparator.level(fixtures::comparisonIndex(records_.config(), comparison), a, b);
        const int backward = comparator.level(fixtures::comparisonIndex(records_.config(), comparison), b, a);
        EXPECT_EQ(forward, backward) << comparison << ": a level does not depend on the order of the pair";
        return forward;
    }
    std::size_t add(Rec record) { return records_.add(std::move(record)); }
    std::size_t named(const std::string& name) { return add({.name = name}); }
    std::size_t born(const std::string& date) { return add({.birth_date = date}); }
    std::size_t living(const std::string& division) { return add({.residence_division = division}); }
    std::size_t withId(const std::string& id) { return add({.id_number = id}); }
    std::size_t withMother(const std::string& id) { return add({.guardians = {{"mother", "", id, ""}}}); }
};

// Levels of the child configuration, as config/linkage/child.json lists them.
constexpr int kExact = 0;
constexpr int kSurnamePinyin = 1, kSurnameDifferent = 2;
constexpr int kGivenPinyin = 1, kGivenOneEdit = 2, kGivenDifferent = 3;
constexpr int kIdOneEdit = 1, kIdTwoEdits = 2, kIdDifferent = 3;
constexpr int kDateSwapped = 1, kDateOneField = 2, kDateDifferent = 3;
constexpr int kTownship = 1, kDistrict = 2, kDivisionDifferent = 3;
constexpr int kMotherOneEdit = 1, kMotherDifferent = 2;

TEST_F(ChildLevelTest, IdenticalNamesAreExact) {
    const std::size_t a = named("张子涵");
    const std::size_t b = named("张子涵 ");
    EXPECT_EQ(level("surname", a, b), kExact);
    EXPECT_EQ(level("given_name", a, b), kExact);
    EXPECT_EQ(level("given_name", a, a), kExact);
}

TEST_F(ChildLevelTest, HomophoneGivenNamesAgreeAtThePinyinLevel) {
    const std::size_t a = named("张子涵");
    const std::size_t b = named("张紫涵");
    EXPECT_EQ(level("surname", a, b), kExact);
    EXPECT_EQ(level("given_name", a, b), kGivenPinyin);
    const std::size_t c = named("张紫寒");
    EXPECT_EQ(level("given_name", a, c), kGivenPinyin);
}

TEST_F(ChildLevelTest, HomophoneSurnamesAgreeAtThePinyinLevelNotExactly) {
    const std::size_t liu = named("刘洋");
    const std::size_t willow = named("柳洋");
    EXPECT_EQ(level("surname", liu, willow), kSurnamePinyin);
    EXPECT_EQ(level("given_name", liu, willow), kExact);
    EXPECT_EQ(level("surname", named("王芳"), named("黄芳")), kSurnameDifferent);
}

TEST_F(ChildLevelTest, SingleCharacterGivenNamesThatDifferAreDifferentNotOneEdit) {
    // 津 and 童 are one substitution apart, but nothing is left in common: that is not a typo.
    EXPECT_EQ(level("given_name", named("王津"), named("王童")), kGivenDifferent);
    EXPECT_EQ(level("given_name", named("王津"), named("王津")), kExact);
}

TEST_F(ChildLevelTest, OneTypoInALongerGivenNameIsOneEdit) {
    EXPECT_EQ(level("given_name", named("张子涵"), named("张子豪")), kGivenOneEdit);
    EXPECT_EQ(level("given_name", named("张子涵"), named("张涵子")), kGivenOneEdit);  // transposed
    EXPECT_EQ(level("given_name", named("李思思"), named("李思")), kGivenOneEdit);    // dropped character
    EXPECT_EQ(level("given_name", named("张子涵"), named("张雨萱")), kGivenDifferent);
}

TEST_F(ChildLevelTest, MotherNamesUseTheFullName) {
    const std::size_t a = add({.guardians = {{"mother", "李娜", "", ""}}});
    const std::size_t b = add({.guardians = {{"mother", "李娟", "", ""}}});
    const std::size_t c = add({.guardians = {{"mother", "李那", "", ""}}});
    const std::size_t d = add({.guardians = {{"mother", "王芳", "", ""}}});
    EXPECT_EQ(level("mother_name", a, b), 2);  // damerau<=1
    EXPECT_EQ(level("mother_name", a, c), 1);  // pinyin
    EXPECT_EQ(level("mother_name", a, d), 3);
}

TEST_F(ChildLevelTest, CharactersBeyondThePinyinTableStillCompareByCharacter) {
    const std::string ji = "\xF0\xA0\xAE\xB7";  // 𠮷, outside the BMP
    EXPECT_EQ(level("given_name", named("张" + ji), named("张" + ji)), kExact);
    EXPECT_EQ(level("given_name", named("张子" + ji), named("张紫" + ji)), kGivenOneEdit);
}

TEST_F(ChildLevelTest, DatesSwappedOrOffByOneField) {
    const std::size_t a = born("2014-03-05");
    EXPECT_EQ(level("birth_date", a, born("2014/3/5")), kExact);
    EXPECT_EQ(level("birth_date", a, born("2014-05-03")), kDateSwapped);
    EXPECT_EQ(level("birth_date", a, born("2014-03-06")), kDateOneField);
    EXPECT_EQ(level("birth_date", a, born("2013-03-05")), kDateOneField);
    EXPECT_EQ(level("birth_date", a, born("2014-11-05")), kDateOneField);
    EXPECT_EQ(level("birth_date", a, born("2014-04-06")), kDateDifferent);
    EXPECT_EQ(level("birth_date", a, born("2013-05-03")), kDateDifferent);
    EXPECT_EQ(level("birth_date", a, born("2015-04-06")), kDateDifferent);
    EXPECT_EQ(level("birth_date", born("2014-12-05"), born("2014-05-12")), kDateSwapped);
}

TEST_F(ChildLevelTest, DivisionPrefixLevelsFollowTheHierarchy) {
    const std::size_t village = living("320411101201");
    EXPECT_EQ(level("residence", village, living("320411101201")), kExact);
    EXPECT_EQ(level("residence", village, living("320411101202")), kTownship);  // same township
    EXPECT_EQ(level("residence", village, living("320411101")), kTownship);     // the township itself
    EXPECT_EQ(level("residence", village, living("320411102201")), kDistrict);  // same district
    EXPECT_EQ(level("residence", village, living("320411")), kDistrict);        // the district itself
    EXPECT_EQ(level("residence", village, living("320412101201")), kDivisionDifferent);
    EXPECT_EQ(level("residence", village, living("330411101201")), kDivisionDifferent);
}

TEST_F(ChildLevelTest, AbsentOnEitherSideIsTheNullLevel) {
    const std::size_t full = add({.name = "张子涵", .birth_date = "2014-03-05", .residence_division = "320411"});
    const std::size_t empty = add({.sex = "1"});
    const std::size_t placeholder = named("张某之女");
    for (const char* comparison : {"id_number", "birth_cert", "surname", "given_name", "sex", "birth_date", "residence",
                                   "hukou", "mother_id", "father_id", "mother_name", "mother_phone"}) {
        EXPECT_EQ(level(comparison, full, empty), kNullLevel) << comparison;
    }
    EXPECT_EQ(level("sex", full, full), kNullLevel) << "absent on both sides";
    EXPECT_EQ(level("given_name", full, placeholder), kNullLevel);
    EXPECT_EQ(level("surname", full, placeholder), kExact);
}

TEST_F(ChildLevelTest, TwoDifferentValidIdsAreAlwaysDifferent) {
    const std::string id = citizenId("320411", "20140305", 124);
    // Changing one digit of the body changes the check character too: two valid numbers two edits apart.
    const std::string near = citizenId("320411", "20140305", 126);
    ASSERT_EQ(id.substr(0, 16), near.substr(0, 16));
    const std::size_t a = withId(id);
    EXPECT_EQ(level("id_number", a, withId(near)), kIdDifferent);
    const std::string twin = citizenId("320411", "20140305", 144);
    EXPECT_EQ(level("id_number", a, withId(twin)), kIdDifferent);
    EXPECT_EQ(level("id_number", a, withId(citizenId("320411", "20140306", 124))), kIdDifferent);
    EXPECT_EQ(level("id_number", a, withId(id)), kExact);
}

TEST_F(ChildLevelTest, InvalidIdOneDigitOffIsOneEdit) {
    const std::string id = citizenId("320411", "20140305", 124);
    const std::size_t a = withId(id);
    const std::size_t wrong_check = withId(fixtures::withWrongCheck(id));
    ASSERT_FALSE(records_.table().entry(wrong_check, records_.config().fieldIndex("id_number")).valid);
    EXPECT_EQ(level("id_number", a, wrong_check), kIdOneEdit);
    const std::size_t wrong_digit = withId(fixtures::withBodyDigitChanged(id, 15));
    ASSERT_FALSE(records_.table().entry(wrong_digit, records_.config().fieldIndex("id_number")).valid);
    EXPECT_EQ(level("id_number", a, wrong_digit), kIdOneEdit);
    const std::string swapped = id.substr(0, 14) + id[15] + id[14] + id.substr(16);
    ASSERT_NE(swapped, id);
    const std::size_t transposed = withId(swapped);
    if (!records_.table().entry(transposed, records_.config().fieldIndex("id_number")).valid) {
        EXPECT_EQ(level("id_number", a, transposed), kIdOneEdit);
    }
}

TEST_F(ChildLevelTest, InvalidIdTwoDigitsOffIsTwoEdits) {
    const std::string id = citizenId("320411", "20140305", 124);
    const std::string two = fixtures::withBodyDigitChanged(fixtures::withBodyDigitChanged(id, 15), 8);
    const std::size_t b = withId(two);
    ASSERT_FALSE(records_.table().entry(b, records_.config().fieldIndex("id_number")).valid);
    EXPECT_EQ(level("id_number", withId(id), b), kIdTwoEdits);
    const std::string far = fixtures::withBodyDigitChanged(two, 3);
    EXPECT_EQ(level("id_number", withId(id), withId(far)), kIdDifferent);
}

TEST_F(ChildLevelTest, UpgradedFifteenDigitIdEqualsItsEighteenDigitForm) {
    const std::string body = "11010519800101123";
    EXPECT_EQ(level("id_number", withId("110105800101123"), withId(body + *model::CitizenId::checkCharacter(body))),
              kExact);
}

TEST_F(ChildLevelTest, MotherIdsFollowTheSameRules) {
    const std::string mother = citizenId("320411", "19880101", 222);
    const std::size_t a = withMother(mother);
    EXPECT_EQ(level("mother_id", a, withMother(mother)), kExact);
    EXPECT_EQ(level("mother_id", a, withMother(fixtures::withWrongCheck(mother))), kMotherOneEdit);
    EXPECT_EQ(level("mother_id", a, withMother(citizenId("320411", "19880101", 224))), kMotherDifferent);
}

// --- Levels of other kinds, on small configurations -------------------------------------------------------------

LinkageConfig textConfig(const std::string& levels) {
    return LinkageConfig::parse(R"({"fields": {"v": {"type": "text", "from": "/v"}},
        "comparisons": [{"field": "v", "levels": )" +
                                    levels + R"(}], "blocking": [["v"]]})",
                                "levels.json");
}

class TextLevelTest : public ::testing::Test {
protected:
    int level(const std::string& levels, const std::string& left, const std::string& right) {
        Records records(textConfig(levels));
        records.table().addJson(R"({"source":"s","source_id":"a","v":)" + left + "}");
        records.table().addJson(R"({"source":"s","source_id":"b","v":)" + right + "}");
        EXPECT_EQ(records.table().size(), 2u);
        return Comparator(records.table()).level(0, 0, 1);
    }
};

TEST_F(TextLevelTest, WithinComparesNumbers) {
    const std::string levels = R"(["exact", "within=1", "within=3"])";
    EXPECT_EQ(level(levels, "\"7\"", "\"7\""), 0);
    EXPECT_EQ(level(levels, "\"7\"", "\"8\""), 1);
    EXPECT_EQ(level(levels, "\"7\"", "\"6\""), 1);
    EXPECT_EQ(level(levels, "\"7.5\"", "\"8\""), 1);
    EXPECT_EQ(level(levels, "7", "10"), 2);
    EXPECT_EQ(level(levels, "\"-1\"", "\"1\""), 2);
    EXPECT_EQ(level(levels, "\"7\"", "\"11\""), 3);
    EXPECT_EQ(level(levels, "\"7\"", "\"seven\""), 3);
    EXPECT_EQ(level(levels, "\"7\"", "\"7a\""), 3);
    EXPECT_EQ(level(levels, "\"nan\"", "\"nan\""), 0) << "equal text is exact whatever it holds";
    EXPECT_EQ(level(levels, "\"inf\"", "\"1e400\""), 3);
    EXPECT_EQ(level(levels, "\"1e400\"", "\"2e400\""), 3) << "numbers too large for a double are no numbers";
    EXPECT_EQ(level(levels, "\"7\"", "\"\""), kNullLevel);
}

TEST_F(TextLevelTest, JaroWinklerAndDamerauOnText) {
    EXPECT_EQ(level(R"(["exact", "jaro_winkler>=0.9"])", "\"MARTHA\"", "\"marhta\""), 1);
    EXPECT_EQ(level(R"(["exact", "jaro_winkler>=0.9"])", "\"dixon\"", "\"dicksonx\""), 2);
    EXPECT_EQ(level(R"(["exact", "damerau<=1"])", "\"abcd\"", "\"abdc\""), 1);
    EXPECT_EQ(level(R"(["exact", "damerau<=1"])", "\"abcd\"", "\"badc\""), 2);
    EXPECT_EQ(level(R"(["exact", "damerau<=1"])", "\"a\"", "\"b\""), 2) << "one character each: nothing in common";
}

TEST_F(TextLevelTest, PrefixCountsCodePointsNotBytes) {
    EXPECT_EQ(level(R"(["exact", "prefix=3"])", "\"江苏省常州市\"", "\"江苏省南京市\""), 1);
    EXPECT_EQ(level(R"(["exact", "prefix=3"])", "\"江苏常州\"", "\"江西南昌\""), 2);
    EXPECT_EQ(level(R"(["exact", "prefix=3"])", "\"ab\"", "\"abc\""), 2) << "shorter than the prefix";
}

TEST_F(TextLevelTest, FirstLevelThatHoldsWins) {
    // Levels are tried strongest first: a pair that is both within 1 and within 3 takes "within=1".
    EXPECT_EQ(level(R"(["within=1", "within=3"])", "\"1\"", "\"2\""), 0);
    // Identical values take the first level that identical values meet.
    EXPECT_EQ(level(R"(["within=1", "within=3"])", "\"1\"", "\"1\""), 0);
}

// --- Patterns ------------------------------------------------------------------------------------------------------

TEST(PatternTest, PatternPacksEveryComparisonLevel) {
    Records records;
    const std::string id = citizenId("320411", "20140305", 124);
    const std::size_t a = records.add({.name = "张子涵", .sex = "2", .birth_date = "2014-03-05", .id_number = id});
    const std::size_t b = records.add({.name = "张紫涵", .sex = "1", .birth_date = "2014-05-03"});
    const Comparator comparator(records.table());
    const Pattern pattern = patternOf(comparator, a, b);
    for (std::size_t c = 0; c < records.config().comparisons.size(); ++c) {
        EXPECT_EQ(patternLevel(pattern, c), comparator.level(c, a, b)) << records.config().comparisons[c].name;
    }
    EXPECT_EQ(patternLevel(pattern, fixtures::comparisonIndex(records.config(), "given_name")), kGivenPinyin);
    EXPECT_EQ(patternLevel(pattern, fixtures::comparisonIndex(records.config(), "id_number")), kNullLevel);
    EXPECT_EQ(patternLevel(pattern, fixtures::comparisonIndex(records.config(), "sex")), 1);
}

// --- Term frequency -------------------------------------------------------------------------------------------------

class TermFrequencyTest : public ::testing::Test {
protected:
    void SetUp() override {
        const std::vector<std::string> given = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋"};
        for (const std::string& name : given) {
            wang_.push_back(records_.add({.name = "王" + name}));
        }
        ouyang_.push_back(records_.add({.name = "欧阳娜娜"}));
        ouyang_.push_back(records_.add({.name = "欧阳明"}));
        other_ = records_.add({.name = "覃明"});
    }

    Records records_;
    std::vector<std::size_t> wang_;
    std::vector<std::size_t> ouyang_;
    std::size_t other_ = 0;
};

TEST_F(TermFrequencyTest, ExactAgreementOnARareSurnameWeighsMoreThanOnACommonOne) {
    const ScoringModel model(records_.table(), fixtures::fixedChildModel(records_.config()));
    const std::size_t surname = fixtures::comparisonIndex(records_.config(), "surname");
    const std::size_t field = records_.config().fieldIndex("surname");
    const double common = model.levelWeight(surname, kExact, records_.table().value(wang_[0], field));
    const double rare = model.levelWeight(surname, kExact, records_.table().value(ouyang_[0], field));
    EXPECT_GT(rare, common);
    // log2(m / share): 王 is held by 10 of 13 records, 欧阳 by 2.
    EXPECT_NEAR(common, std::log2(0.90 / (10.0 / 13.0)), 1e-4);
    EXPECT_NEAR(rare, std::log2(0.90 / (2.0 / 13.0)), 1e-4);

    const PairExplanation wang = model.explain(wang_[0], wang_[1]);
    const PairExplanation ouyang = model.explain(ouyang_[0], ouyang_[1]);
    EXPECT_GT(ouyang.comparisons[surname].weight, wang.comparisons[surname].weight);
    EXPECT_TRUE(ouyang.comparisons[surname].term_frequency_adjusted);
    EXPECT_GT(model.weight(ouyang_[0], ouyang_[1]), model.weight(wang_[0], wang_[1]));
}

TEST_F(TermFrequencyTest, OnlyTheExactLevelIsAdjusted) {
    const ModelParams params = fixtures::fixedChildModel(records_.config());
    const ScoringModel model(records_.table(), params);
    const std::size_t surname = fixtures::comparisonIndex(records_.config(), "surname");
    const std::size_t field = records_.config().fieldIndex("surname");
    for (std::size_t record : {wang_[0], ouyang_[0], other_}) {
        const std::uint32_t value = records_.table().value(record, field);
        EXPECT_NEAR(model.levelWeight(surname, kSurnamePinyin, value), std::log2(0.06 / 0.01), 1e-9);
        EXPECT_NEAR(model.levelWeight(surname, kSurnameDifferent, value), std::log2(0.04 / 0.94), 1e-9);
        EXPECT_EQ(model.levelWeight(surname, kNullLevel, value), 0);
    }
    // A comparison without term frequencies weighs exact agreement by its u alone.
    const std::size_t sex = fixtures::comparisonIndex(records_.config(), "sex");
    EXPECT_NEAR(model.levelWeight(sex, kExact, 1), std::log2(0.98 / 0.5), 1e-9);
}

TEST_F(TermFrequencyTest, FrequenciesCountValuesHeldTwiceOrMore) {
    const TermFrequencies frequencies = TermFrequencies::fromTable(records_.table());
    ASSERT_EQ(frequencies.comparisons.size(), records_.config().comparisons.size());
    const auto& surname = frequencies.comparisons[fixtures::comparisonIndex(records_.config(), "surname")];
    EXPECT_EQ(surname.total, 13u);
    EXPECT_EQ(surname.counts.at("王"), 10u);
    EXPECT_EQ(surname.counts.at("欧阳"), 2u);
    EXPECT_FALSE(surname.counts.contains("覃"));
    const auto& sex = frequencies.comparisons[fixtures::comparisonIndex(records_.config(), "sex")];
    EXPECT_EQ(sex.total, 0u);
    EXPECT_TRUE(sex.counts.empty());
}

TEST_F(TermFrequencyTest, StoredFrequenciesReplaceTheTablesOwn) {
    // Explaining a pair later, against a model kept from a bigger run: the stored shares count, not the table's.
    TermFrequencies stored = TermFrequencies::fromTable(records_.table());
    const std::size_t surname = fixtures::comparisonIndex(records_.config(), "surname");
    stored.comparisons[surname].total = 1000;
    stored.comparisons[surname].counts = {{"王", 100}};
    const ScoringModel model(records_.table(), fixtures::fixedChildModel(records_.config()), &stored);
    const std::size_t field = records_.config().fieldIndex("surname");
    EXPECT_NEAR(model.levelWeight(surname, kExact, records_.table().value(wang_[0], field)), std::log2(0.9 / 0.1),
                1e-4);
    EXPECT_NEAR(model.levelWeight(surname, kExact, records_.table().value(ouyang_[0], field)), std::log2(0.9 / 0.001),
                1e-4);
}

// --- estimateU
// --------------------------------------------------------------------------------------------------------

constexpr const char* kUConfig = R"({"fields": {
        "sex": {"type": "text", "from": "/sex"},
        "code": {"type": "text", "from": "/code"},
        "id": {"type": "text", "from": "/id"}},
    "comparisons": [{"field": "sex", "levels": ["exact"]},
                    {"field": "code", "levels": ["exact", "damerau<=1"]},
                    {"field": "id", "levels": ["exact", "damerau<=1"]}],
    "blocking": [["sex"]]})";

void addURecord(Records& records, int i, const std::string& sex, const std::string& code) {
    std::string json =
        R"({"source":"s","source_id":")" + std::to_string(i) + R"(","id":"id)" + std::to_string(i) + "\"";
    if (!sex.empty()) {
        json += R"(,"sex":")" + sex + "\"";
    }
    json += R"(,"code":")" + code + "\"}";
    ASSERT_EQ(records.table().addJson(json), "");
}

void expectProbabilities(const std::vector<std::vector<double>>& u, const LinkageConfig& config) {
    ASSERT_EQ(u.size(), config.comparisons.size());
    for (std::size_t c = 0; c < u.size(); ++c) {
        ASSERT_EQ(u[c].size(), config.comparisons[c].levelCount());
        double sum = 0;
        for (double p : u[c]) {
            EXPECT_GT(p, 0) << config.comparisons[c].name;
            EXPECT_LT(p, 1) << config.comparisons[c].name;
            sum += p;
        }
        EXPECT_NEAR(sum, 1, 1e-9) << config.comparisons[c].name;
    }
}

TEST(EstimateUTest, ExactLevelIsTheSumOfSquaredValueShares) {
    Records records(LinkageConfig::parse(kUConfig, "u.json"));
    for (int i = 0; i < 1000; ++i) {
        addURecord(records, i, i < 600 ? "1" : "2", "x" + std::to_string(i % 10));
    }
    const auto u = estimateU(Comparator(records.table()), 20000, 7);
    expectProbabilities(u, records.config());
    EXPECT_NEAR(u[0][0], 0.6 * 0.6 + 0.4 * 0.4, 1e-3);
    EXPECT_NEAR(u[1][0], 10 * 0.1 * 0.1, 1e-3);
    // Every two different codes are one edit apart ("x3" and "x7"), so the rest of the pairs take that level.
    EXPECT_NEAR(u[1][1], 0.9, 0.02);
    EXPECT_LT(u[1][2], 0.01);
    // Every id is different: agreement by chance is rare, yet never impossible.
    EXPECT_GT(u[2][0], 0);
    EXPECT_LE(u[2][0], 1e-5);
}

TEST(EstimateUTest, ExactLevelCountsPairsOfTwoDifferentRecords) {
    // In a small table the difference shows: two *different* records agree with probability Σ c(c-1) / n(n-1)
    // (a record is never paired with itself), here (3·2 + 2·1) / (5·4) = 0.4, not Σ p² = 0.52.
    Records records(LinkageConfig::parse(kUConfig, "u.json"));
    for (int i = 0; i < 5; ++i) {
        addURecord(records, i, i < 3 ? "1" : "2", "c" + std::to_string(i));
    }
    const auto u = estimateU(Comparator(records.table()), 1000, 7);
    expectProbabilities(u, records.config());
    EXPECT_NEAR(u[0][0], 0.4, 1e-9);
}

TEST(EstimateUTest, AbsentValuesAreLeftOut) {
    Records records(LinkageConfig::parse(kUConfig, "u.json"));
    for (int i = 0; i < 400; ++i) {
        addURecord(records, i, i < 100 ? "1" : (i < 200 ? "2" : ""), "x");
    }
    const auto u = estimateU(Comparator(records.table()), 5000, 1);
    expectProbabilities(u, records.config());
    // Among the 200 records that hold a sex, half hold each.
    EXPECT_NEAR(u[0][0], 2 * 100.0 * 99.0 / (200.0 * 199.0), 1e-9);
}

TEST(EstimateUTest, DegenerateTablesStillGiveProbabilities) {
    Records empty(LinkageConfig::parse(kUConfig, "u.json"));
    expectProbabilities(estimateU(Comparator(empty.table()), 100, 1), empty.config());
    Records one(LinkageConfig::parse(kUConfig, "u.json"));
    addURecord(one, 0, "1", "x");
    expectProbabilities(estimateU(Comparator(one.table()), 100, 1), one.config());
    Records same(LinkageConfig::parse(kUConfig, "u.json"));
    for (int i = 0; i < 50; ++i) {
        addURecord(same, i, "1", "x");
    }
    const auto u = estimateU(Comparator(same.table()), 100, 1);
    expectProbabilities(u, same.config());
    EXPECT_GT(u[0][0], 0.9);
    expectProbabilities(estimateU(Comparator(same.table()), 0, 1), same.config());
}

TEST(EstimateUTest, SameSeedSameEstimate) {
    Records records(LinkageConfig::parse(kUConfig, "u.json"));
    for (int i = 0; i < 300; ++i) {
        addURecord(records, i, i % 3 == 0 ? "1" : "2", "x" + std::to_string(i % 17));
    }
    EXPECT_EQ(estimateU(Comparator(records.table()), 2000, 11), estimateU(Comparator(records.table()), 2000, 11));
}

// --- estimateM (EM)
// ---------------------------------------------------------------------------------------------------

constexpr const char* kEmConfig = R"({"fields": {
        "a": {"type": "text", "from": "/a"}, "b": {"type": "text", "from": "/b"},
        "c": {"type": "text", "from": "/c"}, "d": {"type": "text", "from": "/d"}},
    "comparisons": [{"field": "a", "levels": ["exact", "damerau<=1"]},
                    {"field": "b", "levels": ["exact"]},
                    {"field": "c", "levels": ["exact"]},
                    {"field": "d", "levels": ["exact"]}],
    "blocking": [["a"]]})";

/// Synthetic candidate pairs with a known match status and per-level probabilities, as pattern counts, and what
/// the drawn pairs show: the empirical m among the true matches, u among the rest, the match share.
struct Synthetic {
    RulePatterns rule;
    std::vector<std::vector<double>> match_counts;
    std::vector<std::vector<double>> non_match_counts;
    std::uint64_t matches = 0;
    std::uint64_t pairs = 0;

    static std::vector<double> shares(const std::vector<double>& counts) {
        double total = 0;
        for (double c : counts) {
            total += c;
        }
        std::vector<double> result;
        for (double c : counts) {
            result.push_back(c / total);
        }
        return result;
    }
};

const std::vector<std::vector<double>> kTrueM = {{0.85, 0.10, 0.05}, {0.90, 0.10}, {0.80, 0.20}, {0.95, 0.05}};
const std::vector<std::vector<double>> kTrueU = {{0.02, 0.08, 0.90}, {0.10, 0.90}, {0.20, 0.80}, {0.05, 0.95}};

Synthetic synthesise(std::uint64_t pairs, double match_share, std::uint64_t seed, int masked = -1) {
    std::mt19937_64 random(seed);
    std::uniform_real_distribution<double> uniform(0, 1);
    Synthetic data;
    data.rule.masked.assign(kTrueM.size(), false);
    if (masked >= 0) {
        data.rule.masked[static_cast<std::size_t>(masked)] = true;
    }
    for (std::size_t c = 0; c < kTrueM.size(); ++c) {
        data.match_counts.emplace_back(kTrueM[c].size(), 0.0);
        data.non_match_counts.emplace_back(kTrueM[c].size(), 0.0);
    }
    for (std::uint64_t p = 0; p < pairs; ++p) {
        const bool match = uniform(random) < match_share;
        Pattern pattern = 0;
        for (std::size_t c = 0; c < kTrueM.size(); ++c) {
            int level = 0;
            if (masked == static_cast<int>(c)) {
                level = 0;  // blocked on this field: the pair agrees on it by construction
            } else if (c == 3 && uniform(random) < 0.1) {
                level = kNullLevel;  // d is missing from one record of a pair in ten
            } else {
                const auto& probabilities = match ? kTrueM[c] : kTrueU[c];
                double draw = uniform(random);
                level = static_cast<int>(probabilities.size()) - 1;
                for (std::size_t l = 0; l < probabilities.size(); ++l) {
                    if (draw < probabilities[l]) {
                        level = static_cast<int>(l);
                        break;
                    }
                    draw -= probabilities[l];
                }
            }
            if (level != kNullLevel && masked != static_cast<int>(c)) {
                (match ? data.match_counts : data.non_match_counts)[c][static_cast<std::size_t>(level)] += 1;
            }
            pattern |= static_cast<Pattern>(level + 1) << (4 * c);
        }
        ++data.rule.counts[pattern];
        data.matches += match ? 1 : 0;
        ++data.pairs;
    }
    return data;
}

EmSettings emSettings() {
    EmSettings settings;
    settings.max_iterations = 2000;
    settings.tolerance = 1e-8;
    settings.min_m = 0.001;
    return settings;
}

TEST(EstimateMTest, RecoversTheMOfTheTrueMatchesAndTheirShare) {
    const LinkageConfig config = LinkageConfig::parse(kEmConfig, "em.json");
    const Synthetic data = synthesise(6000, 0.15, 2024);
    std::vector<std::vector<double>> u;
    for (const auto& counts : data.non_match_counts) {
        u.push_back(Synthetic::shares(counts));
    }
    const ModelParams params = estimateM(config, u, {data.rule}, emSettings());
    EXPECT_TRUE(params.converged);
    EXPECT_EQ(params.pairs, 6000u);
    EXPECT_NEAR(params.lambda, static_cast<double>(data.matches) / static_cast<double>(data.pairs), 0.02);
    ASSERT_EQ(params.comparisons.size(), 4u);
    for (std::size_t c = 0; c < 4; ++c) {
        const std::vector<double> empirical = Synthetic::shares(data.match_counts[c]);
        ASSERT_EQ(params.comparisons[c].m.size(), empirical.size());
        double sum = 0;
        for (std::size_t l = 0; l < empirical.size(); ++l) {
            EXPECT_NEAR(params.comparisons[c].m[l], empirical[l], 0.05) << "comparison " << c << " level " << l;
            sum += params.comparisons[c].m[l];
        }
        EXPECT_NEAR(sum, 1, 1e-9);
        EXPECT_EQ(params.comparisons[c].u, u[c]) << "u is held fixed";
    }
}

TEST(EstimateMTest, AComparisonARuleBlocksOnLearnsNothingFromThatRule) {
    const LinkageConfig config = LinkageConfig::parse(kEmConfig, "em.json");
    const Synthetic free = synthesise(5000, 0.15, 11);
    const Synthetic blocked = synthesise(5000, 0.30, 12, 0);
    std::vector<std::vector<double>> u;
    for (std::size_t c = 0; c < 4; ++c) {
        std::vector<double> counts = free.non_match_counts[c];
        for (std::size_t l = 0; l < counts.size(); ++l) {
            counts[l] += blocked.non_match_counts[c][l];
        }
        u.push_back(Synthetic::shares(counts));
    }
    const ModelParams params = estimateM(config, u, {free.rule, blocked.rule}, emSettings());
    // a's m comes from the first rule only: the second agrees on a by construction and would push m towards 1.
    const std::vector<double> empirical_a = Synthetic::shares(free.match_counts[0]);
    for (std::size_t l = 0; l < empirical_a.size(); ++l) {
        EXPECT_NEAR(params.comparisons[0].m[l], empirical_a[l], 0.05) << "level " << l;
    }
    // b's m pools both rules.
    std::vector<double> counts_b = free.match_counts[1];
    counts_b[0] += blocked.match_counts[1][0];
    counts_b[1] += blocked.match_counts[1][1];
    EXPECT_NEAR(params.comparisons[1].m[0], Synthetic::shares(counts_b)[0], 0.05);
    // λ is the pair-weighted mean of the rules' shares.
    const double share = static_cast<double>(free.matches + blocked.matches) / 10000.0;
    EXPECT_NEAR(params.lambda, share, 0.03);
    EXPECT_EQ(params.pairs, 10000u);
}

TEST(EstimateMTest, FixedProbabilitiesAreKept) {
    const LinkageConfig config = LinkageConfig::parse(R"({"fields": {
            "a": {"type": "text", "from": "/a"}, "b": {"type": "text", "from": "/b"},
            "c": {"type": "text", "from": "/c"}, "d": {"type": "text", "from": "/d"}},
        "comparisons": [{"field": "a", "levels": ["exact", "damerau<=1"]},
                        {"field": "b", "levels": ["exact"], "m": [0.7, 0.3], "u": [0.4, 0.6]},
                        {"field": "c", "levels": ["exact"]},
                        {"field": "d", "levels": ["exact"]}],
        "blocking": [["a"]]})",
                                                      "em.json");
    const Synthetic data = synthesise(3000, 0.2, 5);
    std::vector<std::vector<double>> u;
    for (const auto& counts : data.non_match_counts) {
        u.push_back(Synthetic::shares(counts));
    }
    const ModelParams params = estimateM(config, u, {data.rule}, emSettings());
    ASSERT_EQ(params.comparisons[1].m.size(), 2u);
    EXPECT_NEAR(params.comparisons[1].m[0], 0.7, 1e-12);
    EXPECT_NEAR(params.comparisons[1].m[1], 0.3, 1e-12);
    EXPECT_NEAR(params.comparisons[1].u[0], 0.4, 1e-12);
    EXPECT_NEAR(params.comparisons[1].u[1], 0.6, 1e-12);
}

TEST(EstimateMTest, WithoutEvidenceAComparisonKeepsAPriorAndEveryLevelStaysPossible) {
    const LinkageConfig config = LinkageConfig::parse(kEmConfig, "em.json");
    std::vector<std::vector<double>> u = kTrueU;
    // No rule at all.
    const ModelParams none = estimateM(config, u, {}, emSettings());
    EXPECT_DOUBLE_EQ(none.lambda, 0.01);
    EXPECT_EQ(none.pairs, 0u);
    ASSERT_EQ(none.comparisons.size(), 4u);
    EXPECT_GT(none.comparisons[0].m[0], none.comparisons[0].m[2]);
    // A rule with only masked patterns for a: a keeps the prior, strictly ordered and summing to 1.
    Synthetic blocked = synthesise(2000, 0.3, 9, 0);
    const ModelParams params = estimateM(config, u, {blocked.rule}, emSettings());
    const auto& m = params.comparisons[0].m;
    EXPECT_GT(m[0], m[1]);
    EXPECT_GT(m[0], m[2]);
    EXPECT_NEAR(m[0] + m[1] + m[2], 1, 1e-9);
    for (const auto& comparison : params.comparisons) {
        for (double p : comparison.m) {
            EXPECT_GE(p, 0.001 * 0.99) << "min_m keeps every level possible";
        }
    }
}

TEST(EstimateMTest, EmptyRulesAreSkipped) {
    const LinkageConfig config = LinkageConfig::parse(kEmConfig, "em.json");
    const Synthetic data = synthesise(4000, 0.15, 77);
    std::vector<std::vector<double>> u;
    for (const auto& counts : data.non_match_counts) {
        u.push_back(Synthetic::shares(counts));
    }
    RulePatterns empty;
    empty.masked.assign(4, false);
    const ModelParams with = estimateM(config, u, {empty, data.rule, empty}, emSettings());
    const ModelParams without = estimateM(config, u, {data.rule}, emSettings());
    EXPECT_NEAR(with.lambda, without.lambda, 1e-12);
    EXPECT_EQ(with.pairs, without.pairs);
    for (std::size_t c = 0; c < 4; ++c) {
        for (std::size_t l = 0; l < with.comparisons[c].m.size(); ++l) {
            EXPECT_NEAR(with.comparisons[c].m[l], without.comparisons[c].m[l], 1e-12);
        }
    }
}

// --- Explanations -------------------------------------------------------------------------------------------------

class ExplanationTest : public ::testing::Test {
protected:
    void SetUp() override {
        mother_ = citizenId("320411", "19880101", 222);
        const std::vector<fixtures::Guardian> guardians = {{"mother", "李娜", mother_, "13900000001"}};
        child_ = records_.add({.source = "police",
                               .source_id = "P1",
                               .name = "张子涵",
                               .sex = "2",
                               .birth_date = "2014-03-05",
                               .id_number = id_,
                               .residence_division = "320411101201",
                               .hukou_division = "320411101201",
                               .guardians = guardians});
        school_ = records_.add({.source = "school",
                                .source_id = "S1",
                                .name = "张紫涵",
                                .sex = "2",
                                .birth_date = "2014-03-05",
                                .residence_division = "320411101202",
                                .student_no = "G" + id_,
                                .guardians = guardians});
        stranger_ = records_.add({.source = "school",
                                  .source_id = "S2",
                                  .name = "王浩然",
                                  .sex = "1",
                                  .birth_date = "2011-09-12",
                                  .residence_division = "330102001001",
                                  .hukou_division = "330102001001",
                                  .student_no = "G" + citizenId("330102", "20110912", 311),
                                  .guardians = {{"mother", "赵敏", citizenId("330102", "19850101", 442), "13700000000"},
                                                {"father", "王刚", citizenId("330102", "19830101", 313), ""}}});
        const std::vector<std::string> given = {"明", "芳", "强", "静", "磊", "敏", "军", "丽", "洋", "勇"};
        for (int i = 0; i < 20; ++i) {
            records_.add({.source = "civil", .name = std::string(i % 2 ? "陈" : "林") + given[i % 10]});
        }
    }

    const std::string id_ = citizenId("320411", "20140305", 124);
    std::string mother_;
    Records records_;
    std::size_t child_ = 0;
    std::size_t school_ = 0;
    std::size_t stranger_ = 0;
};

/// The pair's total as the comparisons add up: ungrouped weights plus each group's sum, clamped.
double recomputedWeight(const LinkageConfig& config, const PairExplanation& explanation) {
    double total = 0;
    for (std::size_t c = 0; c < explanation.comparisons.size(); ++c) {
        if (explanation.comparisons[c].group.empty()) {
            total += explanation.comparisons[c].weight;
        }
    }
    for (const ComparisonGroup& group : config.groups) {
        double sum = 0;
        for (std::size_t c : group.comparisons) {
            EXPECT_EQ(explanation.comparisons[c].group, group.name);
            sum += explanation.comparisons[c].weight;
        }
        total += std::clamp(sum, group.min_weight, group.max_weight);
    }
    return total;
}

TEST_F(ExplanationTest, ListsEveryComparisonWithItsLevelAndWeight) {
    const ScoringModel model(records_.table(), fixtures::fixedChildModel(records_.config()));
    const PairExplanation explanation = model.explain(child_, school_);
    EXPECT_EQ(explanation.left, "police/P1");
    EXPECT_EQ(explanation.right, "school/S1");
    ASSERT_EQ(explanation.comparisons.size(), records_.config().comparisons.size());
    for (std::size_t c = 0; c < explanation.comparisons.size(); ++c) {
        EXPECT_EQ(explanation.comparisons[c].comparison, records_.config().comparisons[c].name);
    }
    auto part = [&](std::string_view name) {
        return explanation.comparisons[fixtures::comparisonIndex(records_.config(), name)];
    };
    EXPECT_EQ(part("id_number").level, "exact");
    EXPECT_EQ(part("id_number").left, id_);
    EXPECT_EQ(part("id_number").right, id_);
    EXPECT_EQ(part("given_name").level, "pinyin");
    EXPECT_NEAR(part("given_name").weight, std::log2(0.07 / 0.001), 1e-9);
    EXPECT_EQ(part("given_name").left, "子涵");
    EXPECT_EQ(part("given_name").right, "紫涵");
    EXPECT_EQ(part("residence").level, "prefix=9");
    EXPECT_EQ(part("residence").group, "household");
    EXPECT_EQ(part("hukou").level, "absent");
    EXPECT_EQ(part("hukou").weight, 0);
    EXPECT_EQ(part("hukou").right, "");
    EXPECT_EQ(part("birth_cert").level, "absent");
    EXPECT_EQ(part("surname").level, "exact");
    EXPECT_TRUE(part("surname").term_frequency_adjusted);
    EXPECT_FALSE(part("sex").term_frequency_adjusted);
    EXPECT_NEAR(part("sex").weight, std::log2(0.98 / 0.5), 1e-9);
    EXPECT_DOUBLE_EQ(part("sex").m, 0.98);
    EXPECT_DOUBLE_EQ(part("sex").u, 0.5);
    EXPECT_EQ(explanation.deterministic_rule, "citizen_id");
    EXPECT_EQ(explanation.band, "link");
}

TEST_F(ExplanationTest, WeightsSumToTheTotalWithGroupClampsNoted) {
    const ScoringModel model(records_.table(), fixtures::fixedChildModel(records_.config()));
    const PairExplanation same = model.explain(child_, school_);
    EXPECT_NEAR(same.weight, recomputedWeight(records_.config(), same), 1e-6);
    EXPECT_NEAR(same.weight, model.weight(child_, school_), 1e-3);
    // residence +1.9, mother_id +9.8, mother_name +8.7, mother_phone +8.6: above the household maximum of 12.
    ASSERT_EQ(same.notes.size(), 1u);
    EXPECT_EQ(same.notes[0].rfind("group household: +", 0), 0u) << same.notes[0];
    EXPECT_NE(same.notes[0].find(" clamped to +12.00"), std::string::npos) << same.notes[0];

    const PairExplanation other = model.explain(child_, stranger_);
    EXPECT_NEAR(other.weight, recomputedWeight(records_.config(), other), 1e-6);
    EXPECT_NEAR(other.weight, model.weight(child_, stranger_), 1e-3);
    // Every household comparison disagrees: about -21 bits, clamped to the minimum of -12.
    ASSERT_EQ(other.notes.size(), 1u);
    EXPECT_EQ(other.notes[0].rfind("group household: -", 0), 0u) << other.notes[0];
    EXPECT_NE(other.notes[0].find(" clamped to -12.00"), std::string::npos) << other.notes[0];
    EXPECT_EQ(other.deterministic_rule, "");
    EXPECT_EQ(other.band, "non_link");
    EXPECT_EQ(other.comparisons[fixtures::comparisonIndex(records_.config(), "id_number")].level, "different");
}

TEST_F(ExplanationTest, ProbabilityFollowsWeightAndLambda) {
    const ScoringModel model(records_.table(), fixtures::fixedChildModel(records_.config()));
    for (const auto& [a, b] : {std::pair{child_, school_}, std::pair{child_, stranger_}}) {
        const PairExplanation explanation = model.explain(a, b);
        const double odds = explanation.weight + std::log2(0.05 / 0.95);
        EXPECT_NEAR(explanation.probability, 1 / (1 + std::exp2(-odds)), 1e-9);
        EXPECT_GE(explanation.probability, 0);
        EXPECT_LE(explanation.probability, 1);
    }
    EXPECT_GT(model.explain(child_, school_).probability, 0.99);
    EXPECT_LT(model.explain(child_, stranger_).probability, 0.01);
}

TEST_F(ExplanationTest, BandsFollowTheThresholds) {
    Records records;
    const std::size_t a = records.add({.name = "张子涵",
                                       .sex = "2",
                                       .birth_date = "2014-03-05",
                                       .guardians = {{"mother", "李娜", mother_, "13900000001"}}});
    // Same name and sex, day and month swapped, nothing of the household: between review (6) and link (14).
    const std::size_t b = records.add({.source = "school", .name = "张子涵", .sex = "2", .birth_date = "2014-05-03"});
    const std::size_t c = records.add({.source = "school", .name = "李明", .sex = "1", .birth_date = "2001-01-01"});
    // Same child without IDs: the mother's name and phone agree too.
    const std::size_t d = records.add({.source = "school",
                                       .name = "张子涵",
                                       .sex = "2",
                                       .birth_date = "2014-03-05",
                                       .guardians = {{"mother", "李娜", "", "13900000001"}}});
    const ScoringModel model(records.table(), fixtures::fixedChildModel(records.config()));
    const PairExplanation review = model.explain(a, b);
    EXPECT_EQ(review.band, "review") << review.weight;
    EXPECT_GE(review.weight, 6);
    EXPECT_LT(review.weight, 14);
    const PairExplanation link = model.explain(a, d);
    EXPECT_EQ(link.band, "link") << link.weight;
    EXPECT_EQ(link.deterministic_rule, "");
    EXPECT_GE(link.weight, 14);
    const PairExplanation none = model.explain(a, c);
    EXPECT_EQ(none.band, "non_link") << none.weight;
    EXPECT_LT(none.weight, 6);
}

TEST_F(ExplanationTest, DeterministicRuleIsNamed) {
    const ScoringModel model(records_.table(), fixtures::fixedChildModel(records_.config()));
    EXPECT_EQ(model.deterministicRule(child_, school_), 0u);
    EXPECT_EQ(model.deterministicRule(child_, stranger_), std::string::npos);
    Records records;
    const std::size_t newborn = records.add({.source = "health",
                                             .name = "张某之女",
                                             .sex = "2",
                                             .birth_date = "2014-03-05",
                                             .guardians = {{"mother", "李娜", mother_, ""}}});
    const std::size_t child = records.add({.name = "张子涵",
                                           .sex = "2",
                                           .birth_date = "2014-03-05",
                                           .id_number = id_,
                                           .guardians = {{"mother", "李娜", mother_, ""}}});
    const ScoringModel small(records.table(), fixtures::fixedChildModel(records.config()));
    const PairExplanation explanation = small.explain(newborn, child);
    EXPECT_EQ(explanation.deterministic_rule, "newborn_by_mother");
    EXPECT_EQ(explanation.band, "link");
}

TEST_F(ExplanationTest, JsonIsValidAndCarriesEveryPart) {
    const ScoringModel model(records_.table(), fixtures::fixedChildModel(records_.config()));
    for (const auto& [a, b] : {std::pair{child_, school_}, std::pair{child_, stranger_}}) {
        const PairExplanation explanation = model.explain(a, b);
        rapidjson::Document document;
        document.Parse(explanation.toJson().c_str());
        ASSERT_FALSE(document.HasParseError()) << explanation.toJson();
        ASSERT_TRUE(document.IsObject());
        EXPECT_EQ(std::string(document["left"].GetString()), explanation.left);
        EXPECT_EQ(std::string(document["right"].GetString()), explanation.right);
        EXPECT_NEAR(document["weight"].GetDouble(), explanation.weight, 1e-3);
        EXPECT_EQ(std::string(document["band"].GetString()), explanation.band);
        EXPECT_EQ(document.HasMember("deterministic_rule"), !explanation.deterministic_rule.empty());
        ASSERT_TRUE(document["comparisons"].IsArray());
        ASSERT_EQ(document["comparisons"].Size(), explanation.comparisons.size());
        for (rapidjson::SizeType i = 0; i < document["comparisons"].Size(); ++i) {
            const auto& part = document["comparisons"][i];
            EXPECT_EQ(std::string(part["comparison"].GetString()), explanation.comparisons[i].comparison);
            EXPECT_EQ(std::string(part["level"].GetString()), explanation.comparisons[i].level);
            EXPECT_NEAR(part["weight"].GetDouble(), explanation.comparisons[i].weight, 1e-3);
        }
        ASSERT_TRUE(document.HasMember("notes"));
        EXPECT_EQ(document["notes"].Size(), explanation.notes.size());
        const std::string text = explanation.toText();
        for (const ComparisonExplanation& part : explanation.comparisons) {
            EXPECT_NE(text.find(part.comparison), std::string::npos) << text;
        }
        EXPECT_NE(text.find("band " + explanation.band), std::string::npos) << text;
    }
}

TEST_F(ExplanationTest, JsonEscapesHostileValues) {
    Records records;
    const std::size_t a = records.add({.source = "po\"lice", .source_id = "x\\1\n", .sex = "\"1\"</script>"});
    const std::size_t b = records.add({.source = "school", .sex = "\"1\"</script>"});
    const ScoringModel model(records.table(), fixtures::fixedChildModel(records.config()));
    const std::string json = model.explain(a, b).toJson();
    rapidjson::Document document;
    document.Parse(json.c_str());
    ASSERT_FALSE(document.HasParseError()) << json;
    EXPECT_EQ(std::string(document["left"].GetString()), "po\"lice/x\\1\n");
}

// --- Stored models ---------------------------------------------------------------------------------------------------

TEST(ModelJsonTest, ModelAndFrequenciesRoundTrip) {
    Records records;
    records.add({.name = "王伟"});
    records.add({.name = "王芳"});
    records.add({.name = "欧阳娜娜"});
    ModelParams params = fixtures::fixedChildModel(records.config());
    params.lambda = 0.0123;
    const TermFrequencies frequencies = TermFrequencies::fromTable(records.table());
    const std::string json = modelToJson(records.config(), params, frequencies);
    ModelParams read;
    TermFrequencies read_frequencies;
    modelFromJson(records.config(), json, read, read_frequencies);
    EXPECT_DOUBLE_EQ(read.lambda, 0.0123);
    ASSERT_EQ(read.comparisons.size(), params.comparisons.size());
    for (std::size_t c = 0; c < params.comparisons.size(); ++c) {
        for (std::size_t l = 0; l < params.comparisons[c].m.size(); ++l) {
            EXPECT_NEAR(read.comparisons[c].m[l], params.comparisons[c].m[l], 1e-12);
            EXPECT_NEAR(read.comparisons[c].u[l], params.comparisons[c].u[l], 1e-12);
        }
    }
    const std::size_t surname = fixtures::comparisonIndex(records.config(), "surname");
    EXPECT_EQ(read_frequencies.comparisons[surname].total, 3u);
    EXPECT_EQ(read_frequencies.comparisons[surname].counts.at("王"), 2u);
}

TEST(ModelJsonTest, ModelForAnotherConfigurationIsRefused) {
    const LinkageConfig child = LinkageConfig::builtinChild();
    const LinkageConfig other = LinkageConfig::parse(kEmConfig, "em.json");
    ModelParams params;
    params.comparisons.assign(4, LevelProbabilities{{0.9, 0.1}, {0.1, 0.9}});
    params.comparisons[0] = LevelProbabilities{{0.8, 0.1, 0.1}, {0.1, 0.1, 0.8}};
    const std::string json = modelToJson(other, params, TermFrequencies());
    ModelParams read;
    TermFrequencies frequencies;
    try {
        modelFromJson(child, json, read, frequencies);
        ADD_FAILURE() << "a model of 4 comparisons was read for 12";
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.code(), ErrorCode::InvalidArgument);
        EXPECT_EQ(error.message(), "stored linkage model: made for another configuration (4 comparisons)");
    }
    for (const std::string garbage : {"", "[]", "{\"lambda\":0.1}", "{\"comparisons\":[],\"lambda\":\"x\"}", "nul"}) {
        try {
            modelFromJson(child, garbage, read, frequencies);
            ADD_FAILURE() << "read a model from " << garbage;
        } catch (const GatewayError& error) {
            EXPECT_EQ(error.code(), ErrorCode::InvalidArgument);
            EXPECT_EQ(error.message(), "stored linkage model: not a model") << garbage;
        }
    }
}

TEST(ScoringModelTest, ModelOfTheWrongSizeIsRefused) {
    Records records;
    ModelParams params;
    params.comparisons.resize(3);
    EXPECT_THROW(ScoringModel(records.table(), params), GatewayError);
}

}  // namespace
}  // namespace gateway::linkage
