#include "adapters/rest/rest_adapter.h"

#include "gateway/common/json_parse.h"
#include "gateway/common/json_type.h"

#include "gateway/common/error.h"
#include "gateway/common/utf8.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Logger.h>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/pointer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <random>

namespace gateway::adapters {
namespace {

const SystemClock kSystemClock;

std::string compact(const rapidjson::Value& value) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
}

const rapidjson::Value* at(const rapidjson::Document& document, const std::string& pointer) {
    return rapidjson::Pointer(pointer.c_str(), pointer.size()).Get(document);
}

/// A short excerpt of an error body for messages; bodies of error responses carry no data rows.
std::string excerpt(const std::string& body) {
    return body.empty() ? "" : ": " + utf8::quote(body, 200);
}

std::string describeCursor(const std::string& cursor) {
    return cursor.empty() ? "(start)" : cursor;
}

}  // namespace

RestAdapter::RestAdapter() : RestAdapter(RestEnvironment{}) {}

RestAdapter::RestAdapter(RestEnvironment environment) : environment_(std::move(environment)) {
    if (environment_.clock == nullptr) {
        environment_.clock = &kSystemClock;
    }
    if (!environment_.sleeper) {
        environment_.sleeper = net::threadSleeper();
    }
    if (!environment_.seed) {
        environment_.seed = std::random_device{}();
    }
}

RestAdapter::~RestAdapter() = default;

void RestAdapter::open(const AdapterConfig& config) {
    source_ = config.source;
    settings_ = parseRestSettings(config);
    net::HttpClient::Options options;
    options.tls = settings_.tls;
    options.connect_timeout = settings_.connect_timeout;
    options.total_timeout = settings_.total_timeout;
    options.max_body_bytes = settings_.max_body_bytes;
    client_ = std::make_unique<net::HttpClient>(options);
    if (!settings_.tls.verify) {
        Poco::Logger::get("gateway.adapters")
            .warning(source_ +
                     ": TLS certificates are NOT checked (tls.verify false, tls.insecure_skip_verify true): "
                     "children's data goes to whoever answers at " +
                     settings_.url);
    }
    breaker_ = std::make_unique<net::CircuitBreaker>(settings_.breaker, *environment_.clock);
    retrier_ =
        std::make_unique<net::Retrier>(settings_.retry, *environment_.seed, environment_.sleeper, breaker_.get());
    access_token_.clear();
}

void RestAdapter::close() {
    client_.reset();
    access_token_.clear();
}

PullBatch RestAdapter::pull(const std::optional<std::string>& since, std::size_t max_records) {
    if (!client_) {
        throw GatewayError(ErrorCode::Internal, source_ + ": pull() on a rest adapter that is not open");
    }
    const std::size_t wanted = max_records == 0 ? settings_.page_size : max_records;
    PullBatch batch;
    std::string cursor = since.value_or("");
    batch.watermark = cursor;
    bool first_page = true;
    while (true) {
        const std::size_t limit = std::min(settings_.page_size, wanted - std::min(wanted, batch.rows.size()));
        const bool first_pull = first_page && cursor.empty();
        const std::string what =
            source_ + ": GET " + settings_.url + settings_.path + " at cursor " + describeCursor(cursor);
        Page page = retrier_->run(what, [&](int) { return fetchPage(cursor, limit, first_pull); });
        first_page = false;

        if (!batch.payload.empty()) {
            batch.payload += '\n';
        }
        batch.payload += page.body;
        std::move(page.rows.begin(), page.rows.end(), std::back_inserter(batch.rows));
        if (page.next_cursor) {
            batch.watermark = *page.next_cursor;
        }
        batch.more = page.has_more;
        if (!page.has_more || batch.rows.size() >= wanted) {
            break;
        }
        cursor = *page.next_cursor;
    }
    return batch;
}

std::string RestAdapter::pageUrl(const std::string& cursor, std::size_t limit, bool first_pull) const {
    std::string url = settings_.url + settings_.path;
    char separator = '?';
    const auto add = [&](const std::string& name, const std::string& value) {
        url += separator;
        url += client_->escape(name);
        url += '=';
        url += client_->escape(value);
        separator = '&';
    };
    for (const auto& [name, value] : settings_.query) {
        add(name, value);
    }
    if (!settings_.limit_param.empty()) {
        add(settings_.limit_param, std::to_string(limit));
    }
    if (!cursor.empty()) {
        add(settings_.cursor_param, cursor);
    } else if (first_pull && !settings_.updated_since.empty()) {
        add(settings_.updated_since_param, settings_.updated_since);
    }
    return url;
}

