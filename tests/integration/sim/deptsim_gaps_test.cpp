#include "tests/integration/sim/deptsim_harness.h"

#include "gateway/model/calendar_date.h"
#include "gateway/model/citizen_id.h"
#include "gateway/model/sex.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>

namespace gateway::testing::sim {
namespace {

using model::CalendarDate;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

const std::vector<std::string> kRules{"school_age_not_enrolled", "enrolled_not_in_population_register",
                                      "newborn_unregistered",    "assistance_no_longer_met",
                                      "stale_classification",    "identity_contradiction"};

std::string text(const rapidjson::Value& object, const char* key) {
    if (!object.IsObject() || !object.HasMember(key) || !object[key].IsString()) {
        return "";
    }
    return object[key].GetString();
}

std::optional<CalendarDate> dateIn(const std::string& value) {
    const auto date = model::parseDate(value);
    return date ? std::optional<CalendarDate>(*date) : std::nullopt;
}

std::string sexIn(const std::string& value) {
    const auto sex = model::parseSex(value);
    return sex && (*sex == model::Sex::Male || *sex == model::Sex::Female) ? std::string(model::sexCode(*sex)) : "";
}

/// A parent's number as the gateway keeps it, "" unless valid (a wrong check digit says nothing about whose
/// child this is).
std::string parentIdIn(const std::string& value) {
    const auto id = model::parseCitizenId(value);
    return id ? id->value() : "";
}

std::string trim(std::string value) {
    while (!value.empty() && value.back() == ' ') {
        value.pop_back();
    }
    return value;
}

/// What one child's mappable rows show, gathered from the sources' own interfaces: police and civil through
/// their paged endpoints, the school table, the complete health drops.
struct Seen {
    bool police = false;
    bool school = false;
    bool attends = false;
    bool health = false;
    std::int64_t current_seq = -1;
    std::string current_status;
    std::string newest;  // the newest police, civil or health time, as "YYYY-MM-DDTHH:MM:SSZ"
    std::vector<std::pair<std::string, std::optional<CalendarDate>>> assistance;
    std::array<std::vector<std::pair<std::string, std::string>>, 4> identity;  // birth, sex, father, mother

