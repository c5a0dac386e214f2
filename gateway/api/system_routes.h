#pragma once

#include "gateway/api/router.h"
#include "gateway/store/store.h"

#include <string>

namespace gateway::api {

/// Liveness, readiness, version and the OpenAPI document. `store` and `router` must outlive the routes;
/// /openapi.json describes whatever the router holds when it is asked, so add it after the other routes or not.
void addSystemRoutes(Router& router, store::Store& store, const std::string& version);

}  // namespace gateway::api
