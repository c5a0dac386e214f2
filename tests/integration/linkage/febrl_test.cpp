// `gateway link` on FEBRL 4 (FEBRL, Australian National University; via the Python Record Linkage Toolkit):
// ops/bench/febrl_to_jsonl.sh converts dataset4a/dataset4b, ops/bench/febrl4.linkage.json links them.

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

#include <Poco/File.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <gtest/gtest.h>

#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace gateway::testing {
namespace {

const std::string kSourceDir = GATEWAY_SOURCE_DIR;
const std::string kFebrlDir = kSourceDir + "/../shared/data/febrl";
const std::string kConvert = kSourceDir + "/ops/bench/febrl_to_jsonl.sh";
const std::string kConfig = kSourceDir + "/ops/bench/febrl4.linkage.json";

/// Runs a POSIX shell script and waits for it.
RunResult runScript(const std::string& script, const std::vector<std::string>& args) {
    std::vector<std::string> argv{script};
    argv.insert(argv.end(), args.begin(), args.end());
    Poco::Pipe out_pipe;
    Poco::Pipe err_pipe;
    Poco::ProcessHandle handle = Poco::Process::launch("/bin/sh", argv, kSourceDir, nullptr, &out_pipe, &err_pipe);
    Poco::PipeInputStream out(out_pipe);
    Poco::PipeInputStream err(err_pipe);
    RunResult result;
    std::thread err_reader([&] { Poco::StreamCopier::copyToString(err, result.err); });
    Poco::StreamCopier::copyToString(out, result.out);
    err_reader.join();
    result.exit_code = handle.wait();
    return result;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> result;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        result.push_back(line);
    }
    return result;
}

std::string lastLine(const std::string& text) {
    const std::vector<std::string> all = lines(text);
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        if (!it->empty()) {
            return *it;
        }
    }
    return {};
}

/// The source,source_id keys of a JSONL file the conversion wrote.
std::multiset<std::string> recordKeys(const std::string& jsonl) {
    static const std::regex key(R"re(^\{"source":"([^"]*)","source_id":"([^"]*)")re");
    std::multiset<std::string> keys;
    for (const std::string& line : lines(jsonl)) {
        std::smatch match;
        if (std::regex_search(line, match, key)) {
            keys.insert(match[1].str() + "," + match[2].str());
        } else {
            keys.insert("unreadable: " + line);
        }
    }
    return keys;
}

TEST(FebrlTest, Febrl4LinksWithPairwiseF1OfAtLeast099) {
    if (!Poco::File(kFebrlDir + "/dataset4a.csv").exists() || !Poco::File(kFebrlDir + "/dataset4b.csv").exists()) {
        GTEST_SKIP() << "FEBRL data not found at " << kFebrlDir
                     << " (dataset4a.csv, dataset4b.csv): check out ../shared beside the repository";
    }
    TempDir dir;
    const RunResult converted = runScript(kConvert, {kFebrlDir, dir.file("febrl4.jsonl"), dir.file("truth.csv")});
    ASSERT_EQ(converted.exit_code, 0) << converted.err;
    EXPECT_EQ(lines(readFile(dir.file("febrl4.jsonl"))).size(), 10000u);
    EXPECT_EQ(lines(readFile(dir.file("truth.csv"))).size(), 10001u);

    const RunResult linked = runGateway({"link", "--input", dir.file("febrl4.jsonl"), "--config", kConfig, "--out",
                                         dir.file("clusters.csv"), "--truth", dir.file("truth.csv")});
    ASSERT_EQ(linked.exit_code, 0) << linked.err;
    EXPECT_EQ(lines(readFile(dir.file("clusters.csv"))).size(), 10001u);

    const std::string score = lastLine(linked.out);
    std::smatch match;
    static const std::regex pattern(R"(^precision=([0-9.]+) recall=([0-9.]+) f1=([0-9.]+)$)");
    ASSERT_TRUE(std::regex_match(score, match, pattern)) << "last line: \"" << score << "\"\n" << linked.err;
    const double precision = std::stod(match[1].str());
    const double recall = std::stod(match[2].str());
    const double f1 = std::stod(match[3].str());
    std::cout << "FEBRL 4 (FEBRL, Australian National University; via the Python Record Linkage Toolkit): "
              << "precision " << precision << ", recall " << recall << ", F1 " << f1 << "\n";
    RecordProperty("precision", match[1].str());
    RecordProperty("recall", match[2].str());
    RecordProperty("f1", match[3].str());
    EXPECT_GE(f1, 0.99) << linked.err;
}