    void stamp(const std::string& time) { newest = std::max(newest, time); }
    void show(const std::string& source, const std::optional<CalendarDate>& birth, const std::string& sex,
              const std::string& father, const std::string& mother) {
        const std::array<std::string, 4> values{birth ? birth->toIso() : "", sex, father, mother};
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (!values[i].empty()) {
                identity[i].emplace_back(source, values[i]);
            }
        }
    }
};

/// Every item of a paged source, from the beginning.
std::vector<std::string> pageBodies(const DeptsimServer& server, bool civil) {
    const std::string token = civil ? server.token() : "";
    std::vector<std::string> bodies;
    std::string cursor;
    while (true) {
        const std::string next = cursor.empty() ? "" : (civil ? "&since=" : "&cursor=") + cursor;
        const auto reply = civil ? server.civil("?page_size=50" + next, token) : server.police("?limit=50" + next);
        if (reply.status != 200) {
            throw std::runtime_error("page failed: " + reply.body);
        }
        const auto page = reply.json();
        for (const auto& item : page[civil ? "records" : "data"].GetArray()) {
            rapidjson::StringBuffer buffer;
            rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
            item.Accept(writer);
            bodies.emplace_back(buffer.GetString(), buffer.GetSize());
        }
        if (page[civil ? "next" : "next_cursor"].IsString()) {
            cursor = page[civil ? "next" : "next_cursor"].GetString();
        }
        if (!page["has_more"].GetBool()) {
            return bodies;
        }
    }
}

std::map<std::string, Seen> seenRows(const DeptsimServer& server) {
    const auto truth = readTruth(server.dir());
    std::map<std::string, Seen> seen;
    // A quarantined row has no name (health: no birth date) or a birth date that is no date.
    for (const std::string& body : pageBodies(server, false)) {
        const auto item = parseJson(body);
        const auto birth = dateIn(text(item, "csrq"));
        if (text(item, "xm").empty() || !birth) {
            continue;
        }
        Seen& child = seen[truth.at({"police_population", text(item, "person_id")})];
        child.police = true;
        child.stamp(text(item, "updated_at"));
        child.show("police", birth, sexIn(text(item, "xb")), parentIdIn(text(item["fq"], "gmsfhm")),
                   parentIdIn(text(item["mq"], "gmsfhm")));
    }
    for (const std::string& body : pageBodies(server, true)) {
        const auto record = parseJson(body);
        const auto birth = dateIn(text(record["child"], "birth"));
        if (text(record["child"], "name").empty() || !birth) {
            continue;
        }
        Seen& child = seen[truth.at({"civil_rescue", text(record, "case_id")})];
        child.stamp(text(record, "modified"));
        const std::string relation = text(record["guardian"], "relation");
        const std::string guardian_id = parentIdIn(text(record["guardian"], "id_no"));
        child.show("civil", birth, sexIn(text(record["child"], "sex")), relation == "父亲" ? guardian_id : "",
                   relation == "母亲" ? guardian_id : "");
        for (const auto& assistance : record["assistance"].GetArray()) {
            child.assistance.emplace_back(text(assistance, "type"), dateIn(text(assistance, "end")));
        }
    }
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session session("SQLite", server.info("school_db"));
    std::vector<Poco::Int64> ids;
    std::vector<Poco::Int64> seqs;
    std::vector<std::string> names, sexes, births, statuses;
    session << "SELECT id, updated_seq, xm, xb, csrq, xjzt FROM student_register", into(ids), into(seqs), into(names),
        into(sexes), into(births), into(statuses), now;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const auto birth = dateIn(births[i]);
        if (names[i].empty() || !birth) {
            continue;
        }
        Seen& child = seen[truth.at({"school_register", std::to_string(ids[i])})];
        child.school = true;
        const std::string status = trim(statuses[i]);
        child.attends = child.attends || status == "在读" || status == "休学";
        if (status != "转出" && seqs[i] > child.current_seq) {
            child.current_seq = seqs[i];
            child.current_status = status;
        }
        child.show("school", birth, sexIn(sexes[i]), "", "");
    }
    // Oldest drop first; the last record of a certificate is the one that counts.
    std::map<std::string, std::vector<std::string>> births_now;
    const std::string folder = server.info("health_drop");
    for (const std::string& name : dropFiles(folder)) {
        if (!std::filesystem::exists(folder + "/" + name + ".ok")) {
            continue;
        }
        const auto records = parseCsv(decodeDrop(readFile(folder + "/" + name)).value());
        for (std::size_t i = 1; i < records.size(); ++i) {
            births_now[records[i][0]] = records[i];
        }
    }
    for (const auto& [cert, record] : births_now) {
        const auto birth = dateIn(record[3]);
        if (!birth) {
            continue;
        }
        Seen& child = seen[truth.at({"health_births", cert})];
        child.health = true;
        child.stamp(record[13].substr(0, 10) + "T" + record[13].substr(11) + "Z");
        child.show("health", birth, sexIn(record[2]), parentIdIn(record[8]), parentIdIn(record[6]));
    }
    return seen;
}

struct Facts {
    CalendarDate birth_date;
    std::set<std::string> categories;  // on the city's as-of date
};

std::map<std::string, Facts> readFacts(const std::string& dir) {
    std::map<std::string, Facts> facts;
    std::istringstream in(readFile(dir + "/truth/children.jsonl"));
    std::string line;
    while (std::getline(in, line)) {
        const auto child = parseJson(line);
        Facts& f = facts[child["entity_id"].GetString()];
        f.birth_date = *dateIn(child["birth_date"].GetString());
        f.categories.clear();
        for (const auto& category : child["categories"].GetArray()) {
            f.categories.insert(category.GetString());
        }
    }
    return facts;
}

bool contradicts(const std::vector<std::pair<std::string, std::string>>& values) {
    for (const auto& a : values) {
        for (const auto& b : values) {
            if (a.first != b.first && a.second != b.second) {
                return true;
            }
        }
    }
    return false;
}

