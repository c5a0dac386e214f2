#include "tests/integration/sim/deptsim_harness.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

namespace gateway::testing::sim {
namespace {

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

std::set<std::string> asSet(const std::vector<std::string>& ids) {
    return {ids.begin(), ids.end()};
}

std::string serialise(const rapidjson::Value& value) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
    return {buffer.GetString(), buffer.GetSize()};
}

/// Every item a paged source serves from the beginning, by its id, as JSON text.
std::map<std::string, std::string> pageAll(const DeptsimServer& server, const std::string& token, bool civil) {
    std::map<std::string, std::string> items;
    std::string cursor;
    while (true) {
        const std::string next = cursor.empty() ? "" : (civil ? "&since=" : "&cursor=") + cursor;
        const auto reply = civil ? server.civil("?page_size=40" + next, token) : server.police("?limit=40" + next);
        if (reply.status != 200) {
            throw std::runtime_error("page failed: " + std::to_string(reply.status) + " " + reply.body);
        }
        const auto page = reply.json();
        for (const auto& item : page[civil ? "records" : "data"].GetArray()) {
            const bool fresh = items.emplace(item[civil ? "case_id" : "person_id"].GetString(), serialise(item)).second;
            EXPECT_TRUE(fresh) << serialise(item);
        }
        const auto& next_cursor = page[civil ? "next" : "next_cursor"];
        if (next_cursor.IsString()) {
            cursor = next_cursor.GetString();
        }
        if (!page["has_more"].GetBool()) {
            return items;
        }
    }
}

/// A student_register row: the values a silent edit may change, its watermark and the whole row as text.
struct SchoolLine {
    int wgqk_ts = 0;
    std::string jhrdh;
    Poco::Int64 updated_seq = 0;
    std::string whole;
};

std::map<std::string, SchoolLine> schoolRows(const std::string& path) {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session session("SQLite", path);
    std::vector<Poco::Int64> ids;
    std::vector<int> days;
    std::vector<std::string> phones;
    std::vector<Poco::Int64> seqs;
    std::vector<std::string> wholes;
    session << "SELECT id, wgqk_ts, jhrdh, updated_seq, xjh || '|' || xm || '|' || xb || '|' || csrq || '|' || "
               "COALESCE(sfzh, 'NULL') || '|' || mz || '|' || xxdm || '|' || xxmc || '|' || nj || '|' || xjzt || "
               "'|' || wgqk_ts || '|' || jhrxm || '|' || jhrdh || '|' || jhrgx || '|' || hjdz_qhdm || '|' || "
               "xzz_qhdm || '|' || updated_seq FROM student_register",
        into(ids), into(days), into(phones), into(seqs), into(wholes), now;
    std::map<std::string, SchoolLine> rows;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        rows[std::to_string(ids[i])] = SchoolLine{days[i], phones[i], seqs[i], wholes[i]};
    }
    return rows;
}

/// The source ids drift.csv lists for one drift (0: lost pages), kind and source.
std::vector<std::string> driftIds(const std::string& dir, int drift, const std::string& kind,
                                  const std::string& source) {
    std::istringstream in(readFile(dir + "/truth/drift.csv"));
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "drift,kind,source,source_id");
    const std::string prefix = std::to_string(drift) + "," + kind + "," + source + ",";
    std::vector<std::string> ids;
    while (std::getline(in, line)) {
        if (line.rfind(prefix, 0) == 0) {
            ids.push_back(line.substr(prefix.size()));
        }
    }
    return ids;
}

/// Each entity's current facts: the last children.jsonl line of the entity.
std::map<std::string, std::string> currentFacts(const std::string& dir) {
    std::map<std::string, std::string> facts;
    std::istringstream in(readFile(dir + "/truth/children.jsonl"));
    std::string line;
    while (std::getline(in, line)) {
        facts[parseJson(line)["entity_id"].GetString()] = line;
    }
    return facts;
}

std::string phoneOf(const rapidjson::Value& person, const char* key) {
    return person.IsObject() && person[key].IsString() ? person[key].GetString() : "";
}

