#pragma once

#include "gateway/api/router.h"
#include "gateway/profile/profile_view.h"
#include "gateway/publish/outbox_store.h"
#include "gateway/publish/subscribers.h"

#include <vector>

namespace gateway::api {

/// GET /v1/changes: the caller's change stream (its scope, its view), the same events a push subscriber of that
/// scope and view receives, from a cursor, long-polling when there is nothing new. The arguments must outlive the
/// routes; `max_waiting` caps the requests held open at once (the rest answer at once), so that long polls never
/// take every server thread.
void addChangesRoute(Router& router, publish::OutboxStore& store, const profile::ProfileViews& views, int max_waiting);

/// The push subscribers for operators: their state, dead letters, and redelivery.
void addPushRoutes(Router& router, publish::OutboxStore& store, const std::vector<publish::Subscriber>& subscribers);

}  // namespace gateway::api
