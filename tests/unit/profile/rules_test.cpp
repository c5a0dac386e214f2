#include "gateway/profile/rules.h"

#include "gateway/common/error.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gateway::profile {
namespace {

using Lines = std::vector<std::string>;

::testing::AssertionResult contains(const std::string& text, const std::string& part) {
    if (text.find(part) != std::string::npos) {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

rapidjson::Document document(const std::string& json) {
    rapidjson::Document parsed;
    parsed.Parse(json.c_str(), json.size());
    EXPECT_FALSE(parsed.HasParseError()) << json;
    return parsed;
}

/// A rule set of one rule, code "r", with `when` as its condition.
RuleSet oneRule(const std::string& when) {
    return RuleSet::parse(R"({"rules": [{"code": "r", "label": "R", "when": )" + when + "}]}", "test.json");
}

bool fires(const std::string& when, const std::string& json) {
    return !oneRule(when).evaluate(document(json)).empty();
}

/// The one match of a one-rule set; fails the test when the rule does not hold.
RuleMatch match(const std::string& when, const std::string& json) {
    std::vector<RuleMatch> matches = oneRule(when).evaluate(document(json));
    if (matches.size() != 1) {
        ADD_FAILURE() << "expected the rule to hold: " << when << " on " << json;
        return {};
    }
    return matches.front();
}

/// The message of the InvalidConfig error parsing `json` throws; fails the test when it throws none or another.
std::string failure(const std::string& json) {
    try {
        RuleSet::parse(json, "test.json");
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.code(), ErrorCode::InvalidConfig) << error.message();
        return error.message();
    }
    ADD_FAILURE() << "parsed without error: " << json;
    return {};
}

std::string whenFailure(const std::string& when) {
    return failure(R"({"rules": [{"code": "r", "when": )" + when + "}]}");
}

// eq / ne

TEST(RulesTest, EqComparesStringsNumbersAndBooleansWithoutCoercion) {
    EXPECT_TRUE(fires(R"({"path": "/s", "eq": "a"})", R"({"s": "a"})"));
    EXPECT_FALSE(fires(R"({"path": "/s", "eq": "a"})", R"({"s": "A"})"));
    EXPECT_FALSE(fires(R"({"path": "/s", "eq": "a"})", R"({"s": "a "})"));
    EXPECT_TRUE(fires(R"({"path": "/n", "eq": 12})", R"({"n": 12})"));
    EXPECT_TRUE(fires(R"({"path": "/n", "eq": 12})", R"({"n": 12.0})"));
    EXPECT_TRUE(fires(R"({"path": "/n", "eq": 12.0})", R"({"n": 12})"));
    EXPECT_FALSE(fires(R"({"path": "/n", "eq": 12})", R"({"n": 12.5})"));
    EXPECT_TRUE(fires(R"({"path": "/b", "eq": false})", R"({"b": false})"));
    EXPECT_FALSE(fires(R"({"path": "/b", "eq": false})", R"({"b": true})"));
    // Type mismatches are unequal, never converted.
    EXPECT_FALSE(fires(R"({"path": "/n", "eq": 12})", R"({"n": "12"})"));
    EXPECT_FALSE(fires(R"({"path": "/s", "eq": "12"})", R"({"s": 12})"));
    EXPECT_FALSE(fires(R"({"path": "/b", "eq": true})", R"({"b": 1})"));
    EXPECT_FALSE(fires(R"({"path": "/b", "eq": false})", R"({"b": 0})"));
    EXPECT_FALSE(fires(R"({"path": "/b", "eq": false})", R"({"b": null})"));
    EXPECT_FALSE(fires(R"({"path": "/o", "eq": "a"})", R"({"o": ["a"]})"));
    EXPECT_FALSE(fires(R"({"path": "/o", "eq": "a"})", R"({"o": {"a": "a"}})"));
}

TEST(RulesTest, EqOnAbsentOrNullIsFalse) {
    EXPECT_FALSE(fires(R"({"path": "/s", "eq": "a"})", R"({})"));
    EXPECT_FALSE(fires(R"({"path": "/s", "eq": "a"})", R"({"s": null})"));
    EXPECT_FALSE(fires(R"({"path": "/s/t", "eq": "a"})", R"({"s": "a"})"));
    EXPECT_FALSE(fires(R"({"path": "/s/0", "eq": "a"})", R"({"s": []})"));
}

TEST(RulesTest, EqComparesLargeIntegersExactly) {
    // 2^53 + 1 and 2^53 are the same double; as integers they differ.
    EXPECT_FALSE(fires(R"({"path": "/n", "eq": 9007199254740993})", R"({"n": 9007199254740992})"));
    EXPECT_TRUE(fires(R"({"path": "/n", "eq": 9007199254740993})", R"({"n": 9007199254740993})"));
    EXPECT_TRUE(fires(R"({"path": "/n", "eq": -3})", R"({"n": -3})"));
}

TEST(RulesTest, NeHoldsOnAbsentNullAndOtherTypes) {
    EXPECT_TRUE(fires(R"({"path": "/s", "ne": "present"})", R"({"s": "away"})"));
    EXPECT_FALSE(fires(R"({"path": "/s", "ne": "present"})", R"({"s": "present"})"));
    EXPECT_TRUE(fires(R"({"path": "/s", "ne": "present"})", R"({})"));
    EXPECT_TRUE(fires(R"({"path": "/s", "ne": "present"})", R"({"s": null})"));
    EXPECT_TRUE(fires(R"({"path": "/n", "ne": 1})", R"({"n": "1"})"));
    EXPECT_FALSE(fires(R"({"path": "/n", "ne": 1})", R"({"n": 1.0})"));

    EXPECT_EQ(match(R"({"path": "/s", "ne": "present"})", R"({})").reasons,
              std::vector<std::string>{R"(/s is absent, not equal to "present")"});
    EXPECT_EQ(match(R"({"path": "/s", "ne": "present"})", R"({"s": null})").reasons,
              std::vector<std::string>{R"(/s = null, not equal to "present")"});
}

// in / not_in

TEST(RulesTest, InAndNotInTestMembershipOfMixedLists) {
    const std::string in = R"({"path": "/v", "in": ["a", 2, true]})";
    EXPECT_TRUE(fires(in, R"({"v": "a"})"));
    EXPECT_TRUE(fires(in, R"({"v": 2})"));
    EXPECT_TRUE(fires(in, R"({"v": 2.0})"));
    EXPECT_TRUE(fires(in, R"({"v": true})"));
    EXPECT_FALSE(fires(in, R"({"v": "2"})"));
    EXPECT_FALSE(fires(in, R"({"v": false})"));
    EXPECT_FALSE(fires(in, R"({"v": ["a"]})"));
    EXPECT_FALSE(fires(in, R"({"v": null})"));
    EXPECT_FALSE(fires(in, R"({})"));

    const std::string not_in = R"({"path": "/v", "not_in": ["a", 2]})";
    EXPECT_FALSE(fires(not_in, R"({"v": "a"})"));
    EXPECT_FALSE(fires(not_in, R"({"v": 2})"));
    EXPECT_TRUE(fires(not_in, R"({"v": "b"})"));
    EXPECT_TRUE(fires(not_in, R"({"v": "2"})"));
    EXPECT_TRUE(fires(not_in, R"({"v": null})"));
    EXPECT_TRUE(fires(not_in, R"({})"));
    EXPECT_EQ(match(not_in, R"({})").reasons, std::vector<std::string>{R"(/v is absent, not one of ["a", 2])"});
}

TEST(RulesTest, InReasonNamesPointerValueAndList) {
    const RuleMatch m = match(R"({"path": "/guardians/father/status/value", "in": ["migrant_worker"]})",
                              R"({"guardians": {"father": {"status": {"value": "migrant_worker"}}}})");
    EXPECT_EQ(m.code, "r");
    EXPECT_EQ(m.label, "R");
    EXPECT_EQ(m.reasons, (Lines{R"(/guardians/father/status/value = "migrant_worker", one of ["migrant_worker"])"}));
    EXPECT_EQ(m.pointers, (Lines{"/guardians/father/status/value"}));
}

// lt / le / gt / ge

TEST(RulesTest, OrderingOperatorsAtTheirBoundaries) {
    EXPECT_TRUE(fires(R"({"path": "/age", "lt": 16})", R"({"age": 15})"));
    EXPECT_FALSE(fires(R"({"path": "/age", "lt": 16})", R"({"age": 16})"));
    EXPECT_TRUE(fires(R"({"path": "/age", "lt": 16})", R"({"age": 15.999})"));
    EXPECT_FALSE(fires(R"({"path": "/age", "lt": 16})", R"({"age": 16.0})"));
    EXPECT_TRUE(fires(R"({"path": "/age", "le": 16})", R"({"age": 16})"));
    EXPECT_TRUE(fires(R"({"path": "/age", "le": 16})", R"({"age": 16.0})"));
    EXPECT_FALSE(fires(R"({"path": "/age", "le": 16})", R"({"age": 16.001})"));
    EXPECT_TRUE(fires(R"({"path": "/age", "gt": 5.5})", R"({"age": 6})"));
    EXPECT_FALSE(fires(R"({"path": "/age", "gt": 6})", R"({"age": 6})"));
    EXPECT_TRUE(fires(R"({"path": "/age", "ge": 6})", R"({"age": 6})"));
    EXPECT_FALSE(fires(R"({"path": "/age", "ge": 6})", R"({"age": 5.99})"));
    EXPECT_TRUE(fires(R"({"path": "/t", "lt": 0})", R"({"t": -0.5})"));
    EXPECT_TRUE(fires(R"({"path": "/n", "gt": 9007199254740992})", R"({"n": 9007199254740993})"));
    EXPECT_TRUE(fires(R"({"path": "/n", "gt": 0})", R"({"n": 18446744073709551615})"));
    EXPECT_TRUE(fires(R"({"path": "/n", "lt": 0})", R"({"n": -9223372036854775808})"));
}

TEST(RulesTest, OrderingOnNonNumbersIsFalseNotAnError) {
    for (const char* op : {"lt", "le", "gt", "ge"}) {
        const std::string when = std::string(R"({"path": "/age", ")") + op + R"(": 16})";
        EXPECT_FALSE(fires(when, R"({"age": "12"})")) << op;
        EXPECT_FALSE(fires(when, R"({"age": "十二"})")) << op;
        EXPECT_FALSE(fires(when, R"({"age": true})")) << op;
        EXPECT_FALSE(fires(when, R"({"age": null})")) << op;
        EXPECT_FALSE(fires(when, R"({"age": [12]})")) << op;
        EXPECT_FALSE(fires(when, R"({"age": {"value": 12}})")) << op;
        EXPECT_FALSE(fires(when, R"({})")) << op;
    }
}

TEST(RulesTest, OrderingReasonsUseTheOperandAsWritten) {
    EXPECT_EQ(match(R"({"path": "/age", "lt": 16})", R"({"age": 12})").reasons, (Lines{"/age = 12, less than 16"}));
    EXPECT_EQ(match(R"({"path": "/age", "le": 16})", R"({"age": 16})").reasons, (Lines{"/age = 16, at most 16"}));
    EXPECT_EQ(match(R"({"path": "/w", "gt": 2.5})", R"({"w": 3.25})").reasons, (Lines{"/w = 3.25, greater than 2.5"}));
    EXPECT_EQ(match(R"({"path": "/age", "ge": 6})", R"({"age": 6.0})").reasons, (Lines{"/age = 6.0, at least 6"}));
}

// exists

TEST(RulesTest, ExistsMeansPresentAndNotNull) {
    EXPECT_TRUE(fires(R"({"path": "/x", "exists": true})", R"({"x": ""})"));
    EXPECT_TRUE(fires(R"({"path": "/x", "exists": true})", R"({"x": 0})"));
    EXPECT_TRUE(fires(R"({"path": "/x", "exists": true})", R"({"x": false})"));
    EXPECT_TRUE(fires(R"({"path": "/x", "exists": true})", R"({"x": []})"));
    EXPECT_FALSE(fires(R"({"path": "/x", "exists": true})", R"({"x": null})"));
    EXPECT_FALSE(fires(R"({"path": "/x", "exists": true})", R"({})"));
    EXPECT_TRUE(fires(R"({"path": "/x", "exists": false})", R"({})"));
    EXPECT_TRUE(fires(R"({"path": "/x", "exists": false})", R"({"x": null})"));
    EXPECT_FALSE(fires(R"({"path": "/x", "exists": false})", R"({"x": ""})"));
    // A path through a scalar or past an array's end leads nowhere.
    EXPECT_TRUE(fires(R"({"path": "/x/y", "exists": false})", R"({"x": "s"})"));
    EXPECT_TRUE(fires(R"({"path": "/x/3", "exists": false})", R"({"x": [1, 2, 3]})"));
    EXPECT_TRUE(fires(R"({"path": "/x/2", "exists": true})", R"({"x": [1, 2, 3]})"));
}

TEST(RulesTest, ExistsReasons) {
    EXPECT_EQ(match(R"({"path": "/x", "exists": false})", R"({})").reasons, (Lines{"/x is absent"}));
    EXPECT_EQ(match(R"({"path": "/x", "exists": false})", R"({"x": null})").reasons, (Lines{"/x is null"}));
    EXPECT_EQ(match(R"({"path": "/x", "exists": true})", R"({"x": "王"})").reasons, (Lines{R"(/x = "王", present)"}));
    EXPECT_EQ(match(R"({"path": "/x", "exists": false})", R"({})").pointers, (Lines{"/x"}));
}

TEST(RulesTest, EvaluatesDocumentsThatAreNotObjects) {
    EXPECT_FALSE(fires(R"({"path": "/x", "eq": 1})", "[1, 2]"));
    EXPECT_FALSE(fires(R"({"path": "/x", "eq": 1})", "null"));
    EXPECT_TRUE(fires(R"({"path": "/x", "exists": false})", "\"text\""));
    EXPECT_TRUE(fires(R"({"path": "/1", "eq": 2})", "[1, 2]"));
    // The empty pointer is the document itself.
    EXPECT_TRUE(fires(R"({"path": "", "eq": 7})", "7"));
    EXPECT_EQ(match(R"({"path": "", "eq": 7})", "7").reasons, (Lines{"(document) = 7, equal to 7"}));
}

// matches

TEST(RulesTest, MatchesTheWholeStringOnly) {
    EXPECT_TRUE(fires(R"({"path": "/s", "matches": "b"})", R"({"s": "b"})"));
    EXPECT_FALSE(fires(R"({"path": "/s", "matches": "b"})", R"({"s": "abc"})"));
    EXPECT_FALSE(fires(R"({"path": "/s", "matches": "abc"})", R"({"s": "abcd"})"));
    EXPECT_FALSE(fires(R"({"path": "/s", "matches": "abc"})", R"({"s": "abc\n"})"));
    EXPECT_FALSE(fires(R"({"path": "/s", "matches": "^abc$"})", R"({"s": "abc\n"})"));
    // An alternative that matches a prefix does not hide a later one that matches the whole string.
    EXPECT_TRUE(fires(R"({"path": "/s", "matches": "a|ab"})", R"({"s": "ab"})"));
    EXPECT_FALSE(fires(R"({"path": "/s", "matches": "a|b"})", R"({"s": "ab"})"));
    EXPECT_TRUE(fires(R"({"path": "/s", "matches": "x*"})", R"({"s": ""})"));
}

TEST(RulesTest, MatchesChineseTextByCodePoint) {
    // Three Han characters are three code points (nine bytes).
    EXPECT_TRUE(fires(R"({"path": "/s", "matches": ".{3}"})", R"({"s": "王家村"})"));
    EXPECT_FALSE(fires(R"({"path": "/s", "matches": ".{9}"})", R"({"s": "王家村"})"));
    EXPECT_TRUE(fires(R"({"path": "/s", "matches": "[\\x{4e00}-\\x{9fff}]+村"})", R"({"s": "王家村"})"));
    EXPECT_FALSE(fires(R"({"path": "/s", "matches": "[\\x{4e00}-\\x{9fff}]+村"})", R"({"s": "王家村委会"})"));
    EXPECT_FALSE(fires(R"({"path": "/s", "matches": "村"})", R"({"s": "王家村"})"));
    EXPECT_TRUE(fires(R"({"path": "/s", "matches": "张.{1,2}"})", R"({"s": "张子涵"})"));
    EXPECT_FALSE(fires(R"({"path": "/s", "matches": "张.{1,2}"})", R"({"s": "李子涵"})"));
    EXPECT_EQ(match(R"({"path": "/s", "matches": ".*村"})", R"({"s": "王家村"})").reasons,
              (Lines{R"(/s = "王家村", matches /.*村/)"}));
}

TEST(RulesTest, MatchesIsFalseOnNonStringsAndIllFormedText) {
    const std::string when = R"({"path": "/code", "matches": "^[0-9]{9}[23][0-9]{2}$"})";
    EXPECT_TRUE(fires(when, R"({"code": "431102105201"})"));
    EXPECT_FALSE(fires(when, R"({"code": 431102105201})"));
    EXPECT_FALSE(fires(when, R"({"code": null})"));
    EXPECT_FALSE(fires(when, R"({"code": ["431102105201"]})"));
    EXPECT_FALSE(fires(when, R"({})"));

    // Ill-formed UTF-8 in a document (RapidJSON does not check it by default) does not match and does not throw.
    rapidjson::Document doc(rapidjson::kObjectType);
    const std::string bad = "\xE7\x8E\x8B\xFF";
    doc.AddMember("s", rapidjson::Value(bad.data(), static_cast<rapidjson::SizeType>(bad.size()), doc.GetAllocator()),
                  doc.GetAllocator());
    EXPECT_TRUE((oneRule(R"({"path": "/s", "matches": ".*"})").evaluate(doc)).empty());
    // ... while "ne" holds, and its reason shows the bad byte escaped.
    const std::vector<RuleMatch> ne = oneRule(R"({"path": "/s", "ne": "王"})").evaluate(doc);
    ASSERT_EQ(ne.size(), 1u);
    EXPECT_EQ(ne[0].reasons, (Lines{R"(/s = "王\xFF", not equal to "王")"}));
}

TEST(RulesTest, CatastrophicPatternsDoNotHang) {
    const std::string when = R"({"path": "/s", "matches": "(a+)+b"})";
    EXPECT_FALSE(fires(when, R"({"s": ")" + std::string(40, 'a') + R"("})"));
}

// all / any / not

TEST(RulesTest, AllGivesEveryReasonInOrder) {
    const RuleMatch m =
        match(R"({"all": [{"path": "/a", "eq": 1}, {"path": "/b", "eq": "x"}]})", R"({"a": 1, "b": "x"})");
    EXPECT_EQ(m.reasons, (Lines{"/a = 1, equal to 1", R"(/b = "x", equal to "x")"}));
    EXPECT_EQ(m.pointers, (Lines{"/a", "/b"}));
    EXPECT_FALSE(fires(R"({"all": [{"path": "/a", "eq": 1}, {"path": "/b", "eq": "x"}]})", R"({"a": 1})"));
}

TEST(RulesTest, AnyGivesTheReasonsOfTheFirstAlternativeThatHeld) {
    const std::string when = R"({"any": [{"path": "/a", "eq": 1}, {"path": "/b", "eq": 2}, {"path": "/c", "eq": 3}]})";
    EXPECT_FALSE(fires(when, R"({})"));
    const RuleMatch m = match(when, R"({"a": 0, "b": 2, "c": 3})");
    EXPECT_EQ(m.reasons, (Lines{"/b = 2, equal to 2"}));
    EXPECT_EQ(m.pointers, (Lines{"/b"}));
}

TEST(RulesTest, NotInvertsAndSaysSo) {
    const std::string when = R"({"not": {"path": "/age", "lt": 16}})";
    EXPECT_FALSE(fires(when, R"({"age": 12})"));
    EXPECT_EQ(match(when, R"({"age": 17})").reasons, (Lines{"not: /age = 17, less than 16"}));
    // On an absent value the comparison is false, so its negation holds.
    EXPECT_EQ(match(when, R"({})").reasons, (Lines{"not: /age is absent, less than 16"}));
    EXPECT_EQ(match(when, R"({})").pointers, (Lines{"/age"}));

    const RuleMatch compound =
        match(R"({"not": {"all": [{"path": "/f", "in": ["deceased"]}, {"path": "/m", "in": ["deceased"]}]}})",
              R"({"f": "deceased", "m": "present"})");
    EXPECT_EQ(compound.reasons, (Lines{R"(not: (/f one of ["deceased"] and /m one of ["deceased"]))"}));
    EXPECT_EQ(compound.pointers, (Lines{"/f", "/m"}));
}

TEST(RulesTest, NestedConditions) {
    const std::string when = R"({"all": [
        {"any": [{"not": {"path": "/a", "exists": true}}, {"path": "/a", "eq": 0}]},
        {"not": {"not": {"path": "/b", "ge": 1}}},
        {"any": [{"all": [{"path": "/c", "eq": 1}, {"path": "/d", "eq": 1}]}, {"path": "/e", "eq": 1}]}
    ]})";
    EXPECT_TRUE(fires(when, R"({"b": 1, "e": 1})"));
    EXPECT_TRUE(fires(when, R"({"a": 0, "b": 2, "c": 1, "d": 1})"));
    EXPECT_FALSE(fires(when, R"({"a": 1, "b": 2, "c": 1, "d": 1})"));
    EXPECT_FALSE(fires(when, R"({"b": 0, "e": 1})"));
    EXPECT_FALSE(fires(when, R"({"b": 1, "c": 1, "e": 0})"));
    const RuleMatch m = match(when, R"({"b": 1, "c": 1, "d": 1})");
    EXPECT_EQ(m.reasons, (Lines{"not: /a is absent, present", "not: not /b at least 1", "/c = 1, equal to 1",
                                "/d = 1, equal to 1"}));
    EXPECT_EQ(m.pointers, (Lines{"/a", "/b", "/c", "/d"}));
}