TEST(DeptsimDriftTest, DeletedRowsAreGoneAndSilentEditsKeepTheirWatermark) {
    DeptsimServer server({}, 300);
    const std::string token = server.token();
    const std::string school_db = server.info("school_db");
    const auto police_before = pageAll(server, token, false);
    const auto civil_before = pageAll(server, token, true);
    const auto school_before = schoolRows(school_db);

    const auto reply = server.post("/control/drift?delete=0.1&silent=0.2");
    ASSERT_EQ(reply.status, 200) << reply.body;
    const auto drift = reply.json();
    EXPECT_EQ(drift["drift"].GetInt(), 1);
    EXPECT_FALSE(drift["deleted"].HasMember("health_births")) << "the health drop does not drift";

    const auto truth = readTruth(server.dir());
    const auto facts = currentFacts(server.dir());
    const auto police_after = pageAll(server, token, false);
    const auto civil_after = pageAll(server, token, true);
    const auto school_after = schoolRows(school_db);

    struct Paged {
        const char* source;
        const char* stamp;
        const std::map<std::string, std::string>& before;
        const std::map<std::string, std::string>& after;
    };
    for (const Paged& paged : {Paged{"police_population", "updated_at", police_before, police_after},
                               Paged{"civil_rescue", "modified", civil_before, civil_after}}) {
        const std::string source = paged.source;
        const auto deleted = asSet(driftIds(server.dir(), 1, "deleted", source));
        const auto silent = asSet(driftIds(server.dir(), 1, "silent", source));
        EXPECT_FALSE(deleted.empty()) << source;
        EXPECT_FALSE(silent.empty()) << source;
        EXPECT_EQ(static_cast<std::int64_t>(deleted.size()), drift["deleted"][paged.source].GetInt64());
        EXPECT_EQ(static_cast<std::int64_t>(silent.size()), drift["silent"][paged.source].GetInt64());
        EXPECT_EQ(paged.after.size(), paged.before.size() - deleted.size()) << source;
        EXPECT_EQ(static_cast<std::int64_t>(paged.after.size()), server.served(paged.source)) << source;
        for (const auto& [id, body] : paged.before) {
            const auto after = paged.after.find(id);
            if (deleted.contains(id)) {
                EXPECT_EQ(after, paged.after.end()) << source << " still serves the deleted " << id;
                EXPECT_FALSE(silent.contains(id)) << id << " drifted twice in one call";
                continue;
            }
            ASSERT_NE(after, paged.after.end()) << source << " lost " << id;
            if (!silent.contains(id)) {
                EXPECT_EQ(after->second, body) << source << " " << id << " changed without drifting";
                continue;
            }
            const auto old_item = parseJson(body);
            const auto new_item = parseJson(after->second);
            EXPECT_EQ(std::string(new_item[paged.stamp].GetString()), old_item[paged.stamp].GetString()) << id;
            EXPECT_NE(after->second, body) << id;
            const auto child = parseJson(facts.at(truth.at({source, id})));
            if (source == "civil_rescue") {
                const std::string phone = phoneOf(new_item["guardian"], "phone");
                EXPECT_NE(phone, phoneOf(old_item["guardian"], "phone")) << id;
                EXPECT_EQ(phone, phoneOf(child["guardian"], "phone")) << id << ": children.jsonl lags";
            } else {
                // A parent's phone changed (both, when a sibling's edit changed the other), and the truth has
                // the new number.
                int changed = 0;
                for (const auto& [key, parent] : {std::pair{"fq", "father"}, std::pair{"mq", "mother"}}) {
                    const std::string phone = phoneOf(new_item[key], "lxdh");
                    if (phone != phoneOf(old_item[key], "lxdh")) {
                        ++changed;
                        EXPECT_EQ(phone, phoneOf(child[parent], "phone")) << id << ": children.jsonl lags";
                    }
                }
                EXPECT_GE(changed, 1) << id;
            }
        }
    }

    const auto deleted = asSet(driftIds(server.dir(), 1, "deleted", "school_register"));
    const auto silent = asSet(driftIds(server.dir(), 1, "silent", "school_register"));
    EXPECT_FALSE(deleted.empty());
    EXPECT_FALSE(silent.empty());
    EXPECT_EQ(static_cast<std::int64_t>(deleted.size()), drift["deleted"]["school_register"].GetInt64());
    EXPECT_EQ(static_cast<std::int64_t>(silent.size()), drift["silent"]["school_register"].GetInt64());
    EXPECT_EQ(school_after.size(), school_before.size() - deleted.size());
    EXPECT_EQ(static_cast<std::int64_t>(school_after.size()), server.served("school_register"));
    for (const auto& [id, row] : school_before) {
        const auto after = school_after.find(id);
        if (deleted.contains(id)) {
            EXPECT_EQ(after, school_after.end()) << "the table still has the deleted row " << id;
            continue;
        }
        ASSERT_NE(after, school_after.end()) << id;
        if (!silent.contains(id)) {
            EXPECT_EQ(after->second.whole, row.whole) << id;
            continue;
        }
        EXPECT_EQ(after->second.updated_seq, row.updated_seq) << id;
        EXPECT_TRUE(after->second.wgqk_ts != row.wgqk_ts || after->second.jhrdh != row.jhrdh) << id;
        if (after->second.wgqk_ts != row.wgqk_ts) {
            const auto child = parseJson(facts.at(truth.at({"school_register", id})));
            EXPECT_EQ(child["enrolment"]["absence_days"].GetInt(), after->second.wgqk_ts) << id;
        }
    }

    // A deleted row is gone for good: a change of every row does not bring it back.
    ASSERT_EQ(server.post("/control/change?fraction=1").status, 200);
    for (const char* source : {"police_population", "school_register", "civil_rescue"}) {
        const auto changed = asSet(changedIds(server.dir(), 1, source));
        EXPECT_EQ(static_cast<std::int64_t>(changed.size()), server.served(source)) << source;
        for (const auto& id : driftIds(server.dir(), 1, "deleted", source)) {
            EXPECT_FALSE(changed.contains(id)) << source << " " << id;
        }
    }
    // The changed school rows are numbered above every updated_seq served before the drift.
    Poco::Int64 lowest = 0;
    for (const auto& [id, row] : schoolRows(school_db)) {
        lowest = lowest == 0 ? row.updated_seq : std::min(lowest, row.updated_seq);
    }
    Poco::Int64 highest_before = 0;
    for (const auto& [id, row] : school_before) {
        highest_before = std::max(highest_before, row.updated_seq);
    }
    EXPECT_GT(lowest, highest_before);
}

