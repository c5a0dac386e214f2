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

TEST(LoopbackHostTest, PlainHttpIsOffTheMachineUnlessItGoesToLoopback) {
    for (const char* url : {"http://127.0.0.1:8092/hooks", "http://[::1]/token", "http://localhost/x",
                            "https://sso.example.gov.cn/token", "https://10.0.0.7/x"}) {
        EXPECT_FALSE(isPlainHttpOffMachine(url)) << url;
    }
    for (const char* url : {"http://sso.example.gov.cn/token", "http://127.attacker.example/x", "http://10.0.0.7/x",
                            "http://[::1/x", "http://"}) {
        EXPECT_TRUE(isPlainHttpOffMachine(url)) << url;
    }
}

}  // namespace
}  // namespace gateway
