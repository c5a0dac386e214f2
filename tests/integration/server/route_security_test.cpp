// The API's access rules, checked against a real `gateway serve` over real sockets, for every route it serves: the
// routes are taken from GET /openapi.json, so a new route is covered the day it is added. A small simulator city is
// synced, linked and built into profiles; a clients file holds one client per role. Then:
//  - every route × every role: a role the route does not admit gets 403, one it admits never 401/403/500; no
//    credentials, a wrong key or a wrong scheme get 401 with WWW-Authenticate;
//  - the roles of each route are those the README gives; an admin client without a view is either refused at start
//    or admitted where its role is;
//  - every route that discloses personal data wants X-Purpose (400 without); a personal-data read without one is in
//    the exchange log next to the answered read, with status, purpose and person; a review decision does not answer
//    with ID numbers without a purpose either;
//  - hostile strings (SQL injection, path traversal, NUL, invalid UTF-8, template and JNDI probes, very long values)
//    in every path and query parameter never give a 500, a database error, a file's content, a stack trace or an ID
//    number, change no stored row, and leave an exchange log that still verifies;
//  - the rate limit answers 429 with Retry-After to one client while another goes on;
//  - over HTTPS, a client certificate of the configured CA identifies its client, one of another CA fails the
//    handshake, and plain HTTP to the HTTPS port gets no answer.

#include "gateway/common/hash.h"
#include "gateway/security/clients.h"
#include "gateway/store/store.h"
#include "tests/integration/sim/deptsim_harness.h"
#include "tests/integration/sim/gateway_setup.h"
#include "tests/support/encoding.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/Timespan.h>
#include <Poco/Timestamp.h>
#include <Poco/URI.h>
#include <rapidjson/document.h>
#include <sqlite3.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace gateway::testing {
namespace {

constexpr const char* kAsOf = "2026-11-01";
constexpr const char* kPurpose = "audit";
const std::vector<std::string> kRoles = {"admin", "operator", "app", "reviewer", "auditor"};

struct Reply {
    int status = -1;  // -1: no HTTP answer (see `failure`)
    std::string body;
    std::map<std::string, std::string> headers;
    std::string failure;

    std::string header(const std::string& name) const {
        for (const auto& [key, value] : headers) {
            if (Poco::icompare(key, name) == 0) {
                return value;
            }
        }
        return "";
    }
};

/// Sends one request as it is given (`target` is written to the request line unchanged) on a fresh connection,
/// through `session` if given. Never throws: a failed exchange is status -1 with the exception's text.
Reply exchange(Poco::Net::HTTPClientSession& session, const std::string& method, const std::string& target,
               const std::map<std::string, std::string>& headers, const std::string& body) {
    Reply reply;
    try {
        session.setTimeout(Poco::Timespan(15, 0));
        Poco::Net::HTTPRequest request(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
        for (const auto& [name, value] : headers) {
            request.set(name, value);
        }
        if (method == "POST") {
            request.setContentLength(static_cast<std::streamsize>(body.size()));
            request.setContentType("application/json");
        }
        std::ostream& out = session.sendRequest(request);
        out << body;
        Poco::Net::HTTPResponse response;
        std::istream& in = session.receiveResponse(response);
        Poco::StreamCopier::copyToString(in, reply.body);
        reply.status = response.getStatus();
        for (const auto& [name, value] : response) {
            reply.headers[name] = value;
        }
    } catch (const Poco::Exception& e) {
        reply.status = -1;
        reply.failure = e.displayText();
    }
    return reply;
}

Reply send(const std::string& url, const std::string& method, const std::string& target,
           const std::map<std::string, std::string>& headers = {}, const std::string& body = "") {
    const Poco::URI uri(url);
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    return exchange(session, method, target, headers, body);
}

/// For messages: printable ASCII as it is, other bytes as \xNN, cut at 120 characters.
std::string printable(const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
        if (out.size() >= 120) {
            return out + "…";
        }
        if (c >= 0x20 && c < 0x7f) {
            out.push_back(static_cast<char>(c));
        } else {
            char buffer[8];
            std::snprintf(buffer, sizeof buffer, "\\x%02X", c);
            out += buffer;
        }
    }
    return out;
}

std::string errorMessage(const Reply& reply) {
    rapidjson::Document json;
    json.Parse(reply.body.c_str(), reply.body.size());
    if (json.HasParseError() || !json.IsObject() || !json.HasMember("error") || !json["error"].IsObject() ||
        !json["error"].HasMember("message") || !json["error"]["message"].IsString()) {
        return "";
    }
    return json["error"]["message"].GetString();
}

/// One operation of the OpenAPI document.
struct RouteSpec {
    std::string method;  // upper case
    std::string pattern;
    bool anonymous = false;
    std::set<std::string> roles;
    std::vector<std::string> path_params;
    std::vector<std::string> query_params;

    std::string name() const { return method + " " + pattern; }
};

/// Query parameters the README documents per route. The OpenAPI document lists path parameters only, so these are
/// added to whatever it lists with "in": "query" and to the `name=` words of each summary.
const std::map<std::string, std::vector<std::string>> kDocumentedQuery = {
    {"/v1/audit", {"actor", "action", "person", "from", "to", "cursor", "limit"}},
    {"/v1/audit/{seq}/proof", {"size"}},
    {"/v1/review", {"status", "cursor", "limit"}},
    {"/v1/links/explain", {"left", "right"}},
    {"/v1/profiles",
     {"division", "classification", "alert", "age_min", "age_max", "updated_since", "id_number", "name", "cursor",
      "limit"}},
    {"/v1/stats", {"division"}},
    {"/v1/changes", {"cursor", "limit", "wait"}},
    {"/v1/push/subscribers/{name}/dead-letters", {"status", "cursor", "limit"}},
};

std::vector<RouteSpec> parseOpenApi(const std::string& text) {
    rapidjson::Document document;
    document.Parse(text.c_str(), text.size());
    if (document.HasParseError() || !document.IsObject() || !document.HasMember("paths")) {
        throw std::runtime_error("not an OpenAPI document: " + text.substr(0, 200));
    }
    static const std::regex query_word(R"(\b([a-z_]+)=)");
    std::vector<RouteSpec> routes;
    for (const auto& path : document["paths"].GetObject()) {
        for (const auto& operation : path.value.GetObject()) {
            RouteSpec route;
            route.method = Poco::toUpper(std::string(operation.name.GetString()));
            route.pattern = path.name.GetString();
            const auto& body = operation.value;
            route.anonymous = !body.HasMember("x-roles");
            if (!route.anonymous) {
                for (const auto& role : body["x-roles"].GetArray()) {
                    route.roles.insert(role.GetString());
                }
            }
            std::set<std::string> query;
            if (body.HasMember("parameters")) {
                for (const auto& parameter : body["parameters"].GetArray()) {
                    const std::string in = parameter["in"].GetString();
                    if (in == "path") {
                        route.path_params.emplace_back(parameter["name"].GetString());
                    } else if (in == "query") {
                        query.insert(parameter["name"].GetString());
                    }
                }
            }
            if (route.method == "GET" && body.HasMember("summary") && body["summary"].IsString()) {
                const std::string summary = body["summary"].GetString();
                for (auto it = std::sregex_iterator(summary.begin(), summary.end(), query_word);
                     it != std::sregex_iterator(); ++it) {
                    query.insert((*it)[1]);
                }
            }
            if (route.method == "GET") {
                if (const auto documented = kDocumentedQuery.find(route.pattern);
                    documented != kDocumentedQuery.end()) {
                    query.insert(documented->second.begin(), documented->second.end());
                }
            }
            route.query_params.assign(query.begin(), query.end());
            routes.push_back(std::move(route));
        }
    }
    return routes;
}

/// The pattern with each `{name}` replaced by values.at(name) (already encoded), or `fallback` when not given.
std::string fill(const std::string& pattern, const std::map<std::string, std::string>& values,
                 const std::string& fallback = "dummy") {
    std::string out;
    std::size_t pos = 0;
    while (pos < pattern.size()) {
        const std::size_t open = pattern.find('{', pos);
        if (open == std::string::npos) {
            out += pattern.substr(pos);
            break;
        }
        const std::size_t close = pattern.find('}', open);
        out += pattern.substr(pos, open - pos);
        const std::string name = pattern.substr(open + 1, close - open - 1);
        const auto it = values.find(name);
        out += it != values.end() ? it->second : fallback;
        pos = close + 1;
    }
    return out;
}

/// Row counts of the tables hostile requests must not change, read from the SQLite file opened read-only.
std::map<std::string, std::int64_t> rowCounts(const std::string& path) {
    std::map<std::string, std::int64_t> counts;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        ADD_FAILURE() << "cannot open " << path << " read-only: " << (db ? sqlite3_errmsg(db) : "?");
        sqlite3_close(db);
        return counts;
    }
    sqlite3_busy_timeout(db, 5000);
    for (const char* table : {"profiles", "profile_versions", "source_records", "person_links", "review_pairs",
                              "outbox", "push_dead_letters", "quarantine", "raw_batches"}) {
        sqlite3_stmt* statement = nullptr;
        const std::string sql = std::string("SELECT COUNT(*) FROM ") + table;
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
            sqlite3_step(statement) == SQLITE_ROW) {
            counts[table] = sqlite3_column_int64(statement, 0);
        } else {
            ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
        }
        sqlite3_finalize(statement);
    }
    sqlite3_close(db);
    return counts;
}

