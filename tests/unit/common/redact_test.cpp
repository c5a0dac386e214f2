// Citizen ID numbers and mobile numbers leave free text before it is kept or logged; other numbers stay.

#include "gateway/common/redact.h"

#include <gtest/gtest.h>

namespace gateway {
namespace {

TEST(RedactPersonalNumbers, IdNumbersOfEitherFormAndMobilesAreReplaced) {
    EXPECT_EQ(redactPersonalNumbers("same child as 320411201403051248, see school"),
              "same child as [redacted], see school");
    EXPECT_EQ(redactPersonalNumbers("11010119800101567X"), "[redacted]");
    EXPECT_EQ(redactPersonalNumbers("id=11010119800101567x;"), "id=[redacted];");
    EXPECT_EQ(redactPersonalNumbers("old 320411800101124 number"), "old [redacted] number");
    EXPECT_EQ(redactPersonalNumbers("call 13912345678 or 15800000000."), "call [redacted] or [redacted].");
    EXPECT_EQ(redactPersonalNumbers("{\"error\":\"id_number 320411201403051248 unknown\"}"),
              "{\"error\":\"id_number [redacted] unknown\"}");
    EXPECT_EQ(redactPersonalNumbers("父亲13912345678母亲"), "父亲[redacted]母亲");
}

TEST(RedactPersonalNumbers, OtherNumbersAndLengthsStay) {
    for (const char* text : {"", "no digits at all", "2026-11-01T08:00:00.000Z", "batch 1234567 of 20000",
                             "23912345678",          // 11 digits not starting with 1
                             "1391234567",           // 10 digits
                             "139123456789",         // 12 digits
                             "3204112014030512481",  // 19 digits
                             "1234567890123456X",    // an X after 16 digits
                             "HTTP 503 from https://x/hooks: busy",
                             "Pa13912345678",                      // a person ID
                             "/v1/profiles/Pc320411201403051248",  // letters before
                             "sha256=ab320411201403051248cd", "x_13912345678"}) {
        EXPECT_EQ(redactPersonalNumbers(text), text) << text;
    }
    EXPECT_EQ(redactPersonalNumbers("320411201403051248X"), "320411201403051248X") << "digits running into a word";
}

TEST(RedactTest, InsideWordsAlsoTakesNumbersThatRunOnFromLetters) {
    EXPECT_EQ(redactPersonalNumbers("G320411201403051248", true), "G[redacted]");
    EXPECT_EQ(redactPersonalNumbers("G320411201403051248"), "G320411201403051248") << "a word by default";
    EXPECT_EQ(redactPersonalNumbers("tel13912345678x", true), "tel[redacted]x");
    EXPECT_EQ(redactPersonalNumbers("W320000002 2014-03-05", true), "W320000002 2014-03-05") << "other lengths stay";
}

}  // namespace
}  // namespace gateway
