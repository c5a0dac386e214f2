#pragma once

#include "gateway/api/router.h"
#include "gateway/model/calendar_date.h"
#include "gateway/store/store.h"

namespace gateway::api {

/// The profile query API: GET /v1/profiles/{id}, /v1/profiles/{id}/history, /v1/profiles (filters, cursor) and
/// /v1/stats. Ages are counted on `as_of`, the date the profiles were built for. `store` must outlive the routes.
void addProfileRoutes(Router& router, store::Store& store, const model::CalendarDate& as_of);

}  // namespace gateway::api