/// Something a 18-character citizen ID number could be: 17 digits and a digit or X, not inside a longer run.
const std::regex kIdLike(R"((^|[^0-9])[0-9]{17}[0-9Xx]($|[^0-9]))");

/// Texts an answer must never hold, whatever was asked: a file's content, the database's own errors, stack traces.
const std::vector<std::string> kLeaks = {
    "root:", "SQLITE",           "sqlite3", "syntax error", "no such table", "no such column", "unrecognized token",
    "std::", "terminate called", "Poco::",  ".cpp:",        "stack trace",   "Traceback",      "/bin/bash"};

/// Where a staged record places its child: the residence division, else the hukou one ("" for neither).
std::string recordDivision(store::Store& store, const std::string& source, const std::string& id) {
    const auto record = store.sourceRecord(source, id);
    if (!record) {
        return "";
    }
    rapidjson::Document json;
    json.Parse(record->record_json.c_str(), record->record_json.size());
    for (const char* key : {"residence_division", "hukou_division"}) {
        if (json.IsObject() && json.HasMember(key) && json[key].IsString() && json[key].GetStringLength() > 0) {
            return json[key].GetString();
        }
    }
    return "";
}

class RouteSecurityTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        const auto started = std::chrono::steady_clock::now();
        sim_ = std::make_unique<sim::DeptsimServer>(std::vector<std::string>{}, 400, 43);
        gateway_ = std::make_unique<GatewaySetup>(*sim_);
        const auto synced = gateway_->sync();
        ASSERT_EQ(synced.exit_code, 0) << synced.err;
        const auto linked = gateway_->run({"link", "--full"});
        ASSERT_EQ(linked.exit_code, 0) << linked.err;
        const auto built = gateway_->run({"profiles", "rebuild", "--set", std::string("profile.as_of=") + kAsOf});
        ASSERT_EQ(built.exit_code, 0) << built.err;

        {
            auto store = gateway_->openStore();
            profile::ProfileQuery everything;
            everything.limit = 1000000;
            for (const auto& profile : store->queryProfiles(everything)) {
                if (person_id_.empty() && !profile.id_number.empty()) {
                    person_id_ = profile.person_id;
                }
                if (!profile.id_number.empty()) {
                    id_numbers_.insert(profile.id_number);
                }
            }
            const auto pairs = store->reviewQueue("", 0, 1);
            if (!pairs.empty()) {
                pair_id_ = pairs.front().pair_id;
            }
        }
        ASSERT_FALSE(person_id_.empty()) << "no profile with an ID number in the simulated city";

        {
            // The scoped reviewer's township: that of a child whose records lie in two townships, so that a decision on
            // the child would move records out of the scope.
            auto store = gateway_->openStore();
            profile::ProfileQuery everything;
            everything.limit = 1000000;
            for (const auto& profile : store->queryProfiles(everything)) {
                std::set<std::string> townships;
                for (const auto& link : store->personRecords(profile.person_id)) {
                    townships.insert(recordDivision(*store, link.source, link.source_id).substr(0, 9));
                }
                if (townships.size() >= 2 && !townships.begin()->empty()) {
                    split_person_ = profile.person_id;
                    township_ = *townships.begin();
                    break;
                }
            }
        }
        ASSERT_FALSE(township_.empty()) << "no child of the simulated city has records in two townships";
        keys_["reviewer-town"] = security::newApiKey();
        writeClients(dir_.file("clients.json"), R"(, {"id": "reviewer-town", "roles": ["reviewer"], "scope": ")" +
                                                    township_ + R"(", "api_key_sha256": ")" +
                                                    sha256Hex(keys_["reviewer-town"]) + R"("})");
        std::string banner;
        // Unlimited rate here: the barrage below sends hundreds of requests with one key. Nor is there a limit on
        // connections per address: the barrage opens one per request from 127.0.0.1, and one it has closed still
        // counts until a server thread notices, which on a loaded machine can be eight connections later (the limit
        // itself is SlowClientTest's).
        server_ = gateway_->serve(
            {"--set", std::string("profile.as_of=") + kAsOf, "--set", "api.clients=" + dir_.file("clients.json"),
             "--set", "api.rate_limit.per_second=0", "--set", "server.max_connections_per_address=0", "--set",
             "audit.index_interval_seconds=1", "--set", "logging.level=error"},
            url_, banner);
        ASSERT_FALSE(url_.empty()) << banner;

        const Reply openapi = send(url_, "GET", "/openapi.json");
        ASSERT_EQ(openapi.status, 200) << openapi.failure << openapi.body.substr(0, 300);
        routes_ = parseOpenApi(openapi.body);
        std::printf("set-up: %zu routes, %zu profiles, %.1f s\n", routes_.size(), id_numbers_.size(),
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }

    static void TearDownTestSuite() {
        if (server_) {
            EXPECT_EQ(server_->terminate(), 0);
        }
        server_.reset();
        gateway_.reset();
        sim_.reset();
    }

    void SetUp() override { ASSERT_FALSE(url_.empty() || routes_.empty()) << "the suite's set-up failed"; }

    /// One client per role (admin with the city view, app for the whole city through the city view), and `extra`
    /// (JSON objects, comma-first) appended.
    static void writeClients(const std::string& path, const std::string& extra) {
        std::string json = R"({"clients": [)";
        for (const std::string& role : kRoles) {
            if (!keys_.contains(role)) {
                keys_[role] = security::newApiKey();
            }
            const bool reads_profiles = role == "app" || role == "admin";
            json += (role == kRoles.front() ? "" : ",") + std::string(R"({"id": ")") + role + R"(", "roles": [")" +
                    role + R"("])" + (reads_profiles ? R"(, "scope": "", "view": "city")" : "") +
                    R"(, "api_key_sha256": ")" + sha256Hex(keys_[role]) + R"("})";
        }
        writeFile(path, json + extra + "]}");
    }

    static std::map<std::string, std::string> as(const std::string& role, bool purpose = true) {
        std::map<std::string, std::string> headers;
        if (!role.empty()) {
            headers["Authorization"] = "Bearer " + keys_.at(role);
        }
        if (purpose) {
            headers["X-Purpose"] = kPurpose;
        }
        return headers;
    }

    /// Plausible values of every path parameter: an existing person, a seq that exists, ids that do not (so that an
    /// admitted POST changes nothing).
    static std::map<std::string, std::string> plausible(const RouteSpec& route) {
        std::map<std::string, std::string> values;
        for (const std::string& name : route.path_params) {
            if (name == "id") {
                values[name] = encode(person_id_);
            } else if (name == "seq") {
                values[name] = "1";
            } else if (name == "pair") {
                values[name] = route.method == "GET" && !pair_id_.empty() ? encode(pair_id_) : "no-such-pair";
            } else if (name == "name") {
                values[name] = "no-such-subscriber";
            } else {
                values[name] = "dummy";
            }
        }
        return values;
    }

    static Reply call(const RouteSpec& route, const std::map<std::string, std::string>& headers,
                      const std::string& target = "") {
        return send(url_, route.method, target.empty() ? fill(route.pattern, plausible(route)) : target, headers,
                    route.method == "POST" ? "{}" : "");
    }

    static std::int64_t logHead() { return gateway_->openStore()->exchangeLogHead().seq; }

    static std::unique_ptr<sim::DeptsimServer> sim_;
    static std::unique_ptr<GatewaySetup> gateway_;
    static std::unique_ptr<GatewayProcess> server_;
    static TempDir dir_;
    static std::string url_;
    static std::vector<RouteSpec> routes_;
    static std::map<std::string, std::string> keys_;
    static std::string person_id_;
    static std::string pair_id_;
    static std::string township_;      // the scope of the client reviewer-town
    static std::string split_person_;  // a child with records inside and outside that township
    static std::set<std::string> id_numbers_;
};

