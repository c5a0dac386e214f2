#include "tests/integration/sim/deptsim_harness.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>

#include <algorithm>
#include <fstream>

namespace gateway::testing::sim {
namespace {

namespace fs = std::filesystem;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::range;
using Poco::Data::Keywords::use;

/// Every row of student_register, one line per row, in id order.
std::string dumpSchool(const std::string& path) {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session session("SQLite", path);
    std::vector<std::string> lines;
    session << "SELECT id || '|' || xjh || '|' || xm || '|' || xb || '|' || csrq || '|' || COALESCE(sfzh, 'NULL') || "
               "'|' || mz || '|' || xxdm || '|' || xxmc || '|' || nj || '|' || xjzt || '|' || wgqk_ts || '|' || "
               "jhrxm || '|' || jhrdh || '|' || jhrgx || '|' || hjdz_qhdm || '|' || xzz_qhdm || '|' || updated_seq "
               "FROM student_register ORDER BY id",
        into(lines), now;
    std::string dump;
    for (const auto& line : lines) {
        dump += line + "\n";
    }
    return dump;
}

std::map<std::string, std::string> folderBytes(const std::string& folder) {
    std::map<std::string, std::string> files;
    for (const auto& entry : fs::directory_iterator(folder)) {
        files[entry.path().filename().string()] = readFile(entry.path().string());
    }
    return files;
}

DeptsimResult generate(const std::string& dir, int children, std::uint64_t seed) {
    return runDeptsim(
        {"generate", "--dir", dir, "--children", std::to_string(children), "--seed", std::to_string(seed)});
}

TEST(DeptsimFilesTest, SameSeedAndSizeGiveTheSameCityByteForByte) {
    TempDir dir;
    const auto first = generate(dir.file("a"), 400, 5);
    const auto second = generate(dir.file("b"), 400, 5);
    const auto other = generate(dir.file("c"), 400, 6);
    ASSERT_EQ(first.exit_code, 0) << first.err;
    ASSERT_EQ(second.exit_code, 0) << second.err;
    ASSERT_EQ(other.exit_code, 0) << other.err;
    EXPECT_EQ(first.out, second.out);
    for (const char* file :
         {"truth/truth.csv", "truth/children.jsonl", "truth/served.json", "school.db", "state/sim.db"}) {
        EXPECT_TRUE(readFile(dir.file("a/") + file) == readFile(dir.file("b/") + file)) << file;
    }
    EXPECT_TRUE(folderBytes(dir.file("a/health_drop")) == folderBytes(dir.file("b/health_drop")));
    EXPECT_EQ(dumpSchool(dir.file("a/school.db")), dumpSchool(dir.file("b/school.db")));
    EXPECT_FALSE(readFile(dir.file("a/truth/children.jsonl")) == readFile(dir.file("c/truth/children.jsonl")));
}

TEST(DeptsimFilesTest, TruthCoversEveryRowOfTheFileSources) {
    TempDir dir;
    const std::string city = dir.file("city");
    ASSERT_EQ(generate(city, 300, 3).exit_code, 0);
    const auto truth = readTruth(city);
    const auto served = parseJson(readFile(city + "/truth/served.json"));

    std::set<std::string> entities;
    std::istringstream children(readFile(city + "/truth/children.jsonl"));
    std::string line;
    while (std::getline(children, line)) {
        entities.insert(parseJson(line)["entity_id"].GetString());
    }
    EXPECT_EQ(entities.size(), 300u);
    for (const auto& [key, entity] : truth) {
        EXPECT_TRUE(entities.contains(entity)) << key.first << " " << key.second;
    }
    for (const char* source : {"police_population", "school_register", "health_births", "civil_rescue"}) {
        const auto ids = truthIds(truth, source);
        EXPECT_EQ(static_cast<std::int64_t>(ids.size()), served[source]["rows"].GetInt64()) << source;
        EXPECT_GE(served[source]["unmappable"].GetInt64(), 1) << source;
        EXPECT_GE(served[source]["duplicates"].GetInt64(), 1) << source;
        // A duplicate is a second source_id of a child already in the source.
        std::set<std::string> distinct;
        for (const auto& id : ids) {
            distinct.insert(truth.at({source, id}));
        }
        EXPECT_LT(distinct.size(), ids.size()) << source;
    }

    // The school table: every row in truth.csv, and the watermark strictly increasing.
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session session("SQLite", city + "/school.db");
    std::vector<Poco::Int64> row_ids;
    std::vector<Poco::Int64> seqs;
    session << "SELECT id, updated_seq FROM student_register ORDER BY updated_seq", into(row_ids), into(seqs), now;
    EXPECT_EQ(static_cast<std::int64_t>(row_ids.size()), served["school_register"]["rows"].GetInt64());
    std::set<std::string> school_truth;
    for (const auto& id : truthIds(truth, "school_register")) {
        school_truth.insert(id);
    }
    for (std::size_t i = 0; i < row_ids.size(); ++i) {
        EXPECT_TRUE(school_truth.contains(std::to_string(row_ids[i])));
        if (i > 0) {
            EXPECT_LT(seqs[i - 1], seqs[i]);
        }
    }
    // Polling by watermark in small batches sees each row once.
    Poco::Int64 watermark = 0;
    std::set<Poco::Int64> polled;
    while (true) {
        std::vector<Poco::Int64> batch_ids;
        std::vector<Poco::Int64> batch_seqs;
        session << "SELECT id, updated_seq FROM student_register WHERE updated_seq > ? ORDER BY updated_seq LIMIT 17",
            use(watermark), into(batch_ids), into(batch_seqs), now;
        if (batch_ids.empty()) {
            break;
        }
        for (const auto id : batch_ids) {
            EXPECT_TRUE(polled.insert(id).second);
        }
        watermark = batch_seqs.back();
    }
    EXPECT_EQ(polled.size(), row_ids.size());
}

TEST(DeptsimFilesTest, HealthDropsDecodeHaveTheHeaderAndAreMarkedComplete) {
    TempDir dir;
    const std::string city = dir.file("city");
    ASSERT_EQ(generate(city, 400, 3).exit_code, 0);
    const auto truth = readTruth(city);
    const auto served = parseJson(readFile(city + "/truth/served.json"));
    const std::string folder = city + "/health_drop";
    std::set<std::string> certs;
    int gb18030_files = 0;
    int bom_files = 0;
    bool beyond_gbk = false;
    std::int64_t rows = 0;
    for (const auto& name : dropFiles(folder)) {
        EXPECT_TRUE(fs::exists(folder + "/" + name + ".ok")) << name;
        EXPECT_EQ(name.size(), std::string("births_20261101080000.csv").size()) << name;
        const std::string bytes = readFile(folder + "/" + name);
        const auto text = decodeDrop(bytes);
        ASSERT_TRUE(text) << name << " does not decode";
        if (bytes.rfind("\xEF\xBB\xBF", 0) == 0) {
            ++bom_files;
        } else {
            ++gb18030_files;
            beyond_gbk = beyond_gbk || !convert(bytes, "GBK");
        }
        const auto records = parseCsv(*text);
        ASSERT_FALSE(records.empty());
        std::string header;
        for (const auto& field : records[0]) {
            header += (header.empty() ? "" : ",") + field;
        }
        EXPECT_EQ(header, kHealthHeader) << name;
        for (std::size_t i = 1; i < records.size(); ++i) {
            ASSERT_EQ(records[i].size(), 14u) << name << " record " << i;
            certs.insert(records[i][0]);
            EXPECT_TRUE(truth.contains({"health_births", records[i][0]})) << records[i][0];
            ++rows;
        }
    }
    EXPECT_GT(gb18030_files, 0);
    EXPECT_GT(bom_files, 0);
    EXPECT_TRUE(beyond_gbk) << "no GB18030 drop carries a character beyond GBK";
    EXPECT_EQ(rows, served["health_births"]["file_rows"].GetInt64());
    EXPECT_EQ(static_cast<std::int64_t>(certs.size()), served["health_births"]["rows"].GetInt64());
}

TEST(DeptsimFilesTest, ChangeWithoutAServerRewritesTheFolder) {
    TempDir dir;
    const std::string city = dir.file("city");
    ASSERT_EQ(generate(city, 200, 4).exit_code, 0);
    const auto result = runDeptsim({"change", "--dir", city, "--fraction", "0.3"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto change = parseJson(result.out);
    EXPECT_EQ(change["change"].GetInt(), 1);
    EXPECT_GT(change["changed"]["police_population"].GetInt64(), 0);
    EXPECT_EQ(static_cast<std::int64_t>(changedIds(city, 1, "police_population").size()),
              change["changed"]["police_population"].GetInt64());
    EXPECT_EQ(parseJson(readFile(city + "/truth/served.json"))["city"]["changes"].GetInt(), 1);
    EXPECT_TRUE(fs::exists(city + "/health_drop/" + std::string(change["drop"].GetString()) + ".ok"));
}

TEST(DeptsimFilesTest, CommandLineErrorsExitWithUsage) {
    EXPECT_EQ(runDeptsim({}).exit_code, 64);
    EXPECT_EQ(runDeptsim({"frobnicate"}).exit_code, 64);
    EXPECT_EQ(runDeptsim({"serve"}).exit_code, 64);
    const auto unknown = runDeptsim({"generate", "--dir", "/nonexistent/x", "--colour", "red"});
    EXPECT_EQ(unknown.exit_code, 64);
    EXPECT_NE(unknown.err.find("unknown option '--colour'"), std::string::npos) << unknown.err;
    const auto bad_rate = runDeptsim({"generate", "--dir", "/nonexistent/x", "--errors", "typo=2"});
    EXPECT_EQ(bad_rate.exit_code, 64);
    for (const char* command : {"serve", "generate", "change"}) {
        const auto help = runDeptsim({command, "--help"});
        EXPECT_EQ(help.exit_code, 0);
        EXPECT_NE(help.out.find("usage: deptsim " + std::string(command)), std::string::npos);
    }

    TempDir dir;
    ASSERT_EQ(generate(dir.file("city"), 100, 1).exit_code, 0);
    const auto other = runDeptsim({"serve", "--dir", dir.file("city"), "--children", "101", "--port", "0"});
    EXPECT_EQ(other.exit_code, 64);
    EXPECT_NE(other.err.find("--fresh"), std::string::npos) << other.err;
}

}  // namespace
}  // namespace gateway::testing::sim
