#pragma once

#include "gateway/api/router.h"
#include "gateway/audit/log_store.h"

namespace gateway::api {

/// The exchange log for auditors: GET /v1/audit (search, cursor-paged), GET /v1/audit/{seq},
/// GET /v1/audit/{seq}/proof, GET /v1/audit/status; and GET /metrics with the signing backlog. `store` must outlive
/// the routes.
void addAuditRoutes(Router& router, audit::LogStore& store);

}  // namespace gateway::api