std::unique_ptr<sim::DeptsimServer> RouteSecurityTest::sim_;
std::unique_ptr<GatewaySetup> RouteSecurityTest::gateway_;
std::unique_ptr<GatewayProcess> RouteSecurityTest::server_;
TempDir RouteSecurityTest::dir_;
std::string RouteSecurityTest::url_;
std::vector<RouteSpec> RouteSecurityTest::routes_;
std::map<std::string, std::string> RouteSecurityTest::keys_;
std::string RouteSecurityTest::township_;
std::string RouteSecurityTest::split_person_;
std::string RouteSecurityTest::person_id_;
std::string RouteSecurityTest::pair_id_;
std::set<std::string> RouteSecurityTest::id_numbers_;

TEST_F(RouteSecurityTest, TheOpenApiDocumentListsEveryRouteWithItsRoles) {
    std::set<std::string> listed;
    for (const RouteSpec& route : routes_) {
        listed.insert(route.name());
        if (!route.anonymous) {
            EXPECT_FALSE(route.roles.empty()) << route.name() << ": x-roles is empty";
            for (const std::string& role : route.roles) {
                EXPECT_TRUE(std::find(kRoles.begin(), kRoles.end(), role) != kRoles.end())
                    << route.name() << ": unknown role " << role;
            }
        }
    }
    // The routes the README documents; more may come, none may silently go.
    for (const char* name : {"GET /healthz",
                             "GET /readyz",
                             "GET /v1/version",
                             "GET /openapi.json",
                             "GET /v1/review",
                             "POST /v1/review",
                             "GET /v1/review/{pair}",
                             "POST /v1/review/{pair}",
                             "GET /v1/links/explain",
                             "GET /v1/persons/{id}",
                             "GET /v1/profiles/{id}",
                             "GET /v1/profiles/{id}/history",
                             "GET /v1/profiles",
                             "GET /v1/stats",
                             "GET /v1/changes",
                             "GET /v1/push/subscribers",
                             "GET /v1/push/subscribers/{name}/dead-letters",
                             "POST /v1/push/subscribers/{name}/redeliver",
                             "GET /v1/audit",
                             "GET /v1/audit/status"}) {
        EXPECT_TRUE(listed.contains(name)) << name << " is missing from /openapi.json";
    }
    // Who may call what, as the README assigns the roles: a route whose roles drift is caught here, not only in the
    // route table.
    const std::map<std::string, std::set<std::string>> policy = {
        {"GET /v1/audit/status", {"admin", "operator", "auditor"}},
        {"GET /metrics", {"admin", "operator", "auditor"}},
        {"GET /v1/audit", {"admin", "auditor"}},
        {"GET /v1/audit/{seq}", {"admin", "auditor"}},
        {"GET /v1/audit/{seq}/proof", {"admin", "auditor"}},
        {"GET /v1/review", {"admin", "reviewer"}},
        {"POST /v1/review", {"admin", "reviewer"}},
        {"GET /v1/review/{pair}", {"admin", "reviewer"}},
        {"POST /v1/review/{pair}", {"admin", "reviewer"}},
        {"GET /v1/links/explain", {"admin", "reviewer"}},
        {"GET /v1/persons/{id}", {"admin", "reviewer"}},
        {"GET /v1/profiles/{id}", {"admin", "app"}},
        {"GET /v1/profiles/{id}/history", {"admin", "app"}},
        {"GET /v1/profiles", {"admin", "app"}},
        {"GET /v1/stats", {"admin", "app"}},
        {"GET /v1/changes", {"admin", "app"}},
        {"GET /v1/push/subscribers", {"admin", "operator"}},
        {"GET /v1/push/subscribers/{name}/dead-letters", {"admin", "operator"}},
        {"POST /v1/push/subscribers/{name}/redeliver", {"admin", "operator"}},
    };
    for (const RouteSpec& route : routes_) {
        if (const auto expected = policy.find(route.name()); expected != policy.end()) {
            EXPECT_EQ(route.roles, expected->second) << route.name();
        }
        EXPECT_TRUE(!route.anonymous || route.name() == "GET /healthz" || route.name() == "GET /readyz" ||
                    route.name() == "GET /v1/version" || route.name() == "GET /openapi.json")
            << route.name() << " is open to anyone";
    }
}

TEST_F(RouteSecurityTest, EveryReadOfPersonalDataDeclaresAPurpose) {
    // Probed, since the OpenAPI document does not say which routes are personal: an admitted caller without
    // X-Purpose gets 400 naming it.
    std::set<std::string> personal;
    for (const RouteSpec& route : routes_) {
        if (route.anonymous) {
            continue;
        }
        const Reply reply = call(route, as("admin", false));
        if (reply.status == 400 && errorMessage(reply).find("X-Purpose") != std::string::npos) {
            personal.insert(route.name());
        }
    }
    // The README's list: profiles, history, the changes feed, persons, review pairs, the exchange log itself.
    for (const char* name :
         {"GET /v1/profiles/{id}", "GET /v1/profiles/{id}/history", "GET /v1/profiles", "GET /v1/changes",
          "GET /v1/persons/{id}", "GET /v1/review", "GET /v1/review/{pair}", "GET /v1/links/explain", "GET /v1/audit",
          "GET /v1/audit/{seq}", "GET /v1/audit/{seq}/proof"}) {
        EXPECT_TRUE(personal.contains(name)) << name << " answers without a declared purpose";
    }
    std::string listed;
    for (const std::string& name : personal) {
        listed += "\n  " + name;
    }
    std::printf("routes that need X-Purpose:%s\n", listed.c_str());
}

