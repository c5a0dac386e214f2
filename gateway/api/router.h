#pragma once

#include "gateway/api/http.h"

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

    /// The clients whose API keys are accepted. Without (nullptr, the default), every request acts as the local
    /// administrator: for development on a loopback address only. `clients` must outlive the router.
    void setClients(const security::ClientRegistry* clients) { clients_ = clients; }
    const security::ClientRegistry* clients() const { return clients_; }

private:
    std::vector<Route> routes_;
    const security::ClientRegistry* clients_ = nullptr;
};

/// The local administrator every request acts as when no clients are configured.
security::Client localAdministrator();

}  // namespace gateway::api
