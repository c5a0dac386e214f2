#include "gateway/app/serve_routes.h"

#include "gateway/api/audit_routes.h"
#include "gateway/api/profile_routes.h"
#include "gateway/api/publish_routes.h"
#include "gateway/api/reconcile_routes.h"
#include "gateway/api/review_routes.h"
#include "gateway/api/system_routes.h"
#include "gateway/common/net.h"

#include <algorithm>

namespace gateway::app {

void addServeRoutes(api::Router& router, Runtime& runtime, jobs::LinkJob& link_job) {
    store::Store& store = runtime.store();
    const GatewaySettings& settings = runtime.settings();
    api::addAuditRoutes(router, store);
    api::addReviewRoutes(router, {store, store, store}, link_job, runtime.views());
    api::addProfileRoutes(router, store, runtime.profileConfig(), runtime.views());
    api::addChangesRoute(router, store, runtime.views(), std::max(1, settings.server.threads / 2));
    api::addPushRoutes(router, store, runtime.subscribers());
    api::addReconcileRoutes(router, store, store, runtime.views(), runtime.divisions(), runtime.gapRules(),
                            runtime.clock());
    api::addSystemRoutes(router, store, GATEWAY_VERSION);
}

std::string refusalToServe(const GatewaySettings& settings, bool has_clients) {
    if (isLoopbackHost(settings.server.host)) {
        return {};
    }
    if (!has_clients && settings.api.jwt_file.empty()) {
        return "api.clients is not set, so every caller would act as administrator; that is allowed on a loopback "
               "server.host only, not on " +
               settings.server.host;
    }
    if (settings.server.tls.cert_file.empty()) {
        return "server.tls.cert_file is not set, so minors' data would cross the network unencrypted; plain HTTP is "
               "allowed on a loopback server.host only, not on " +
               settings.server.host;
    }
    return {};
}

}  // namespace gateway::app