TEST_F(RouteSecurityTest, EveryRouteAdmitsExactlyItsRolesAndRefusesCallersWithoutAValidKey) {
    const std::int64_t head_before = logHead();
    std::size_t calls = 0;
    std::size_t checked_routes = 0;
    for (const RouteSpec& route : routes_) {
        if (route.anonymous) {
            const Reply open = call(route, {});
            EXPECT_EQ(open.status, 200) << route.name() << " is anonymous: " << open.failure
                                        << open.body.substr(0, 200);
            continue;
        }
        ++checked_routes;
        for (const std::string& role : kRoles) {
            const Reply reply = call(route, as(role));
            ++calls;
            const std::string what = route.name() + " as " + role + ": " + std::to_string(reply.status) + " " +
                                     reply.failure + reply.body.substr(0, 300);
            ASSERT_NE(reply.status, -1) << what;
            if (route.roles.contains(role)) {
                EXPECT_NE(reply.status, 401) << what;
                EXPECT_NE(reply.status, 403) << what;
                EXPECT_LT(reply.status, 500) << what;
            } else {
                EXPECT_EQ(reply.status, 403) << what;
                EXPECT_NE(errorMessage(reply).find("needs role"), std::string::npos) << what;
            }
        }

        // No credentials, an unknown key (both headers), another scheme, a key with a stray character: 401.
        const std::vector<std::pair<std::string, std::map<std::string, std::string>>> strangers = {
            {"no credentials", {{"X-Purpose", kPurpose}}},
            {"unknown bearer key", {{"Authorization", "Bearer " + security::newApiKey()}, {"X-Purpose", kPurpose}}},
            {"unknown X-API-Key", {{"X-API-Key", security::newApiKey()}, {"X-Purpose", kPurpose}}},
            {"Basic scheme", {{"Authorization", "Basic YWRtaW46YWRtaW4="}, {"X-Purpose", kPurpose}}},
            {"admin key with a character more", {{"Authorization", "Bearer " + keys_.at("admin") + "x"}}},
            {"admin key's hash as the key", {{"X-API-Key", sha256Hex(keys_.at("admin"))}}},
        };
        for (const auto& [who, headers] : strangers) {
            const Reply reply = call(route, headers);
            ++calls;
            const std::string what =
                route.name() + " with " + who + ": " + std::to_string(reply.status) + " " + reply.body.substr(0, 200);
            EXPECT_EQ(reply.status, 401) << what;
            EXPECT_EQ(reply.header("WWW-Authenticate").rfind("Bearer", 0), 0u) << what;
        }
    }
    EXPECT_GE(checked_routes, 15u) << "fewer protected routes than the README documents";

    // The admitted key also works in X-API-Key.
    const auto status = std::find_if(routes_.begin(), routes_.end(),
                                     [](const RouteSpec& r) { return r.name() == "GET /v1/audit/status"; });
    ASSERT_NE(status, routes_.end());
    EXPECT_EQ(call(*status, {{"X-API-Key", keys_.at("operator")}}).status, 200);

    // Every one of those calls, refused or not, is an entry of the exchange log.
    EXPECT_GE(logHead() - head_before, static_cast<std::int64_t>(calls));
}

TEST_F(RouteSecurityTest, AnAdministratorWithoutAViewIsRefusedAtStartOrReadsWhatItsRoleAdmits) {
    // The clients file requires a view of app clients only; an admin client as the README shows clients (id, roles,
    // key) must either be refused when the gateway starts, or be admitted where its role is.
    const std::string key = security::newApiKey();
    writeFile(dir_.file("clients-admin.json"),
              R"({"clients": [{"id": "root", "roles": ["admin"], "api_key_sha256": ")" + sha256Hex(key) + R"("}]})");
    std::string url;
    std::string banner;
    auto server = gateway_->serve({"--set", std::string("profile.as_of=") + kAsOf, "--set",
                                   "api.clients=" + dir_.file("clients-admin.json"), "--set", "logging.level=error"},
                                  url, banner);
    if (url.empty()) {
        const int code = server->wait();
        EXPECT_EQ(code, 78) << banner << server->remainingStderr();
        return;
    }
    const std::map<std::string, std::string> headers{{"Authorization", "Bearer " + key}, {"X-Purpose", kPurpose}};
    for (const std::string& path :
         {"/v1/profiles/" + encode(person_id_), "/v1/profiles/" + encode(person_id_) + "/history",
          std::string("/v1/profiles?limit=1"), std::string("/v1/changes?limit=1")}) {
        const Reply reply = send(url, "GET", path, headers);
        EXPECT_EQ(reply.status, 200) << "GET " << path << " admits admin, yet: " << reply.body.substr(0, 300);
    }
    EXPECT_EQ(server->terminate(), 0);
}

TEST_F(RouteSecurityTest, SighupReloadsClientsAndTokenSettingsSoAKeyIsRevokedWithoutARestart) {
    const std::string first = security::newApiKey();
    const std::string second = security::newApiKey();
    const auto clients = [](const std::string& key) {
        return R"({"clients": [{"id": "ops", "roles": ["operator"], "api_key_sha256": ")" + sha256Hex(key) + R"("}]})";
    };
    const std::string path = dir_.file("clients-reload.json");
    writeFile(path, clients(first));
    // Bearer tokens of one issuer, HS256 under a secret that is rotated below.
    const std::string old_secret(40, 'a');
    const std::string new_secret(40, 'b');
    writeFile(dir_.file("jwt-secret"), old_secret);
    writeFile(dir_.file("jwt.json"), R"({"issuer": "https://idp.example", "audience": "childgateway", )"
                                     R"("algorithm": "HS256", "secret_file": ")" +
                                         dir_.file("jwt-secret") + R"("})");
    const auto token = [](const std::string& secret) {
        Poco::JWT::Token jwt;
        jwt.setIssuer("https://idp.example");
        jwt.setAudience("childgateway");
        jwt.setSubject("ops-platform");
        jwt.setExpiration(Poco::Timestamp() + Poco::Timespan(600, 0));
        Poco::JSON::Array::Ptr roles = new Poco::JSON::Array;
        roles->add(std::string("operator"));
        jwt.payload().set("roles", roles);
        return Poco::JWT::Signer(secret).sign(jwt, Poco::JWT::Signer::ALGO_HS256);
    };
    std::string url;
    std::string banner;
    auto server = gateway_->serve(
        {"--set", "api.clients=" + path, "--set", "api.jwt=" + dir_.file("jwt.json"), "--set", "logging.level=error"},
        url, banner);
    ASSERT_FALSE(url.empty()) << banner << server->remainingStderr();
    const auto status = [&](const std::string& credential) {
        return send(url, "GET", "/v1/audit/status", {{"Authorization", "Bearer " + credential}}).status;
    };
    const auto reloads = [&] {
        audit::ExchangeLogQuery query;
        query.action = "config.reload";
        return gateway_->openStore()->searchExchangeLog(query);
    };
    const auto awaitReloads = [&](std::size_t count) {
        for (int i = 0; i < 100 && reloads().size() < count; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return reloads();
    };
    EXPECT_EQ(status(first), 200);
    EXPECT_EQ(status(second), 401);
    EXPECT_EQ(status(token(old_secret)), 200);
    EXPECT_EQ(status(token(new_secret)), 401);

    writeFile(path, clients(second));
    writeFile(dir_.file("jwt-secret"), new_secret);
    server->hangUp();
    auto logged = awaitReloads(2);
    ASSERT_EQ(logged.size(), 2u);
    EXPECT_EQ(logged[0].subject, "api.clients");
    EXPECT_NE(logged[0].detail_json.find("1 clients"), std::string::npos) << logged[0].detail_json;
    EXPECT_EQ(logged[1].subject, "api.jwt");
    EXPECT_NE(logged[1].detail_json.find("issuer https://idp.example HS256"), std::string::npos)
        << logged[1].detail_json;
    EXPECT_EQ(logged[1].detail_json.find(new_secret), std::string::npos) << "a secret in the log";
    EXPECT_EQ(status(first), 401) << "the old key still opens the API after the reload";
    EXPECT_EQ(status(second), 200);
    EXPECT_EQ(status(token(old_secret)), 401) << "a token under the old secret still opens the API";
    EXPECT_EQ(status(token(new_secret)), 200);

    // Broken files are refused, and what is in use stays.
    writeFile(path, R"({"clients": [{"id": "ops", "roles": ["operator"], "api_key_sha256": "not hex"}]})");
    writeFile(dir_.file("jwt-secret"), "short");
    server->hangUp();
    logged = awaitReloads(4);
    ASSERT_EQ(logged.size(), 4u);
    EXPECT_NE(logged[2].detail_json.find("kept the clients in use"), std::string::npos) << logged[2].detail_json;
    EXPECT_NE(logged[3].detail_json.find("kept the token settings in use"), std::string::npos) << logged[3].detail_json;
    EXPECT_EQ(status(second), 200);
    EXPECT_EQ(status(first), 401);
    EXPECT_EQ(status(token(new_secret)), 200);
    EXPECT_EQ(server->terminate(), 0);
}

