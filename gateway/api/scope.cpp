#include "gateway/api/scope.h"

#include "gateway/api/parameters.h"
#include "gateway/common/error.h"
#include "gateway/common/utf8.h"

namespace gateway::api {

std::string scopedDivision(const Request& request) {
    const std::string& scope = request.client->scope;
    const std::string division = queryValue(request, "division");
    if (division.empty()) {
        return scope;
    }
    const std::string prefix = divisionPrefix(division);
    if (!prefix.starts_with(scope)) {
        throw GatewayError(ErrorCode::Forbidden, "division " + division + " is outside the scope " + scope +
                                                     " of client " + utf8::quote(request.client->id));
    }
    return prefix;
}

const profile::ProfileView& profileView(const Request& request, const profile::ProfileViews& views) {
    const profile::ProfileView* view = views.find(request.client->view);
    if (view == nullptr) {
        throw GatewayError(ErrorCode::Forbidden, "client " + utf8::quote(request.client->id) + " has the view " +
                                                     utf8::quote(request.client->view) + ", which is not configured");
    }
    if (!view->profiles) {
        throw GatewayError(ErrorCode::Forbidden, "client " + utf8::quote(request.client->id) +
                                                     " reads statistics only (view " + view->name + ")");
    }
    return *view;
}

}  // namespace gateway::api
