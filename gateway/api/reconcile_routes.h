#pragma once

#include "gateway/api/router.h"
#include "gateway/common/clock.h"
#include "gateway/model/division_directory.h"
#include "gateway/profile/profile_store.h"
#include "gateway/profile/profile_view.h"
#include "gateway/reconcile/gap_finder.h"
#include "gateway/reconcile/reconcile_store.h"

namespace gateway::api {

/// What reconciliation found, for every level, within the caller's division scope:
///   GET /v1/reconciliations                      the runs, newest first, with their findings in scope per kind
///   GET /v1/reconciliations/{id}                 one run: its summary, findings per kind and per part of the scope
///   GET /v1/reconciliations/{id}/report.html     its report: one self-contained HTML page with charts
///   GET /v1/reconciliations/{id}/findings        the findings (personal: X-Purpose), filtered and cursor-paged
///   GET /v1/reconciliations/{id}/findings.csv    one kind's findings as a CSV a clerk opens in a spreadsheet
/// A finding with no division (a record the gateway never linked) is seen by a caller whose scope is everything.
/// Findings name children: only a caller whose view reads profiles gets them. The arguments must outlive the routes.
void addReconcileRoutes(Router& router, reconcile::ReconcileStore& store, profile::ProfileStore& profiles,
                        const profile::ProfileViews& views, const model::DivisionDirectory& divisions,
                        const reconcile::GapRules& rules, const Clock& clock);

}  // namespace gateway::api