TEST_F(RouteSecurityTest, APersonalReadWithoutPurposeIs400AndBothReadsAreInTheExchangeLog) {
    const std::string path = "/v1/profiles/" + encode(person_id_);
    const Reply refused = send(url_, "GET", path, as("app", false));
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_NE(errorMessage(refused).find("X-Purpose"), std::string::npos) << refused.body;
    EXPECT_EQ(refused.body.find(person_id_ + "\",\"version"), std::string::npos) << "nothing is read";

    const Reply unknown = send(url_, "GET", path, {{"Authorization", "Bearer " + keys_.at("app")}, {"X-Purpose", "x"}});
    EXPECT_EQ(unknown.status, 400) << unknown.body;

    const Reply answered =
        send(url_, "GET", path, {{"Authorization", "Bearer " + keys_.at("app")}, {"X-Purpose", "case_assessment"}});
    ASSERT_EQ(answered.status, 200) << answered.body.substr(0, 300);

    // Non-personal routes need no purpose.
    const auto status = std::find_if(routes_.begin(), routes_.end(),
                                     [](const RouteSpec& r) { return r.name() == "GET /v1/audit/status"; });
    ASSERT_NE(status, routes_.end());
    EXPECT_EQ(call(*status, as("auditor", false)).status, 200);

    // Which of the two reads an export (JSON Lines) shows: the answered one with its purpose naming the person, and
    // the refused one (400, failure "purpose", no purpose).
    struct Found {
        bool read = false;
        bool refusal = false;
        std::size_t lines = 0;
    };
    const auto find = [&](const std::string& jsonl) {
        Found found;
        std::istringstream lines(jsonl);
        for (std::string line; std::getline(lines, line);) {
            if (line.empty()) {
                continue;
            }
            ++found.lines;
            const auto entry = sim::parseJson(line);
            if (std::string(entry["actor"].GetString()) != "api:app" ||
                std::string(entry["subject"].GetString()) != path) {
                continue;
            }
            const auto detail = sim::parseJson(entry["detail_json"].GetString());
            const int code = detail["status"].GetInt();
            const std::string purpose = detail.HasMember("purpose") ? detail["purpose"].GetString() : "";
            if (code == 200 && purpose == "case_assessment") {
                found.read = true;
                EXPECT_EQ(std::string(entry["action"].GetString()), "api.read") << line;
                bool names = false;
                for (const auto& person : entry["persons"].GetArray()) {
                    names = names || std::string(person.GetString()) == person_id_;
                }
                EXPECT_TRUE(names) << "the read names the person: " << line;
            } else if (code == 400 && purpose.empty()) {
                found.refusal = true;
                EXPECT_TRUE(detail.HasMember("failure") && std::string(detail["failure"].GetString()) == "purpose")
                    << line;
            }
        }
        return found;
    };

    // Both are in the log, by their client.
    const auto by_client = gateway_->run({"audit", "export", "--format", "jsonl", "--actor", "api:app"});
    ASSERT_EQ(by_client.exit_code, 0) << by_client.err;
    const Found of_client = find(by_client.out);
    EXPECT_TRUE(of_client.read) << "the answered read is not in the exchange log";
    EXPECT_TRUE(of_client.refusal) << "the refused read is not in the exchange log";

    // "Who read this child's file, or tried to": both, by the person.
    const auto by_person = gateway_->run({"audit", "export", "--format", "jsonl", "--person", person_id_});
    ASSERT_EQ(by_person.exit_code, 0) << by_person.err;
    const Found of_person = find(by_person.out);
    EXPECT_TRUE(of_person.read) << "gateway audit export --person " << person_id_
                                << " does not show the answered read (" << of_person.lines << " entries)";
    EXPECT_TRUE(of_person.refusal) << "gateway audit export --person " << person_id_
                                   << " does not show the read refused for want of a purpose (" << of_person.lines
                                   << " entries): the refusal's subject is the path " << path
                                   << " and it names no persons";

    // gateway serve indexes the log behind the appends (every second here). The same question then goes through
    // the index, and gets the same answer.
    bool caught_up = false;
    for (int attempt = 0; attempt < 100 && !caught_up; ++attempt) {
        const auto status_now = gateway_->run({"audit", "status", "--json"});
        ASSERT_EQ(status_now.exit_code, 0) << status_now.err;
        caught_up = sim::parseJson(status_now.out)["unindexed_entries"].GetInt64() == 0;
        if (!caught_up) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    ASSERT_TRUE(caught_up) << "gateway serve did not bring the log index up to date";
    const auto indexed = gateway_->run({"audit", "export", "--format", "jsonl", "--person", person_id_});
    ASSERT_EQ(indexed.exit_code, 0) << indexed.err;
    const Found through_index = find(indexed.out);
    EXPECT_TRUE(through_index.read && through_index.refusal) << indexed.out;
    EXPECT_EQ(through_index.lines, of_person.lines);
}

TEST_F(RouteSecurityTest, AReviewDecisionDisclosesNoPersonalDataWithoutAPurpose) {
    // Two records of one child with a citizen ID, already linked: a "link" decision on them changes no person.
    auto store = gateway_->openStore();
    std::vector<linkage::PersonLink> records;
    std::string id_number;
    profile::ProfileQuery everything;
    everything.limit = 1000000;
    for (const auto& profile : store->queryProfiles(everything)) {
        if (!profile.id_number.empty()) {
            records = store->personRecords(profile.person_id);
            id_number = profile.id_number;
            if (records.size() >= 2) {
                break;
            }
        }
    }
    ASSERT_GE(records.size(), 2u) << "no child with two linked records";
    const std::string body = R"({"left":")" + records[0].source + "/" + records[0].source_id + R"(","right":")" +
                             records[1].source + "/" + records[1].source_id +
                             R"(","decision":"link","comment":"route security test"})";
    // GET /v1/links/explain on the same two records needs a purpose ...
    const Reply explain = send(url_, "GET",
                               "/v1/links/explain?left=" + encode(records[0].source + "/" + records[0].source_id) +
                                   "&right=" + encode(records[1].source + "/" + records[1].source_id),
                               as("reviewer", false));
    EXPECT_EQ(explain.status, 400) << explain.body.substr(0, 300);
    // ... so a decision on them, which answers with the same explanation, must not show it without one.
    const Reply decided = send(url_, "POST", "/v1/review", as("reviewer", false), body);
    ASSERT_NE(decided.status, -1) << decided.failure;
    EXPECT_LT(decided.status, 500) << decided.body.substr(0, 300);
    if (decided.status == 200) {
        EXPECT_EQ(decided.body.find(id_number), std::string::npos)
            << "POST /v1/review without X-Purpose answered with the child's citizen ID number (the explanation's "
               "comparison values): "
            << decided.body.substr(0, 600);
        EXPECT_FALSE(std::regex_search(decided.body, kIdLike))
            << "POST /v1/review without X-Purpose answered with ID numbers";
    } else {
        EXPECT_EQ(decided.status, 400) << decided.body.substr(0, 300);
        EXPECT_NE(errorMessage(decided).find("X-Purpose"), std::string::npos) << decided.body.substr(0, 300);
    }
}