TEST(DeptsimDriftTest, TheSameSeedAndCallsDriftTheSameRows) {
    TempDir dir;
    const std::string served_dir = dir.file("served");
    const std::string direct_dir = dir.file("direct");
    {
        DeptsimServer server({}, 300, 8, served_dir);
        ASSERT_EQ(server.post("/control/drift?delete=0.1&silent=0.1&seed=42").status, 200);
        ASSERT_EQ(server.post("/control/drift?delete=0.2&silent=0.3").status, 200);
    }
    ASSERT_EQ(runDeptsim({"generate", "--dir", direct_dir, "--children", "300", "--seed", "8"}).exit_code, 0);
    const auto first = runDeptsim({"drift", "--dir", direct_dir, "--delete", "0.1", "--silent", "0.1", "--seed", "42"});
    ASSERT_EQ(first.exit_code, 0) << first.err;
    const auto second = runDeptsim({"drift", "--dir", direct_dir, "--silent", "0.3", "--delete", "0.2"});
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_EQ(parseJson(second.out)["drift"].GetInt(), 2);

    for (const char* file : {"truth/drift.csv", "truth/children.jsonl", "truth/served.json"}) {
        EXPECT_TRUE(readFile(served_dir + "/" + file) == readFile(direct_dir + "/" + file)) << file;
    }
    const auto served_school = schoolRows(served_dir + "/school.db");
    const auto direct_school = schoolRows(direct_dir + "/school.db");
    EXPECT_EQ(served_school.size(), direct_school.size());
    for (const auto& [id, row] : served_school) {
        EXPECT_EQ(row.whole, direct_school.at(id).whole) << id;
    }

    // The second drift picked none of the rows the first one deleted.
    for (const char* source : {"police_population", "school_register", "civil_rescue"}) {
        const auto gone = asSet(driftIds(direct_dir, 1, "deleted", source));
        for (const char* kind : {"deleted", "silent"}) {
            for (const auto& id : driftIds(direct_dir, 2, kind, source)) {
                EXPECT_FALSE(gone.contains(id)) << source << " " << id;
            }
        }
    }

    const std::string other_dir = dir.file("other");
    ASSERT_EQ(runDeptsim({"generate", "--dir", other_dir, "--children", "300", "--seed", "8"}).exit_code, 0);
    ASSERT_EQ(runDeptsim({"drift", "--dir", other_dir, "--delete", "0.1", "--silent", "0.1", "--seed", "43"}).exit_code,
              0);
    EXPECT_FALSE(driftIds(other_dir, 1, "deleted", "police_population") ==
                 driftIds(direct_dir, 1, "deleted", "police_population"));
}

