#include "gateway/model/person_name.h"

#include <gtest/gtest.h>

#include <string>

namespace gateway::model {
namespace {

std::string normalised(std::string_view text) {
    const auto result = normaliseName(text);
    EXPECT_TRUE(result.ok()) << "\"" << text << "\": " << result.error();
    return result.ok() ? result->normalised() : std::string("<rejected>");
}

void expectRejected(const NameResult& result, NameError kind, const std::string& message) {
    ASSERT_FALSE(result.ok()) << "normalised to " << result.value().normalised();
    EXPECT_EQ(result.errorKind(), kind);
    EXPECT_EQ(result.error(), message);
}

TEST(PersonNameTest, KeepsAPlainNameAndTheOriginal) {
    const auto result = normaliseName(" 张子涵 ");
    ASSERT_TRUE(result.ok()) << result.error();
    EXPECT_EQ(result->normalised(), "张子涵");
    EXPECT_EQ(result->original(), " 张子涵 ");
}

TEST(PersonNameTest, DropsSpacesNextToHan) {
    EXPECT_EQ(normalised("张 三"), "张三");
    EXPECT_EQ(normalised("张\u3000\u3000三"), "张三");
    EXPECT_EQ(normalised("欧阳 娜娜"), "欧阳娜娜");
    EXPECT_EQ(normalised("Zhang 三"), "Zhang三");
}

TEST(PersonNameTest, CollapsesSpaceRunsBetweenLatinWords) {
    EXPECT_EQ(normalised("Zhang  San"), "Zhang San");
    EXPECT_EQ(normalised("  Zhang\u00A0\u2003San  "), "Zhang San");
    EXPECT_EQ(normalised("Anna Maria  Li"), "Anna Maria Li");
}

TEST(PersonNameTest, FoldsFullWidthAscii) {
    EXPECT_EQ(normalised("Ｚｈａｎｇ　Ｓａｎ"), "Zhang San");
    EXPECT_EQ(normalised("李１"), "李1");
}

TEST(PersonNameTest, UnifiesMiddleDotVariantsAndDropsSpacesAroundThem) {
    EXPECT_EQ(normalised("阿依古丽 • 买买提"), "阿依古丽·买买提");
    EXPECT_EQ(normalised("阿依古丽·买买提"), "阿依古丽·买买提");
    EXPECT_EQ(normalised("阿依古丽.买买提"), "阿依古丽·买买提");
    EXPECT_EQ(normalised("阿依古丽・买买提"), "阿依古丽·买买提");
    EXPECT_EQ(normalised("阿依古丽･买买提"), "阿依古丽·买买提");
    EXPECT_EQ(normalised("阿依古丽‧买买提"), "阿依古丽·买买提");
    EXPECT_EQ(normalised("阿依古丽∙买买提"), "阿依古丽·买买提");
    EXPECT_EQ(normalised("阿依古丽⋅买买提"), "阿依古丽·买买提");
    EXPECT_EQ(normalised("阿依古丽．买买提"), "阿依古丽·买买提");
    EXPECT_EQ(normalised("阿依古丽\u0387买买提"), "阿依古丽·买买提");
    EXPECT_EQ(normalised("Aygul • Mamat"), "Aygul·Mamat");
}

TEST(PersonNameTest, KeepsCharactersOutsideTheBmpByteForByte) {
    EXPECT_EQ(normalised("\U00020BB7 明"), "\U00020BB7明");  // 𠮷 is in Extension B, so counts as Han
    EXPECT_EQ(normalised("王\U0002A6A5"), "王\U0002A6A5");
    EXPECT_EQ(normalised("\xF0\xA0\xAE\xB7"), "\xF0\xA0\xAE\xB7");
}

TEST(PersonNameTest, NeverDropsOtherCharacters) {
    // Not Han, not a space, not a dot, not full-width ASCII: passes through untouched.
    EXPECT_EQ(normalised("Zoë O'Neil-Ng"), "Zoë O'Neil-Ng");
    EXPECT_EQ(normalised("\u200B张三"), "\u200B张三");  // zero-width space is not a space separator
    EXPECT_EQ(normalised("Ａ\uFF61"), "A\uFF61");       // U+FF61 is outside the folded range
}

TEST(PersonNameTest, RejectsEmptyAndBlank) {
    expectRejected(normaliseName(""), NameError::Empty, "name is empty");
    expectRejected(normaliseName(" \u3000\u00A0"), NameError::Empty, "name \" \u3000\u00A0\" is blank");
    EXPECT_EQ(normaliseName(std::string(10240, ' ')).errorKind(), NameError::Empty);
}

TEST(PersonNameTest, RejectsControlCharactersNamingCodePointAndPosition) {
    expectRejected(normaliseName(std::string("张\0三", 7)), NameError::ControlCharacter,
                   "name \"张\\x00三\" contains control character U+0000 at character 2");
    expectRejected(normaliseName("张三\n"), NameError::ControlCharacter,
                   "name \"张三\\x0A\" contains control character U+000A at character 3");
    expectRejected(normaliseName("a\tb"), NameError::ControlCharacter,
                   "name \"a\\x09b\" contains control character U+0009 at character 2");
    expectRejected(normaliseName("\x7F"), NameError::ControlCharacter,
                   "name \"\\x7F\" contains control character U+007F at character 1");
    expectRejected(normaliseName("李\u0085"), NameError::ControlCharacter,
                   "name \"李\\u{85}\" contains control character U+0085 at character 2");
}

TEST(PersonNameTest, RejectsInvalidUtf8WithTheByteOffset) {
    expectRejected(normaliseName("张\xFF三"), NameError::InvalidUtf8,
                   "name \"张\\xFF三\" is not valid UTF-8: invalid UTF-8 byte 0xFF at byte 3");
    // GBK bytes of 张三, as sent by a system that did not convert to UTF-8.
    expectRejected(normaliseName("\xD5\xC5\xC8\xFD"), NameError::InvalidUtf8,
                   "name \"\\xD5\\xC5\\xC8\\xFD\" is not valid UTF-8: invalid UTF-8 byte 0xC5 at byte 1");
    EXPECT_EQ(normaliseName("\xED\xA0\x80").errorKind(), NameError::InvalidUtf8);  // a surrogate
}

TEST(PersonNameTest, AcceptsSixtyFourCharactersAndRejectsMore) {
    std::string longest;
    for (int i = 0; i < 64; ++i) {
        longest += "\U00020BB7";
    }
    EXPECT_EQ(normalised(longest), longest);
    expectRejected(
        normaliseName(longest + "王"), NameError::TooLong, "name \"" + [] {
            std::string quoted;
            for (int i = 0; i < 40; ++i) {
                quoted += "\U00020BB7";
            }
            return quoted;
        }() + "…\" has 65 characters after normalisation; at most 64 are allowed");
    // Padding does not count against the limit.
    EXPECT_EQ(normalised(std::string(5000, ' ') + "张三" + std::string(5000, ' ')), "张三");
}

TEST(PersonNameTest, RejectsTenKilobyteName) {
    const auto result = normaliseName(std::string(10240, 'a'));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.errorKind(), NameError::TooLong);
    EXPECT_NE(result.error().find("has 10240 characters after normalisation"), std::string::npos) << result.error();
}

}  // namespace
}  // namespace gateway::model
