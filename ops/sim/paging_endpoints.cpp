#include "ops/sim/cursor.h"
#include "ops/sim/endpoints.h"
#include "ops/sim/json_out.h"
#include "ops/sim/spec_list.h"
#include "ops/sim/time_format.h"
#include "ops/sim/truth_files.h"

#include <Poco/Net/HTTPResponse.h>

#include <algorithm>

namespace deptsim {

namespace {

using Poco::Net::HTTPResponse;

constexpr int kMaxPage = 1000;
constexpr int kDefaultPage = 100;

struct PageRequest {
    int limit = kDefaultPage;
    std::optional<std::string> cursor_text;
    Cursor cursor;
    std::string since;
};

/// Reads the paging parameters; nullopt and a 400 reply when one is bad.
std::optional<PageRequest> readPageRequest(const Exchange& exchange, const char* limit_name, const char* cursor_name,
                                           const char* since_name, Reply& error) {
    PageRequest page;
    if (const auto limit = exchange.param(limit_name)) {
        const auto value = parseWholeNumber(*limit, 1, kMaxPage);
        if (!value) {
            error =
                errorReply(HTTPResponse::HTTP_BAD_REQUEST,
                           std::string(limit_name) + " must be a whole number from 1 to " + std::to_string(kMaxPage));
            return std::nullopt;
        }
        page.limit = static_cast<int>(*value);
    }
    if (const auto cursor = exchange.param(cursor_name); cursor && !cursor->empty()) {
        const auto decoded = decodeCursor(*cursor);
        if (!decoded) {
            error = errorReply(HTTPResponse::HTTP_BAD_REQUEST, std::string(cursor_name) + " is not a valid cursor");
            return std::nullopt;
        }
        page.cursor_text = *cursor;
        page.cursor = *decoded;
    }
    if (since_name != nullptr) {
        if (const auto since = exchange.param(since_name); since && !since->empty()) {
            const auto time = parseIsoUtc(*since);
            if (!time) {
                error = errorReply(HTTPResponse::HTTP_BAD_REQUEST,
                                   std::string(since_name) + " must be an ISO-8601 time such as 2026-11-01T08:00:00Z");
                return std::nullopt;
            }
            page.since = isoUtc(*time);
        }
    }
    return page;
}

/// The lose_page fault: when it takes this page, the page's rows are not served but its cursor is, so the client
/// moves past them; their ids go to drift.csv first. Unmappable rows stay: the gateway quarantines them anyway,
/// so losing them would be nothing for reconciliation to find. Only a page with a row to lose counts.
void losePage(ServeContext& context, Source source, const Exchange& exchange, Page& page) {
    if (exchange.repeat_page || !exchange.reaches_client) {
        return;
    }
    const auto losable =
        std::count_if(page.kinds.begin(), page.kinds.end(), [](RowKind kind) { return kind != RowKind::Unmappable; });
    if (losable == 0 || !context.faults.takeLostPage(source)) {
        return;
    }
    std::vector<DriftLine> lost;
    std::vector<std::string> kept;
    for (std::size_t i = 0; i < page.ids.size(); ++i) {
        if (page.kinds[i] == RowKind::Unmappable) {
            kept.push_back(std::move(page.bodies[i]));
        } else {
            lost.push_back(DriftLine{0, DriftKind::Lost, source, page.ids[i]});
        }
    }
    context.drift_log.append(lost);
    page.bodies = std::move(kept);
}

/// The page body: rows, then where to go on from. `rows_key`/`next_key` name the members as each system does.
Reply pageReply(ServeContext& context, Source source, const PageRequest& request, const Exchange& exchange,
                const char* rows_key, const char* next_key) {
    Page page;
    {
        auto reader = context.readers.acquire();
        page = reader->page(source, request.cursor.stamp, request.cursor.id, request.since, request.limit);
    }
    losePage(context, source, exchange, page);
    JsonOut out;
    out.beginObject().key(rows_key).beginArray();
    for (const std::string& body : page.bodies) {
        out.raw(body);
    }
    out.endArray().key(next_key);
    bool has_more = page.has_more;
    if (exchange.repeat_page) {
        // The duplicate_page fault: the same page again, by handing back the cursor it was asked with.
        out.text(request.cursor_text.value_or(encodeCursor(Cursor{})));
        has_more = true;
    } else if (page.ids.empty()) {
        if (request.cursor_text) {
            out.text(*request.cursor_text);
        } else {
            out.null();
        }
    } else {
        // A lost page's cursor too: as if its rows had been served.
        out.text(encodeCursor(Cursor{page.last_stamp, page.last_id}));
    }
    out.key("has_more").boolean(has_more).endObject();
    return Reply{HTTPResponse::HTTP_OK, out.str(), {}};
}

}  // namespace

Reply policePersons(ServeContext& context, const Exchange& exchange) {
    if (exchange.request.get("X-API-Key", "") != context.credentials.police_api_key) {
        return errorReply(HTTPResponse::HTTP_UNAUTHORIZED, "invalid api key");
    }
    Reply error;
    const auto request = readPageRequest(exchange, "limit", "cursor", "updated_since", error);
    if (!request) {
        return error;
    }
    return pageReply(context, Source::Police, *request, exchange, "data", "next_cursor");
}

Reply civilCases(ServeContext& context, const Exchange& exchange) {
    const std::string authorization = exchange.request.get("Authorization", "");
    const std::string_view bearer = "Bearer ";
    const std::string token =
        authorization.compare(0, bearer.size(), bearer) == 0 ? authorization.substr(bearer.size()) : "";
    if (context.tokens.use(token, context.faults.spec().token_expiry) != TokenRegistry::Check::Valid) {
        Reply reply = errorReply(HTTPResponse::HTTP_UNAUTHORIZED, "invalid_token");
        reply.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        return reply;
    }
    Reply error;
    const auto request = readPageRequest(exchange, "page_size", "since", nullptr, error);
    if (!request) {
        return error;
    }
    return pageReply(context, Source::Civil, *request, exchange, "records", "next");
}

}  // namespace deptsim
