#include "gateway/api/review_routes.h"

#include "gateway/api/parameters.h"
#include "gateway/common/error.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace gateway::api {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

const std::set<security::Role> kReviewers{security::Role::Admin, security::Role::Reviewer};

void writeString(Writer& writer, const char* key, const std::string& value) {
    writer.Key(key);
    writer.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

void writeItem(Writer& writer, const store::ReviewItem& item) {
    writer.StartObject();
    writeString(writer, "pair", item.pair_id);
    writer.Key("seq");
    writer.Int64(item.seq);
    writeString(writer, "left", item.left_source + "/" + item.left_id);
    writeString(writer, "right", item.right_source + "/" + item.right_id);
    writer.Key("weight");
    writer.Double(item.weight);
    writeString(writer, "reason", item.reason);
    writeString(writer, "status", item.status);
    writeString(writer, "created_at", item.created_at);
    if (!item.decision.empty()) {
        writeString(writer, "decision", item.decision);
        writeString(writer, "reviewer", item.reviewer);
        writeString(writer, "comment", item.comment);
        writeString(writer, "decided_at", item.decided_at);
    }
    if (!item.explanation_json.empty()) {
        writer.Key("explanation");
        writer.RawValue(item.explanation_json.c_str(), item.explanation_json.size(), rapidjson::kObjectType);
    }
    writer.EndObject();
}

std::string requiredString(const rapidjson::Value& body, const char* name, bool required) {
    if (!body.HasMember(name)) {
        if (required) {
            throw GatewayError(ErrorCode::InvalidArgument, std::string("the body needs \"") + name + "\"");
        }
        return {};
    }
    if (!body[name].IsString()) {
        throw GatewayError(ErrorCode::InvalidArgument, std::string("\"") + name + "\" must be a string");
    }
    return std::string(body[name].GetString(), body[name].GetStringLength());
}

/// The reviewer is whoever holds the key; a name in the body only where no clients are configured.
std::string reviewerOf(const Request& request, const rapidjson::Value& body) {
    return request.client && request.client->id != localAdministrator().id ? request.client->id
                                                                           : requiredString(body, "reviewer", true);
}

/// The decision, reviewer and comment of a decision's body.
store::ReviewDecision decisionOf(const Request& request, const rapidjson::Value& body) {
    store::ReviewDecision decision;
    decision.decision = requiredString(body, "decision", true);
    decision.reviewer = reviewerOf(request, body);
    decision.comment = requiredString(body, "comment", false);
    return decision;
}

}  // namespace

std::string reviewItemJson(const store::ReviewItem& item) {
    rapidjson::StringBuffer buffer;
    Writer writer(buffer);
    writeItem(writer, item);
    return buffer.GetString();
}

void addReviewRoutes(Router& router, store::Store& store, jobs::LinkJob& link_job) {
    router.add({"GET",
                "/v1/review",
                "The match review queue, oldest first: ?status=open|decided|obsolete|any&cursor=&limit=1..500.",
                [&store](const Request& request) {
                    std::string status = queryValue(request, "status", "open");
                    if (status != "open" && status != "decided" && status != "obsolete" && status != "any") {
                        throw GatewayError(ErrorCode::InvalidArgument, "status must be open, decided, obsolete or any");
                    }
                    const std::int64_t after = integerParameter(request, "cursor", 0, 0, INT64_MAX);
                    const std::int64_t limit = integerParameter(request, "limit", 100, 1, 500);
                    const auto items =
                        store.reviewQueue(status == "any" ? "" : status, after, static_cast<std::size_t>(limit) + 1);
                    rapidjson::StringBuffer buffer;
                    Writer writer(buffer);
                    writer.StartObject();
                    writer.Key("items");
                    writer.StartArray();
                    const std::size_t shown = std::min(items.size(), static_cast<std::size_t>(limit));
                    for (std::size_t i = 0; i < shown; ++i) {
                        writeItem(writer, items[i]);
                    }
                    writer.EndArray();
                    writer.Key("next_cursor");
                    if (items.size() > shown) {
                        writer.String(std::to_string(items[shown - 1].seq).c_str());
                    } else {
                        writer.Null();
                    }
                    writer.EndObject();
                    return jsonResponse(200, buffer.GetString());
                },
                kReviewers,
                false,
                true,
                {"status", "cursor", "limit"}});

    router.add({"GET", "/v1/review/{pair}", "One review pair with the comparison levels and weights.",
                [&store](const Request& request) {
                    const std::string& pair = request.path_params.at("pair");
                    const auto item = store.reviewItem(pair);
                    if (!item) {
                        throw GatewayError(ErrorCode::NotFound, "no review pair " + pair);
                    }
                    return jsonResponse(200, reviewItemJson(*item));
                },
                kReviewers, false, true});

    router.add({"POST", "/v1/review/{pair}",
                "Decide a pair: {\"decision\":\"link\"|\"no_link\",\"reviewer\":…,\"comment\":…}; applied at once "
                "and kept over every later run.",
                [&link_job](const Request& request) {
                    const rapidjson::Document body = objectBody(request);
                    store::ReviewDecision decision = decisionOf(request, body);
                    decision.pair_id = request.path_params.at("pair");
                    return jsonResponse(200, reviewItemJson(link_job.decide(decision)));
                },
                kReviewers, false, true});

    router.add({"POST", "/v1/review",
                "Decide any two staged records, queued or not: {\"left\":\"SOURCE/ID\",\"right\":\"SOURCE/ID\","
                "\"decision\":\"link\"|\"no_link\",\"comment\":…}. no_link splits a wrong merge, link merges two "
                "persons; applied at once, and every platform that received the affected profiles gets a correction.",
                [&link_job](const Request& request) {
                    const rapidjson::Document body = objectBody(request);
                    const store::ReviewDecision decision = decisionOf(request, body);
                    const std::string left = requiredString(body, "left", true);
                    const std::string right = requiredString(body, "right", true);
                    return jsonResponse(200, reviewItemJson(link_job.decidePair(left, right, decision)));
                },
                kReviewers, false, true});

    router.add({"GET",
                "/v1/links/explain",
                "Why two records link or not: ?left=SOURCE/ID&right=SOURCE/ID gives every comparison's level and "
                "weight under the stored model.",
                [&link_job](const Request& request) {
                    const std::string left = queryValue(request, "left");
                    const std::string right = queryValue(request, "right");
                    if (left.empty() || right.empty()) {
                        throw GatewayError(ErrorCode::InvalidArgument, "give left=SOURCE/ID and right=SOURCE/ID");
                    }
                    return jsonResponse(200, link_job.explain(left, right).toJson());
                },
                kReviewers,
                false,
                true,
                {"left", "right"}});

    router.add({"GET", "/v1/persons/{id}", "The source records linked into one person.",
                [&store](const Request& request) {
                    const std::string& id = request.path_params.at("id");
                    const auto records = store.personRecords(id);
                    if (records.empty()) {
                        throw GatewayError(ErrorCode::NotFound, "no person " + id);
                    }
                    rapidjson::StringBuffer buffer;
                    Writer writer(buffer);
                    writer.StartObject();
                    writeString(writer, "person_id", id);
                    writer.Key("records");
                    writer.StartArray();
                    for (const store::PersonLink& link : records) {
                        writer.StartObject();
                        writeString(writer, "source", link.source);
                        writeString(writer, "source_id", link.source_id);
                        writer.EndObject();
                    }
                    writer.EndArray();
                    writer.EndObject();
                    Response response = jsonResponse(200, buffer.GetString());
                    response.persons.push_back(id);
                    return response;
                },
                kReviewers, false, true});
}

}  // namespace gateway::api
