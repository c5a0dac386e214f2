// The clients file decides who reaches minors' data: a key must identify exactly its client, a mistake in the file
// must stop the gateway with the place named, and keys must be unguessable.

#include "gateway/security/clients.h"
#include "gateway/common/error.h"
#include "gateway/common/hash.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>
#include <thread>
#include <vector>

namespace gateway::security {
namespace {

std::string clientsJson(const std::string& village_key, const std::string& admin_key) {
    return R"({"clients": [
        {"id": "village-320411101201", "roles": ["app"], "scope": "320411101201", "view": "village",
         "api_key_sha256": ")" +
           sha256Hex(village_key) + R"("},
        {"id": "ops", "roles": ["admin", "auditor"], "api_key_sha256": ")" +
           sha256Hex(admin_key) + R"("}]})";
}

TEST(Clients, AKeyIdentifiesItsClientAndNothingElseDoes) {
    const ClientRegistry registry = ClientRegistry::parse(clientsJson("village-key-1", "admin-key-2"), "clients.json");
    ASSERT_EQ(registry.clients().size(), 2u);
    const auto village = registry.authenticate("village-key-1");
    ASSERT_TRUE(village);
    EXPECT_EQ(village->id, "village-320411101201");
    EXPECT_TRUE(village->has(Role::App));
    EXPECT_FALSE(village->has(Role::Admin));
    EXPECT_EQ(village->scope, "320411101201");
    EXPECT_TRUE(village->covers("320411101201"));
    EXPECT_FALSE(village->covers("320411101202"));
    EXPECT_FALSE(village->covers("320411101"));

    const auto admin = registry.authenticate("admin-key-2");
    ASSERT_TRUE(admin);
    EXPECT_TRUE(admin->has(Role::Admin) && admin->has(Role::Auditor));
    EXPECT_TRUE(admin->covers("110101001001")) << "an empty scope covers every division";

    for (const std::string& wrong : {std::string(), std::string("village-key-"), std::string("village-key-1 "),
                                     std::string("VILLAGE-KEY-1"), sha256Hex("village-key-1")}) {
        EXPECT_FALSE(registry.authenticate(wrong)) << wrong;
    }
}

TEST(Clients, AReplacedDirectoryRevokesOldKeysWhileReadersKeepTheRegistryTheyHold) {
    ClientDirectory directory(ClientRegistry::parse(clientsJson("village-key-1", "admin-key-2"), "clients.json"));
    const std::shared_ptr<const ClientRegistry> before = directory.current();
    std::atomic<bool> done{false};
    std::atomic<int> torn{0};
    std::vector<std::thread> readers;
    for (int i = 0; i < 4; ++i) {
        readers.emplace_back([&] {
            while (!done) {
                // Within one registry exactly one of the two village keys is valid, whatever replace() does.
                const auto registry = directory.current();
                const bool old_key = registry->authenticate("village-key-1").has_value();
                const bool new_key = registry->authenticate("village-key-3").has_value();
                torn += old_key == new_key ? 1 : 0;
            }
        });
    }
    for (int round = 0; round < 200; ++round) {
        directory.replace(ClientRegistry::parse(
            clientsJson(round % 2 == 0 ? "village-key-3" : "village-key-1", "admin-key-2"), "clients.json"));
    }
    directory.replace(ClientRegistry::parse(clientsJson("village-key-3", "admin-key-2"), "clients.json"));
    done = true;
    for (auto& reader : readers) {
        reader.join();
    }
    EXPECT_EQ(torn, 0);
    EXPECT_FALSE(directory.current()->authenticate("village-key-1")) << "revoked";
    EXPECT_TRUE(directory.current()->authenticate("village-key-3"));
    EXPECT_TRUE(before->authenticate("village-key-1")) << "a registry held stays whole";
}

TEST(Clients, RolesHaveNamesBothWays) {
    for (const Role role : {Role::Admin, Role::Operator, Role::App, Role::Reviewer, Role::Auditor}) {
        EXPECT_EQ(parseRole(roleName(role)), role);
    }
    EXPECT_FALSE(parseRole("root"));
    EXPECT_FALSE(parseRole("Admin"));
}

TEST(Clients, MistakesStopTheGatewayWithTheirPlaceNamed) {
    const std::string hash = sha256Hex("k");
    const auto fails = [](const std::string& json, const std::string& where) {
        try {
            ClientRegistry::parse(json, "clients.json");
            ADD_FAILURE() << "accepted: " << json;
        } catch (const GatewayError& e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidConfig);
            EXPECT_NE(e.message().find(where), std::string::npos) << e.message();
        }
    };
    const auto one = [&](const std::string& members) { return R"({"clients": [{)" + members + "}]}"; };
    fails("{", "clients.json:1: invalid JSON");
    fails(R"({"clients": {}})", "/clients");
    fails(one(R"("roles": ["app"], "view": "village", "api_key_sha256": ")" + hash + "\""),
          "at /clients/0: missing key 'id'");
    fails(one(R"("id": "a", "roles": ["root"], "api_key_sha256": ")" + hash + "\""), "/clients/0/roles/0");
    fails(one(R"("id": "a", "roles": [], "api_key_sha256": ")" + hash + "\""), "/clients/0/roles");
    fails(one(R"("id": "a", "roles": ["app"], "api_key_sha256": ")" + hash + "\""), "/clients/0/view");
    fails(one(R"("id": "a", "roles": ["admin"], "scope": "3204x", "api_key_sha256": ")" + hash + "\""),
          "/clients/0/scope");
    fails(one(R"("id": "a", "roles": ["admin"], "scope": "3204111012011", "api_key_sha256": ")" + hash + "\""),
          "/clients/0/scope");
    fails(one(R"("id": "a", "roles": ["admin"], "api_key_sha256": "secret")"), "/clients/0/api_key_sha256");
    fails(one(R"("id": "a", "roles": ["admin"], "api_key_sha256": ")" + std::string(64, 'G') + "\""),
          "/clients/0/api_key_sha256");
    fails(one(R"("id": "a", "roles": ["admin"], "api_key": "plain", "api_key_sha256": ")" + hash + "\""),
          "at /clients/0: unknown key 'api_key'");
    const std::string twice = R"({"clients": [{"id": "a", "roles": ["admin"], "api_key_sha256": ")" + hash +
                              R"("}, {"id": "a", "roles": ["admin"], "api_key_sha256": ")" + sha256Hex("other") +
                              R"("}]})";
    fails(twice, "/clients/1/id");
    const std::string same_key = R"({"clients": [{"id": "a", "roles": ["admin"], "api_key_sha256": ")" + hash +
                                 R"("}, {"id": "b", "roles": ["admin"], "api_key_sha256": ")" + hash + R"("}]})";
    fails(same_key, "/clients/1/api_key_sha256");
}

TEST(Clients, NewKeysAreLongRandomAndUrlSafe) {
    std::set<std::string> keys;
    for (int i = 0; i < 200; ++i) {
        const std::string key = newApiKey();
        EXPECT_TRUE(key.starts_with("gwk_")) << key;
        EXPECT_EQ(key.size(), 4u + 43u) << key;  // 32 bytes in base64url without padding
        EXPECT_EQ(key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 4),
                  std::string::npos)
            << key;
        keys.insert(key);
    }
    EXPECT_EQ(keys.size(), 200u);
}

}  // namespace
}  // namespace gateway::security