TEST(DeptsimDriftTest, ALostPageIsMissedOnceAndListedAsLost) {
    DeptsimServer server({}, 300);
    const auto truth = readTruth(server.dir());
    const auto all_police = asSet(truthIds(truth, "police_population"));
    const auto all_civil = asSet(truthIds(truth, "civil_rescue"));
    const PagedRun whole = pagePolice(server, 1000);
    ASSERT_EQ(server.setFaults("lose_page=1").status, 200);
    EXPECT_EQ(std::string(server.get("/control/stats").json()["faults"].GetString()), "lose_page=1");

    // An empty page past the end has nothing to lose and does not use the fault up.
    EXPECT_EQ(server.police("?cursor=" + whole.last_cursor).json()["data"].Size(), 0u);
    EXPECT_EQ(std::string(server.get("/control/stats").json()["faults"].GetString()), "lose_page=1");

    const PagedRun police = pagePolice(server, 50);
    const auto police_lost = asSet(driftIds(server.dir(), 0, "lost", "police_population"));
    EXPECT_FALSE(police_lost.empty());
    EXPECT_LE(police_lost.size(), 50u);
    std::set<std::string> seen = asSet(police.ids);
    for (const auto& id : police_lost) {
        EXPECT_FALSE(seen.contains(id)) << id << " was lost and served";
        seen.insert(id);
    }
    EXPECT_EQ(seen, all_police);
    EXPECT_EQ(asSet(pagePolice(server, 50).ids), all_police) << "the fault is used up";

    // Civil counts its own pages: the police run did not use its lost page up.
    const std::string token = server.token();
    const PagedRun civil = pageCivil(server, token, 10);
    const auto civil_lost = asSet(driftIds(server.dir(), 0, "lost", "civil_rescue"));
    EXPECT_FALSE(civil_lost.empty());
    seen = asSet(civil.ids);
    for (const auto& id : civil_lost) {
        EXPECT_FALSE(seen.contains(id)) << id << " was lost and served";
        seen.insert(id);
    }
    EXPECT_EQ(seen, all_civil);
    EXPECT_EQ(asSet(pageCivil(server, token, 10).ids), all_civil);
    EXPECT_EQ(std::string(server.get("/control/stats").json()["faults"].GetString()), "");
}

TEST(DeptsimDriftTest, AfterEveryRowIsDeletedAChangeStillNumbersAboveTheOldWatermark) {
    TempDir dir;
    const std::string city = dir.file("city");
    ASSERT_EQ(runDeptsim({"generate", "--dir", city, "--children", "100", "--seed", "2"}).exit_code, 0);
    Poco::Int64 highest_before = 0;
    for (const auto& [id, row] : schoolRows(city + "/school.db")) {
        highest_before = std::max(highest_before, row.updated_seq);
    }
    const auto drift = runDeptsim({"drift", "--dir", city, "--delete", "1"});
    ASSERT_EQ(drift.exit_code, 0) << drift.err;
    // Only the deliberately unmappable rows are left: the gateway quarantines them, so they never drift.
    const auto served = parseJson(readFile(city + "/truth/served.json"));
    for (const char* source : {"police_population", "school_register", "civil_rescue"}) {
        EXPECT_EQ(served[source]["rows"].GetInt64(), served[source]["unmappable"].GetInt64()) << source;
        EXPECT_EQ(served[source]["duplicates"].GetInt64(), 0) << source;
        EXPECT_EQ(parseJson(drift.out)["silent"][source].GetInt64(), 0) << source;
    }
    const auto remaining = schoolRows(city + "/school.db");
    EXPECT_EQ(static_cast<std::int64_t>(remaining.size()), served["school_register"]["rows"].GetInt64());

    const auto change = runDeptsim({"change", "--dir", city, "--fraction", "1"});
    ASSERT_EQ(change.exit_code, 0) << change.err;
    EXPECT_EQ(parseJson(change.out)["school_seq_after"].GetInt64(), highest_before);
    for (const auto& [id, row] : schoolRows(city + "/school.db")) {
        EXPECT_GT(row.updated_seq, highest_before) << id;
    }
}