/// The six rules (PROTOCOL.md, "Gaps") over what the sources serve, on an as-of date at or after the city's
/// (moving it forward only takes left_behind away from children turning 16).
std::map<std::string, std::set<std::string>> expectedGaps(const DeptsimServer& server, const CalendarDate& as_of) {
    const auto facts = readFacts(server.dir());
    std::map<std::string, std::set<std::string>> gaps;
    for (const auto& rule : kRules) {
        gaps[rule];
    }
    const std::string stale_before = as_of.addDays(-180).toIso() + "T00:00:00Z";
    for (const auto& [entity, seen] : seenRows(server)) {
        const Facts& child = facts.at(entity);
        const int age = child.birth_date.ageOn(as_of);
        auto categories = child.categories;
        if (age >= 16) {
            categories.erase("left_behind");
        }
        if (seen.police && age >= 6 && age <= 15 && (seen.current_seq < 0 || seen.current_status == "辍学")) {
            gaps["school_age_not_enrolled"].insert(entity);
        }
        if (seen.attends && !seen.police) {
            gaps["enrolled_not_in_population_register"].insert(entity);
        }
        if (seen.health && !seen.police && as_of.daysSinceEpoch() - child.birth_date.daysSinceEpoch() >= 30) {
            gaps["newborn_unregistered"].insert(entity);
        }
        for (const auto& [type, end] : seen.assistance) {
            const bool active = !end || *end > as_of;
            const bool orphan = type == "孤儿基本生活费";
            const bool de_facto = type == "事实无人抚养儿童基本生活补贴";
            if (active &&
                ((orphan && !categories.contains("orphan")) ||
                 (de_facto && !categories.contains("de_facto_unsupported")) || ((orphan || de_facto) && age >= 18))) {
                gaps["assistance_no_longer_met"].insert(entity);
            }
        }
        if (!categories.empty() && !seen.school && !seen.newest.empty() && seen.newest < stale_before) {
            gaps["stale_classification"].insert(entity);
        }
        if (std::any_of(seen.identity.begin(), seen.identity.end(), contradicts)) {
            gaps["identity_contradiction"].insert(entity);
        }
    }
    return gaps;
}

/// gaps.csv by rule; checks the header, the order and that no line repeats.
std::map<std::string, std::set<std::string>> readGaps(const std::string& dir) {
    std::istringstream in(readFile(dir + "/truth/gaps.csv"));
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "rule,entity_id");
    std::map<std::string, std::set<std::string>> gaps;
    for (const auto& rule : kRules) {
        gaps[rule];
    }
    std::string previous;
    while (std::getline(in, line)) {
        EXPECT_LT(previous, line) << "gaps.csv is sorted and lists a child once per rule";
        previous = line;
        const auto comma = line.find(',');
        EXPECT_TRUE(gaps.contains(line.substr(0, comma))) << line;
        gaps[line.substr(0, comma)].insert(line.substr(comma + 1));
    }
    return gaps;
}

/// GET /control/gaps, checking that the reply counts what gaps.csv lists.
std::map<std::string, std::set<std::string>> askGaps(const DeptsimServer& server, const std::string& as_of = "") {
    const auto reply = server.get("/control/gaps" + (as_of.empty() ? "" : "?as_of=" + as_of));
    EXPECT_EQ(reply.status, 200) << reply.body;
    const auto counts = reply.json();
    EXPECT_EQ(std::string(counts["as_of"].GetString()), as_of.empty() ? "2026-11-01" : as_of);
    auto gaps = readGaps(server.dir());
    for (const auto& rule : kRules) {
        EXPECT_EQ(counts["rules"][rule.c_str()].GetInt64(), static_cast<std::int64_t>(gaps[rule].size())) << rule;
    }
    return gaps;
}

void expectSame(const std::map<std::string, std::set<std::string>>& expected,
                const std::map<std::string, std::set<std::string>>& truth) {
    for (const auto& rule : kRules) {
        std::vector<std::string> missing;
        std::vector<std::string> extra;
        std::set_difference(expected.at(rule).begin(), expected.at(rule).end(), truth.at(rule).begin(),
                            truth.at(rule).end(), std::back_inserter(missing));
        std::set_difference(truth.at(rule).begin(), truth.at(rule).end(), expected.at(rule).begin(),
                            expected.at(rule).end(), std::back_inserter(extra));
        EXPECT_TRUE(missing.empty()) << rule << ": not in gaps.csv: " << (missing.empty() ? "" : missing.front());
        EXPECT_TRUE(extra.empty()) << rule
                                   << ": in gaps.csv, not in the rows: " << (extra.empty() ? "" : extra.front());
    }
}

