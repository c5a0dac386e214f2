#pragma once

#include "gateway/security/reloadable.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::security {

/// What a client may do. Every route declares the roles it admits.
enum class Role { Admin, Operator, App, Reviewer, Auditor };

std::string_view roleName(Role role);
std::optional<Role> parseRole(std::string_view name);

/// A caller of the API, as the clients file describes it.
struct Client {
    std::string id;
    std::set<Role> roles;
    /// Division prefix the client sees ("" for everything): a village client sees its 12-digit village only.
    std::string scope;
    /// The profile view it reads through (config/profile/views.json); "city" for an administrator that names none.
    std::string view;

    bool has(Role role) const { return roles.contains(role); }
    /// Whether a division code or prefix lies inside the client's scope.
    bool covers(std::string_view division) const { return division.starts_with(scope); }
};

/// The API's clients (`api.clients`, a JSON file), each with the SHA-256 of its API key (keys themselves are never
/// stored), the subject of its client certificate, or both. File format:
///   {"clients": [{"id": "village-320411101201", "roles": ["app"], "scope": "320411101201", "view": "village",
///                 "api_key_sha256": "<64 hex digits>"},
///                {"id": "school-register", "roles": ["operator"], "certificate_subject": "CN=school,O=Education"}]}
class ClientRegistry {
public:
    /// Throws GatewayError(InvalidConfig) naming the JSON pointer of a mistake: a duplicate id or key hash, an
    /// unknown role, a scope that is not a division prefix (digits, 0 to 12), an app client without a view (its scope
    /// may be empty: the whole city).
    static ClientRegistry parse(std::string_view json, std::string_view origin);
    static ClientRegistry load(const std::string& path);

    /// The client whose key this is, or nullopt.
    std::optional<Client> authenticate(std::string_view api_key) const;
    /// The client registered for a verified client certificate's subject (as security::peerSubject writes it).
    std::optional<Client> byCertificate(std::string_view subject) const;

    const std::vector<Client>& clients() const { return clients_; }
    bool empty() const { return clients_.empty(); }

private:
    std::vector<Client> clients_;
    std::vector<std::string> key_hashes_;  // parallel to clients_; "" for a client without a key
    std::vector<std::string> subjects_;    // parallel to clients_; "" for a client without a certificate
};

/// The clients a running server authenticates against, replaced when SIGHUP reloads the clients file.
using ClientDirectory = Reloadable<ClientRegistry>;

/// A new random API key (32 bytes from the system's CSPRNG, base64url without padding).
std::string newApiKey();

}  // namespace gateway::security