RestAdapter::Page RestAdapter::fetchPage(const std::string& cursor, std::size_t limit, bool first_pull) {
    net::HttpResponse response = authorisedGet(pageUrl(cursor, limit, first_pull));
    const long status = response.status;
    if (status >= 200 && status < 300) {
        return parsePage(std::move(response.body), cursor);
    }
    const std::string described = "HTTP " + std::to_string(status) + excerpt(response.body);
    if (status == 429 || status >= 500) {
        throw net::TransientFailure(ErrorCode::SourceUnavailable, described, retryAfter(response));
    }
    if (status == 401 || status == 403) {
        throw GatewayError(ErrorCode::SourceError, source_ + ": GET " + settings_.url + settings_.path + ": " +
                                                       described + " (the source refused the credentials)");
    }
    throw GatewayError(ErrorCode::SourceError, source_ + ": GET " + settings_.url + settings_.path + ": " + described);
}

net::HttpResponse RestAdapter::authorisedGet(const std::string& url) {
    net::HttpClient::Headers headers{{"Accept", "application/json"}};
    for (const auto& header : settings_.headers) {
        headers.push_back(header);
    }
    switch (settings_.auth.type) {
        case RestAuthType::None:
            return client_->get(url, headers);
        case RestAuthType::ApiKey:
            headers.emplace_back(settings_.auth.header, settings_.auth.secret);
            return client_->get(url, headers);
        case RestAuthType::Bearer:
            headers.emplace_back("Authorization", "Bearer " + settings_.auth.secret);
            return client_->get(url, headers);
        case RestAuthType::OAuth2ClientCredentials:
            break;
    }
    headers.emplace_back("Authorization", "Bearer " + accessToken());
    net::HttpResponse response = client_->get(url, headers);
    if (response.status != 401) {
        return response;
    }
    // The token may have expired early or been revoked: fetch a new one and try once more, no further.
    access_token_.clear();
    headers.back().second = "Bearer " + accessToken();
    return client_->get(url, headers);
}

const std::string& RestAdapter::accessToken() {
    if (access_token_.empty() || environment_.clock->now() >= token_refresh_at_) {
        fetchAccessToken();
    }
    return access_token_;
}

void RestAdapter::fetchAccessToken() {
    const RestAuth& auth = settings_.auth;
    std::string form = "grant_type=client_credentials&client_id=" + client_->escape(auth.client_id) +
                       "&client_secret=" + client_->escape(auth.secret);
    if (!auth.scope.empty()) {
        form += "&scope=" + client_->escape(auth.scope);
    }
    const Poco::Timestamp requested_at = environment_.clock->now();
    const net::HttpResponse response = client_->postForm(auth.token_url, {{"Accept", "application/json"}}, form);
    const std::string where = source_ + ": POST " + auth.token_url + ": ";
    if (response.status == 429 || response.status >= 500) {
        throw net::TransientFailure(ErrorCode::SourceUnavailable,
                                    "token endpoint: HTTP " + std::to_string(response.status) + excerpt(response.body),
                                    retryAfter(response));
    }
    if (response.status != 200) {
        throw GatewayError(ErrorCode::SourceError, where + "HTTP " + std::to_string(response.status) +
                                                       excerpt(response.body) +
                                                       (response.status == 400 || response.status == 401
                                                            ? " (the token endpoint refused the client credentials)"
                                                            : ""));
    }
    // The body holds the token itself, so messages below describe it without quoting it.
    rapidjson::Document document;
    if (const auto parsed = parseJsonLimited(response.body, document); parsed.too_deep) {
        throw GatewayError(ErrorCode::SourceError, where + "the response " + parsed.error);
    } else if (!parsed || !document.IsObject()) {
        throw net::TransientFailure(ErrorCode::SourceError, "token endpoint: the response is not a JSON object");
    }
    const auto token = document.FindMember("access_token");
    if (token == document.MemberEnd() || !token->value.IsString() || token->value.GetStringLength() == 0) {
        throw GatewayError(ErrorCode::SourceError, where + "the response has no access_token");
    }
    access_token_.assign(token->value.GetString(), token->value.GetStringLength());
    std::int64_t lifetime_seconds = 300;
    const auto expires_in = document.FindMember("expires_in");
    if (expires_in != document.MemberEnd() && expires_in->value.IsInt64() && expires_in->value.GetInt64() > 0) {
        lifetime_seconds = expires_in->value.GetInt64();
    }
    // Renew a little before expiry, so a token does not lapse between being checked and being used.
    const std::int64_t margin_seconds = std::min<std::int64_t>(30, lifetime_seconds / 10);
    token_refresh_at_ = requested_at + (lifetime_seconds - margin_seconds) * Poco::Timestamp::resolution();
}