// some / none

constexpr const char* kAssistance = R"({"assistance": [
    {"type": {"value": "temporary_relief"}, "amount": 300},
    {"type": {"value": "medical_aid"}},
    {"type": {"value": "subsistence_allowance"}, "amount": 520.5}
]})";

TEST(RulesTest, SomeFindsAnElementAndNamesItsIndex) {
    const std::string when =
        R"({"path": "/assistance", "some": {"path": "/type/value", "eq": "subsistence_allowance"}})";
    const RuleMatch m = match(when, kAssistance);
    EXPECT_EQ(m.reasons,
              (Lines{R"(/assistance/2/type/value = "subsistence_allowance", equal to "subsistence_allowance")"}));
    EXPECT_EQ(m.pointers, (Lines{"/assistance/2/type/value"}));
}

TEST(RulesTest, SomeReportsTheFirstElementWhereAllConditionsHoldTogether) {
    // Element 0 has an amount but the wrong type; element 2 has both.
    const std::string when = R"({"path": "/assistance", "some": {"all": [
        {"path": "/type/value", "in": ["subsistence_allowance", "extreme_poverty"]},
        {"path": "/amount", "gt": 0}]}})";
    const RuleMatch m = match(when, kAssistance);
    EXPECT_EQ(
        m.reasons,
        (Lines{
            R"(/assistance/2/type/value = "subsistence_allowance", one of ["subsistence_allowance", "extreme_poverty"])",
            "/assistance/2/amount = 520.5, greater than 0"}));
    EXPECT_EQ(m.pointers, (Lines{"/assistance/2/type/value", "/assistance/2/amount"}));
}

