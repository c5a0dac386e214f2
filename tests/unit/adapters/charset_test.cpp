#include "adapters/common/charset.h"

#include "tests/support/encoding.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace gateway::adapters::charset {
namespace {

using gateway::testing::toGb18030;

TEST(CharsetTest, NamesGbkAsGb18030) {
    EXPECT_EQ(encodingFromName("gbk"), Encoding::Gb18030);
    EXPECT_EQ(encodingFromName("GB18030"), Encoding::Gb18030);
    EXPECT_EQ(encodingFromName("utf-8"), Encoding::Utf8);
    EXPECT_EQ(encodingFromName("UTF8"), Encoding::Utf8);
    EXPECT_EQ(encodingFromName("big5"), std::nullopt);
    EXPECT_EQ(encodingName(Encoding::Gb18030), "GB18030");
}

TEST(CharsetTest, DecodesTwoAndFourByteGb18030IncludingBeyondTheBmp) {
    // 张 D5C5, 𠮷 U+20BB7 = 95 34 B2 35, 龦 U+9FA6 = 82 35 8F 33 (a four-byte BMP character), 𪚥 U+2A6A5.
    EXPECT_EQ(toUtf8("\xD5\xC5", Encoding::Gb18030), "张");
    EXPECT_EQ(toUtf8("\x95\x34\xB2\x35", Encoding::Gb18030), "\xF0\xA0\xAE\xB7");
    EXPECT_EQ(toUtf8("\x82\x35\x8F\x33", Encoding::Gb18030), "龦");
    EXPECT_EQ(toUtf8("\x98\x35\xEE\x37", Encoding::Gb18030), "𪚥");
    EXPECT_EQ(toUtf8("ab,1\n", Encoding::Gb18030), "ab,1\n");
    EXPECT_EQ(toUtf8("", Encoding::Gb18030), "");
}

TEST(CharsetTest, RoundTripsRareNamesThroughGb18030) {
    const std::string names = "张𠮷 李龦 王𪚥 赵䶮 陈亅昞 刘堃 周喆 吴珺 郑彧 孙玥 ﹏€";
    const std::string encoded = toGb18030(names);
    EXPECT_NE(encoded, names);
    EXPECT_EQ(toUtf8(encoded, Encoding::Gb18030), names);
}

TEST(CharsetTest, DecoderIsReusableAcrossCalls) {
    Decoder decoder(Encoding::Gb18030);
    std::string out;
    ASSERT_TRUE(decoder.decode("\xD5\xC5", out));
    EXPECT_EQ(out, "张");
    EXPECT_FALSE(decoder.decode("\xD5", out));  // truncated; must not leak state into the next call
    ASSERT_TRUE(decoder.decode("\xD7\xD3", out));
    EXPECT_EQ(out, "子");
    const std::string big(300000, '\xB0');  // 150,000 × 啊 (B0A1 needs a trailing byte; B0B0 is 鞍)
    ASSERT_TRUE(decoder.decode(big, out));
    EXPECT_EQ(out.size(), 450000u);
}

TEST(CharsetTest, ReportsTheOffsetOfAnUndecodableGb18030Sequence) {
    DecodeError error;
    EXPECT_FALSE(
        toUtf8("ab\x81\x20"
               "cd",
               Encoding::Gb18030, &error));
    EXPECT_EQ(error.offset, 2u);
    EXPECT_EQ(error.reason, "invalid GB18030 sequence 0x81 0x20");

    EXPECT_FALSE(toUtf8("\xD5\xC5\xFF", Encoding::Gb18030, &error));
    EXPECT_EQ(error.offset, 2u);
    EXPECT_EQ(error.reason, "invalid GB18030 sequence 0xFF");

    EXPECT_FALSE(toUtf8("x\x80", Encoding::Gb18030, &error));
    EXPECT_EQ(error.offset, 1u);

    EXPECT_FALSE(toUtf8("\xD5\xC5\xD5", Encoding::Gb18030, &error));
    EXPECT_EQ(error.offset, 2u);
    EXPECT_EQ(error.reason, "truncated GB18030 sequence 0xD5 at the end");

    EXPECT_FALSE(toUtf8("\x95\x34\xB2", Encoding::Gb18030, &error));
    EXPECT_EQ(error.offset, 0u);
    EXPECT_EQ(error.reason, "truncated GB18030 sequence 0x95 0x34 0xB2 at the end");
}

TEST(CharsetTest, ValidatesUtf8StrictlyWithTheOffset) {
    EXPECT_EQ(toUtf8("张\xF0\xA0\xAE\xB7", Encoding::Utf8), "张\xF0\xA0\xAE\xB7");
    DecodeError error;
    EXPECT_FALSE(toUtf8("ab\xFF", Encoding::Utf8, &error));
    EXPECT_EQ(error.offset, 2u);
    EXPECT_EQ(error.reason, "invalid UTF-8 sequence 0xFF");
    EXPECT_FALSE(toUtf8("a\xE5\xBC", Encoding::Utf8, &error));
    EXPECT_EQ(error.offset, 1u);
    EXPECT_EQ(error.reason, "truncated UTF-8 sequence 0xE5 0xBC at the end");
    // A GBK name read as UTF-8 fails at its first byte rather than turning into replacement characters.
    EXPECT_FALSE(toUtf8("x\xD5\xC5", Encoding::Utf8, &error));
    EXPECT_EQ(error.offset, 1u);
}

TEST(CharsetTest, DetectsByteOrderMarks) {
    const auto utf8 = detectBom("\xEF\xBB\xBFid,name");
    ASSERT_TRUE(utf8);
    EXPECT_EQ(utf8->encoding, Encoding::Utf8);
    EXPECT_EQ(utf8->length, 3u);
    const auto gb = detectBom("\x84\x31\x95\x33id");
    ASSERT_TRUE(gb);
    EXPECT_EQ(gb->encoding, Encoding::Gb18030);
    EXPECT_EQ(gb->length, 4u);
    EXPECT_FALSE(detectBom("id,name"));
    EXPECT_FALSE(detectBom("\xEF\xBB"));
    EXPECT_FALSE(detectBom(""));
}

TEST(CharsetTest, MeasuresGb18030SequencesSoScannersSkipTrailingBytes) {
    EXPECT_EQ(gb18030SequenceLength("a"), 1u);
    EXPECT_EQ(gb18030SequenceLength("\x81\x7C"), 2u);  // 亅: the trailing byte is '|'
    EXPECT_EQ(gb18030SequenceLength("\x95\x5C"), 2u);  // 昞: the trailing byte is '\'
    EXPECT_EQ(gb18030SequenceLength("\x95\x34\xB2\x35"), 4u);
    EXPECT_EQ(gb18030SequenceLength("\x81\x0A"), 1u);  // a newline is never swallowed by a broken lead byte
    EXPECT_EQ(gb18030SequenceLength("\x81\x30\x0A\x30"), 1u);
    EXPECT_EQ(gb18030SequenceLength("\x81"), 0u);  // more bytes needed
    EXPECT_EQ(gb18030SequenceLength("\x95\x34"), 0u);
    EXPECT_EQ(gb18030SequenceLength("\xFF"), 1u);
    EXPECT_EQ(gb18030SequenceLength(""), 0u);
}

TEST(CharsetTest, SniffsUtf8AndGb18030) {
    EncodingSniffer utf8;
    utf8.feed("出生医学证明编号,新生儿姓名\nQ1,张𠮷\n");
    EXPECT_EQ(utf8.result(), Encoding::Utf8);

    EncodingSniffer gb;
    gb.feed(toGb18030("出生医学证明编号,新生儿姓名\nQ1,张𠮷\n"));
    EXPECT_EQ(gb.result(), Encoding::Gb18030);

    EncodingSniffer ascii;
    ascii.feed("id,name\n1,x\n");
    EXPECT_EQ(ascii.result(), Encoding::Utf8);
}

TEST(CharsetTest, SniffingAcrossChunkBoundaries) {
    const std::string text = "新生儿姓名张𠮷";
    EncodingSniffer sniffer;
    for (const char c : text) {
        sniffer.feed(std::string(1, c));
    }
    EXPECT_EQ(sniffer.invalid(), 0u);
    EXPECT_EQ(sniffer.validMultiByte(), 7u);
    EXPECT_EQ(sniffer.result(), Encoding::Utf8);
}

TEST(CharsetTest, AUtf8FileWithAFewCorruptBytesStaysUtf8) {
    std::string text;
    for (int i = 0; i < 200; ++i) {
        text += "Q" + std::to_string(i) + ",张子涵,女\n";
    }
    text += "Q999,\xFF\xFE,女\n";
    EncodingSniffer sniffer;
    sniffer.feed(text);
    EXPECT_GT(sniffer.invalid(), 0u);
    EXPECT_EQ(sniffer.result(), Encoding::Utf8);
}

TEST(CharsetTest, HexBytesForMessages) {
    EXPECT_EQ(hexBytes("\x81\x20"
                       "abc",
                       0),
              "0x81 0x20 0x61 0x62");
    EXPECT_EQ(hexBytes("\x81\x20", 1, 4), "0x20");
    EXPECT_EQ(hexBytes("ab", 5), "");
}

}  // namespace
}  // namespace gateway::adapters::charset
