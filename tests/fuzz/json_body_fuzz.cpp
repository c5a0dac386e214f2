// The JSON body of an API request (review decisions, publish requests): the nesting pre-scan and the parse behind
// objectBody(), which every handler that takes a body goes through.
//
// Input: the request body.
#include "gateway/api/parameters.h"
#include "gateway/common/error.h"
#include "tests/fuzz/fuzz_check.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace {

using gateway::fuzz::check;

constexpr int kMaxDepth = 32;

/// Nesting of arrays and objects, counting `value` itself; stops counting past `limit`, so that the check cannot
/// itself run out of stack on a body objectBody() should have refused.
int depthOf(const rapidjson::Value& value, int limit) {
    if (limit < 0 || (!value.IsObject() && !value.IsArray())) {
        return 0;
    }
    int deepest = 0;
    if (value.IsObject()) {
        for (auto member = value.MemberBegin(); member != value.MemberEnd(); ++member) {
            deepest = std::max(deepest, depthOf(member->value, limit - 1));
        }
    } else {
        for (const auto& element : value.GetArray()) {
            deepest = std::max(deepest, depthOf(element, limit - 1));
        }
    }
    return deepest + 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    gateway::api::Request request;
    request.method = "POST";
    request.body.assign(reinterpret_cast<const char*>(data), size);
    try {
        const rapidjson::Document body = gateway::api::objectBody(request);
        check(body.IsObject(), "an accepted body is an object");
        check(depthOf(body, kMaxDepth + 1) <= kMaxDepth, "an accepted body nests at most 32 levels");
    } catch (const gateway::GatewayError& error) {
        check(error.code() == gateway::ErrorCode::InvalidArgument, "a refused body is a client error");
    }
    return 0;
}
