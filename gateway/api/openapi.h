#pragma once

#include "gateway/api/router.h"

#include <string>
#include <string_view>

namespace gateway::api {

/// The OpenAPI 3.0 document of every route in `router`, generated from the route table so the two cannot drift.
std::string openApiDocument(const Router& router, std::string_view version);

}  // namespace gateway::api