TEST(RulesTest, SomeOverEmptyAbsentOrNonArrayValuesIsFalse) {
    const std::string when = R"({"path": "/a", "some": {"path": "", "eq": 1}})";
    EXPECT_TRUE(fires(when, R"({"a": [0, 1]})"));
    EXPECT_FALSE(fires(when, R"({"a": []})"));
    EXPECT_FALSE(fires(when, R"({})"));
    EXPECT_FALSE(fires(when, R"({"a": null})"));
    EXPECT_FALSE(fires(when, R"({"a": 1})"));
    EXPECT_FALSE(fires(when, R"({"a": "1"})"));
    EXPECT_FALSE(fires(when, R"({"a": {"0": 1}})"));
    EXPECT_EQ(match(when, R"({"a": [0, 1]})").reasons, (Lines{"/a/1 = 1, equal to 1"}));
}

TEST(RulesTest, SomeNestsAndKeepsAbsolutePointers) {
    const std::string when = R"({"path": "/cases", "some": {"path": "/notes", "some": {"path": "/by", "eq": "村委"}}})";
    const std::string doc = R"({"cases": [{"notes": []}, {"notes": [{"by": "学校"}, {"by": "村委"}]}]})";
    const RuleMatch m = match(when, doc);
    EXPECT_EQ(m.reasons, (Lines{R"(/cases/1/notes/1/by = "村委", equal to "村委")"}));
    EXPECT_EQ(m.pointers, (Lines{"/cases/1/notes/1/by"}));
    // A "not" inside an element: an element where the status is not "present".
    const RuleMatch negated = match(R"({"path": "/others", "some": {"not": {"path": "/status", "eq": "present"}}})",
                                    R"({"others": [{"status": "present"}, {"relation": "aunt"}]})");
    EXPECT_EQ(negated.reasons, (Lines{R"(not: /others/1/status is absent, equal to "present")"}));
    EXPECT_EQ(negated.pointers, (Lines{"/others/1/status"}));
}

