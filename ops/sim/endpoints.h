#pragma once

#include "ops/sim/serve_context.h"

#include <Poco/Net/HTTPServerRequest.h>

#include <string>
#include <utility>
#include <vector>

namespace deptsim {

/// A request as the endpoints see it: the body already read, the query already split.
struct Exchange {
    const Poco::Net::HTTPServerRequest& request;
    std::string path;
    std::vector<std::pair<std::string, std::string>> query;
    std::string body;
    bool repeat_page = false;  // the duplicate_page fault drew this request
    /// False when a fault keeps the client from reading the reply (it hung past the client's timeout, or its
    /// body is cut): a page lost there would be fetched again, so lose_page does not count it.
    bool reaches_client = true;

    /// The first value of a query parameter, or nullopt.
    std::optional<std::string> param(const std::string& name) const;
};

struct Reply {
    int status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

/// {"error":"message"} with the status.
Reply errorReply(int status, const std::string& message);

/// GET /police/v1/persons
Reply policePersons(ServeContext& context, const Exchange& exchange);
/// POST /oauth/token
Reply oauthToken(ServeContext& context, const Exchange& exchange);
/// GET /civil/v1/cases
Reply civilCases(ServeContext& context, const Exchange& exchange);
/// POST /control/change
Reply controlChange(ServeContext& context, const Exchange& exchange);
/// POST /control/faults
Reply controlFaults(ServeContext& context, const Exchange& exchange);
/// POST /control/drift
Reply controlDrift(ServeContext& context, const Exchange& exchange);
/// POST /control/gaps: plants cases of the cross-department rules
Reply controlPlantGaps(ServeContext& context, const Exchange& exchange);
/// GET /control/gaps: writes truth/gaps.csv and counts it
Reply controlGaps(ServeContext& context, const Exchange& exchange);
/// GET /control/stats
Reply controlStats(ServeContext& context, const Exchange& exchange);

}  // namespace deptsim
