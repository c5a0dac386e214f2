#pragma once

#include "gateway/api/router.h"
#include "gateway/app/runtime.h"
#include "gateway/jobs/link_job.h"

namespace gateway::app {

/// The API's routes over the runtime's store, each given only the ports it uses: the exchange log, the review queue
/// (whose decisions run `link_job`), profiles, the changes feed and push, and the system routes. `runtime` and
/// `link_job` must outlive the router.
void addServeRoutes(api::Router& router, Runtime& runtime, jobs::LinkJob& link_job);

/// Why `gateway serve` must not start with these settings, or "" when it may: without clients or bearer tokens every
/// caller is the administrator, and without TLS minors' data crosses the network in the clear, so either is allowed
/// on a loopback server.host only.
std::string refusalToServe(const GatewaySettings& settings, bool has_clients);

}  // namespace gateway::app