TEST_F(RouteSecurityTest, AReviewerWorksInsideItsScopeAndEveryRecordItReadsIsInTheLedger) {
    auto store = gateway_->openStore();
    // An ID number, but not the fraction of a weight such as 0.005769439484484993.
    const std::regex id_like(R"((^|[^0-9.])[0-9]{17}[0-9Xx]($|[^0-9]))");
    const auto in_scope = [&](const std::string& source, const std::string& id) {
        return recordDivision(*store, source, id).starts_with(township_);
    };
    std::map<std::string, std::string> town = as("reviewer-town");
    // The queue holds exactly the pairs whose two records lie in the township, through the reviewer view.
    std::size_t expected = 0;
    for (const auto& item : store->reviewQueue("", 0, 1000000)) {
        expected += in_scope(item.left_source, item.left_id) && in_scope(item.right_source, item.right_id) ? 1 : 0;
    }
    std::size_t listed = 0;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
        const Reply reply =
            send(url_, "GET", "/v1/review?status=any&limit=7" + (cursor.empty() ? "" : "&cursor=" + cursor), town);
        ASSERT_EQ(reply.status, 200) << reply.body.substr(0, 300);
        EXPECT_FALSE(std::regex_search(reply.body, id_like))
            << "an ID number in the queue: " << reply.body.substr(0, 400);
        rapidjson::Document json;
        json.Parse(reply.body.c_str());
        for (const auto& item : json["items"].GetArray()) {
            const std::string left = item["left"].GetString();
            const std::string right = item["right"].GetString();
            EXPECT_TRUE(in_scope(left.substr(0, left.find('/')), left.substr(left.find('/') + 1))) << left;
            EXPECT_TRUE(in_scope(right.substr(0, right.find('/')), right.substr(right.find('/') + 1))) << right;
            ++listed;
        }
        if (json["next_cursor"].IsNull()) {
            break;
        }
        cursor = json["next_cursor"].GetString();
    }
    EXPECT_EQ(listed, expected);

    // The split child's records: one inside, one outside; and a record of another child inside.
    linkage::PersonLink inside;
    linkage::PersonLink outside;
    for (const auto& link : store->personRecords(split_person_)) {
        (in_scope(link.source, link.source_id) ? inside : outside) = link;
    }
    ASSERT_FALSE(inside.source.empty() || outside.source.empty());
    linkage::PersonLink neighbour;
    std::string neighbour_person;
    profile::ProfileQuery everything;
    everything.limit = 1000000;
    for (const auto& profile : store->queryProfiles(everything)) {
        const auto records = store->personRecords(profile.person_id);
        if (profile.person_id != split_person_ && !records.empty() &&
            std::all_of(records.begin(), records.end(),
                        [&](const auto& link) { return in_scope(link.source, link.source_id); })) {
            neighbour = records.front();
            neighbour_person = profile.person_id;
            break;
        }
    }
    ASSERT_FALSE(neighbour_person.empty()) << "no child wholly inside " << township_;
    const auto key = [](const linkage::PersonLink& link) { return link.source + "/" + link.source_id; };

    // Explaining two records inside the scope is allowed, without a digit of an ID number, and is in the ledger.
    const Reply explained =
        send(url_, "GET", "/v1/links/explain?left=" + encode(key(neighbour)) + "&right=" + encode(key(inside)), town);
    ASSERT_EQ(explained.status, 200) << explained.body.substr(0, 300);
    EXPECT_FALSE(std::regex_search(explained.body, id_like)) << explained.body.substr(0, 600);
    for (const std::string& person : {neighbour_person, split_person_}) {
        audit::ExchangeLogQuery query;
        query.actor = "api:reviewer-town";
        query.person = person;
        EXPECT_FALSE(store->searchExchangeLog(query).empty())
            << "the reviewer's read of " << person << " is not logged";
    }
    // A record outside the scope is unknown to the reviewer, whatever it is asked.
    EXPECT_EQ(
        send(url_, "GET", "/v1/links/explain?left=" + encode(key(neighbour)) + "&right=" + encode(key(outside)), town)
            .status,
        404);
    EXPECT_EQ(send(url_, "GET", "/v1/persons/" + split_person_, town).status, 404);
    EXPECT_EQ(send(url_, "GET", "/v1/persons/" + neighbour_person, town).status, 200);
    const std::string decide = R"(","decision":"link","comment":"scope test"})";
    EXPECT_EQ(send(url_, "POST", "/v1/review", town,
                   R"({"left":")" + key(neighbour) + R"(","right":")" + key(outside) + decide)
                  .status,
              404);
    // Linking the neighbour with the split child's record inside would move records into a person that has records
    // outside: refused, and nothing moves.
    const Reply moved = send(url_, "POST", "/v1/review", town,
                             R"({"left":")" + key(neighbour) + R"(","right":")" + key(inside) + decide);
    EXPECT_EQ(moved.status, 403) << moved.body.substr(0, 300);
    EXPECT_EQ(store->personOf(neighbour.source, neighbour.source_id), std::optional<std::string>(neighbour_person));
    EXPECT_EQ(store->personOf(inside.source, inside.source_id), std::optional<std::string>(split_person_));
}

