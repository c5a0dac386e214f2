#include "gateway/api/publish_routes.h"

#include "gateway/api/parameters.h"
#include "gateway/common/error.h"
#include "gateway/common/json_writer.h"
#include "gateway/common/utf8.h"
#include "gateway/publish/change_stream.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

namespace gateway::api {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr auto kPollInterval = std::chrono::milliseconds(200);

void writeText(Writer& writer, const char* key, const std::string& value) {
    writer.Key(key);
    json::string(writer, value);
}

/// Counts a long poll in progress while it lasts.
class Waiting {
public:
    explicit Waiting(std::atomic<int>& count) : count_(count) { ++count_; }
    ~Waiting() { --count_; }
    Waiting(const Waiting&) = delete;
    Waiting& operator=(const Waiting&) = delete;

private:
    std::atomic<int>& count_;
};

const publish::Subscriber& findSubscriber(const std::vector<publish::Subscriber>& subscribers,
                                          const std::string& name) {
    for (const publish::Subscriber& subscriber : subscribers) {
        if (subscriber.name == name) {
            return subscriber;
        }
    }
    throw GatewayError(ErrorCode::NotFound, "no subscriber " + utf8::quote(name, 80));
}

void writeState(Writer& writer, const publish::Subscriber& subscriber, const publish::PushState& state,
                std::int64_t head) {
    writer.StartObject();
    writeText(writer, "name", subscriber.name);
    writeText(writer, "url", subscriber.url);
    writeText(writer, "scope", subscriber.scope);
    writeText(writer, "view", subscriber.view);
    writer.Key("delivered_through");
    writer.Int64(state.delivered_through);
    writer.Key("outbox_head");
    writer.Int64(head);
    writer.Key("delivered");
    writer.Int64(state.delivered);
    writer.Key("failed_attempts");
    writer.Int(state.attempts);
    writeText(writer, "next_attempt_at", state.next_attempt_at);
    writeText(writer, "last_error", state.last_error);
    writeText(writer, "last_success_at", state.last_success_at);
    writer.Key("dead_letters");
    writer.Int64(state.dead_letters);
    writer.Key("redeliveries_pending");
    writer.Int64(state.redeliveries);
    writer.EndObject();
}

}  // namespace

void addChangesRoute(Router& router, publish::OutboxStore& store, const profile::ProfileViews& views, int max_waiting) {
    auto waiting = std::make_shared<std::atomic<int>>(0);
    router.add({"GET",
                "/v1/changes",
                "The caller's change stream (its scope and view, the same events a push subscriber receives) after "
                "?cursor= (absent: from the start), at most limit=1..1000; with wait=1..30 an empty answer waits up "
                "to that many seconds for a change. Resume from next_cursor.",
                [&store, &views, waiting, max_waiting](const Request& request) {
                    const profile::ProfileView* view = views.find(request.client->view);
                    if (view == nullptr || !view->profiles) {
                        throw GatewayError(ErrorCode::Forbidden, "client " + utf8::quote(request.client->id) +
                                                                     " has no profile view to stream");
                    }
                    const publish::ChangeStream stream(request.client->scope, *view);
                    const auto after = stream.parseCursor(queryValue(request, "cursor"));
                    if (!after) {
                        throw GatewayError(ErrorCode::InvalidArgument,
                                           "query parameter cursor is not one this stream issued (use next_cursor "
                                           "of an earlier answer, or leave it out to start from the beginning)");
                    }
                    const auto limit = static_cast<std::size_t>(integerParameter(request, "limit", 100, 1, 1000));
                    const auto wait = std::chrono::seconds(integerParameter(request, "wait", 0, 0, 30));
                    auto events = stream.read(store, *after, limit);
                    if (events.empty() && wait.count() > 0 && waiting->load() < max_waiting) {
                        const Waiting counted(*waiting);
                        const auto deadline = std::chrono::steady_clock::now() + wait;
                        while (events.empty() && std::chrono::steady_clock::now() < deadline) {
                            std::this_thread::sleep_for(kPollInterval);
                            events = stream.read(store, *after, limit);
                        }
                    }
                    rapidjson::StringBuffer buffer;
                    Writer writer(buffer);
                    writer.StartObject();
                    writer.Key("events");
                    writer.StartArray();
                    for (const publish::StreamEvent& event : events) {
                        writer.RawValue(event.json.c_str(), event.json.size(), rapidjson::kObjectType);
                    }
                    writer.EndArray();
                    writeText(writer, "next_cursor", stream.cursor(events.empty() ? *after : events.back().seq));
                    writer.Key("has_more");
                    writer.Bool(events.size() == limit);
                    writer.EndObject();
                    Response response = jsonResponse(200, buffer.GetString());
                    for (const publish::StreamEvent& event : events) {
                        response.persons.push_back(event.person_id);
                    }
                    return response;
                },
                {security::Role::Admin, security::Role::App},
                false,
                true,
                {"cursor", "limit", "wait"}});
}

