#pragma once

// What a caller may see: the division a request covers within the caller's scope, and the view it reads profiles
// through. Shared by the routes that serve children's data.

#include "gateway/api/http.h"
#include "gateway/profile/profile_view.h"

#include <string>

namespace gateway::api {

/// The division a list or count covers: `division=` if given (403 outside the caller's scope), else the caller's
/// scope ("" for everything).
std::string scopedDivision(const Request& request);

/// The view the caller reads profiles through; 403 when it reads statistics only, or names a view not configured.
const profile::ProfileView& profileView(const Request& request, const profile::ProfileViews& views);

}  // namespace gateway::api
