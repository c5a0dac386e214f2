#pragma once

#include "gateway/api/http.h"
#include "gateway/security/jwt.h"
#include "gateway/security/rate_limiter.h"
#include "gateway/security/reloadable.h"

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::api {

using Handler = std::function<Response(const Request&)>;

/// One rule: a method and a path pattern whose `{name}` segments capture one path segment each.
struct Route {
    std::string method;
    std::string pattern;
    std::string summary;  // one line, also the OpenAPI summary
    Handler handler;
    /// The roles admitted; admin only unless the route says otherwise.
    std::set<security::Role> roles{security::Role::Admin};
    /// Open to anyone, without credentials (liveness, the OpenAPI document).
    bool anonymous = false;
    /// Discloses personal data: the caller declares why, in X-Purpose (a configured purpose code), or gets 400.
    bool personal = false;
    /// The query parameters the handler reads, for the OpenAPI document (the summary says what each does).
    std::vector<std::string> query{};
};

class AccessLog;

/// What dispatch() checks besides a route's roles. Each part is optional: a router without clients or token issuer
/// treats every caller as the local administrator (development on loopback only), one without an access log writes
/// no entries (unit tests of routes). Everything pointed to must outlive the router.
struct AccessControl {
    const security::ClientDirectory* clients = nullptr;
    const security::Reloadable<security::JwtVerifier>* tokens = nullptr;
    security::RateLimiter* rate_limiter = nullptr;
    AccessLog* access_log = nullptr;
    /// The purpose codes X-Purpose accepts (api.purposes).
    std::vector<std::string> purposes{};
};

/// Ordered method+path rules. A path that matches no pattern is 404; one that matches a pattern under another
/// method is 405 with the allowed methods. The first matching rule wins.
class Router {
public:
    void add(Route route);

    struct Match {
        const Route* route = nullptr;  // null when nothing matched
        std::map<std::string, std::string> path_params;
        std::vector<std::string> allowed_methods;  // set when the path matched under other methods only
    };

    Match match(std::string_view method, std::string_view path) const;

    const std::vector<Route>& routes() const { return routes_; }

    void setAccessControl(AccessControl access) { access_ = std::move(access); }
    const AccessControl& accessControl() const { return access_; }
    /// Shorthand for an access control with these clients and nothing else.
    void setClients(const security::ClientDirectory* clients) { access_.clients = clients; }

private:
    std::vector<Route> routes_;
    AccessControl access_;
};

/// The local administrator every request acts as when no clients are configured.
security::Client localAdministrator();

}  // namespace gateway::api