TEST(RulesTest, NoneHoldsOnlyOverAnArrayWithoutMatchingElements) {
    const std::string when = R"({"path": "/records", "none": {"path": "/source", "eq": "police_population"}})";
    EXPECT_TRUE(fires(when, R"({"records": [{"source": "health_births"}, {"source": "school_register"}]})"));
    EXPECT_FALSE(fires(when, R"({"records": [{"source": "health_births"}, {"source": "police_population"}]})"));
    EXPECT_TRUE(fires(when, R"({"records": []})"));
    EXPECT_TRUE(fires(when, R"({"records": [1, "x", null]})"));
    // No array, no test: a rule never fires on missing data.
    EXPECT_FALSE(fires(when, R"({})"));
    EXPECT_FALSE(fires(when, R"({"records": null})"));
    EXPECT_FALSE(fires(when, R"({"records": {"source": "health_births"}})"));

    const RuleMatch m = match(when, R"({"records": [{"source": "health_births"}]})");
    EXPECT_EQ(m.reasons,
              (Lines{R"(/records has no element with /source equal to "police_population" (1 element checked))"}));
    EXPECT_EQ(m.pointers, (Lines{"/records"}));
    EXPECT_EQ(match(when, R"({"records": []})").reasons,
              (Lines{R"(/records has no element with /source equal to "police_population" (0 elements checked))"}));
}

