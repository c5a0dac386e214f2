#include "gateway/model/sex.h"

#include <gtest/gtest.h>

#include <string>

namespace gateway::model {
namespace {

void expectSex(std::string_view text, Sex expected) {
    const auto result = parseSex(text);
    ASSERT_TRUE(result.ok()) << "\"" << text << "\": " << result.error();
    EXPECT_EQ(result.value(), expected) << "\"" << text << "\"";
}

void expectRejected(const SexResult& result, SexError kind, const std::string& message) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.errorKind(), kind);
    EXPECT_EQ(result.error(), message);
}

const std::string kUnrecognisedTail =
    " is not recognised; expected a GB/T 2261.1 code (0, 1, 2, 9), 男/女, M/F or male/female";

TEST(SexTest, HasTheStandardCodesAndLabels) {
    EXPECT_EQ(static_cast<int>(Sex::Unknown), 0);
    EXPECT_EQ(static_cast<int>(Sex::Male), 1);
    EXPECT_EQ(static_cast<int>(Sex::Female), 2);
    EXPECT_EQ(static_cast<int>(Sex::Unstated), 9);
    EXPECT_EQ(sexCode(Sex::Unknown), "0");
    EXPECT_EQ(sexCode(Sex::Male), "1");
    EXPECT_EQ(sexCode(Sex::Female), "2");
    EXPECT_EQ(sexCode(Sex::Unstated), "9");
    EXPECT_EQ(sexLabel(Sex::Unknown), "未知的性别");
    EXPECT_EQ(sexLabel(Sex::Male), "男");
    EXPECT_EQ(sexLabel(Sex::Female), "女");
    EXPECT_EQ(sexLabel(Sex::Unstated), "未说明的性别");
}

TEST(SexTest, ParsesTheCodes) {
    expectSex("0", Sex::Unknown);
    expectSex("1", Sex::Male);
    expectSex("2", Sex::Female);
    expectSex("9", Sex::Unstated);
}

TEST(SexTest, ParsesChineseAndLatinSpellings) {
    expectSex("男", Sex::Male);
    expectSex("男性", Sex::Male);
    expectSex("女", Sex::Female);
    expectSex("女性", Sex::Female);
    expectSex("M", Sex::Male);
    expectSex("m", Sex::Male);
    expectSex("F", Sex::Female);
    expectSex("f", Sex::Female);
    expectSex("male", Sex::Male);
    expectSex("MALE", Sex::Male);
    expectSex("Female", Sex::Female);
    expectSex("fEmAlE", Sex::Female);
    expectSex("未知", Sex::Unknown);
    expectSex("未说明", Sex::Unstated);
}

TEST(SexTest, RoundTripsItsOwnCodesAndLabels) {
    for (const Sex sex : {Sex::Unknown, Sex::Male, Sex::Female, Sex::Unstated}) {
        expectSex(sexCode(sex), sex);
        expectSex(sexLabel(sex), sex);
    }
}

TEST(SexTest, AcceptsFullWidthAndSurroundingSpaces) {
    expectSex("２", Sex::Female);
    expectSex("Ｍ", Sex::Male);
    expectSex("ｆｅｍａｌｅ", Sex::Female);
    expectSex("\u3000男\t", Sex::Male);
    expectSex(" 1 ", Sex::Male);
}

TEST(SexTest, RejectsEmptyAndBlank) {
    expectRejected(parseSex(""), SexError::Empty, "sex is empty");
    expectRejected(parseSex(" \u3000"), SexError::Empty, "sex \" \u3000\" is empty");
}

TEST(SexTest, RejectsOtherValues) {
    expectRejected(parseSex("3"), SexError::Unrecognised, "sex \"3\"" + kUnrecognisedTail);
    expectRejected(parseSex("01"), SexError::Unrecognised, "sex \"01\"" + kUnrecognisedTail);
    expectRejected(parseSex("男女"), SexError::Unrecognised, "sex \"男女\"" + kUnrecognisedTail);
    expectRejected(parseSex("ma le"), SexError::Unrecognised, "sex \"ma le\"" + kUnrecognisedTail);
    expectRejected(parseSex("boy"), SexError::Unrecognised, "sex \"boy\"" + kUnrecognisedTail);
}

TEST(SexTest, RejectsHostileBytes) {
    expectRejected(parseSex(std::string("1\0", 2)), SexError::Unrecognised, "sex \"1\\x00\"" + kUnrecognisedTail);
    expectRejected(parseSex(std::string("\0", 1)), SexError::Unrecognised, "sex \"\\x00\"" + kUnrecognisedTail);
    expectRejected(parseSex("\xE7\x94"), SexError::Unrecognised,
                   "sex \"\\xE7\\x94\" is not valid UTF-8: truncated UTF-8 sequence at byte 0");
    expectRejected(parseSex("\U00020BB7"), SexError::Unrecognised, "sex \"\U00020BB7\"" + kUnrecognisedTail);
    const auto huge = parseSex(std::string(10240, 'm'));
    EXPECT_EQ(huge.errorKind(), SexError::Unrecognised);
    EXPECT_EQ(huge.error(), "sex \"" + std::string(40, 'm') + "…\"" + kUnrecognisedTail);
}

}  // namespace
}  // namespace gateway::model
