#include "gateway/api/router.h"

#include "gateway/common/error.h"

#include <algorithm>

namespace gateway::api {
namespace {

std::vector<std::string_view> splitPath(std::string_view path) {
    std::vector<std::string_view> segments;
    std::size_t pos = 0;
    while (pos < path.size()) {
        if (path[pos] == '/') {
            ++pos;
            continue;
        }
        const std::size_t end = std::min(path.find('/', pos), path.size());
        segments.push_back(path.substr(pos, end - pos));
        pos = end;
    }
    return segments;
}

bool matchPattern(std::string_view pattern, std::string_view path, std::map<std::string, std::string>& params) {
    const auto pattern_segments = splitPath(pattern);
    const auto path_segments = splitPath(path);
    if (pattern_segments.size() != path_segments.size()) {
        return false;
    }
    // A trailing slash is a different resource; "/healthz/" is not "/healthz".
    if (path.size() > 1 && path.back() == '/') {
        return false;
    }
    std::map<std::string, std::string> captured;
    for (std::size_t i = 0; i < pattern_segments.size(); ++i) {
        const std::string_view want = pattern_segments[i];
        if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
            captured.emplace(std::string(want.substr(1, want.size() - 2)), std::string(path_segments[i]));
        } else if (want != path_segments[i]) {
            return false;
        }
    }
    params = std::move(captured);
    return true;
}

}  // namespace

void Router::add(Route route) {
    if (route.pattern.empty() || route.pattern.front() != '/' || !route.handler) {
        throw GatewayError(ErrorCode::Internal, "route " + route.method + " " + route.pattern + " is malformed");
    }
    routes_.push_back(std::move(route));
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
    Match result;
    for (const auto& route : routes_) {
        std::map<std::string, std::string> params;
        if (!matchPattern(route.pattern, path, params)) {
            continue;
        }
        if (route.method == method) {
            result.route = &route;
            result.path_params = std::move(params);
            result.allowed_methods.clear();
            return result;
        }
        if (std::find(result.allowed_methods.begin(), result.allowed_methods.end(), route.method) ==
            result.allowed_methods.end()) {
            result.allowed_methods.push_back(route.method);
        }
    }
    return result;
}

security::Client localAdministrator() {
    return {"local",
            {security::Role::Admin, security::Role::Operator, security::Role::App, security::Role::Reviewer,
             security::Role::Auditor},
            "",
            "city"};
}

}  // namespace gateway::api
