#include "gateway/common/format.h"

#include <gtest/gtest.h>

#include <limits>

namespace gateway {
namespace {

TEST(FormatTest, ThousandsAreSeparatedByCommas) {
    EXPECT_EQ(withThousands(0), "0");
    EXPECT_EQ(withThousands(999), "999");
    EXPECT_EQ(withThousands(1000), "1,000");
    EXPECT_EQ(withThousands(2108503), "2,108,503");
    EXPECT_EQ(withThousands(-1234567), "-1,234,567");
    EXPECT_EQ(withThousands(-999), "-999");
    EXPECT_EQ(withThousands(std::numeric_limits<std::int64_t>::min()), "-9,223,372,036,854,775,808");
}

TEST(FormatTest, HtmlEscapingCoversTextAndQuotedAttributes) {
    EXPECT_EQ(escapeHtml(""), "");
    EXPECT_EQ(escapeHtml("罗溪镇"), "罗溪镇");
    EXPECT_EQ(escapeHtml("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
    EXPECT_EQ(escapeHtml(R"(a & b "c" 'd')"), "a &amp; b &quot;c&quot; &#39;d&#39;");
    // Already escaped text is escaped again: the input is data, never markup.
    EXPECT_EQ(escapeHtml("&amp;"), "&amp;amp;");
}

}  // namespace
}  // namespace gateway