// Eight fictitious people in the FEBRL layout (a space after every comma, empty fields, no newline at the end of the
// second file), each with a corrupted copy: typos, swapped names, a missing date of birth.
constexpr const char* kSmallA =
    "rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, "
    "soc_sec_id\n"
    "rec-0-org, ava, kowalski, 12, banksia street, hillview, ormond, 3204, vic, 19720314, 4417203\n"
    "rec-1-org, lachlan, brennan, 7, corella crescent, , toowong, 4066, qld, 19881102, 6021587\n"
    "rec-2-org, mia, nguyen, 45, wattle road, riverside estate, kiama, 2533, nsw, 19930521, 3390142\n"
    "rec-3-org, oliver, fitzgerald, 310, marri place, , albany, 6330, wa, 19650907, 8125590\n"
    "rec-4-org, chloe, papadopoulos, 2, jacaranda avenue, unit 4, glenelg, 5045, sa, 20010130, 2768841\n"
    "rec-5-org, harrison, murray, 88, kurrajong way, , sandy bay, 7005, tas, 19791219, 5553016\n"
    "rec-6-org, isla, whitfield, 19, boronia lane, the grange, belconnen, 2617, act, 19570608, 9046731\n"
    "rec-7-org, noah, daly, 131, tarwin street, , darwin city, 0800, nt, 19841125, 1182964\n";
constexpr const char* kSmallB =
    "rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, "
    "soc_sec_id\n"
    "rec-3-dup-0, oliver, fitzgerlad, 310, marri place, , albany, 6330, wa, 19650907, 8125590\n"
    "rec-0-dup-0, ava, kowalsky, 12, banksia street, hillveiw, ormond, 3204, vic, 19720314, 4417203\n"
    "rec-6-dup-0, isla, whitfield, 91, boronia lane, the grange, belconnen, 2617, act, , 9046731\n"
    "rec-1-dup-0, brennan, lachlan, 7, corella crescent, , toowong, 4066, qld, 19881102, 6021578\n"
    "rec-5-dup-0, harrison, murray, 88, kurrajong way, , sandy bay, 7005, tas, 19791219, 5553016\n"
    "rec-2-dup-0, mia, ngyuen, 45, wattle road, riverside estate, kiama, 2533, nsw, 19930512, 3390142\n"
    "rec-4-dup-0, chloe, papadopoulos, 2, jacaranda avenue, unit 4, glenelg, 5045, sa, 20010130, 2768841\n"
    "rec-7-dup-0, noah, daly, 131, tarwin street, , darwin city, 0800, nt, 19841125, 1182964";

TEST(FebrlTest, OutputHasOneLinePerRecordAndIsStableAcrossRuns) {
    TempDir dir;
    Poco::File(dir.file("data")).createDirectories();
    writeFile(dir.file("data/dataset4a.csv"), kSmallA);
    writeFile(dir.file("data/dataset4b.csv"), kSmallB);
    const RunResult converted =
        runScript(kConvert, {dir.file("data"), dir.file("records.jsonl"), dir.file("truth.csv")});
    ASSERT_EQ(converted.exit_code, 0) << converted.err;
    const std::string jsonl = readFile(dir.file("records.jsonl"));
    const std::multiset<std::string> input = recordKeys(jsonl);
    ASSERT_EQ(input.size(), 16u) << jsonl;
    EXPECT_EQ(jsonl.find(", "), std::string::npos) << "values are trimmed:\n" << jsonl;
    EXPECT_NE(jsonl.find(R"("source_id":"rec-7-dup-0","given_name":"noah")"), std::string::npos)
        << "the last row without a newline is kept:\n"
        << jsonl;
    EXPECT_NE(jsonl.find(R"("date_of_birth":"","soc_sec_id":"9046731")"), std::string::npos) << jsonl;
    EXPECT_EQ(lines(readFile(dir.file("truth.csv")))[0], "source,source_id,entity_id");
    EXPECT_NE(readFile(dir.file("truth.csv")).find("dataset4b,rec-6-dup-0,6\n"), std::string::npos);

    std::string first_output;
    for (int run = 0; run < 2; ++run) {
        const std::string out = dir.file("clusters-" + std::to_string(run) + ".csv");
        const RunResult linked =
            runGateway({"link", "--input", dir.file("records.jsonl"), "--config", kConfig, "--out", out});
        ASSERT_EQ(linked.exit_code, 0) << linked.err;
        const std::string output = readFile(out);
        const std::vector<std::string> rows = lines(output);
        ASSERT_EQ(rows.size(), input.size() + 1) << output;
        EXPECT_EQ(rows[0], "source,source_id,person_id");
        std::multiset<std::string> keys;
        for (std::size_t i = 1; i < rows.size(); ++i) {
            const std::size_t comma = rows[i].rfind(',');
            ASSERT_NE(comma, std::string::npos) << rows[i];
            EXPECT_GT(rows[i].size(), comma + 1) << "a person ID for every record: " << rows[i];
            keys.insert(rows[i].substr(0, comma));
        }
        EXPECT_EQ(keys, input) << "every input record exactly once";
        if (run == 0) {
            first_output = output;
        } else {
            EXPECT_EQ(output, first_output) << "a re-run gives the same person IDs";
        }
    }
}

}  // namespace
}  // namespace gateway::testing
