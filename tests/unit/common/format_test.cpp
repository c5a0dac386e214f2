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

}  // namespace
}  // namespace gateway
