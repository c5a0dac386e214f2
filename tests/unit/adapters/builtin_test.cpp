#include "adapters/adapter.h"

#include <gtest/gtest.h>

namespace gateway::adapters {
namespace {

TEST(BuiltinAdaptersTest, RegistersRestSqlAndFile) {
    AdapterRegistry registry;
    registerBuiltinAdapters(registry);
    EXPECT_EQ(registry.names(), (std::vector<std::string>{"file", "rest", "sql"}));
    EXPECT_NE(registry.create("rest"), nullptr);
}

}  // namespace
}  // namespace gateway::adapters