TEST(DeptsimGapsTest, TheTruthIsWhatTheServedRowsSayAndHoldsThePlantedChildren) {
    DeptsimServer server({}, 400, 7);
    expectSame(expectedGaps(server, CalendarDate(2026, 11, 1)), askGaps(server));

    const auto reply = server.post("/control/gaps?count=4&seed=3");
    ASSERT_EQ(reply.status, 200) << reply.body;
    const auto plant = reply.json();
    EXPECT_EQ(plant["change"].GetInt(), 1);
    EXPECT_EQ(plant["drift"].GetInt(), 1);
    const auto gaps = askGaps(server);
    expectSame(expectedGaps(server, CalendarDate(2026, 11, 1)), gaps);
    for (const char* rule :
         {"enrolled_not_in_population_register", "assistance_no_longer_met", "identity_contradiction"}) {
        ASSERT_EQ(plant["planted"][rule].Size(), 4u) << rule;
        for (const auto& entity : plant["planted"][rule].GetArray()) {
            EXPECT_TRUE(gaps.at(rule).contains(entity.GetString())) << rule << " " << entity.GetString();
        }
    }
    EXPECT_EQ(plant["planted"]["stale_classification"].Size(), 0u);
    // Half the planted contradictions are of a parent's number, the rest of the sex.
    const auto seen = seenRows(server);
    int parents = 0;
    int sexes = 0;
    for (const auto& entity : plant["planted"]["identity_contradiction"].GetArray()) {
        const auto& identity = seen.at(entity.GetString()).identity;
        parents += contradicts(identity[2]) || contradicts(identity[3]) ? 1 : 0;
        sexes += contradicts(identity[1]) ? 1 : 0;
    }
    EXPECT_EQ(parents, 2);
    EXPECT_EQ(sexes, 2);
    // The planted pupils' police rows are gone as a drift's deletions are, and listed with the plant's number.
    const auto truth = readTruth(server.dir());
    std::set<std::string> deleted_for;
    std::istringstream drift(readFile(server.dir() + "/truth/drift.csv"));
    std::string line;
    while (std::getline(drift, line)) {
        if (line.rfind("1,deleted,police_population,", 0) == 0) {
            deleted_for.insert(truth.at({"police_population", line.substr(line.rfind(',') + 1)}));
        }
    }
    EXPECT_EQ(deleted_for.size(), 4u);
    for (const auto& entity : plant["planted"]["enrolled_not_in_population_register"].GetArray()) {
        EXPECT_TRUE(deleted_for.contains(entity.GetString())) << entity.GetString();
    }
    EXPECT_FALSE(changedIds(server.dir(), 1, "police_population").empty()) << "the rewritten police records";
    EXPECT_FALSE(changedIds(server.dir(), 1, "civil_rescue").empty()) << "the allowances shown";

    // After changes and drifts the truth is still what the rows say.
    ASSERT_EQ(server.post("/control/change?fraction=0.2&seed=5").status, 200);
    ASSERT_EQ(server.post("/control/drift?delete=0.05&silent=0.1&seed=6").status, 200);
    ASSERT_EQ(server.post("/control/change?fraction=0.1&seed=8").status, 200);
    expectSame(expectedGaps(server, CalendarDate(2026, 11, 1)), askGaps(server));
}

TEST(DeptsimGapsTest, DeletedRowsChangeTheTruth) {
    DeptsimServer server({}, 400, 7);
    const auto before = askGaps(server);
    ASSERT_EQ(server.post("/control/drift?delete=0.25&seed=2").status, 200);
    const auto after = askGaps(server);
    expectSame(expectedGaps(server, CalendarDate(2026, 11, 1)), after);

    // A pupil whose every police row was deleted is now at school without being in the population register,
    // and a child who was out of school but has lost its police rows is no longer anyone's 控辍保学 case.
    const auto truth = readTruth(server.dir());
    std::map<std::string, int> police_left;
    for (const auto& [key, entity] : truth) {
        if (key.first == "police_population") {
            police_left[entity] += 0;
        }
    }
    const auto served = pageBodies(server, false);
    for (const auto& body : served) {
        ++police_left[truth.at({"police_population", text(parseJson(body), "person_id")})];
    }
    int newly_unregistered = 0;
    for (const auto& entity : after.at("enrolled_not_in_population_register")) {
        EXPECT_EQ(police_left[entity], 0) << entity;
        newly_unregistered += before.at("enrolled_not_in_population_register").contains(entity) ? 0 : 1;
    }
    EXPECT_GT(newly_unregistered, 10);
    for (const auto& entity : before.at("school_age_not_enrolled")) {
        if (police_left[entity] == 0) {
            EXPECT_FALSE(after.at("school_age_not_enrolled").contains(entity)) << entity;
        }
    }
}

