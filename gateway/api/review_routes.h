#pragma once

#include "gateway/api/router.h"
#include "gateway/jobs/link_job.h"
#include "gateway/profile/profile_view.h"
#include "gateway/store/store.h"

namespace gateway::api {

/// The match review queue, decisions, explanations of any pair and the records of a person:
/// GET /v1/review, GET|POST /v1/review/{pair}, GET /v1/links/explain, GET /v1/persons/{id}.
/// A reviewer works inside its scope: it sees, explains and decides only records whose child lives (or, without a
/// residence, is registered) there, and a decision that would move records into a person with records elsewhere is
/// 403. The values compared are shown through the client's view, or the "reviewer" view for a client that names none
/// (ID and phone numbers redacted: the comparison's level says whether they agree). Every answer names the persons
/// whose records it shows, for the read ledger. `store`, `link_job` and `views` must outlive the routes.
void addReviewRoutes(Router& router, store::Store& store, jobs::LinkJob& link_job, const profile::ProfileViews& views);

/// A review item as the API and the CLI print it (the explanation inlined as JSON, through `view` if given).
std::string reviewItemJson(const store::ReviewItem& item, const profile::ProfileView* view = nullptr);

}  // namespace gateway::api
