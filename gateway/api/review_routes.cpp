#include "gateway/api/review_routes.h"

#include "gateway/api/parameters.h"
#include "gateway/common/error.h"
#include "gateway/common/json_writer.h"
#include "gateway/common/utf8.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <utility>

namespace gateway::api {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

const std::set<security::Role> kReviewers{security::Role::Admin, security::Role::Reviewer};

void writeItem(Writer& writer, const linkage::ReviewItem& item, const profile::ProfileView* view) {
    writer.StartObject();
    json::field(writer, "pair", item.pair_id);
    writer.Key("seq");
    writer.Int64(item.seq);
    json::field(writer, "left", item.left_source + "/" + item.left_id);
    json::field(writer, "right", item.right_source + "/" + item.right_id);
    writer.Key("weight");
    writer.Double(item.weight);
    json::field(writer, "reason", item.reason);
    json::field(writer, "status", item.status);
    json::field(writer, "created_at", item.created_at);
    if (!item.decision.empty()) {
        json::field(writer, "decision", item.decision);
        json::field(writer, "reviewer", item.reviewer);
        json::field(writer, "comment", item.comment);
        json::field(writer, "decided_at", item.decided_at);
    }
    if (!item.explanation_json.empty()) {
        const std::string shown = view == nullptr ? item.explanation_json : view->apply(item.explanation_json);
        writer.Key("explanation");
        writer.RawValue(shown.c_str(), shown.size(), rapidjson::kObjectType);
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
linkage::ReviewDecision decisionOf(const Request& request, const rapidjson::Value& body) {
    linkage::ReviewDecision decision;
    decision.decision = requiredString(body, "decision", true);
    decision.reviewer = reviewerOf(request, body);
    decision.comment = requiredString(body, "comment", false);
    return decision;
}

/// What a reviewer may see and decide: the caller's scope, and the records, persons and views behind it.
class ReviewScope {
public:
    ReviewScope(const ReviewRouteStores& stores, const Request& request, const profile::ProfileViews& views)
        : links_(stores.links), records_(stores.records), scope_(request.client->scope) {
        const std::string& name = request.client->view.empty() ? std::string("reviewer") : request.client->view;
        view_ = views.find(name);
        if (view_ == nullptr) {
            view_ = builtinViews().find("reviewer");
        }
    }

    const profile::ProfileView* view() const { return view_; }

    /// Whether the child of record "SOURCE/ID" lives (or is registered) inside the scope; an unknown record or one
    /// without a division is outside every scope but the whole city's.
    bool covers(const std::string& source, const std::string& id) {
        if (scope_.empty()) {
            return true;
        }
        const auto record = records_.sourceRecord(source, id);
        if (!record) {
            return false;
        }
        rapidjson::Document json;
        json.Parse(record->record_json.c_str(), record->record_json.size());
        if (json.HasParseError() || !json.IsObject()) {
            return false;
        }
        for (const char* key : {"residence_division", "hukou_division"}) {
            const auto member = json.FindMember(key);
            if (member != json.MemberEnd() && member->value.IsString() && member->value.GetStringLength() > 0) {
                return std::string_view(member->value.GetString(), member->value.GetStringLength()).starts_with(scope_);
            }
        }
        return false;
    }

    bool covers(const linkage::ReviewItem& item) {
        return covers(item.left_source, item.left_id) && covers(item.right_source, item.right_id);
    }

    /// Whether every record of `person` lies in the scope (true for no person yet).
    bool coversPerson(const std::string& person) {
        if (scope_.empty()) {
            return true;
        }
        for (const linkage::PersonLink& link : links_.personRecords(person)) {
            if (!covers(link.source, link.source_id)) {
                return false;
            }
        }
        return true;
    }

    /// 403 unless the persons of both records lie wholly in the scope: a decision moves records between them.
    void requireDecidable(const std::string& left_source, const std::string& left_id, const std::string& right_source,
                          const std::string& right_id) {
        for (const auto& [source, id] : {std::pair(left_source, left_id), std::pair(right_source, right_id)}) {
            if (const auto person = links_.personOf(source, id); person && !coversPerson(*person)) {
                throw GatewayError(ErrorCode::Forbidden, "the decision would move records of person " + *person +
                                                             ", who also has records outside your scope " + scope_);
            }
        }
    }

    /// Adds the persons of a pair's records to `persons` (an answer's), for the read ledger; the log keeps each once.
    void name(std::vector<std::string>& persons, const std::string& source, const std::string& id) {
        if (const auto person = links_.personOf(source, id)) {
            persons.push_back(*person);
        }
    }
    void name(std::vector<std::string>& persons, const linkage::ReviewItem& item) {
        name(persons, item.left_source, item.left_id);
        name(persons, item.right_source, item.right_id);
    }

private:
    static const profile::ProfileViews& builtinViews() {
        static const profile::ProfileViews views = profile::ProfileViews::builtin();
        return views;
    }

    linkage::LinkStore& links_;
    intake::IntakeStore& records_;
    std::string scope_;
    const profile::ProfileView* view_ = nullptr;
};

/// "SOURCE/ID" split at its first slash; 400 without one.
std::pair<std::string, std::string> recordKey(const std::string& text, const char* name) {
    const std::size_t slash = text.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == text.size()) {
        throw GatewayError(ErrorCode::InvalidArgument, std::string(name) + " must be SOURCE/ID");
    }
    return {text.substr(0, slash), text.substr(slash + 1)};
}

}  // namespace

std::string reviewItemJson(const linkage::ReviewItem& item, const profile::ProfileView* view) {
    rapidjson::StringBuffer buffer;
    Writer writer(buffer);
    writeItem(writer, item, view);
    return buffer.GetString();
}

void addReviewRoutes(Router& router, ReviewRouteStores stores, jobs::LinkJob& link_job,
                     const profile::ProfileViews& views) {
    router.add({"GET",
                "/v1/review",
                "The match review queue, oldest first: ?status=open|decided|obsolete|any&cursor=&limit=1..500.",
                [stores, &views](const Request& request) {
                    std::string status = queryValue(request, "status", "open");
                    if (status != "open" && status != "decided" && status != "obsolete" && status != "any") {
                        throw GatewayError(ErrorCode::InvalidArgument, "status must be open, decided, obsolete or any");
                    }
                    std::int64_t after = integerParameter(request, "cursor", 0, 0, INT64_MAX);
                    const auto limit = static_cast<std::size_t>(integerParameter(request, "limit", 100, 1, 500));
                    ReviewScope scope(stores, request, views);
                    // The pairs inside the scope, read on in the queue's order until a page is full.
                    std::vector<linkage::ReviewItem> items;
                    bool more = true;
                    while (more && items.size() <= limit) {
                        const auto page = stores.review.reviewQueue(status == "any" ? "" : status, after, limit + 1);
                        more = page.size() > limit;
                        for (const auto& item : page) {
                            after = item.seq;
                            if (scope.covers(item)) {
                                items.push_back(item);
                                if (items.size() > limit) {
                                    break;
                                }
                            }
                        }
                    }
                    std::vector<std::string> persons;
                    rapidjson::StringBuffer buffer;
                    Writer writer(buffer);
                    writer.StartObject();
                    writer.Key("items");
                    writer.StartArray();
                    const std::size_t shown = std::min(items.size(), limit);
                    for (std::size_t i = 0; i < shown; ++i) {
                        writeItem(writer, items[i], scope.view());
                        scope.name(persons, items[i]);
                    }
                    writer.EndArray();
                    writer.Key("next_cursor");
                    if (items.size() > shown) {
                        writer.String(std::to_string(items[shown - 1].seq).c_str());
                    } else {
                        writer.Null();
                    }
                    writer.EndObject();
                    Response response = jsonResponse(200, buffer.GetString());
                    response.persons = std::move(persons);
                    return response;
                },
                kReviewers,
                false,
                true,
                {"status", "cursor", "limit"}});

    router.add({"GET", "/v1/review/{pair}", "One review pair with the comparison levels and weights.",
                [stores, &views](const Request& request) {
                    const std::string& pair = request.path_params.at("pair");
                    ReviewScope scope(stores, request, views);
                    const auto item = stores.review.reviewItem(pair);
                    if (!item || !scope.covers(*item)) {
                        throw GatewayError(ErrorCode::NotFound, "no review pair " + utf8::quote(pair, 80));
                    }
                    Response response = jsonResponse(200, reviewItemJson(*item, scope.view()));
                    scope.name(response.persons, *item);
                    return response;
                },
                kReviewers, false, true});

    router.add({"POST", "/v1/review/{pair}",
                "Decide a pair: {\"decision\":\"link\"|\"no_link\",\"reviewer\":…,\"comment\":…}; applied at once "
                "and kept over every later run.",
                [stores, &link_job, &views](const Request& request) {
                    const rapidjson::Document body = objectBody(request);
                    linkage::ReviewDecision decision = decisionOf(request, body);
                    decision.pair_id = request.path_params.at("pair");
                    ReviewScope scope(stores, request, views);
                    const auto item = stores.review.reviewItem(decision.pair_id);
                    if (!item || !scope.covers(*item)) {
                        throw GatewayError(ErrorCode::NotFound, "no review pair " + utf8::quote(decision.pair_id, 80));
                    }
                    scope.requireDecidable(item->left_source, item->left_id, item->right_source, item->right_id);
                    const linkage::ReviewItem decided = link_job.decide(decision);
                    Response response = jsonResponse(200, reviewItemJson(decided, scope.view()));
                    scope.name(response.persons, decided);
                    return response;
                },
                kReviewers, false, true});

    router.add({"POST", "/v1/review",
                "Decide any two staged records, queued or not: {\"left\":\"SOURCE/ID\",\"right\":\"SOURCE/ID\","
                "\"decision\":\"link\"|\"no_link\",\"comment\":…}. no_link splits a wrong merge, link merges two "
                "persons; applied at once, and every platform that received the affected profiles gets a correction.",
                [stores, &link_job, &views](const Request& request) {
                    const rapidjson::Document body = objectBody(request);
                    const linkage::ReviewDecision decision = decisionOf(request, body);
                    const std::string left = requiredString(body, "left", true);
                    const std::string right = requiredString(body, "right", true);
                    const auto [left_source, left_id] = recordKey(left, "left");
                    const auto [right_source, right_id] = recordKey(right, "right");
                    ReviewScope scope(stores, request, views);
                    if (!scope.covers(left_source, left_id) || !scope.covers(right_source, right_id)) {
                        throw GatewayError(ErrorCode::NotFound, "no such record in your scope");
                    }
                    scope.requireDecidable(left_source, left_id, right_source, right_id);
                    const linkage::ReviewItem decided = link_job.decidePair(left, right, decision);
                    Response response = jsonResponse(200, reviewItemJson(decided, scope.view()));
                    scope.name(response.persons, decided);
                    return response;
                },
                kReviewers, false, true});

    router.add({"GET",
                "/v1/links/explain",
                "Why two records link or not: ?left=SOURCE/ID&right=SOURCE/ID gives every comparison's level and "
                "weight under the stored model.",
                [stores, &link_job, &views](const Request& request) {
                    const std::string left = queryValue(request, "left");
                    const std::string right = queryValue(request, "right");
                    if (left.empty() || right.empty()) {
                        throw GatewayError(ErrorCode::InvalidArgument, "give left=SOURCE/ID and right=SOURCE/ID");
                    }
                    const auto [left_source, left_id] = recordKey(left, "left");
                    const auto [right_source, right_id] = recordKey(right, "right");
                    ReviewScope scope(stores, request, views);
                    if (!scope.covers(left_source, left_id) || !scope.covers(right_source, right_id)) {
                        throw GatewayError(ErrorCode::NotFound, "no such record in your scope");
                    }
                    const std::string explanation = link_job.explain(left, right).toJson();
                    Response response =
                        jsonResponse(200, scope.view() == nullptr ? explanation : scope.view()->apply(explanation));
                    scope.name(response.persons, left_source, left_id);
                    scope.name(response.persons, right_source, right_id);
                    return response;
                },
                kReviewers,
                false,
                true,
                {"left", "right"}});

    router.add({"GET", "/v1/persons/{id}", "The source records linked into one person.",
                [stores, &views](const Request& request) {
                    const std::string& id = request.path_params.at("id");
                    const auto records = stores.links.personRecords(id);
                    ReviewScope scope(stores, request, views);
                    if (records.empty() || !scope.coversPerson(id)) {
                        throw GatewayError(ErrorCode::NotFound, "no person " + utf8::quote(id, 80));
                    }
                    rapidjson::StringBuffer buffer;
                    Writer writer(buffer);
                    writer.StartObject();
                    json::field(writer, "person_id", id);
                    writer.Key("records");
                    writer.StartArray();
                    for (const linkage::PersonLink& link : records) {
                        writer.StartObject();
                        json::field(writer, "source", link.source);
                        json::field(writer, "source_id", link.source_id);
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
