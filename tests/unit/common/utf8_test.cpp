#include "gateway/common/utf8.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace gateway::utf8 {
namespace {

TEST(Utf8Test, DecodesEveryLengthIncludingBeyondTheBmp) {
    const auto decoded = decode("a\xC2\xB7张\xF0\xA0\xAE\xB7");  // a · 张 𠮷
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, (std::u32string{U'a', U'\u00B7', U'\u5F20', U'\U00020BB7'}));
    EXPECT_EQ(encode(*decoded), "a\xC2\xB7张\xF0\xA0\xAE\xB7");
    EXPECT_EQ(length("张\xF0\xA0\xAE\xB7"), 2u);
}

TEST(Utf8Test, RejectsIllFormedSequencesWithTheOffset) {
    DecodeError error;
    EXPECT_FALSE(decode("ab\xFF", &error).has_value());
    EXPECT_EQ(error.offset, 2u);
    EXPECT_EQ(error.reason, "invalid UTF-8 byte 0xFF at byte 2");

    EXPECT_FALSE(decode("\xE5\xBC", &error).has_value());  // truncated 张
    EXPECT_EQ(error.reason, "truncated UTF-8 sequence at byte 0");
    EXPECT_FALSE(isValid("\xC0\xAF"));             // overlong '/'
    EXPECT_FALSE(isValid("\xE0\x80\xAF"));         // overlong '/'
    EXPECT_FALSE(isValid("\xED\xA0\x80"));         // surrogate U+D800
    EXPECT_FALSE(isValid("\xF4\x90\x80\x80"));     // above U+10FFFF
    EXPECT_FALSE(isValid("\x80"));                 // stray continuation
    EXPECT_TRUE(isValid(std::string("a\0b", 3)));  // NUL is well-formed; callers decide
    EXPECT_TRUE(isValid(""));
}

TEST(Utf8Test, ABadByteAnywhereInALongAsciiRunIsFound) {
    // isValid reads ASCII eight bytes at a time: a bad or cut sequence at every offset of, and after, such words.
    for (std::size_t at = 0; at < 26; ++at) {
        for (const std::string bad : {"\xFF", "\x80", "\xC0\xAF", "\xE5\xBC", "\xED\xA0\x80"}) {
            const std::string text = std::string(at, 'a') + bad + std::string(at % 3 == 0 ? 0 : 9, 'b');
            EXPECT_FALSE(isValid(text)) << at << " " << quote(text);
        }
        const std::string good = std::string(at, 'a') + "张\xF0\xA0\xAE\xB7" + std::string(at, 'b');
        EXPECT_TRUE(isValid(good)) << at;
    }
    EXPECT_TRUE(isValid(std::string(4096, 'x')));
    EXPECT_FALSE(isValid(std::string(4096, 'x') + "\xE5"));
}

TEST(Utf8Test, IsValidAgreesWithDecodeOnRandomBytes) {
    std::uint64_t state = 20261124;
    const auto next = [&state] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<unsigned>(state >> 33);
    };
    for (int round = 0; round < 20000; ++round) {
        std::string text;
        const unsigned length = next() % 40;
        for (unsigned i = 0; i < length; ++i) {
            // Mostly ASCII, as records are, with lead and continuation bytes among it.
            const unsigned pick = next() % 10;
            text.push_back(static_cast<char>(pick < 7 ? 0x20 + next() % 0x5F : 0x80 + next() % 0x80));
        }
        EXPECT_EQ(isValid(text), decode(text).has_value()) << quote(text);
    }
}

TEST(Utf8Test, ToValidReplacesOnlyTheBadBytes) {
    EXPECT_EQ(toValidUtf8("张\xFF三"), "张\xEF\xBF\xBD三");
    EXPECT_EQ(toValidUtf8("\xF0\xA0\xAE\xB7"), "\xF0\xA0\xAE\xB7");
}

TEST(Utf8Test, QuoteShowsHostileInputPrintablyAndShort) {
    EXPECT_EQ(quote(std::string("a\0b", 3)), "\"a\\x00b\"");
    EXPECT_EQ(quote("x\"y\\"), "\"x\\\"y\\\\\"");
    EXPECT_EQ(quote("\xFF"), "\"\\xFF\"");
    EXPECT_EQ(quote(std::string(10000, 'z'), 5), "\"zzzzz…\"");
    EXPECT_EQ(quote("\xE2\x80\xA8"), "\"\\u{2028}\"");
}

TEST(Utf8Test, FoldsFullWidthFormsAndIdeographicSpace) {
    EXPECT_EQ(foldFullWidth(U'\uFF11'), U'1');
    EXPECT_EQ(foldFullWidth(U'\uFF38'), U'X');
    EXPECT_EQ(foldFullWidth(U'\u3000'), U' ');
    EXPECT_EQ(foldFullWidth(U'\u5F20'), U'\u5F20');
    EXPECT_TRUE(isSpace(U'\u3000'));
    EXPECT_FALSE(isSpace(U'\u5F20'));
}

TEST(Utf8Test, RecognisesHanInEveryBlock) {
    EXPECT_TRUE(isHan(U'\u5F20'));
    EXPECT_TRUE(isHan(U'\u3400'));
    EXPECT_TRUE(isHan(U'\U00020BB7'));
    EXPECT_TRUE(isHan(U'\U00030000'));
    EXPECT_FALSE(isHan(U'a'));
    EXPECT_FALSE(isHan(U'\u00B7'));
}

}  // namespace
}  // namespace gateway::utf8