TEST_F(RouteSecurityTest, HostileParametersNeverBreakThroughLeakOrChangeAnything) {
    const std::vector<std::string> hostile = {
        "' OR '1'='1",
        "' OR 1=1--",
        "1; DROP TABLE profiles;--",
        "1'; DELETE FROM person_links; --",
        "' UNION SELECT id_number FROM profiles--",
        "\" OR \"\"=\"",
        "1) OR (1=1",
        "%",
        "%.",
        "_",
        "api.%",
        "_pi.",
        "a%.",
        "../../../../etc/passwd",
        "..%2f..%2f..%2fetc%2fpasswd",
        "..\\..\\..\\windows\\win.ini",
        "/etc/passwd",
        "file:///etc/passwd",
        "%00",
        std::string("a\0b", 3),
        "\xC3\x28",
        "\xFF\xFE\xFD",
        "\xC0\xAF\xC0\xAE",
        "\xED\xA0\x80",
        "{{7*7}}",
        "${7*7}",
        "${jndi:ldap://x/a}",
        "<script>alert(1)</script>",
        "-1",
        "0",
        "99999999999999999999999",
        "1e309",
        "NaN",
        "null",
        "[]",
        "{\"$gt\":\"\"}",
        "\r\nX-Injected: 1",
        std::string(1500, 'A'),
        std::string(5000, '\''),
    };
    // Sent as they are (only the bytes a request line cannot carry are escaped), so that the server decodes them.
    const std::vector<std::string> raw = {"../../../../etc/passwd",
                                          "..%2f..%2f..%2fetc%2fpasswd",
                                          "%00",
                                          "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
                                          "..;/..;/etc/passwd",
                                          "%C0%AE%C0%AE%2F",
                                          "%ff%fe",
                                          "%"};

    const std::string db_path = gateway_->config().substr(0, gateway_->config().rfind('/')) + "/gateway.db";
    const auto counts_before = rowCounts(db_path);
    const std::int64_t head_before = logHead();
    std::size_t requests = 0;
    std::size_t answered_500 = 0;
    std::map<int, std::size_t> statuses;

    // Values a well-meaning caller could send too (a cursor "0", a person ID "_", a number): they may select rows.
    static const std::regex plain_value("^[A-Za-z0-9_.-]*$");
    // `selecting`: whether the value may legitimately select rows (a plain value, or a read that asks for them).
    const auto check = [&](const Reply& reply, const std::string& what, bool long_value, bool selecting) {
        ++requests;
        if (reply.status == -1) {
            // Only a request line beyond what HTTP servers read may be cut off.
            EXPECT_TRUE(long_value) << what << ": no answer: " << reply.failure;
            return;
        }
        EXPECT_LT(reply.status, 500) << what << ": " << reply.body.substr(0, 300);
        answered_500 += reply.status >= 500;
        ++statuses[reply.status];
        // Every answer is JSON in valid UTF-8, an error one the error document.
        rapidjson::Document document;
        document.Parse<rapidjson::kParseValidateEncodingFlag>(reply.body.c_str(), reply.body.size());
        EXPECT_FALSE(document.HasParseError()) << what << ": not JSON in UTF-8: " << printable(reply.body);
        if (!document.HasParseError() && reply.status != 200) {
            EXPECT_TRUE(document.IsObject() && document.HasMember("error") && document["error"].IsObject() &&
                        document["error"].HasMember("code"))
                << what << ": " << reply.body.substr(0, 300);
        }
        for (const std::string& leak : kLeaks) {
            EXPECT_EQ(reply.body.find(leak), std::string::npos)
                << what << " answered " << reply.status << " with '" << leak << "': " << reply.body.substr(0, 400);
        }
        if (reply.status != 200) {
            EXPECT_FALSE(std::regex_search(reply.body, kIdLike))
                << what << ": an error names an ID number: " << reply.body.substr(0, 400);
        }
        for (const std::string& id_number : id_numbers_) {
            if (!selecting && reply.body.find(id_number) != std::string::npos) {
                ADD_FAILURE() << what << " answered " << reply.status
                              << " with a citizen ID number nobody asked for: " << reply.body.substr(0, 400);
                break;
            }
        }
        if (reply.status == 200 && !selecting) {
            // A hostile filter matches nothing: a list answers with no items.
            rapidjson::Document json;
            json.Parse(reply.body.c_str(), reply.body.size());
            if (!json.HasParseError() && json.IsObject()) {
                for (const char* list : {"items", "events"}) {
                    if (json.HasMember(list) && json[list].IsArray()) {
                        EXPECT_EQ(json[list].Size(), 0u)
                            << what << ": a hostile filter selected rows: " << reply.body.substr(0, 400);
                    }
                }
            }
        }
    };

    for (const RouteSpec& route : routes_) {
        const auto base = plausible(route);
        // Every path parameter.
        for (const std::string& name : route.path_params) {
            for (const std::string& value : hostile) {
                auto values = base;
                values[name] = encode(value);
                const std::string target = fill(route.pattern, values);
                check(call(route, as("admin"), target), route.name() + " with {" + name + "} = " + printable(value),
                      target.size() > 8000, std::regex_match(value, plain_value));
            }
            for (const std::string& value : raw) {
                auto values = base;
                values[name] = value;
                check(call(route, as("admin"), fill(route.pattern, values)),
                      route.name() + " with raw {" + name + "} = " + value, false, false);
            }
        }
        // Every query parameter, one at a time.
        const std::string path = fill(route.pattern, base);
        for (const std::string& name : route.query_params) {
            for (const std::string& value : hostile) {
                const std::string target = path + "?" + name + "=" + encode(value);
                check(call(route, as("admin"), target), route.name() + " with ?" + name + "=" + printable(value),
                      target.size() > 8000, std::regex_match(value, plain_value));
            }
            for (const std::string& value : raw) {
                check(call(route, as("admin"), path + "?" + name + "=" + value),
                      route.name() + " with raw ?" + name + "=" + value, false, false);
            }
        }
        // A hostile parameter name, and the same parameter twice.
        check(call(route, as("admin"), path + "?" + encode("' OR 1=1--") + "=1&" + std::string(100, 'n') + "=1"),
              route.name() + " with hostile parameter names", false, true);
        if (!route.query_params.empty()) {
            const std::string& name = route.query_params.front();
            check(call(route, as("admin"), path + "?" + name + "=1&" + name + "=" + encode("' OR '1'='1")),
                  route.name() + " with ?" + name + " twice", false, true);
        }
    }

    // Hostile declared purposes and case references on a personal read.
    const std::string profile = "/v1/profiles/" + encode(person_id_);
    for (const std::string& value : hostile) {
        if (value.find_first_of(std::string("\r\n\0", 3)) != std::string::npos || value.size() > 4000) {
            continue;  // not a header value
        }
        const Reply purpose =
            send(url_, "GET", profile, {{"Authorization", "Bearer " + keys_.at("admin")}, {"X-Purpose", value}});
        check(purpose, "X-Purpose: " + printable(value), false, false);
        EXPECT_EQ(purpose.status, 400) << printable(value);
        const Reply reference = send(
            url_, "GET", profile,
            {{"Authorization", "Bearer " + keys_.at("admin")}, {"X-Purpose", kPurpose}, {"X-Case-Reference", value}});
        // With a known purpose the profile is read (it was asked for); a bad reference is 400.
        check(reference, "X-Case-Reference: " + printable(value), false, true);
        EXPECT_TRUE(reference.status == 200 || reference.status == 400) << reference.status;
    }

    // Hostile record references in a review decision's body: a split of records that do not exist changes nothing.
    for (const std::string& value : hostile) {
        std::string escaped;
        for (unsigned char c : value) {
            if (c == '"' || c == '\\') {
                escaped += '\\';
                escaped += static_cast<char>(c);
            } else if (c < 0x20) {
                char buffer[8];
                std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
                escaped += buffer;
            } else {
                escaped += static_cast<char>(c);
            }
        }
        const std::string body = R"({"left":")" + escaped +
                                 R"(","right":"police_population/no-such-record","decision":"no_link","comment":")" +
                                 escaped + R"("})";
        const Reply decided =
            send(url_, "POST", "/v1/review", {{"Authorization", "Bearer " + keys_.at("reviewer")}}, body);
        check(decided, "POST /v1/review with left = " + printable(value), false, false);
        EXPECT_NE(decided.status, 200) << printable(value) << ": " << decided.body.substr(0, 300);
    }

    EXPECT_EQ(answered_500, 0u);
    std::string histogram;
    for (const auto& [status, n] : statuses) {
        histogram += " " + std::to_string(status) + "×" + std::to_string(n);
    }
    std::printf("hostile barrage: %zu requests:%s\n", requests, histogram.c_str());

    // The server is still up, nothing stored changed, and the log took every call and still verifies.
    EXPECT_EQ(send(url_, "GET", "/healthz").status, 200);
    EXPECT_EQ(rowCounts(db_path), counts_before);
    auto store = gateway_->openStore();
    const std::int64_t head_after = store->exchangeLogHead().seq;
    EXPECT_GT(head_after - head_before, 500) << "hostile calls are logged";
    bool logged_drop = false;
    bool logged_union = false;
    bool logged_bad_utf8 = false;
    for (std::int64_t after = head_before; after < head_after;) {
        const auto entries = store->exchangeLog(after, 1000);
        if (entries.empty()) {
            break;
        }
        for (const auto& entry : entries) {
            logged_drop = logged_drop || entry.subject.find("DROP TABLE profiles") != std::string::npos;
            logged_union = logged_union || entry.detail_json.find("UNION SELECT id_number") != std::string::npos;
            logged_bad_utf8 = logged_bad_utf8 || entry.subject.find("\\xC3") != std::string::npos ||
                              entry.subject.find("\\xc3") != std::string::npos;
        }
        after = entries.back().seq;
    }
    EXPECT_TRUE(logged_drop) << "a hostile path is in the log as it was sent";
    EXPECT_TRUE(logged_union) << "a hostile query value is in the log as it was sent";
    EXPECT_TRUE(logged_bad_utf8) << "a path of invalid UTF-8 is in the log, escaped";
    const auto verified = gateway_->run({"audit", "verify"});
    EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
}