TEST(RulesTest, NoneWithACompoundCondition) {
    const std::string when = R"({"path": "/others", "none": {"any": [
        {"path": "/status", "exists": false}, {"path": "/status", "eq": "present"}]}})";
    EXPECT_TRUE(fires(when, R"({"others": [{"status": "migrant_worker"}]})"));
    EXPECT_FALSE(fires(when, R"({"others": [{"status": "migrant_worker"}, {"relation": "grandmother"}]})"));
    EXPECT_FALSE(fires(when, R"({"others": [{"status": "present"}]})"));
    EXPECT_EQ(
        match(when, R"({"others": []})").reasons,
        (Lines{R"(/others has no element with (/status absent or /status equal to "present") (0 elements checked))"}));
}

// reasons

TEST(RulesTest, ReasonsShowValuesShortAndPrintable) {
    EXPECT_EQ(match(R"({"path": "/a", "ne": 1})", R"({"a": [1, 2, {"b": "c"}]})").reasons,
              (Lines{R"(/a = [1,2,{"b":"c"}], not equal to 1)"}));
    const std::string long_text(100, 'x');
    const std::vector<std::string> reasons =
        match(R"({"path": "/a", "ne": 1})", R"({"a": ")" + long_text + "\"}").reasons;
    ASSERT_EQ(reasons.size(), 1u);
    EXPECT_EQ(reasons[0], "/a = \"" + std::string(60, 'x') + "…\", not equal to 1");
    EXPECT_EQ(match(R"({"path": "/a", "eq": "x\ny"})", R"({"a": "x\ny"})").reasons,
              (Lines{R"(/a = "x\x0Ay", equal to "x\x0Ay")"}));
}

TEST(RulesTest, PointersWithEscapedTokens) {
    const RuleMatch m = match(R"({"path": "/a~1b/c~0d", "eq": 1})", R"({"a/b": {"c~d": 1}})");
    EXPECT_EQ(m.reasons, (Lines{"/a~1b/c~0d = 1, equal to 1"}));
    EXPECT_EQ(m.pointers, (Lines{"/a~1b/c~0d"}));
}

TEST(RulesTest, RepeatedMemberInADocumentIsNotTrusted) {
    EXPECT_FALSE(fires(R"({"path": "/a", "eq": 1})", R"({"a": 1, "a": 1})"));
    EXPECT_EQ(match(R"({"path": "/a", "ne": 2})", R"({"a": 1, "a": 2})").reasons,
              (Lines{"/a is ambiguous (a member appears twice), not equal to 2"}));
}

// rule sets

constexpr const char* kTwoRules = R"({"description": "test rules", "rules": [
    {"code": "young", "label": "未满16周岁", "when": {"path": "/age", "lt": 16},
     "route": ["township", "village"], "severity": 2, "note": {"zh": "说明", "n": null}},
    {"code": "old", "when": {"path": "/age", "ge": 16}},
    {"code": "any_age", "label": "有年龄", "when": {"path": "/age", "exists": true}}
]})";

TEST(RulesTest, CodesAreInRuleOrder) {
    EXPECT_EQ(RuleSet::parse(kTwoRules, "t").codes(), (Lines{"young", "old", "any_age"}));
    EXPECT_TRUE((RuleSet::parse(R"({"rules": []})", "t").codes()).empty());
}

TEST(RulesTest, EvaluateReturnsMatchesInRuleOrder) {
    const RuleSet rules = RuleSet::parse(kTwoRules, "t");
    const std::vector<RuleMatch> young = rules.evaluate(document(R"({"age": 9})"));
    ASSERT_EQ(young.size(), 2u);
    EXPECT_EQ(young[0].code, "young");
    EXPECT_EQ(young[0].label, "未满16周岁");
    EXPECT_EQ(young[1].code, "any_age");
    const std::vector<RuleMatch> old = rules.evaluate(document(R"({"age": 16})"));
    ASSERT_EQ(old.size(), 2u);
    EXPECT_EQ(old[0].code, "old");
    EXPECT_EQ(old[0].label, "old");  // the label defaults to the code
    EXPECT_TRUE((rules.evaluate(document(R"({})"))).empty());
}

TEST(RulesTest, ExtraMembersAreKeptAsCompactJson) {
    const RuleSet rules = RuleSet::parse(kTwoRules, "t");
    EXPECT_EQ(rules.extra("young"), R"({"route":["township","village"],"severity":2,"note":{"zh":"说明","n":null}})");
    EXPECT_EQ(rules.extra("old"), "{}");
    EXPECT_EQ(rules.extra("nothing"), "{}");
    EXPECT_EQ(rules.extra(""), "{}");
}

TEST(RulesTest, MovesKeepTheRules) {
    RuleSet rules = RuleSet::parse(kTwoRules, "t");
    RuleSet moved = std::move(rules);
    EXPECT_EQ(moved.codes().size(), 3u);
    RuleSet other = RuleSet::parse(R"({"rules": []})", "t");
    other = std::move(moved);
    EXPECT_EQ(other.evaluate(document(R"({"age": 3})")).size(), 2u);
}

TEST(RulesTest, LoadsAFileAndNamesItInErrors) {
    testing::TempDir dir;
    testing::writeFile(dir.file("rules.json"), kTwoRules);
    EXPECT_EQ(RuleSet::load(dir.file("rules.json")).codes(), (Lines{"young", "old", "any_age"}));

    testing::writeFile(dir.file("bad.json"), R"({"rules": [{"code": "x", "when": {"path": "age", "eq": 1}}]})");
    try {
        RuleSet::load(dir.file("bad.json"));
        ADD_FAILURE() << "loaded a bad file";
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.code(), ErrorCode::InvalidConfig);
        EXPECT_EQ(error.message(), dir.file("bad.json") +
                                       ":1: at /rules/0/when/path: bad JSON pointer 'age': a pointer starts with '/' "
                                       "(write '/age')");
    }
    try {
        RuleSet::load(dir.file("missing.json"));
        ADD_FAILURE() << "loaded a missing file";
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.code(), ErrorCode::InvalidConfig);
        EXPECT_EQ(error.message(), dir.file("missing.json") + ": cannot read the rule file: No such file or directory");
    }
}

