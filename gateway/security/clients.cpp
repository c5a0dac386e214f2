#include "gateway/security/clients.h"
#include "gateway/common/file.h"
#include "gateway/security/jwt.h"

#include "gateway/common/error.h"
#include "gateway/common/hash.h"
#include "gateway/common/json_config.h"
#include "gateway/common/utf8.h"

#include <openssl/rand.h>
#include <rapidjson/document.h>

#include <array>
#include <fstream>
#include <sstream>

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
    rapidjson::Document document = parseConfigJson(json, origin);
    if (!document.IsObject() || !document.HasMember("clients") || !document["clients"].IsArray()) {
        configFail(origin, "/clients", "expected an array of clients");
    }
    ClientRegistry registry;
    const auto& list = document["clients"];
    for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
        const std::string where = "/clients/" + std::to_string(i);
        if (!list[i].IsObject()) {
            configFail(origin, where, "expected an object");
        }
        for (auto member = list[i].MemberBegin(); member != list[i].MemberEnd(); ++member) {
            const std::string key = member->name.GetString();
            if (key != "id" && key != "roles" && key != "scope" && key != "view" && key != "api_key_sha256" &&
                key != "certificate_subject" && key != "description") {
                configFail(origin, where + "/" + key,
                           "unknown member (id, roles, scope, view, api_key_sha256, certificate_subject, description)");
            }
        }
        Client client;
        client.id = configString(list[i], "id", origin, where, true);
        if (client.id.empty() || !utf8::isValid(client.id)) {
            configFail(origin, where + "/id", "expected a non-empty name");
        }
        client.scope = configString(list[i], "scope", origin, where, false);
        if (client.scope.size() > 12 || client.scope.find_first_not_of("0123456789") != std::string::npos) {
            configFail(origin, where + "/scope", "expected a division prefix of up to 12 digits, e.g. 320411101");
        }
        client.view = configString(list[i], "view", origin, where, false);
        const std::string hash = configString(list[i], "api_key_sha256", origin, where, false);
        const std::string subject = configString(list[i], "certificate_subject", origin, where, false);
        if (hash.empty() && subject.empty()) {
            configFail(origin, where,
                       "give api_key_sha256, certificate_subject or both: how the client proves who it is");
        }
        if (!hash.empty() && (hash.size() != 64 || !isLowerHex(hash))) {
            configFail(origin, where + "/api_key_sha256",
                       "expected 64 lower-case hex digits (gateway clients new-key)");
        }
        if (list[i].HasMember("certificate_subject") && (subject.empty() || subject.find('=') == std::string::npos)) {
            configFail(origin, where + "/certificate_subject",
                       "expected a certificate subject such as \"CN=school-register,O=Education Bureau\"");
        }
        const auto roles = list[i].FindMember("roles");
        if (roles == list[i].MemberEnd() || !roles->value.IsArray() || roles->value.Empty()) {
            configFail(origin, where + "/roles",
                       "expected a non-empty array of admin, operator, app, reviewer, auditor");
        }
        for (rapidjson::SizeType r = 0; r < roles->value.Size(); ++r) {
            const auto role = roles->value[r].IsString() ? parseRole(roles->value[r].GetString()) : std::nullopt;
            if (!role) {
                configFail(origin, where + "/roles/" + std::to_string(r),
                           "expected admin, operator, app, reviewer or auditor");
            }
            client.roles.insert(*role);
        }
        if (client.has(Role::App) && client.view.empty()) {
            configFail(origin, where + "/view", "an app client names the view it reads through");
        }
        if (client.has(Role::Admin) && client.view.empty()) {
            client.view = "city";  // as the local administrator: everything
        }
        for (std::size_t j = 0; j < registry.clients_.size(); ++j) {
            if (registry.clients_[j].id == client.id) {
                configFail(origin, where + "/id", "client " + utf8::quote(client.id) + " is defined twice");
            }
            if (!hash.empty() && registry.key_hashes_[j] == hash) {
                configFail(origin, where + "/api_key_sha256",
                           "the same key is given to " + utf8::quote(registry.clients_[j].id));
            }
            if (!subject.empty() && registry.subjects_[j] == subject) {
                configFail(origin, where + "/certificate_subject",
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