TEST(DeptsimGapsTest, TheAsOfDateMovesAgesAndStamps) {
    DeptsimServer server({}, 400, 7);
    const auto now = askGaps(server);
    const auto later = askGaps(server, "2027-11-01");
    expectSame(expectedGaps(server, CalendarDate(2027, 11, 1)), later);
    const auto facts = readFacts(server.dir());
    // Children who turn six without a school row come in; 15-year-olds who turn 16 go out.
    int turned_six = 0;
    for (const auto& entity : later.at("school_age_not_enrolled")) {
        if (!now.at("school_age_not_enrolled").contains(entity)) {
            EXPECT_EQ(facts.at(entity).birth_date.ageOn(CalendarDate(2026, 11, 1)), 5) << entity;
            ++turned_six;
        }
    }
    EXPECT_GT(turned_six, 0);
    for (const auto& entity : now.at("school_age_not_enrolled")) {
        if (!later.at("school_age_not_enrolled").contains(entity)) {
            EXPECT_EQ(facts.at(entity).birth_date.ageOn(CalendarDate(2027, 11, 1)), 16) << entity;
        }
    }
    // A year on, rows a year older: more children in a category have had no news for 180 days.
    EXPECT_GT(later.at("stale_classification").size(), now.at("stale_classification").size());
    // gaps.csv holds what was asked last.
    EXPECT_EQ(askGaps(server), now);
}

TEST(DeptsimGapsTest, AgesDaysAndStampsCountUpToTheDay) {
    DeptsimServer server({}, 400, 7);
    const auto now = askGaps(server);
    const auto facts = readFacts(server.dir());
    const auto seen = seenRows(server);
    auto listed = [&](const std::string& rule, const std::string& entity, const CalendarDate& as_of) {
        return askGaps(server, as_of.toIso()).at(rule).contains(entity);
    };
    auto birthday = [](const CalendarDate& birth, int years) {
        return CalendarDate(birth.year() + years, birth.month(),
                            birth.day() == 29 && birth.month() == 2 ? 28 : birth.day());
    };
    // 6 to 15 both included: in on the sixth birthday, out on the sixteenth.
    ASSERT_FALSE(now.at("school_age_not_enrolled").empty());
    for (const auto& entity : now.at("school_age_not_enrolled")) {
        const CalendarDate birth = facts.at(entity).birth_date;
        EXPECT_TRUE(listed("school_age_not_enrolled", entity, birthday(birth, 16).addDays(-1))) << entity;
        EXPECT_FALSE(listed("school_age_not_enrolled", entity, birthday(birth, 16))) << entity;
        if (!seen.at(entity).school) {
            EXPECT_FALSE(listed("school_age_not_enrolled", entity, birthday(birth, 6).addDays(-1))) << entity;
            EXPECT_TRUE(listed("school_age_not_enrolled", entity, birthday(birth, 6))) << entity;
        }
    }
    // Thirty days old on the thirtieth day after the birth.
    ASSERT_FALSE(now.at("newborn_unregistered").empty());
    const std::string baby = *now.at("newborn_unregistered").begin();
    EXPECT_FALSE(listed("newborn_unregistered", baby, facts.at(baby).birth_date.addDays(29)));
    EXPECT_TRUE(listed("newborn_unregistered", baby, facts.at(baby).birth_date.addDays(30)));
    // Stale once the newest row's day is more than 180 days back.
    ASSERT_FALSE(now.at("stale_classification").empty());
    for (const auto& entity : now.at("stale_classification")) {
        const CalendarDate newest = *dateIn(seen.at(entity).newest.substr(0, 10));
        EXPECT_FALSE(listed("stale_classification", entity, newest.addDays(180))) << entity;
        if (facts.at(entity).birth_date.ageOn(newest.addDays(181)) < 16) {
            EXPECT_TRUE(listed("stale_classification", entity, newest.addDays(181))) << entity;
        }
    }
}

