#pragma once

#include "gateway/api/router.h"
#include "gateway/profile/profile_builder.h"
#include "gateway/profile/profile_store.h"
#include "gateway/profile/profile_view.h"

namespace gateway::api {

/// The profile query API: GET /v1/profiles/{id}, /v1/profiles/{id}/history, /v1/profiles (filters, cursor) and
/// /v1/stats, each within the caller's division scope and through its view. Ages are counted on config.as_of, the
/// date the profiles were built for; classification= and alert= take the codes of config's rules. The arguments
/// must outlive the routes.
void addProfileRoutes(Router& router, profile::ProfileStore& store, const profile::ProfileConfig& config,
                      const profile::ProfileViews& views);

}  // namespace gateway::api
