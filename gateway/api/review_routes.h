#pragma once

#include "gateway/api/router.h"
#include "gateway/jobs/link_job.h"
#include "gateway/store/store.h"

namespace gateway::api {

/// The match review queue, decisions, explanations of any pair and the records of a person:
/// GET /v1/review, GET|POST /v1/review/{pair}, GET /v1/links/explain, GET /v1/persons/{id}.
/// `store` and `link_job` must outlive the routes.
void addReviewRoutes(Router& router, store::Store& store, jobs::LinkJob& link_job);

/// A review item as the API and the CLI print it (the explanation inlined as JSON).
std::string reviewItemJson(const store::ReviewItem& item);

}  // namespace gateway::api
