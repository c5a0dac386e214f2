#include "gateway/linkage/pinyin.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace gateway::linkage {
namespace {

const PinyinTable& table() {
    return PinyinTable::builtin();
}

std::vector<std::string> spell(const std::vector<PinyinTable::Syllable>& syllables) {
    std::vector<std::string> result;
    for (const PinyinTable::Syllable syllable : syllables) {
        result.push_back(table().spelling(syllable));
    }
    return result;
}

std::vector<std::string> readingsOf(char32_t c) {
    return spell(table().readings(c));
}
std::vector<std::string> surnameReadingsOf(char32_t c) {
    return spell(table().surnameReadings(c));
}

using Spellings = std::vector<std::string>;

TEST(PinyinTableTest, HomophoneGivenNamesShareReadingsPositionByPosition) {
    const std::u32string a = U"张子涵";
    const std::u32string b = U"张紫涵";
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(table().readings(a[i]), table().readings(b[i])) << "position " << i;
        EXPECT_FALSE(table().readings(a[i]).empty()) << "position " << i;
    }
    EXPECT_EQ(readingsOf(U'子'), Spellings{"zi"});
    EXPECT_EQ(readingsOf(U'紫'), Spellings{"zi"});
    EXPECT_EQ(table().romanise(a), "zhang zi han");
    EXPECT_EQ(table().romanise(b), "zhang zi han");
}

TEST(PinyinTableTest, LiuAndLiuAreHomophones) {
    EXPECT_EQ(readingsOf(U'刘'), Spellings{"liu"});
    EXPECT_EQ(readingsOf(U'柳'), Spellings{"liu"});
    EXPECT_EQ(table().readings(U'刘'), table().readings(U'柳'));
    EXPECT_EQ(table().surnameReadings(U'刘'), table().surnameReadings(U'柳'));
}

TEST(PinyinTableTest, UmlautIsSpelledV) {
    EXPECT_EQ(readingsOf(U'吕'), Spellings{"lv"});
    EXPECT_EQ(readingsOf(U'女'), Spellings{"nv"});
    EXPECT_EQ(table().romanise(U"吕"), "lv");
}

TEST(PinyinTableTest, SurnameReadingsComeFromTheSurnameTable) {
    EXPECT_EQ(readingsOf(U'单'), Spellings{"dan"});
    EXPECT_EQ(surnameReadingsOf(U'单'), Spellings{"shan"});
    EXPECT_EQ(table().romanise(U"单田芳"), "shan tian fang");
    EXPECT_EQ(table().romanise(U"田单"), "tian dan");  // only the first character is the surname

    EXPECT_EQ(readingsOf(U'曾'), Spellings{"ceng"});
    EXPECT_EQ(surnameReadingsOf(U'曾'), Spellings{"zeng"});
    EXPECT_EQ(surnameReadingsOf(U'朴'), Spellings{"piao"});
    EXPECT_EQ(surnameReadingsOf(U'区'), Spellings{"ou"});
}

TEST(PinyinTableTest, CharactersThatAreNoSurnameReadAsUsualInSurnamePosition) {
    EXPECT_EQ(table().surnameReadings(U'涵'), table().readings(U'涵'));
    EXPECT_TRUE(table().surnameReadings(U'A').empty());
}

TEST(PinyinTableTest, CompoundSurnames) {
    EXPECT_TRUE(table().isCompoundSurname(U"欧阳"));
    EXPECT_TRUE(table().isCompoundSurname(U"司马"));
    EXPECT_TRUE(table().isCompoundSurname(U"尉迟"));
    EXPECT_FALSE(table().isCompoundSurname(U"王"));
    EXPECT_FALSE(table().isCompoundSurname(U"王五"));
    EXPECT_FALSE(table().isCompoundSurname(U"阳欧"));
    EXPECT_FALSE(table().isCompoundSurname(U"欧阳修"));
    EXPECT_FALSE(table().isCompoundSurname(U""));

    EXPECT_EQ(table().romanise(U"欧阳修"), "ou yang xiu");
    EXPECT_EQ(table().romanise(U"尉迟恭"), "yu chi gong");
    EXPECT_EQ(table().romanise(U"万俟卨"), "mo qi xie");
}

TEST(PinyinTableTest, CompoundSurnameReadingsCountInSurnamePosition) {
    // 尉 reads wèi, but yù in 尉迟; 澹 reads dàn, but tán in 澹台.
    EXPECT_EQ(surnameReadingsOf(U'尉'), (Spellings{"wei", "yu"}));
    // 万 is the single surname wàn and the mò of 万俟: the single surname's reading comes first.
    EXPECT_EQ(surnameReadingsOf(U'万'), (Spellings{"wan", "mo"}));
    EXPECT_EQ(table().romanise(U"万明"), "wan ming");
    EXPECT_EQ(readingsOf(U'澹'), Spellings{"dan"});
    EXPECT_EQ(surnameReadingsOf(U'澹'), (Spellings{"dan", "tan"}));
    // Where the compound reading is the usual one nothing is added.
    EXPECT_EQ(surnameReadingsOf(U'欧'), Spellings{"ou"});
}