// parse errors

TEST(RulesTest, RejectsDocumentsThatAreNotRuleSets) {
    EXPECT_EQ(failure(""), "test.json:1: invalid JSON: The document is empty. (column 1)");
    EXPECT_TRUE(contains(failure(R"({"rules": [)"), "test.json:1: invalid JSON: Invalid value. (column 12)"));
    EXPECT_TRUE(
        contains(failure(R"({"rules": []} trailing)"),
                 "test.json:1: invalid JSON: The document root must not be followed by other values. (column 15)"));
    EXPECT_EQ(failure("[]"), "test.json:1: expected an object, got array");
    EXPECT_EQ(failure("{}"), "test.json:1: missing \"rules\"");
    EXPECT_EQ(failure(R"({"rules": {"code": "x"}})"), "test.json:1: at /rules: expected an array of rules, got object");
    EXPECT_EQ(failure(R"({"rules": null})"), "test.json:1: at /rules: expected an array of rules, got null");
    EXPECT_EQ(failure(R"({"rules": [], "rule": []})"),
              "test.json:1: unknown key 'rule' (did you mean 'rules'? known: rules, description)");
    EXPECT_EQ(failure(R"({"rules": [], "rules": []})"), "test.json:1: duplicate key 'rules' (first at line 1)");
}

TEST(RulesTest, RejectsBadRules) {
    EXPECT_EQ(failure(R"({"rules": ["x"]})"), "test.json:1: at /rules/0: expected a rule (an object), got string");
    EXPECT_EQ(failure(R"({"rules": [{"label": "x", "when": {"path": "/a", "eq": 1}}]})"),
              "test.json:1: at /rules/0: missing \"code\"");
    EXPECT_EQ(failure(R"({"rules": [{"code": 7, "when": {"path": "/a", "eq": 1}}]})"),
              "test.json:1: at /rules/0/code: expected a string, got number");
    EXPECT_EQ(failure(R"({"rules": [{"code": "", "when": {"path": "/a", "eq": 1}}]})"),
              "test.json:1: at /rules/0/code: a code cannot be empty");
    EXPECT_EQ(failure(R"({"rules": [{"code": "a", "label": ["x"], "when": {"path": "/a", "eq": 1}}]})"),
              "test.json:1: at /rules/0/label: expected a string, got array");
    EXPECT_EQ(failure(R"({"rules": [{"code": "a"}]})"),
              "test.json:1: at /rules/0: missing \"when\" (the rule's condition)");
    EXPECT_EQ(failure(R"({"rules": [{"code": "a", "when": {"path": "/a", "eq": 1}},
                                     {"code": "b", "when": {"path": "/a", "eq": 1}},
                                     {"code": "a", "when": {"path": "/a", "eq": 2}}]})"),
              "test.json:3: at /rules/2/code: duplicate code 'a' (also at /rules/0, line 1)");
    EXPECT_EQ(failure(R"({"rules": [{"code": "a", "code": "b", "when": {"path": "/a", "eq": 1}}]})"),
              "test.json:1: at /rules/0: duplicate key 'code' (first at line 1)");
}

TEST(RulesTest, RejectsUnknownOperatorsAtTheirCondition) {
    EXPECT_EQ(whenFailure(R"({"all": [{"path": "/a", "eq": 1}, {"path": "/b", "eqq": 1}]})"),
              "test.json:1: at /rules/0/when/all/1: unknown operator 'eqq' (did you mean 'eq'? known: all, any, not, "
              "path, some, none, eq, ne, in, not_in, lt, le, gt, ge, matches, exists)");
    EXPECT_TRUE(contains(whenFailure(R"({"path": "/a", "equals": 1})"),
                         "test.json:1: at /rules/0/when: unknown operator 'equals' (known: all, any"));
    EXPECT_TRUE(contains(whenFailure(R"({"path": "/a", "some": {"path": "/b", "contains": "x"}})"),
                         "test.json:1: at /rules/0/when/some: unknown operator 'contains'"));
}

TEST(RulesTest, RejectsConditionsWithTooManyOrTooFewParts) {
    EXPECT_EQ(whenFailure(R"({"path": "/a", "gt": 1, "lt": 5})"),
              "test.json:1: at /rules/0/when: two operators 'gt' and 'lt' in one condition (combine conditions with "
              "\"all\")");
    EXPECT_EQ(whenFailure(R"({"any": [{"all": [{"path": "/a", "eq": 1}], "any": [{"path": "/a", "eq": 1}]}]})"),
              "test.json:1: at /rules/0/when/any/0: two operators 'all' and 'any' in one condition (combine conditions "
              "with \"all\")");
    EXPECT_EQ(whenFailure(R"({"all": [{"eq": 1}]})"), "test.json:1: at /rules/0/when/all/0: missing \"path\" for 'eq'");
    EXPECT_EQ(whenFailure(R"({"some": {"path": "/a", "eq": 1}})"),
              "test.json:1: at /rules/0/when: missing \"path\" for 'some'");
    EXPECT_EQ(whenFailure(R"({"path": "/a"})"),
              "test.json:1: at /rules/0/when: \"path\" without an operator (one of eq, ne, in, not_in, lt, le, gt, ge, "
              "matches, exists, some, none)");
    EXPECT_EQ(whenFailure(R"({})"),
              "test.json:1: at /rules/0/when: empty condition: expected all, any, not, or a path with an operator");
    EXPECT_EQ(whenFailure(R"({"path": "/a", "all": [{"path": "/b", "eq": 1}]})"),
              "test.json:1: at /rules/0/when: \"path\" does not go with 'all' (put it in the conditions inside)");
    EXPECT_EQ(whenFailure(R"({"path": "/a", "path": "/b", "eq": 1})"),
              "test.json:1: at /rules/0/when: duplicate key 'path' (first at line 1)");
    EXPECT_EQ(whenFailure(R"("/a = 1")"),
              "test.json:1: at /rules/0/when: expected a condition (an object), got string");
    EXPECT_EQ(whenFailure(R"({"not": [{"path": "/a", "eq": 1}]})"),
              "test.json:1: at /rules/0/when/not: expected a condition (an object), got array");
    EXPECT_EQ(whenFailure(R"({"all": {"path": "/a", "eq": 1}})"),
              "test.json:1: at /rules/0/when/all: expected an array of conditions, got object");
    EXPECT_EQ(whenFailure(R"({"any": []})"),
              "test.json:1: at /rules/0/when/any: empty list: give at least one condition");
}

