#pragma once

#include "gateway/api/router.h"
#include "gateway/intake/intake_store.h"
#include "gateway/jobs/link_job.h"
#include "gateway/linkage/link_store.h"
#include "gateway/profile/profile_view.h"

namespace gateway::api {

/// The match review queue, decisions, explanations of any pair and the records of a person:
/// GET /v1/review, GET|POST /v1/review/{pair}, GET /v1/links/explain, GET /v1/persons/{id}.
/// A reviewer works inside its scope: it sees, explains and decides only records whose child lives (or, without a
/// residence, is registered) there, and a decision that would move records into a person with records elsewhere is
/// 403. The values compared are shown through the client's view, or the "reviewer" view for a client that names none
/// (ID and phone numbers redacted: the comparison's level says whether they agree). Every answer names the persons
/// whose records it shows, for the read ledger. The stores, `link_job` and `views` must outlive the routes.
struct ReviewRouteStores {
    linkage::ReviewStore& review;  // the queue
    linkage::LinkStore& links;     // the person each record belongs to
    intake::IntakeStore& records;  // the records, for the division that puts them in a scope
};
void addReviewRoutes(Router& router, ReviewRouteStores stores, jobs::LinkJob& link_job,
                     const profile::ProfileViews& views);

/// A review item as the API and the CLI print it (the explanation inlined as JSON, through `view` if given).
std::string reviewItemJson(const linkage::ReviewItem& item, const profile::ProfileView* view = nullptr);

}  // namespace gateway::api