std::optional<std::chrono::milliseconds> RestAdapter::retryAfter(const net::HttpResponse& response) const {
    if (!response.retry_after || response.retry_after->empty()) {
        return std::nullopt;
    }
    const std::string& text = *response.retry_after;
    if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return c >= '0' && c <= '9'; })) {
        if (text.size() > 9) {
            return std::chrono::milliseconds(std::chrono::hours(24 * 365));
        }
        return std::chrono::seconds(std::stoll(text));
    }
    Poco::DateTime when;
    int zone = 0;
    if (!Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::HTTP_FORMAT, text, when, zone)) {
        return std::nullopt;
    }
    const Poco::Timestamp::TimeDiff wait = when.timestamp() - environment_.clock->now();
    return std::chrono::milliseconds(std::max<Poco::Timestamp::TimeDiff>(0, wait / 1000));
}

RestAdapter::Page RestAdapter::parsePage(std::string body, const std::string& cursor) const {
    rapidjson::Document document;
    if (const auto parsed = parseJsonLimited(body, document); parsed.too_deep) {
        // Asking again would bring the same page: the batch fails now, and the watermark stays where it is.
        throw GatewayError(ErrorCode::SourceError, "the body " + parsed.error + "; refused unread");
    } else if (!parsed) {
        throw net::TransientFailure(ErrorCode::SourceError, "the body is not valid JSON (" + parsed.error + " of " +
                                                                std::to_string(body.size()) +
                                                                "); it may have been truncated");
    }
    const rapidjson::Value* items = at(document, settings_.items_pointer);
    if (items == nullptr || !items->IsArray()) {
        throw net::TransientFailure(
            ErrorCode::SourceError,
            "the body has no array at " +
                (settings_.items_pointer.empty() ? std::string("the top") : settings_.items_pointer));
    }

    Page page;
    const rapidjson::Value* next = at(document, settings_.next_cursor_pointer);
    if (next != nullptr && next->IsString()) {
        page.next_cursor = std::string(next->GetString(), next->GetStringLength());
    } else if (next != nullptr && next->IsNumber()) {
        page.next_cursor = compact(*next);
    } else if (next != nullptr && !next->IsNull()) {
        throw net::TransientFailure(ErrorCode::SourceError, "the next cursor at " + settings_.next_cursor_pointer +
                                                                " is " + std::string(jsonTypeName(*next)));
    }
    if (page.next_cursor && page.next_cursor->empty()) {
        page.next_cursor.reset();
    }
    const bool has_items = !items->Empty();
    const bool moved = page.next_cursor && *page.next_cursor != cursor;
    if (settings_.has_more_pointer.empty()) {
        page.has_more = has_items && moved;
    } else {
        const rapidjson::Value* has_more = at(document, settings_.has_more_pointer);
        if (has_more == nullptr || !has_more->IsBool()) {
            throw net::TransientFailure(ErrorCode::SourceError,
                                        "the body has no boolean at " + settings_.has_more_pointer);
        }
        page.has_more = has_more->GetBool();
    }
    // A page must move the cursor past its items: one that hands back the cursor it was asked with would be
    // served again on the next pull, and its rows staged twice.
    if ((has_items || page.has_more) && !moved) {
        throw net::TransientFailure(ErrorCode::SourceError,
                                    page.next_cursor
                                        ? "the page returned the cursor it was asked with (" + describeCursor(cursor) +
                                              ") as its next cursor: a repeated page"
                                        : "the page has " + std::to_string(items->Size()) +
                                              " items but no next cursor at " + settings_.next_cursor_pointer);
    }

    page.rows.reserve(items->Size());
    const std::string locator_prefix = "page cursor=" + describeCursor(cursor) + " item ";
    for (rapidjson::SizeType i = 0; i < items->Size(); ++i) {
        const rapidjson::Value& item = (*items)[i];
        RawRow row;
        row.locator = locator_prefix + std::to_string(i + 1);
        std::string json = compact(item);
        if (!item.IsObject()) {
            row.error = "the item is " + std::string(jsonTypeName(item)) + ", not a JSON object";
            row.raw = std::move(json);
        } else if (!utf8::isValid(json)) {
            row.error = "the item is not valid UTF-8";
            row.raw = std::move(json);
        } else {
            row.json = std::move(json);
        }
        page.rows.push_back(std::move(row));
    }
    page.body = std::move(body);
    return page;
}

void registerRestAdapter(AdapterRegistry& registry) {
    registry.add("rest", [] { return std::make_unique<RestAdapter>(); });
}

}  // namespace gateway::adapters
