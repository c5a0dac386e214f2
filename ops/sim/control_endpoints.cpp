#include "ops/sim/endpoints.h"
#include "ops/sim/gap_rules.h"
#include "ops/sim/json_out.h"
#include "ops/sim/spec_list.h"
#include "ops/sim/time_format.h"
#include "ops/sim/truth_files.h"

#include <Poco/Net/HTTPResponse.h>

#include <array>
#include <fstream>
#include <limits>
#include <sstream>

namespace deptsim {

namespace {

using Poco::Net::HTTPResponse;

bool fromLoopback(const Exchange& exchange) {
    return exchange.request.clientAddress().host().isLoopback();
}

}  // namespace

Reply controlChange(ServeContext& context, const Exchange& exchange) {
    if (!fromLoopback(exchange)) {
        return errorReply(HTTPResponse::HTTP_FORBIDDEN, "control endpoints answer loopback clients only");
    }
    double fraction = 0.05;
    if (const auto text = exchange.param("fraction")) {
        const auto value = parseProbability(*text);
        if (!value || *value <= 0) {
            return errorReply(HTTPResponse::HTTP_BAD_REQUEST, "fraction must be above 0 and at most 1");
        }
        fraction = *value;
    }
    std::optional<std::uint64_t> seed;
    if (const auto text = exchange.param("seed"); text && !text->empty()) {
        const auto value = parseWholeNumber(*text, 0, std::numeric_limits<long long>::max());
        if (!value) {
            return errorReply(HTTPResponse::HTTP_BAD_REQUEST, "seed must be a whole number");
        }
        seed = static_cast<std::uint64_t>(*value);
    }
    const std::lock_guard lock(context.change_mutex);
    const ChangeResult result = context.changer.apply(fraction, seed, context.faults.takeHalfCsv());
    return Reply{HTTPResponse::HTTP_OK, changeResultJson(result), {}};
}

Reply controlDrift(ServeContext& context, const Exchange& exchange) {
    if (!fromLoopback(exchange)) {
        return errorReply(HTTPResponse::HTTP_FORBIDDEN, "control endpoints answer loopback clients only");
    }
    std::array<double, 2> fractions{};
    const std::array<const char*, 2> names{"delete", "silent"};
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (const auto text = exchange.param(names[i])) {
            const auto value = parseProbability(*text);
            if (!value) {
                return errorReply(HTTPResponse::HTTP_BAD_REQUEST,
                                  std::string(names[i]) + " must be a number from 0 to 1, not '" + *text + "'");
            }
            fractions[i] = *value;
        }
    }
    if (fractions[0] == 0 && fractions[1] == 0) {
        return errorReply(HTTPResponse::HTTP_BAD_REQUEST, "delete or silent must be above 0 (a fraction of the rows)");
    }
    std::optional<std::uint64_t> seed;
    if (const auto text = exchange.param("seed"); text && !text->empty()) {
        const auto value = parseWholeNumber(*text, 0, std::numeric_limits<long long>::max());
        if (!value) {
            return errorReply(HTTPResponse::HTTP_BAD_REQUEST, "seed must be a whole number");
        }
        seed = static_cast<std::uint64_t>(*value);
    }
    const std::lock_guard lock(context.change_mutex);
    const DriftResult result = context.drifter.apply(fractions[0], fractions[1], seed, context.drift_log);
    return Reply{HTTPResponse::HTTP_OK, driftResultJson(result), {}};
}

Reply controlPlantGaps(ServeContext& context, const Exchange& exchange) {
    if (!fromLoopback(exchange)) {
        return errorReply(HTTPResponse::HTTP_FORBIDDEN, "control endpoints answer loopback clients only");
    }
    const auto count_text = exchange.param("count").value_or("10");
    const auto count = parseWholeNumber(count_text, 1, 100000);
    if (!count) {
        return errorReply(HTTPResponse::HTTP_BAD_REQUEST,
                          "count must be a whole number from 1 to 100000, not '" + count_text + "'");
    }
    std::optional<std::uint64_t> seed;
    if (const auto text = exchange.param("seed"); text && !text->empty()) {
        const auto value = parseWholeNumber(*text, 0, std::numeric_limits<long long>::max());
        if (!value) {
            return errorReply(HTTPResponse::HTTP_BAD_REQUEST, "seed must be a whole number");
        }
        seed = static_cast<std::uint64_t>(*value);
    }
    const std::lock_guard lock(context.change_mutex);
    const PlantResult result = context.planter.apply(static_cast<int>(*count), seed, context.drift_log);
    return Reply{HTTPResponse::HTTP_OK, plantResultJson(result), {}};
}

Reply controlGaps(ServeContext& context, const Exchange& exchange) {
    if (!fromLoopback(exchange)) {
        return errorReply(HTTPResponse::HTTP_FORBIDDEN, "control endpoints answer loopback clients only");
    }
    gateway::model::CalendarDate as_of = context.params.as_of;
    if (const auto text = exchange.param("as_of"); text && !text->empty()) {
        const auto date = parseIsoDate(*text);
        if (!date) {
            return errorReply(HTTPResponse::HTTP_BAD_REQUEST,
                              "as_of must be a date such as 2026-11-01, not '" + *text + "'");
        }
        as_of = *date;
    }
    // Under the change lock: a change or drift half done would show rows and facts that do not go together.
    const std::lock_guard lock(context.change_mutex);
    return Reply{HTTPResponse::HTTP_OK, gapsJson(writeGaps(context.paths, context.school, as_of)), {}};
}

Reply controlFaults(ServeContext& context, const Exchange& exchange) {
    if (!fromLoopback(exchange)) {
        return errorReply(HTTPResponse::HTTP_FORBIDDEN, "control endpoints answer loopback clients only");
    }
    std::string error;
    const auto spec = parseFaultSpec(exchange.body, error);
    if (!spec) {
        return errorReply(HTTPResponse::HTTP_BAD_REQUEST, error);
    }
    context.faults.set(*spec);
    JsonOut out;
    out.beginObject().field("faults", formatFaultSpec(*spec)).endObject();
    return Reply{HTTPResponse::HTTP_OK, out.str(), {}};
}

Reply controlStats(ServeContext& context, const Exchange& exchange) {
    if (!fromLoopback(exchange)) {
        return errorReply(HTTPResponse::HTTP_FORBIDDEN, "control endpoints answer loopback clients only");
    }
    std::ifstream in(context.paths.served_json, std::ios::binary);
    std::ostringstream served;
    served << in.rdbuf();
    std::string text = served.str();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.pop_back();
    }
    JsonOut out;
    out.beginObject().key("served").raw(text).field("faults", formatFaultSpec(context.faults.spec())).endObject();
    return Reply{HTTPResponse::HTTP_OK, out.str(), {}};
}

}  // namespace deptsim