TEST_F(RouteSecurityTest, AClientOverItsRateGets429WithRetryAfterWhileAnotherGoesOn) {
    std::string url;
    std::string banner;
    auto limited = gateway_->serve(
        {"--set", std::string("profile.as_of=") + kAsOf, "--set", "api.clients=" + dir_.file("clients.json"), "--set",
         "api.rate_limit.per_second=1", "--set", "api.rate_limit.burst=3", "--set", "logging.level=error"},
        url, banner);
    ASSERT_FALSE(url.empty()) << banner;
    const auto get = [&url](const std::string& role) {
        return send(url, "GET", "/v1/audit/status", {{"Authorization", "Bearer " + keys_.at(role)}});
    };
    std::vector<Reply> replies;
    for (int i = 0; i < 4; ++i) {
        replies.push_back(get("operator"));
    }
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(replies[i].status, 200) << "request " << i + 1 << ": " << replies[i].body;
    }
    EXPECT_EQ(replies[3].status, 429) << replies[3].body;
    const std::string retry_after = replies[3].header("Retry-After");
    EXPECT_FALSE(retry_after.empty()) << "429 without Retry-After";
    if (!retry_after.empty()) {
        EXPECT_GE(std::stoi(retry_after), 1) << retry_after;
    }
    EXPECT_EQ(get("auditor").status, 200) << "another client is not limited by the first";
    EXPECT_EQ(get("operator").status, 429) << "the first client is still over its rate";

    // Failed logins count against the address: guessing keys is limited too.
    int refused = 0;
    for (int i = 0; i < 5; ++i) {
        const Reply guess =
            send(url, "GET", "/v1/audit/status", {{"Authorization", "Bearer " + security::newApiKey()}});
        EXPECT_TRUE(guess.status == 401 || guess.status == 429) << guess.status;
        refused += guess.status == 429;
    }
    EXPECT_GE(refused, 1) << "five wrong keys in a row at a burst of 3 were never slowed down";
    EXPECT_EQ(limited->terminate(), 0);
}

/// A client of the HTTPS server trusting `ca_file`, presenting `cert`/`key` unless they are empty.
Reply httpsGet(int port, const std::string& ca_file, const std::string& cert, const std::string& key,
               const std::string& path, const std::map<std::string, std::string>& headers = {}) {
    Reply reply;
    try {
        Poco::Net::Context::Ptr context(new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, key, cert, ca_file,
                                                               Poco::Net::Context::VERIFY_RELAXED));
        Poco::Net::HTTPSClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port), context);
        return exchange(session, "GET", path, headers, "");
    } catch (const Poco::Exception& e) {
        reply.failure = e.displayText();
    }
    return reply;
}

TEST_F(RouteSecurityTest, OverHttpsAClientCertificateOfTheCaIdentifiesItsClientAndOthersAreRefused) {
    TempDir certs;
    const std::string ours = certs.file("ca");
    const std::string theirs = certs.file("other");
    for (const std::string& dir : {ours, theirs}) {
        const int code =
            Poco::Process::launch("bash", {std::string(GATEWAY_SOURCE_DIR) + "/certs/make-dev-certs.sh", dir}).wait();
        ASSERT_EQ(code, 0) << "make-dev-certs.sh " << dir;
    }
    writeClients(
        dir_.file("clients-tls.json"),
        R"(,{"id": "dev-client", "roles": ["operator"], "certificate_subject": "CN=dev-client,O=childgateway"})");

    std::vector<std::string> args{"serve",
                                  "--config",
                                  gateway_->config(),
                                  "--set",
                                  "server.port=0",
                                  "--set",
                                  "linkage.schedule_seconds=0",
                                  "--set",
                                  "sources.schedule=off",
                                  "--set",
                                  std::string("profile.as_of=") + kAsOf,
                                  "--set",
                                  "logging.level=error",
                                  "--set",
                                  "api.clients=" + dir_.file("clients-tls.json"),
                                  "--set",
                                  "server.tls.cert_file=" + ours + "/server.pem",
                                  "--set",
                                  "server.tls.key_file=" + ours + "/server.key",
                                  "--set",
                                  "server.tls.ca_file=" + ours + "/ca.pem",
                                  "--set",
                                  "server.tls.client_certs=optional"};
    GatewayProcess server(args);
    const std::string banner = server.readLine();
    std::smatch match;
    ASSERT_TRUE(std::regex_search(banner, match, std::regex(R"(listening on https://127\.0\.0\.1:(\d+))")))
        << "gateway serve over HTTPS did not start: '" << banner << "' "
        << (banner.empty() ? server.remainingStderr() : "");
    const int port = std::stoi(match[1]);
    const std::string ca = ours + "/ca.pem";

    // The dev client certificate, no key: the operator client of that subject.
    const Reply status = httpsGet(port, ca, ours + "/client.pem", ours + "/client.key", "/v1/audit/status");
    EXPECT_EQ(status.status, 200) << status.failure << status.body.substr(0, 300);
    const Reply subscribers = httpsGet(port, ca, ours + "/client.pem", ours + "/client.key", "/v1/push/subscribers");
    EXPECT_EQ(subscribers.status, 200) << subscribers.failure << subscribers.body.substr(0, 300);
    const Reply review =
        httpsGet(port, ca, ours + "/client.pem", ours + "/client.key", "/v1/review", {{"X-Purpose", kPurpose}});
    EXPECT_EQ(review.status, 403) << review.failure << review.body.substr(0, 300);
    EXPECT_NE(errorMessage(review).find("dev-client"), std::string::npos) << review.body;

    // A certificate of another CA does not get through the handshake, to any route.
    const Reply foreign = httpsGet(port, ca, theirs + "/client.pem", theirs + "/client.key", "/v1/audit/status");
    EXPECT_EQ(foreign.status, -1) << "a client certificate of an unrelated CA was accepted: " << foreign.body;
    EXPECT_FALSE(foreign.failure.empty());
    const Reply foreign_open = httpsGet(port, ca, theirs + "/client.pem", theirs + "/client.key", "/healthz");
    EXPECT_EQ(foreign_open.status, -1) << foreign_open.body;

    // Plain HTTP to the HTTPS port gets no HTTP answer.
    const Reply plain = send("http://127.0.0.1:" + std::to_string(port), "GET", "/v1/audit/status",
                             {{"Authorization", "Bearer " + keys_.at("operator")}});
    EXPECT_EQ(plain.status, -1) << "plain HTTP was answered: " << plain.status << " " << plain.body.substr(0, 200);

    std::printf("certificate of another CA: %s\nplain HTTP to the HTTPS port: %s\n", foreign.failure.c_str(),
                plain.failure.c_str());

    // No certificate: a key still works, nothing at all is 401.
    const Reply keyed =
        httpsGet(port, ca, "", "", "/v1/audit/status", {{"Authorization", "Bearer " + keys_.at("operator")}});
    EXPECT_EQ(keyed.status, 200) << keyed.failure << keyed.body.substr(0, 300);
    const Reply nobody = httpsGet(port, ca, "", "", "/v1/audit/status");
    EXPECT_EQ(nobody.status, 401) << nobody.failure << nobody.body.substr(0, 300);
    EXPECT_EQ(nobody.header("WWW-Authenticate").rfind("Bearer", 0), 0u);
    EXPECT_EQ(httpsGet(port, ca, "", "", "/healthz").status, 200);

    EXPECT_EQ(server.terminate(), 0);

    // The certificate's calls are the dev client's, identified by its certificate.
    audit::ExchangeLogQuery query;
    query.actor = "api:dev-client";
    query.limit = 100;
    const auto entries = gateway_->openStore()->searchExchangeLog(query);
    EXPECT_GE(entries.size(), 3u);
    for (const auto& entry : entries) {
        EXPECT_NE(entry.detail_json.find("\"auth\":\"certificate\""), std::string::npos) << entry.detail_json;
    }
}

}  // namespace
}  // namespace gateway::testing