TEST(RulesTest, RejectsBadPointers) {
    EXPECT_EQ(whenFailure(R"({"path": "age", "lt": 16})"),
              "test.json:1: at /rules/0/when/path: bad JSON pointer 'age': a pointer starts with '/' (write '/age')");
    EXPECT_EQ(
        whenFailure(R"({"path": "/a~2", "eq": 1})"),
        "test.json:1: at /rules/0/when/path: bad JSON pointer '/a~2': '~' at byte 2 must be followed by 0 or 1 (~0 "
        "stands for '~', ~1 for '/')");
    EXPECT_EQ(whenFailure(R"({"path": 3, "eq": 1})"),
              "test.json:1: at /rules/0/when/path: expected a string, got number");
    EXPECT_EQ(whenFailure(R"({"path": "/a", "some": {"path": "b", "eq": 1}})"),
              "test.json:1: at /rules/0/when/some/path: bad JSON pointer 'b': a pointer starts with '/' (write '/b')");
}

TEST(RulesTest, RejectsBadRegularExpressions) {
    EXPECT_TRUE(contains(whenFailure(R"({"path": "/a", "matches": "([0-9]"})"),
                         "test.json:1: at /rules/0/when/matches: bad regular expression '([0-9]': "));
    EXPECT_TRUE(contains(whenFailure(R"({"path": "/a", "matches": "[9-0]"})"),
                         "test.json:1: at /rules/0/when/matches: bad regular expression '[9-0]': "));
    // A closing parenthesis could otherwise escape the anchoring group.
    EXPECT_TRUE(contains(whenFailure(R"({"path": "/a", "matches": "a)|(b"})"),
                         "test.json:1: at /rules/0/when/matches: bad regular expression 'a)|(b': "));
    // Valid alone, but they would swallow the closing anchor: refused rather than silently matching prefixes.
    EXPECT_TRUE(contains(whenFailure(R"({"path": "/a", "matches": "\\Qa"})"),
                         "test.json:1: at /rules/0/when/matches: bad regular expression '\\\\Qa': it cannot be made "
                         "to match the whole value ("));
    EXPECT_TRUE(contains(whenFailure(R"({"path": "/a", "matches": "(?x)a#"})"),
                         "test.json:1: at /rules/0/when/matches: bad regular expression '(?x)a#': it cannot be made to "
                         "match the whole value ("));
    // Options and \Q…\E that close properly are fine.
    EXPECT_TRUE(fires(R"({"path": "/a", "matches": "(?i)abc"})", R"({"a": "ABC"})"));
    EXPECT_FALSE(fires(R"({"path": "/a", "matches": "(?i)abc"})", R"({"a": "ABCD"})"));
    EXPECT_TRUE(fires(R"({"path": "/a", "matches": "\\Q1+1\\E"})", R"({"a": "1+1"})"));
    EXPECT_FALSE(fires(R"({"path": "/a", "matches": "\\Q1+1\\E"})", R"({"a": "11"})"));
    EXPECT_EQ(
        whenFailure(R"({"path": "/a", "matches": ""})"),
        "test.json:1: at /rules/0/when/matches: a pattern cannot be empty (use \"eq\": \"\" for the empty string)");
    EXPECT_EQ(whenFailure(R"({"path": "/a", "matches": 5})"),
              "test.json:1: at /rules/0/when/matches: expected a string, got number");
    EXPECT_EQ(whenFailure(R"({"all": [{"path": "/a", "exists": true}, {"path": "/a", "matches": "\\"}]})")
                  .rfind("test.json:1: at /rules/0/when/all/1/matches: bad regular expression '\\\\': ", 0),
              0u);
}

TEST(RulesTest, RejectsOperandsOfTheWrongType) {
    EXPECT_EQ(whenFailure(R"({"path": "/a", "in": "migrant_worker"})"),
              "test.json:1: at /rules/0/when/in: expected an array of strings, numbers or booleans, got string");
    EXPECT_EQ(whenFailure(R"({"path": "/a", "not_in": {"a": 1}})"),
              "test.json:1: at /rules/0/when/not_in: expected an array of strings, numbers or booleans, got object");
    EXPECT_EQ(whenFailure(R"({"path": "/a", "in": []})"),
              "test.json:1: at /rules/0/when/in: empty list: give at least one value");
    EXPECT_EQ(whenFailure(R"({"path": "/a", "in": ["a", null]})"),
              "test.json:1: at /rules/0/when/in/1: expected a string, number or boolean, got null");
    EXPECT_EQ(whenFailure(R"({"path": "/a", "in": [["a"]]})"),
              "test.json:1: at /rules/0/when/in/0: expected a string, number or boolean, got array");
    EXPECT_EQ(whenFailure(R"({"path": "/a", "eq": null})"),
              "test.json:1: at /rules/0/when/eq: expected a string, number or boolean, got null");
    EXPECT_EQ(whenFailure(R"({"path": "/a", "ne": {}})"),
              "test.json:1: at /rules/0/when/ne: expected a string, number or boolean, got object");
    EXPECT_EQ(whenFailure(R"({"path": "/a", "lt": "16"})"),
              "test.json:1: at /rules/0/when/lt: expected a number, got string");
    EXPECT_EQ(whenFailure(R"({"path": "/a", "ge": true})"),
              "test.json:1: at /rules/0/when/ge: expected a number, got boolean");
    EXPECT_EQ(whenFailure(R"({"path": "/a", "exists": "yes"})"),
              "test.json:1: at /rules/0/when/exists: expected true or false, got string");
    EXPECT_EQ(whenFailure(R"({"path": "/a", "some": [{"path": "/b", "eq": 1}]})"),
              "test.json:1: at /rules/0/when/some: expected a condition (an object), got array");
    EXPECT_EQ(whenFailure(R"({"path": "/a", "none": true})"),
              "test.json:1: at /rules/0/when/none: expected a condition (an object), got boolean");
}

TEST(RulesTest, ErrorPointersEscapeKeys) {
    EXPECT_TRUE(
        contains(whenFailure(R"({"path": "/a", "e/q": 1})"), "test.json:1: at /rules/0/when: unknown operator 'e/q'"));
    EXPECT_EQ(failure(R"({"rules": [{"code": "a", "when": {"path": "/a", "eq": 1}}, 5]})"),
              "test.json:1: at /rules/1: expected a rule (an object), got number");
}

// a realistic rule

/// Left-behind (农村留守儿童): under 16, rural hukou (a village committee's division code: serial 200–399 in digits
/// 10–12), and both parents away for work, or one away and the other without guardianship capacity.
constexpr const char* kLeftBehind = R"({"rules": [{"code": "left_behind", "label": "农村留守儿童", "route": "village",
    "when": {"all": [
        {"path": "/age", "lt": 16},
        {"path": "/registration/hukou_division/value", "matches": "^[0-9]{9}[23][0-9]{2}$"},
        {"any": [
            {"all": [{"path": "/guardians/father/status/value", "eq": "migrant_worker"},
                     {"path": "/guardians/mother/status/value", "eq": "migrant_worker"}]},
            {"all": [{"path": "/guardians/father/status/value", "eq": "migrant_worker"},
                     {"path": "/guardians/mother/status/value", "in": ["deceased", "missing", "serious_illness"]}]},
            {"all": [{"path": "/guardians/mother/status/value", "eq": "migrant_worker"},
                     {"path": "/guardians/father/status/value", "in": ["deceased", "missing", "serious_illness"]}]}
        ]}
    ]}}]})";