TEST(DeptsimGapsTest, TheSameCitySeedAndCallsGiveTheSameTruthWithOrWithoutAServer) {
    TempDir dir;
    const std::string city = dir.file("city");
    ASSERT_EQ(runDeptsim({"generate", "--dir", city, "--children", "300", "--seed", "9"}).exit_code, 0);
    const auto direct = runDeptsim({"gaps", "--dir", city, "--plant", "3", "--seed", "4"});
    ASSERT_EQ(direct.exit_code, 0) << direct.err;
    const std::string direct_gaps = readFile(city + "/truth/gaps.csv");
    const std::string direct_drift = readFile(city + "/truth/drift.csv");
    const std::string direct_changes = readFile(city + "/truth/changes.csv");
    EXPECT_EQ(parseJson(direct.out)["as_of"].GetString(), std::string("2026-11-01"));

    DeptsimServer server({}, 300, 9);
    const auto planted = server.post("/control/gaps?count=3&seed=4");
    ASSERT_EQ(planted.status, 200) << planted.body;
    ASSERT_EQ(server.get("/control/gaps").status, 200);
    EXPECT_EQ(readFile(server.dir() + "/truth/gaps.csv"), direct_gaps);
    EXPECT_EQ(readFile(server.dir() + "/truth/drift.csv"), direct_drift);
    EXPECT_EQ(readFile(server.dir() + "/truth/changes.csv"), direct_changes);
    // The command goes through the server running on the folder, and asking again changes nothing.
    const auto through = runDeptsim({"gaps", "--dir", server.dir()});
    ASSERT_EQ(through.exit_code, 0) << through.err;
    EXPECT_EQ(readFile(server.dir() + "/truth/gaps.csv"), direct_gaps);
    EXPECT_EQ(parseJson(through.out)["rules"]["identity_contradiction"].GetInt64(),
              parseJson(direct.out)["rules"]["identity_contradiction"].GetInt64());
}

TEST(DeptsimGapsTest, BadParametersAreRefused) {
    DeptsimServer server({}, 100, 3);
    for (const auto& [path, message] : std::vector<std::pair<std::string, std::string>>{
             {"/control/gaps?as_of=2026-02-30", "as_of must be a date such as 2026-11-01, not '2026-02-30'"},
             {"/control/gaps?as_of=soon", "as_of must be a date such as 2026-11-01, not 'soon'"}}) {
        const auto reply = server.get(path);
        EXPECT_EQ(reply.status, 400) << path;
        EXPECT_EQ(std::string(reply.json()["error"].GetString()), message);
    }
    for (const auto& [path, message] : std::vector<std::pair<std::string, std::string>>{
             {"/control/gaps?count=0", "count must be a whole number from 1 to 100000, not '0'"},
             {"/control/gaps?count=x", "count must be a whole number from 1 to 100000, not 'x'"},
             {"/control/gaps?count=2&seed=-1", "seed must be a whole number"}}) {
        const auto reply = server.post(path);
        EXPECT_EQ(reply.status, 400) << path;
        EXPECT_EQ(std::string(reply.json()["error"].GetString()), message);
    }
    EXPECT_EQ(runDeptsim({"gaps", "--dir", server.dir(), "--as-of", "2026-13-01"}).exit_code, 64);
    EXPECT_EQ(runDeptsim({"gaps", "--dir", server.dir(), "--seed", "3"}).exit_code, 64);
    EXPECT_EQ(runDeptsim({"gaps", "--dir", server.dir(), "--plant", "0"}).exit_code, 64);
    TempDir empty;
    EXPECT_EQ(runDeptsim({"gaps", "--dir", empty.path()}).exit_code, 64);
    const auto help = runDeptsim({"gaps", "--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("usage: deptsim gaps"), std::string::npos);
}

}  // namespace
}  // namespace gateway::testing::sim