void addPushRoutes(Router& router, publish::OutboxStore& store, const std::vector<publish::Subscriber>& subscribers) {
    const std::set<security::Role> operators{security::Role::Admin, security::Role::Operator};
    router.add({"GET", "/v1/push/subscribers", "Every push subscriber with its cursor, failures and dead letters.",
                [&store, &subscribers](const Request&) {
                    const std::int64_t head = store.outboxHead();
                    rapidjson::StringBuffer buffer;
                    Writer writer(buffer);
                    writer.StartObject();
                    writer.Key("subscribers");
                    writer.StartArray();
                    for (const publish::Subscriber& subscriber : subscribers) {
                        writeState(writer, subscriber, store.pushState(subscriber.name), head);
                    }
                    writer.EndArray();
                    writer.EndObject();
                    return jsonResponse(200, buffer.GetString());
                },
                operators});

    router.add({"GET",
                "/v1/push/subscribers/{name}/dead-letters",
                "A subscriber's dead letters: ?status=dead|redeliver|redelivered|any&cursor=&limit=1..500.",
                [&store, &subscribers](const Request& request) {
                    const auto& subscriber = findSubscriber(subscribers, request.path_params.at("name"));
                    std::string status = queryValue(request, "status", "dead");
                    if (status != "dead" && status != "redeliver" && status != "redelivered" && status != "any") {
                        throw GatewayError(ErrorCode::InvalidArgument,
                                           "query parameter status must be dead, redeliver, redelivered or any");
                    }
                    const std::int64_t after = integerParameter(request, "cursor", 0, 0, INT64_MAX);
                    const auto limit = static_cast<std::size_t>(integerParameter(request, "limit", 100, 1, 500));
                    const auto letters =
                        store.deadLetters(subscriber.name, status == "any" ? "" : status, after, limit + 1);
                    rapidjson::StringBuffer buffer;
                    Writer writer(buffer);
                    writer.StartObject();
                    writer.Key("items");
                    writer.StartArray();
                    const std::size_t shown = std::min(letters.size(), limit);
                    for (std::size_t i = 0; i < shown; ++i) {
                        const publish::DeadLetter& letter = letters[i];
                        writer.StartObject();
                        writer.Key("outbox_seq");
                        writer.Int64(letter.outbox_seq);
                        writeText(writer, "person_id", letter.person_id);
                        writer.Key("version");
                        writer.Int64(letter.version);
                        writer.Key("attempts");
                        writer.Int(letter.attempts);
                        writeText(writer, "error", letter.error);
                        writeText(writer, "dead_at", letter.dead_at);
                        writeText(writer, "status", letter.status);
                        writer.EndObject();
                    }
                    writer.EndArray();
                    writer.Key("next_cursor");
                    if (letters.size() > shown) {
                        writer.String(std::to_string(letters[shown - 1].outbox_seq).c_str());
                    } else {
                        writer.Null();
                    }
                    writer.EndObject();
                    return jsonResponse(200, buffer.GetString());
                },
                operators,
                false,
                false,
                {"status", "cursor", "limit"}});

    router.add({"POST", "/v1/push/subscribers/{name}/redeliver",
                "Send a subscriber's dead letters again: {} for all of them, {\"outbox_seq\": N} for one. The "
                "deliverer sends them before the rest of the stream, with their original idempotency keys.",
                [&store, &subscribers](const Request& request) {
                    const auto& subscriber = findSubscriber(subscribers, request.path_params.at("name"));
                    std::optional<std::int64_t> seq;
                    if (!request.body.empty()) {
                        const rapidjson::Document body = objectBody(request);
                        if (body.HasMember("outbox_seq")) {
                            if (!body["outbox_seq"].IsInt64() || body["outbox_seq"].GetInt64() < 1) {
                                throw GatewayError(ErrorCode::InvalidArgument,
                                                   "\"outbox_seq\" must be a positive whole number");
                            }
                            seq = body["outbox_seq"].GetInt64();
                        }
                    }
                    const std::int64_t marked = store.requestRedelivery(subscriber.name, seq, request.client->id);
                    return jsonResponse(200, "{\"marked\":" + std::to_string(marked) + "}");
                },
                operators});
}

}  // namespace gateway::api