std::string child(const std::string& age, const std::string& hukou, const std::string& father,
                  const std::string& mother) {
    return R"({"person_id": "P1", "age": )" + age + R"(, "identity": {"name": {"value": "张子涵"}},
        "registration": {"hukou_division": {"value": )" +
           hukou + R"(, "source": "police_population"}},
        "guardians": {"father": {"name": {"value": "张伟"}, "status": {"value": )" +
           father + R"(}},
                      "mother": {"name": {"value": "李娜"}, "status": {"value": )" +
           mother + R"(}},
                      "others": [{"relation": "grandmother", "status": "present"}]}})";
}

TEST(RulesTest, LeftBehindChildWithBothParentsAway) {
    const RuleSet rules = RuleSet::parse(kLeftBehind, "classification.json");
    const std::vector<RuleMatch> matches =
        rules.evaluate(document(child("12", R"("431102105201")", R"("migrant_worker")", R"("migrant_worker")")));
    ASSERT_EQ(matches.size(), 1u);
    EXPECT_EQ(matches[0].code, "left_behind");
    EXPECT_EQ(matches[0].label, "农村留守儿童");
    EXPECT_EQ(matches[0].reasons,
              (Lines{"/age = 12, less than 16",
                     R"(/registration/hukou_division/value = "431102105201", matches /^[0-9]{9}[23][0-9]{2}$/)",
                     R"(/guardians/father/status/value = "migrant_worker", equal to "migrant_worker")",
                     R"(/guardians/mother/status/value = "migrant_worker", equal to "migrant_worker")"}));
    EXPECT_EQ(matches[0].pointers, (Lines{"/age", "/registration/hukou_division/value",
                                          "/guardians/father/status/value", "/guardians/mother/status/value"}));
    EXPECT_EQ(rules.extra("left_behind"), R"({"route":"village"})");
}

TEST(RulesTest, LeftBehindChildWithOneParentAwayAndTheOtherIncapable) {
    const RuleSet rules = RuleSet::parse(kLeftBehind, "classification.json");
    const auto mother_ill =
        rules.evaluate(document(child("15.5", R"("431102105399")", R"("migrant_worker")", R"("serious_illness")")));
    ASSERT_EQ(mother_ill.size(), 1u);
    EXPECT_EQ(
        mother_ill[0].reasons,
        (Lines{
            "/age = 15.5, less than 16",
            R"(/registration/hukou_division/value = "431102105399", matches /^[0-9]{9}[23][0-9]{2}$/)",
            R"(/guardians/father/status/value = "migrant_worker", equal to "migrant_worker")",
            R"(/guardians/mother/status/value = "serious_illness", one of ["deceased", "missing", "serious_illness"])"}));

    const auto father_dead =
        rules.evaluate(document(child("0", R"("431102105200")", R"("deceased")", R"("migrant_worker")")));
    ASSERT_EQ(father_dead.size(), 1u);
    EXPECT_EQ(
        father_dead[0].reasons,
        (Lines{"/age = 0, less than 16",
               R"(/registration/hukou_division/value = "431102105200", matches /^[0-9]{9}[23][0-9]{2}$/)",
               R"(/guardians/mother/status/value = "migrant_worker", equal to "migrant_worker")",
               R"(/guardians/father/status/value = "deceased", one of ["deceased", "missing", "serious_illness"])"}));
}

TEST(RulesTest, LeftBehindDoesNotFireOutsideItsDefinition) {
    const RuleSet rules = RuleSet::parse(kLeftBehind, "classification.json");
    auto fires_for = [&](const std::string& json) { return !rules.evaluate(document(json)).empty(); };
    const std::string away = R"("migrant_worker")";
    ASSERT_TRUE(fires_for(child("15", R"("431102105201")", away, away)));
    EXPECT_FALSE(fires_for(child("16", R"("431102105201")", away, away)));            // too old
    EXPECT_FALSE(fires_for(child("\"12\"", R"("431102105201")", away, away)));        // age not a number
    EXPECT_FALSE(fires_for(child("null", R"("431102105201")", away, away)));          // age unknown
    EXPECT_FALSE(fires_for(child("12", R"("431102105101")", away, away)));            // urban (residents' committee)
    EXPECT_FALSE(fires_for(child("12", R"("431102105400")", away, away)));            // serial 400
    EXPECT_FALSE(fires_for(child("12", R"("431102105199")", away, away)));            // serial 199
    EXPECT_FALSE(fires_for(child("12", R"("43110210520")", away, away)));             // 11 digits
    EXPECT_FALSE(fires_for(child("12", R"("4311021052011")", away, away)));           // 13 digits
    EXPECT_FALSE(fires_for(child("12", R"("43110210520１")", away, away)));           // full-width digit
    EXPECT_FALSE(fires_for(child("12", R"("431102105201\n")", away, away)));          // trailing newline
    EXPECT_FALSE(fires_for(child("12", "431102105201", away, away)));                 // a number, not a code
    EXPECT_FALSE(fires_for(child("12", "null", away, away)));                         // no hukou
    EXPECT_FALSE(fires_for(child("12", R"("431102105201")", away, R"("present")")));  // mother at home
    EXPECT_FALSE(fires_for(child("12", R"("431102105201")", R"("deceased")", R"("deceased")")));  // an orphan
    EXPECT_FALSE(fires_for(child("12", R"("431102105201")", away, "null")));  // mother's status unknown
    EXPECT_FALSE(fires_for(R"({"age": 12, "registration": {"hukou_division": {"value": "431102105201"}}})"));
    EXPECT_FALSE(fires_for("{}"));
}

}  // namespace
}  // namespace gateway::profile