TEST(PinyinTableTest, CharactersWithoutReadingsHaveNone) {
    for (const char32_t c : {U'A', U'z', U'1', U' ', U'·', U'，', char32_t{0}, char32_t{0x10FFFF}}) {
        EXPECT_TRUE(table().readings(c).empty()) << static_cast<std::uint32_t>(c);
        EXPECT_TRUE(table().surnameReadings(c).empty()) << static_cast<std::uint32_t>(c);
    }
    // 𠮷 (U+20BB7, the 吉 of 𠮷野家) is beyond the BMP and in no table.
    EXPECT_TRUE(table().readings(U'\U00020BB7').empty());
}

TEST(PinyinTableTest, CharactersBeyondTheBasicPlane) {
    EXPECT_EQ(readingsOf(U'\U00020000'), Spellings{"he"});  // 𠀀, pinyin.txt only
    EXPECT_EQ(readingsOf(U'\U0002B5AE'), Spellings{"yi"});  // 𫖮, one of the 8,105 standard characters
    EXPECT_EQ(table().romanise(U"王𫖮"), "wang yi");
}

TEST(PinyinTableTest, RareCharactersTakeTheFirstReadingOfTheWiderTable) {
    // 㐤 (U+3424) is not among the 8,105; pinyin.txt lists dān,qiú.
    EXPECT_EQ(readingsOf(U'\u3424'), Spellings{"dan"});
    // 張 (traditional 张) has its own row with the same reading.
    EXPECT_EQ(table().readings(U'張'), table().readings(U'张'));
}

TEST(PinyinTableTest, StandardCharactersTakeTheStandardTablesReading) {
    // pinyin.txt lists 长 as zhǎng,cháng and 乐 as lè,yuè; kMandarin_8105.txt has one reading each.
    EXPECT_EQ(readingsOf(U'长'), Spellings{"zhang"});
    EXPECT_EQ(readingsOf(U'乐'), Spellings{"le"});
    EXPECT_EQ(readingsOf(U'王'), Spellings{"wang"});
}

TEST(PinyinTableTest, OddToneMarksAreFolded) {
    EXPECT_EQ(readingsOf(U'呣'), Spellings{"m"});      // ḿ
    EXPECT_EQ(readingsOf(U'嗯'), Spellings{"n"});      // ń
    EXPECT_EQ(readingsOf(U'\u3576'), Spellings{"n"});  // 㕶 ň
    EXPECT_EQ(readingsOf(U'欸'), Spellings{"ai"});
}

TEST(PinyinTableTest, SpellingsAreTonelessLowerCaseAscii) {
    for (const char32_t c : std::u32string(U"中国张王李赵钱孙吕女绿")) {
        for (const PinyinTable::Syllable syllable : table().readings(c)) {
            const std::string spelling = table().spelling(syllable);
            ASSERT_FALSE(spelling.empty());
            for (const char letter : spelling) {
                EXPECT_TRUE(letter >= 'a' && letter <= 'z') << spelling;
            }
        }
    }
    EXPECT_EQ(readingsOf(U'中'), Spellings{"zhong"});
}

TEST(PinyinTableTest, SameSyllableSameId) {
    // 张 and 章 are both zhāng; 长 is zhǎng: the tone is gone, so all three share one id.
    EXPECT_EQ(table().readings(U'张'), table().readings(U'章'));
    EXPECT_EQ(table().readings(U'张'), table().readings(U'长'));
    EXPECT_NE(table().readings(U'张'), table().readings(U'王'));
}

TEST(PinyinTableTest, RomaniseKeepsCharactersWithoutReadings) {
    EXPECT_EQ(table().romanise(U""), "");
    EXPECT_EQ(table().romanise(U"  "), "");
    EXPECT_EQ(table().romanise(U"Anna王"), "Anna wang");
    EXPECT_EQ(table().romanise(U"王A1"), "wang A1");
    EXPECT_EQ(table().romanise(U"张 三"), "zhang san");
    EXPECT_EQ(table().romanise(U" 单田芳 "), "shan tian fang");
    EXPECT_EQ(table().romanise(U"买买提·艾力"), "mai mai ti · ai li");
    EXPECT_EQ(table().romanise(U"𠮷田"), "𠮷 tian");
}

TEST(PinyinTableTest, BuiltinIsOneTableSharedByThreads) {
    std::vector<const PinyinTable*> seen(4, nullptr);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < seen.size(); ++i) {
        threads.emplace_back([&seen, i] { seen[i] = &PinyinTable::builtin(); });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    for (const PinyinTable* table : seen) {
        EXPECT_EQ(table, &PinyinTable::builtin());
    }
}

TEST(PinyinTableTest, UnknownSyllableIdThrows) {
    EXPECT_ANY_THROW(table().spelling(65535));
}

}  // namespace
}  // namespace gateway::linkage
