#include "gateway/security/clients.h"
#include "gateway/common/file.h"
#include "gateway/security/jwt.h"

#include "gateway/common/config_tree.h"
#include "gateway/common/error.h"
#include "gateway/common/file.h"
#include "gateway/common/hash.h"
#include "gateway/common/utf8.h"

#include <openssl/rand.h>

#include <array>

namespace gateway::security {

namespace {

constexpr std::array<std::pair<Role, std::string_view>, 5> kRoles{{{Role::Admin, "admin"},
                                                                   {Role::Operator, "operator"},
                                                                   {Role::App, "app"},
                                                                   {Role::Reviewer, "reviewer"},
                                                                   {Role::Auditor, "auditor"}}};

bool isLowerHex(std::string_view text) {
    return text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

std::string_view roleName(Role role) {
    for (const auto& [value, name] : kRoles) {
        if (value == role) {
            return name;
        }
    }
    return "unknown";
}

std::optional<Role> parseRole(std::string_view name) {
    for (const auto& [value, role_name] : kRoles) {
        if (role_name == name) {
            return value;
        }
    }
    return std::nullopt;
}

ClientRegistry ClientRegistry::parse(std::string_view json, std::string_view origin) {
    const auto document = ConfigDocument::parse(std::string(json), std::string(origin));
    const ConfigCursor root = ConfigCursor::root(*document);
    const auto list = root.find("clients");
    if (!list || !list->node().isArray()) {
        document->fail((list ? *list : root).offset(), "/clients", "expected an array of clients");
    }
    ClientRegistry registry;
    for (std::size_t i = 0; i < list->node().elements.size(); ++i) {
        const ConfigCursor at = list->element(i);
        const ObjectReader item(
            at, {"id", "roles", "scope", "view", "api_key_sha256", "certificate_subject", "description"});
        const auto text = [&](std::string_view key) {
            const auto found = item.get(key);
            return found ? found->asString() : std::string();
        };
        Client client;
        client.id = item.require("id").asString();
        if (client.id.empty() || !utf8::isValid(client.id)) {
            at.failAt("id", "expected a non-empty name");
        }
        client.scope = text("scope");
        if (client.scope.size() > 12 || client.scope.find_first_not_of("0123456789") != std::string::npos) {
            at.failAt("scope", "expected a division prefix of up to 12 digits, e.g. 320411101");
        }
        client.view = text("view");
        const std::string hash = text("api_key_sha256");
        const std::string subject = text("certificate_subject");
        if (hash.empty() && subject.empty()) {
            at.fail("give api_key_sha256, certificate_subject or both: how the client proves who it is");
        }
        if (!hash.empty() && (hash.size() != 64 || !isLowerHex(hash))) {
            at.failAt("api_key_sha256", "expected 64 lower-case hex digits (gateway clients new-key)");
        }
        if (item.has("certificate_subject") && (subject.empty() || subject.find('=') == std::string::npos)) {
            at.failAt("certificate_subject",
                      "expected a certificate subject such as \"CN=school-register,O=Education Bureau\"");
        }
        const auto roles = item.get("roles");
        if (!roles || !roles->node().isArray() || roles->node().elements.empty()) {
            at.failAt("roles", "expected a non-empty array of admin, operator, app, reviewer, auditor");
        }
        for (std::size_t r = 0; r < roles->node().elements.size(); ++r) {
            const ConfigNode& name = roles->node().elements[r];
            const auto role = name.isString() ? parseRole(name.text) : std::nullopt;
            if (!role) {
                roles->element(r).fail("expected admin, operator, app, reviewer or auditor");
            }
            client.roles.insert(*role);
        }
        if (client.has(Role::App) && client.view.empty()) {
            at.failAt("view", "an app client names the view it reads through");
        }
        if (client.has(Role::Admin) && client.view.empty()) {
            client.view = "city";  // as the local administrator: everything
        }
        for (std::size_t j = 0; j < registry.clients_.size(); ++j) {
            if (registry.clients_[j].id == client.id) {
                at.failAt("id", "client " + utf8::quote(client.id) + " is defined twice");
            }
            if (!hash.empty() && registry.key_hashes_[j] == hash) {
                at.failAt("api_key_sha256", "the same key is given to " + utf8::quote(registry.clients_[j].id));
            }
            if (!subject.empty() && registry.subjects_[j] == subject) {
                at.failAt("certificate_subject",
                          "the same certificate subject is given to " + utf8::quote(registry.clients_[j].id));
            }
        }
        registry.clients_.push_back(std::move(client));
        registry.key_hashes_.push_back(hash);
        registry.subjects_.push_back(subject);
    }
    return registry;
}

ClientRegistry ClientRegistry::load(const std::string& path) {
    return parse(readFileContent(path, "clients file"), path);
}

std::optional<Client> ClientRegistry::authenticate(std::string_view api_key) const {
    if (api_key.empty()) {
        return std::nullopt;
    }
    const std::string hash = sha256Hex(api_key);
    std::optional<Client> found;
    // Every hash is compared, so the time taken says nothing about which client (if any) a key is close to.
    for (std::size_t i = 0; i < clients_.size(); ++i) {
        if (!key_hashes_[i].empty() && constantTimeEquals(hash, key_hashes_[i])) {
            found = clients_[i];
        }
    }
    return found;
}

std::optional<Client> ClientRegistry::byCertificate(std::string_view subject) const {
    for (std::size_t i = 0; i < clients_.size(); ++i) {
        if (!subjects_[i].empty() && subjects_[i] == subject) {
            return clients_[i];
        }
    }
    return std::nullopt;
}

std::string newApiKey() {
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        throw GatewayError(ErrorCode::Internal, "the system's random number generator failed");
    }
    return "gwk_" + base64Url(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace gateway::security
