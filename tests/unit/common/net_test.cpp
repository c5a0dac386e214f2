#include "gateway/common/net.h"

#include <gtest/gtest.h>

namespace gateway {
namespace {

TEST(LoopbackHostTest, OnlyAddressesThatCannotLeaveTheMachine) {
    for (const char* host : {"localhost", "127.0.0.1", "127.1.2.3", "127.255.255.255", "::1", "[::1]",
                             "::ffff:127.0.0.1", "0:0:0:0:0:0:0:1"}) {
        EXPECT_TRUE(isLoopbackHost(host)) << host;
    }
    // Names are resolved by DNS, whatever they look like; other addresses are other machines.
    for (const char* host :
         {"", "127.attacker.example", "127.0.0.1.nip.io", "localhost.example", "LOCALHOST.", "128.0.0.1", "10.0.0.1",
          "126.255.255.255", "::2", "[::1", "::ffff:10.0.0.1", "0.0.0.0", "::", "example.org"}) {
        EXPECT_FALSE(isLoopbackHost(host)) << host;
    }
}

}  // namespace
}  // namespace gateway