TEST(DeptsimDriftTest, BadParametersAreRefusedWithAPreciseMessage) {
    DeptsimServer server({}, 100);
    const std::vector<std::pair<std::string, std::string>> cases{
        {"delete=2", "delete must be a number from 0 to 1, not '2'"},
        {"delete=abc", "delete must be a number from 0 to 1, not 'abc'"},
        {"silent=-0.1", "silent must be a number from 0 to 1, not '-0.1'"},
        {"", "delete or silent must be above 0 (a fraction of the rows)"},
        {"delete=0&silent=0", "delete or silent must be above 0 (a fraction of the rows)"},
        {"delete=0.1&seed=x", "seed must be a whole number"},
    };
    for (const auto& [query, message] : cases) {
        const auto reply = server.post("/control/drift?" + query);
        EXPECT_EQ(reply.status, 400) << query;
        EXPECT_EQ(reply.body, "{\"error\":\"" + message + "\"}") << query;
    }
    EXPECT_EQ(server.get("/control/drift?delete=0.1").status, 405);
    EXPECT_EQ(readFile(server.dir() + "/truth/drift.csv"), "drift,kind,source,source_id\n");
    EXPECT_EQ(parseJson(readFile(server.dir() + "/truth/served.json"))["city"]["drifts"].GetInt(), 0);

    const auto bad_fault = server.setFaults("lose_page=x");
    EXPECT_EQ(bad_fault.status, 400);
    EXPECT_EQ(bad_fault.body, "{\"error\":\"fault 'lose_page' needs a whole number from 0 to 1000000000\"}");

    const auto too_much = runDeptsim({"drift", "--dir", server.dir(), "--delete", "2"});
    EXPECT_EQ(too_much.exit_code, 64);
    EXPECT_NE(too_much.err.find("option '--delete' must be a number from 0 to 1"), std::string::npos) << too_much.err;
    const auto nothing = runDeptsim({"drift", "--dir", server.dir()});
    EXPECT_EQ(nothing.exit_code, 64);
    EXPECT_NE(nothing.err.find("give '--delete' or '--silent' a fraction above 0"), std::string::npos) << nothing.err;
    const auto help = runDeptsim({"drift", "--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("usage: deptsim drift"), std::string::npos);
}

TEST(DeptsimDriftTest, DriftWithoutAServerRewritesTheFolder) {
    TempDir dir;
    const std::string city = dir.file("city");
    ASSERT_EQ(runDeptsim({"generate", "--dir", city, "--children", "200", "--seed", "4"}).exit_code, 0);
    const auto served_before = parseJson(readFile(city + "/truth/served.json"));
    const auto school_before = schoolRows(city + "/school.db");

    const auto result = runDeptsim({"drift", "--dir", city, "--delete", "0.2", "--silent", "0.2"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto drift = parseJson(result.out);
    EXPECT_EQ(drift["drift"].GetInt(), 1);
    const auto served = parseJson(readFile(city + "/truth/served.json"));
    EXPECT_EQ(served["city"]["drifts"].GetInt(), 1);
    for (const char* source : {"police_population", "school_register", "civil_rescue"}) {
        const auto deleted = driftIds(city, 1, "deleted", source);
        EXPECT_EQ(static_cast<std::int64_t>(deleted.size()), drift["deleted"][source].GetInt64()) << source;
        EXPECT_EQ(static_cast<std::int64_t>(driftIds(city, 1, "silent", source).size()),
                  drift["silent"][source].GetInt64())
            << source;
        EXPECT_EQ(served[source]["rows"].GetInt64(),
                  served_before[source]["rows"].GetInt64() - static_cast<std::int64_t>(deleted.size()))
            << source;
    }
    EXPECT_EQ(served["health_births"]["rows"].GetInt64(), served_before["health_births"]["rows"].GetInt64());
    const auto school_after = schoolRows(city + "/school.db");
    for (const auto& id : driftIds(city, 1, "deleted", "school_register")) {
        EXPECT_FALSE(school_after.contains(id)) << id;
    }
    for (const auto& id : driftIds(city, 1, "silent", "school_register")) {
        EXPECT_EQ(school_after.at(id).updated_seq, school_before.at(id).updated_seq) << id;
        EXPECT_NE(school_after.at(id).whole, school_before.at(id).whole) << id;
    }

    // A server started on the folder afterwards serves what the drift left, and a drift while it runs goes
    // through it.
    DeptsimServer server({}, 200, 4, city);
    const auto police = asSet(pagePolice(server, 100).ids);
    EXPECT_EQ(static_cast<std::int64_t>(police.size()), served["police_population"]["rows"].GetInt64());
    for (const auto& id : driftIds(city, 1, "deleted", "police_population")) {
        EXPECT_FALSE(police.contains(id)) << id;
    }
    const auto through = runDeptsim({"drift", "--dir", city, "--silent", "0.1"});
    ASSERT_EQ(through.exit_code, 0) << through.err;
    EXPECT_EQ(parseJson(through.out)["drift"].GetInt(), 2);
    EXPECT_EQ(static_cast<std::int64_t>(driftIds(city, 2, "silent", "police_population").size()),
              parseJson(through.out)["silent"]["police_population"].GetInt64());
}

}  // namespace
}  // namespace gateway::testing::sim
