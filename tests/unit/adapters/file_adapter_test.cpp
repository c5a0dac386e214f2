#include "adapters/file/file_adapter.h"

#include "adapters/file/record_reader.h"
#include "gateway/common/error.h"
#include "tests/support/encoding.h"
#include "tests/support/manual_clock.h"
#include "tests/support/temp_dir.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <stdexcept>

namespace gateway::adapters::file {
namespace {

using gateway::testing::ManualClock;
using gateway::testing::readFile;
using gateway::testing::TempDir;
using gateway::testing::toGb18030;
using gateway::testing::writeFile;

std::string sha256Of(const std::string& bytes) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(bytes.data(), bytes.size());
    return Poco::DigestEngine::digestToHex(engine.digest());
}

void setModified(const std::string& path, const Poco::Timestamp& time) {
    const timespec times[2] = {{static_cast<time_t>(time.epochTime()), 0}, {static_cast<time_t>(time.epochTime()), 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

constexpr const char* kBirthsHeader =
    "出生医学证明编号,新生儿姓名,性别,出生日期,出生体重,母亲姓名,母亲身份证号,父亲姓名,父亲身份证号,户籍登记状态,"
    "居住地区划,残疾,重大疾病,更新时间\n";

std::string birthRow(int i, const std::string& name = "张子涵") {
    return "Q32041120" + std::to_string(100000 + i) + "," + name + ",女,2026-10-0" + std::to_string(1 + i % 9) +
           ",3250,李娜,320411199001011234,张伟,320411198801015678,未登记,320411101201,,,2026-11-01 08:00:00\n";
}

class FileAdapterTest : public ::testing::Test {
protected:
    void SetUp() override { std::filesystem::create_directories(drop_); }

    std::string settings(const std::string& extra = "") const {
        return R"({"dir":")" + drop_ + R"(","pattern":"births_*.csv","marker_suffix":".ok")" + extra + "}";
    }

    AdapterConfig config(const std::string& settings_json) const {
        return {"health_births", settings_json, "config/sources/health.json", dir_.file("state")};
    }

    std::unique_ptr<FileAdapter> open(const std::string& settings_json) {
        auto adapter = std::make_unique<FileAdapter>(clock_);
        adapter->open(config(settings_json));
        return adapter;
    }

    /// Writes a file and its marker.
    void drop(const std::string& name, const std::string& bytes, bool marker = true) {
        writeFile(drop_ + "/" + name, bytes);
        if (marker) {
            writeFile(drop_ + "/" + name + ".ok", "");
        }
    }

    /// Pulls and commits until nothing is left; returns every row.
    std::vector<RawRow> drain(FileAdapter& adapter, std::optional<std::string>& watermark, std::size_t max_records) {
        std::vector<RawRow> rows;
        for (int guard = 0; guard < 100000; ++guard) {
            PullBatch batch = adapter.pull(watermark, max_records);
            if (batch.watermark != watermark.value_or("")) {
                watermark = batch.watermark;
                adapter.committed(batch);
            }
            rows.insert(rows.end(), batch.rows.begin(), batch.rows.end());
            if (!batch.more) {
                break;
            }
        }
        return rows;
    }

    TempDir dir_;
    std::string drop_ = dir_.file("drop");
    std::string archive_ = dir_.file("state") + "/archive";
    std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>();
};

std::string errorOf(const std::function<void()>& action) {
    try {
        action();
    } catch (const GatewayError& error) {
        return std::string(errorCodeName(error.code())) + ": " + error.message();
    }
    return "no error";
}

TEST_F(FileAdapterTest, ParsesHealthBirthsSettings) {
    const FileAdapterSettings parsed = parseFileAdapterSettings(
        config(R"({"dir":"/data/health_drop","pattern":"births_*.csv","format":"csv","encoding":"gbk",
                   "marker_suffix":".ok","csv":{"delimiter":"|","quote":"'","header":true}})"));
    EXPECT_EQ(parsed.dir, "/data/health_drop");
    EXPECT_EQ(parsed.pattern, "births_*.csv");
    EXPECT_EQ(parsed.format, FileFormat::Csv);
    EXPECT_EQ(parsed.encoding, charset::Encoding::Gb18030);
    EXPECT_EQ(parsed.marker_suffix, ".ok");
    EXPECT_FALSE(parsed.settle_seconds);
    EXPECT_EQ(parsed.archive_dir, dir_.file("state") + "/archive");
    EXPECT_EQ(parsed.delimiter, '|');
    EXPECT_EQ(parsed.quote, '\'');
    EXPECT_TRUE(parsed.header);
    EXPECT_EQ(parsed.max_record_bytes, 1u << 20);

    const FileAdapterSettings defaults =
        parseFileAdapterSettings(config(R"({"dir":"d","pattern":"*.jsonl","format":"jsonl","settle_seconds":30,
                                            "archive_dir":"/data/archive"})"));
    EXPECT_EQ(defaults.encoding, std::nullopt);
    EXPECT_EQ(defaults.settle_seconds, 30);
    EXPECT_EQ(defaults.marker_suffix, "");
    EXPECT_EQ(defaults.archive_dir, "/data/archive");
}

TEST_F(FileAdapterTest, RejectsBadSettingsWithExactMessages) {
    auto message = [&](const std::string& json) { return errorOf([&] { parseFileAdapterSettings(config(json)); }); };
    EXPECT_EQ(message(R"({"pattern":"*.csv","marker_suffix":".ok"})"),
              "invalid_config: config/sources/health.json: settings.dir: is required");
    EXPECT_EQ(message(R"({"dir":"d","pattern":"*.csv","marker_suffix":".ok","patern":"x"})"),
              "invalid_config: config/sources/health.json: settings.patern: unknown key (did you mean 'pattern'? "
              "known: archive_dir, csv, dir, "
              "encoding, format, marker_suffix, max_record_bytes, pattern, settle_seconds)");
    EXPECT_EQ(message(R"({"dir":"d","pattern":"*.csv","marker_suffix":".ok","csv":{"delim":";"}})"),
              "invalid_config: config/sources/health.json: settings.csv.delim: unknown key (known: columns, delimiter, "
              "header, quote)");
    EXPECT_EQ(message(R"({"dir":"d","pattern":"*.csv"})"),
              "invalid_config: config/sources/health.json: settings.marker_suffix: is required (or settle_seconds): "
              "the adapter must know when a file is complete");
    EXPECT_EQ(message(R"({"dir":"d","pattern":"*.csv","marker_suffix":".ok","encoding":"big5"})"),
              "invalid_config: config/sources/health.json: settings.encoding: must be one of auto, utf-8, gbk, "
              "gb18030, not 'big5'");
    EXPECT_EQ(message(R"({"dir":"d","pattern":"*.csv","marker_suffix":".ok","csv":{"delimiter":"ab"}})"),
              "invalid_config: config/sources/health.json: settings.csv.delimiter: must be one ASCII character other "
              "than a letter, a digit, CR or LF");
    EXPECT_EQ(message(R"({"dir":"d","pattern":"*.csv","marker_suffix":".ok","csv":{"quote":","}})"),
              "invalid_config: config/sources/health.json: settings.csv.quote: must differ from the delimiter");
    EXPECT_EQ(message(R"({"dir":"d","pattern":"*.csv","marker_suffix":".ok","csv":{"header":false}})"),
              "invalid_config: config/sources/health.json: settings.csv.columns: is required when \"header\" is false");
    EXPECT_EQ(message(R"({"dir":"d","pattern":"a/*.csv","marker_suffix":".ok"})"),
              "invalid_config: config/sources/health.json: settings.pattern: must match file names only, without '/'");
    EXPECT_EQ(message(R"({"dir":"d","pattern":"*.csv","settle_seconds":-1})"),
              "invalid_config: config/sources/health.json: settings.settle_seconds: must be between 0 and 604800, not "
              "-1");
    EXPECT_EQ(message(R"({"dir":"d","pattern":"*.jsonl","format":"jsonl","marker_suffix":".ok","csv":{}})"),
              "invalid_config: config/sources/health.json: settings.csv: is only allowed with \"format\": \"csv\"");
    EXPECT_EQ(errorOf([&] {
                  parseFileAdapterSettings({"health_births", R"({"dir":"d","pattern":"*.csv","marker_suffix":".ok"})",
                                            "config/sources/health.json", ""});
              }),
              "invalid_config: config/sources/health.json: settings.archive_dir: is required when the source has no "
              "state folder");
}

TEST_F(FileAdapterTest, ReadsGb18030WithNamesBeyondTheBmp) {
    const std::string csv =
        std::string(kBirthsHeader) + birthRow(1, "张𠮷") + birthRow(2, "王𪚥") + birthRow(3, "李龦");
    drop("births_20261101080000.csv", toGb18030(csv));
    auto adapter = open(settings());
    const PullBatch batch = adapter->pull(std::nullopt, 100);
    ASSERT_EQ(batch.rows.size(), 3u);
    EXPECT_EQ(batch.rows[0].error, "");
    EXPECT_EQ(batch.rows[0].locator, "births_20261101080000.csv line 2");
    EXPECT_EQ(batch.rows[0].json,
              R"({"出生医学证明编号":"Q32041120100001","新生儿姓名":"张𠮷","性别":"女","出生日期":"2026-10-02",)"
              R"("出生体重":"3250","母亲姓名":"李娜","母亲身份证号":"320411199001011234","父亲姓名":"张伟",)"
              R"("父亲身份证号":"320411198801015678","户籍登记状态":"未登记","居住地区划":"320411101201","残疾":null,)"
              R"("重大疾病":null,"更新时间":"2026-11-01 08:00:00"})");
    EXPECT_EQ(batch.rows[0].raw, toGb18030(birthRow(1, "张𠮷").substr(0, birthRow(1, "张𠮷").size() - 1)));
    EXPECT_NE(batch.rows[1].json.find(R"("新生儿姓名":"王𪚥")"), std::string::npos);
    EXPECT_NE(batch.rows[2].json.find(R"("新生儿姓名":"李龦")"), std::string::npos);
    EXPECT_EQ(batch.payload, toGb18030(csv));
    EXPECT_FALSE(batch.more);
}

TEST_F(FileAdapterTest, ReadsGbkWhenTold) {
    drop("births_1.csv", toGb18030("编号,姓名\n1,张子涵\n2,欧阳娜娜\n"));
    auto adapter = open(settings(R"(,"encoding":"gbk")"));
    const PullBatch batch = adapter->pull(std::nullopt, 100);
    ASSERT_EQ(batch.rows.size(), 2u);
    EXPECT_EQ(batch.rows[0].json, R"({"编号":"1","姓名":"张子涵"})");
    EXPECT_EQ(batch.rows[1].json, R"({"编号":"2","姓名":"欧阳娜娜"})");
}

TEST_F(FileAdapterTest, ReadsUtf8WithAByteOrderMark) {
    drop("births_1.csv", "\xEF\xBB\xBF编号,姓名\r\n1,张𠮷\r\n");
    for (const char* encoding : {"auto", "gbk"}) {
        auto adapter = open(settings(R"(,"encoding":")" + std::string(encoding) + "\""));
        const PullBatch batch = adapter->pull(std::nullopt, 100);
        ASSERT_EQ(batch.rows.size(), 1u) << encoding;
        EXPECT_EQ(batch.rows[0].json, R"({"编号":"1","姓名":"张𠮷"})") << "the mark wins over " << encoding;
    }
}

TEST_F(FileAdapterTest, AutoDetectsUtf8AndGb18030WithoutAMark) {
    drop("births_1.csv", "编号,姓名\n1,张𠮷\n");
    drop("births_2.csv", toGb18030("编号,姓名\n2,王𪚥\n"));
    auto adapter = open(settings());
    std::optional<std::string> watermark;
    const auto rows = drain(*adapter, watermark, 100);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].json, R"({"编号":"1","姓名":"张𠮷"})");
    EXPECT_EQ(rows[1].json, R"({"编号":"2","姓名":"王𪚥"})");
}

TEST_F(FileAdapterTest, ParsesQuotedFieldsWithCommasQuotesAndNewlines) {
    drop("births_1.csv",
         "id,name,note\r\n1,\"张, 子涵\",\"He said \"\"hi\"\"\r\nsecond line\"\r\n\r\n2,,plain\r\n3,\"\",a\"b\n");
    auto adapter = open(settings());
    const PullBatch batch = adapter->pull(std::nullopt, 100);
    ASSERT_EQ(batch.rows.size(), 3u);
    EXPECT_EQ(batch.rows[0].locator, "births_1.csv line 2");
    EXPECT_EQ(batch.rows[0].json, R"({"id":"1","name":"张, 子涵","note":"He said \"hi\"\r\nsecond line"})");
    EXPECT_EQ(batch.rows[1].locator, "births_1.csv line 5");
    EXPECT_EQ(batch.rows[1].json, R"({"id":"2","name":null,"note":"plain"})");
    EXPECT_EQ(batch.rows[2].json, R"({"id":"3","name":null,"note":"a\"b"})");
}

TEST_F(FileAdapterTest, SkipsTrailingBytesOfGb18030CharactersThatLookLikeTheDelimiter) {
    // 亅 is 81 7C in GB18030: its second byte is '|'.
    drop("births_1.csv", toGb18030("id|name|note\n1|亅昞|x\n"));
    auto adapter = open(settings(R"(,"encoding":"gb18030","csv":{"delimiter":"|"})"));
    const PullBatch batch = adapter->pull(std::nullopt, 100);
    ASSERT_EQ(batch.rows.size(), 1u);
    EXPECT_EQ(batch.rows[0].json, R"({"id":"1","name":"亅昞","note":"x"})");
}

TEST_F(FileAdapterTest, QuarantinesAWrongFieldCountAndGoesOn) {
    drop("births_1.csv", "id,name,sex\n1,a,1\n2,b\n3,c,2,extra\n4,d,2\n");
    auto adapter = open(settings());
    const PullBatch batch = adapter->pull(std::nullopt, 100);
    ASSERT_EQ(batch.rows.size(), 4u);
    EXPECT_EQ(batch.rows[0].error, "");
    EXPECT_EQ(batch.rows[1].error, "births_1.csv line 3: 2 fields, but the header has 3");
    EXPECT_EQ(batch.rows[1].raw, "2,b");
    EXPECT_EQ(batch.rows[1].json, "");
    EXPECT_EQ(batch.rows[2].error, "births_1.csv line 4: 4 fields, but the header has 3");
    EXPECT_EQ(batch.rows[3].json, R"({"id":"4","name":"d","sex":"2"})");
}

TEST_F(FileAdapterTest, ReportsUndecodableBytesWithTheirOffset) {
    const std::string line3 = toGb18030("2,张") + "\x81\x20" + toGb18030("涵");
    const std::string bytes = toGb18030("id,name\n1,李娜\n") + line3 + "\n" + toGb18030("3,王芳\n");
    drop("births_1.csv", bytes);
    auto adapter = open(settings(R"(,"encoding":"gb18030")"));
    const PullBatch batch = adapter->pull(std::nullopt, 100);
    ASSERT_EQ(batch.rows.size(), 3u);
    const std::size_t line_offset = bytes.find(line3);
    EXPECT_EQ(batch.rows[1].error,
              "births_1.csv line 3: invalid GB18030 sequence 0x81 0x20 at byte 4 of the line (file "
              "offset " +
                  std::to_string(line_offset + 4) + ")");
    EXPECT_EQ(batch.rows[1].raw, line3);
    EXPECT_EQ(batch.rows[2].json, R"({"id":"3","name":"王芳"})");

    // The same bytes in a file declared UTF-8 fail at the first GB18030 byte, never replaced.
    drop("births_2.csv", "id,name\n1,\xD5\xC5\n");
    auto utf8 = open(settings(R"(,"encoding":"utf-8")"));
    std::optional<std::string> watermark = batch.watermark;
    adapter->committed(batch);
    const PullBatch second = utf8->pull(watermark, 100);
    ASSERT_EQ(second.rows.size(), 1u);
    EXPECT_EQ(second.rows[0].error,
              "births_2.csv line 2: invalid UTF-8 sequence 0xD5 0xC5 at byte 2 of the line (file "
              "offset 10)");
}

TEST_F(FileAdapterTest, AnUnclosedQuoteCostsOneLine) {
    drop("births_1.csv", "id,name,note\n1,a,\"ok\"\n2,b,\"broken\n3,c,fine\n4,d,\"cut");
    auto adapter = open(settings());
    const PullBatch batch = adapter->pull(std::nullopt, 100);
    ASSERT_EQ(batch.rows.size(), 4u);
    EXPECT_EQ(batch.rows[1].error, "births_1.csv line 3: a quoted field opened on this line is never properly closed");
    EXPECT_EQ(batch.rows[1].raw, "2,b,\"broken");
    EXPECT_EQ(batch.rows[2].json, R"({"id":"3","name":"c","note":"fine"})");
    EXPECT_EQ(batch.rows[2].locator, "births_1.csv line 4");
    EXPECT_EQ(batch.rows[3].error, "births_1.csv line 5: the file ends inside a quoted field");
    EXPECT_EQ(batch.rows[3].raw, "4,d,\"cut");
    EXPECT_EQ(batch.payload, readFile(drop_ + "/births_1.csv"));

    // A quote that never closes at all costs its line too, and the payload is still the file, byte for byte.
    drop("births_2.csv", "id,name\n1,\"a\n2,b\n3,c\n");
    const PullBatch second = open(settings())->pull(batch.watermark, 100);
    ASSERT_EQ(second.rows.size(), 3u);
    EXPECT_EQ(second.rows[0].error, "births_2.csv line 2: a quoted field opened on this line is never properly closed");
    EXPECT_EQ(second.rows[1].json, R"({"id":"2","name":"b"})");
    EXPECT_EQ(second.rows[2].json, R"({"id":"3","name":"c"})");
    EXPECT_EQ(second.payload, readFile(drop_ + "/births_2.csv"));
}

TEST_F(FileAdapterTest, ALastLineWithoutNewlineIsFine) {
    drop("births_1.csv", "id,name\n1,a\n2,b");
    auto adapter = open(settings());
    const PullBatch batch = adapter->pull(std::nullopt, 100);
    ASSERT_EQ(batch.rows.size(), 2u);
    EXPECT_EQ(batch.rows[1].json, R"({"id":"2","name":"b"})");
}

TEST_F(FileAdapterTest, QuarantinesAnOverlongLineAndGoesOn) {
    drop("births_1.csv", "id,name\n1," + std::string(5000, 'x') + "\n2,b\n");
    auto adapter = open(settings(R"(,"max_record_bytes":256)"));
    const PullBatch batch = adapter->pull(std::nullopt, 100);
    ASSERT_EQ(batch.rows.size(), 2u);
    EXPECT_EQ(batch.rows[0].error, "births_1.csv line 2: the line is longer than 256 bytes (max_record_bytes)");
    EXPECT_EQ(batch.rows[0].raw.size(), 256u);
    EXPECT_EQ(batch.rows[1].locator, "births_1.csv line 3");
    EXPECT_EQ(batch.rows[1].json, R"({"id":"2","name":"b"})");
}

TEST_F(FileAdapterTest, AnUnusableHeaderQuarantinesEveryRow) {
    drop("births_1.csv", "id,name,id\n1,a,2\n");
    auto adapter = open(settings());
    const PullBatch batch = adapter->pull(std::nullopt, 100);
    ASSERT_EQ(batch.rows.size(), 2u);
    EXPECT_EQ(batch.rows[0].error, "births_1.csv line 1: the header row is unusable: column 3 repeats the name \"id\"");
    EXPECT_EQ(batch.rows[0].raw, "id,name,id");
    EXPECT_EQ(batch.rows[1].error, "births_1.csv line 2: not read: the header row (line 1) is unusable");
    EXPECT_EQ(batch.rows[1].raw, "1,a,2");
}

TEST_F(FileAdapterTest, NamesColumnsFromSettingsWithoutAHeader) {
    drop("births_1.csv", "1,a\n2,b\n");
    auto adapter = open(settings(R"(,"csv":{"header":false,"columns":["id","name"]})"));
    const PullBatch batch = adapter->pull(std::nullopt, 100);
    ASSERT_EQ(batch.rows.size(), 2u);
    EXPECT_EQ(batch.rows[0].locator, "births_1.csv line 1");
    EXPECT_EQ(batch.rows[0].json, R"({"id":"1","name":"a"})");
}

TEST_F(FileAdapterTest, ReadsJsonLinesKeepingNumbersExact) {
    writeFile(drop_ + "/births_1.jsonl",
              "{\"id\": 320411201403051249, \"name\":\"张𠮷\", \"w\": 3.25e3}\n[1,2]\n{\"a\":\n{\"b\":null}\n");
    writeFile(drop_ + "/births_1.jsonl.ok", "");
    auto adapter = open(R"({"dir":")" + drop_ + R"(","pattern":"*.jsonl","format":"jsonl","marker_suffix":".ok"})");
    const PullBatch batch = adapter->pull(std::nullopt, 100);
    ASSERT_EQ(batch.rows.size(), 4u);
    EXPECT_EQ(batch.rows[0].json, R"({"id":320411201403051249,"name":"张𠮷","w":3.25e3})");
    EXPECT_EQ(batch.rows[0].raw, "{\"id\": 320411201403051249, \"name\":\"张𠮷\", \"w\": 3.25e3}");
    EXPECT_EQ(batch.rows[1].error, "births_1.jsonl line 2: not a JSON object");
    EXPECT_EQ(batch.rows[2].error, "births_1.jsonl line 3: not a JSON object: Invalid value. at byte 5");
    EXPECT_EQ(batch.rows[3].json, R"({"b":null})");
    EXPECT_EQ(batch.rows[3].raw, "");
}

TEST_F(FileAdapterTest, ALineNestedBeyondTheLimitIsARowErrorAndTheRestGoesOn) {
    // 300,000 brackets overflowed the stack of a recursive parser; 64 levels are allowed, 65 are not.
    const auto nested = [](std::size_t levels) {
        return "{\"x\":" + std::string(levels - 1, '[') + std::string(levels - 1, ']') + "}";
    };
    writeFile(drop_ + "/births_1.jsonl",
              "{\"id\":\"1\"}\n" + nested(300000) + "\n" + nested(65) + "\n" + nested(64) + "\n{\"id\":\"2\"}\n");
    writeFile(drop_ + "/births_1.jsonl.ok", "");
    auto adapter = open(R"({"dir":")" + drop_ + R"(","pattern":"*.jsonl","format":"jsonl","marker_suffix":".ok"})");
    const PullBatch batch = adapter->pull(std::nullopt, 100);
    ASSERT_EQ(batch.rows.size(), 5u);
    EXPECT_EQ(batch.rows[0].json, R"({"id":"1"})");
    EXPECT_EQ(batch.rows[1].error, "births_1.jsonl line 2: not a JSON object: nests deeper than 64 levels at byte 68");
    EXPECT_EQ(batch.rows[1].raw.size(), nested(300000).size()) << "the line is kept for the quarantine";
    EXPECT_EQ(batch.rows[2].error, "births_1.jsonl line 3: not a JSON object: nests deeper than 64 levels at byte 68");
    EXPECT_TRUE(batch.rows[3].error.empty()) << batch.rows[3].error;
    EXPECT_EQ(batch.rows[3].json, nested(64));
    EXPECT_EQ(batch.rows[4].json, R"({"id":"2"})");
}

TEST_F(FileAdapterTest, NeverFollowsASymbolicLinkInTheDropFolder) {
    // A link planted among the exports, to a file the gateway can read but the exporter could not: it is neither
    // read nor archived (moving it would move the link, but reading it would stage the target's contents).
    const std::string outside = dir_.file("outside.csv");
    writeFile(outside, "id\nsecret\n");
    std::filesystem::create_symlink(outside, drop_ + "/births_20261101070000.csv");
    writeFile(drop_ + "/births_20261101070000.csv.ok", "");
    drop("births_20261101080000.csv", "id\n1\n");
    auto adapter = open(settings());
    std::optional<std::string> watermark;
    const auto rows = drain(*adapter, watermark, 100);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].json, R"({"id":"1"})");
    EXPECT_TRUE(std::filesystem::is_symlink(drop_ + "/births_20261101070000.csv")) << "left where it was";
    EXPECT_TRUE(std::filesystem::exists(outside));
    EXPECT_FALSE(std::filesystem::exists(archive_ + "/births_20261101070000.csv"));
}

TEST_F(FileAdapterTest, TakesAFileOnlyOnceItsMarkerExists) {
    drop("births_20261101080000.csv", "id\n1\n", false);
    auto adapter = open(settings());
    const PullBatch before = adapter->pull(std::nullopt, 100);
    EXPECT_TRUE(before.rows.empty());
    EXPECT_EQ(before.watermark, "");
    EXPECT_FALSE(before.more);

    writeFile(drop_ + "/births_20261101080000.csv.ok", "");
    const PullBatch after = adapter->pull(std::nullopt, 100);
    ASSERT_EQ(after.rows.size(), 1u);
    EXPECT_EQ(after.rows[0].json, R"({"id":"1"})");
}

TEST_F(FileAdapterTest, TakesAFileOnceItHasSettled) {
    const std::string path = drop_ + "/births_1.csv";
    writeFile(path, "id\n1\n");
    setModified(path, clock_->now() - 10 * Poco::Timestamp::resolution());
    auto adapter = open(R"({"dir":")" + drop_ + R"(","pattern":"births_*.csv","settle_seconds":60})");
    EXPECT_TRUE(adapter->pull(std::nullopt, 100).rows.empty());
    clock_->advance(std::chrono::seconds(49));
    EXPECT_TRUE(adapter->pull(std::nullopt, 100).rows.empty());
    clock_->advance(std::chrono::seconds(1));
    EXPECT_EQ(adapter->pull(std::nullopt, 100).rows.size(), 1u);
}

TEST_F(FileAdapterTest, TakesFilesOldestFirstByTheTimeInTheirNames) {
    // Written newest first, so modification times run the other way.
    drop("births_20261103080000.csv", "id\n3\n");
    drop("births_20261101080000.csv", "id\n1\n");
    drop("births_20261102080000.csv", "id\n2\n");
    setModified(drop_ + "/births_20261103080000.csv", Poco::Timestamp::fromEpochTime(1000));
    setModified(drop_ + "/births_20261101080000.csv", Poco::Timestamp::fromEpochTime(3000));
    auto adapter = open(settings());
    std::optional<std::string> watermark;
    const auto rows = drain(*adapter, watermark, 100);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].locator, "births_20261101080000.csv line 2");
    EXPECT_EQ(rows[1].locator, "births_20261102080000.csv line 2");
    EXPECT_EQ(rows[2].locator, "births_20261103080000.csv line 2");
}

TEST_F(FileAdapterTest, TakesFilesByModificationTimeWhenNamesCarryNoTime) {
    drop("births_a.csv", "id\na\n");
    drop("births_b.csv", "id\nb\n");
    setModified(drop_ + "/births_a.csv", Poco::Timestamp::fromEpochTime(2000));
    setModified(drop_ + "/births_b.csv", Poco::Timestamp::fromEpochTime(1000));
    auto adapter = open(settings());
    std::optional<std::string> watermark;
    const auto rows = drain(*adapter, watermark, 100);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].json, R"({"id":"b"})");
    EXPECT_EQ(rows[1].json, R"({"id":"a"})");
}

TEST(DropFolderTest, FindsTheTimeInAFileName) {
    EXPECT_EQ(timestampInName("births_20261101080000.csv"), "20261101080000");
    EXPECT_EQ(timestampInName("births_202611010800.csv"), "20261101080000");
    EXPECT_EQ(timestampInName("births_20261101.csv"), "20261101000000");
    EXPECT_EQ(timestampInName("v2_births_20261101.csv"), "20261101000000");
    EXPECT_EQ(timestampInName("births_20261301.csv"), std::nullopt);  // month 13
    EXPECT_EQ(timestampInName("births_1234567.csv"), std::nullopt);
    EXPECT_EQ(timestampInName("births.csv"), std::nullopt);
}

TEST_F(FileAdapterTest, ArchivesWithTheChecksumAndNeverTakesAFileTwice) {
    const std::string bytes = "id\n1\n2\n";
    drop("births_20261101080000.csv", bytes);
    auto adapter = open(settings());
    const PullBatch batch = adapter->pull(std::nullopt, 100);
    ASSERT_EQ(batch.rows.size(), 2u);
    EXPECT_FALSE(batch.more);
    const auto position = decodeFilePosition(batch.watermark);
    ASSERT_TRUE(position);
    EXPECT_EQ(*position, (FilePosition{"births_20261101080000.csv", sha256Of(bytes), bytes.size(), 4, true}));

    adapter->committed(batch);
    EXPECT_FALSE(std::filesystem::exists(drop_ + "/births_20261101080000.csv"));
    EXPECT_FALSE(std::filesystem::exists(drop_ + "/births_20261101080000.csv.ok"));
    EXPECT_EQ(readFile(archive_ + "/births_20261101080000.csv"), bytes);
    EXPECT_EQ(readFile(archive_ + "/births_20261101080000.csv.sha256"),
              sha256Of(bytes) + "  births_20261101080000.csv\n");

    const PullBatch again = adapter->pull(batch.watermark, 100);
    EXPECT_TRUE(again.rows.empty());
    EXPECT_EQ(again.watermark, batch.watermark);
    EXPECT_FALSE(again.more);

    // A later file of the same name is a new file; its archive copy gets the checksum in its name.
    const std::string later = "id\n3\n";
    drop("births_20261101080000.csv", later);
    const PullBatch third = adapter->pull(batch.watermark, 100);
    ASSERT_EQ(third.rows.size(), 1u);
    adapter->committed(third);
    EXPECT_EQ(readFile(archive_ + "/births_20261101080000." + sha256Of(later).substr(0, 12) + ".csv"), later);
}

TEST_F(FileAdapterTest, ResumesAfterTheLastCommittedRowWhenRestarted) {
    std::string bytes = "id,name\n";
    for (int i = 1; i <= 5; ++i) {
        bytes += std::to_string(i) + ",\"n\n" + std::to_string(i) + "\"\n";  // two lines per record
    }
    drop("births_1.csv", bytes);
    std::optional<std::string> committed;
    {
        auto first = open(settings());
        const PullBatch one = first->pull(committed, 2);
        ASSERT_EQ(one.rows.size(), 2u);
        EXPECT_TRUE(one.more);
        committed = one.watermark;
        first->committed(one);
        const PullBatch lost = first->pull(committed, 2);  // the process dies before this batch commits
        ASSERT_EQ(lost.rows.size(), 2u);
        EXPECT_EQ(lost.rows[0].json, R"({"id":"3","name":"n\n3"})");
    }
    auto second = open(settings());
    const PullBatch two = second->pull(committed, 2);
    ASSERT_EQ(two.rows.size(), 2u);
    EXPECT_EQ(two.rows[0].json, R"({"id":"3","name":"n\n3"})");
    EXPECT_EQ(two.rows[0].locator, "births_1.csv line 6");
    EXPECT_EQ(two.payload, bytes.substr(bytes.find("3,"), bytes.find("5,") - bytes.find("3,")));
    second->committed(two);
    const PullBatch three = second->pull(two.watermark, 2);
    ASSERT_EQ(three.rows.size(), 1u);
    EXPECT_EQ(three.rows[0].json, R"({"id":"5","name":"n\n5"})");
    EXPECT_FALSE(three.more);
}

TEST_F(FileAdapterTest, ArchivesAFinishedFileLeftBehindWithoutStagingItAgain) {
    drop("births_20261101080000.csv", "id\n1\n");
    std::string watermark;
    {
        auto first = open(settings());
        const PullBatch batch = first->pull(std::nullopt, 100);
        ASSERT_EQ(batch.rows.size(), 1u);
        watermark = batch.watermark;  // committed, then the process stops before committed() archives the file
    }
    drop("births_20261102080000.csv", "id\n2\n");
    auto second = open(settings());
    const PullBatch batch = second->pull(watermark, 100);
    ASSERT_EQ(batch.rows.size(), 1u);
    EXPECT_EQ(batch.rows[0].locator, "births_20261102080000.csv line 2");
    EXPECT_TRUE(std::filesystem::exists(archive_ + "/births_20261101080000.csv"));
    EXPECT_FALSE(std::filesystem::exists(drop_ + "/births_20261101080000.csv"));
}

TEST_F(FileAdapterTest, RefusesToGoOnWhenAFileChangesHalfWayThrough) {
    drop("births_1.csv", "id\n1\n2\n3\n");
    auto adapter = open(settings());
    const PullBatch batch = adapter->pull(std::nullopt, 1);
    adapter->committed(batch);
    writeFile(drop_ + "/births_1.csv", "id\n1\n2\n3\n4\n");
    const std::string message = errorOf([&] { adapter->pull(batch.watermark, 1); });
    EXPECT_EQ(message.rfind("source_error: the file " + drop_ +
                                "/births_1.csv changed after its rows before line 3 "
                                "were staged",
                            0),
              0u)
        << message;
}

TEST_F(FileAdapterTest, AHeaderOnlyFileIsFinishedWithNoRows) {
    drop("births_1.csv", "id,name\n");
    drop("births_2.csv", "id,name\n1,a\n");
    setModified(drop_ + "/births_1.csv", Poco::Timestamp::fromEpochTime(1000));
    auto adapter = open(settings());
    const PullBatch batch = adapter->pull(std::nullopt, 100);
    EXPECT_TRUE(batch.rows.empty());
    EXPECT_TRUE(batch.more);
    EXPECT_EQ(batch.payload, "id,name\n");
    ASSERT_TRUE(decodeFilePosition(batch.watermark));
    EXPECT_TRUE(decodeFilePosition(batch.watermark)->done);
    adapter->committed(batch);
    const PullBatch next = adapter->pull(batch.watermark, 100);
    ASSERT_EQ(next.rows.size(), 1u);
}

TEST_F(FileAdapterTest, RejectsAWatermarkItDidNotWrite) {
    auto adapter = open(settings());
    EXPECT_EQ(errorOf([&] { adapter->pull(std::string("{\"after\":\"17\"}"), 10); }),
              "invalid_config: source health_births: the stored watermark was not written by the file adapter: "
              "\"{\\\"after\\\":\\\"17\\\"}\"");
}

TEST_F(FileAdapterTest, AMissingDropFolderIsUnavailable) {
    auto adapter = open(R"({"dir":")" + drop_ + R"(/missing","pattern":"*.csv","marker_suffix":".ok"})");
    EXPECT_EQ(errorOf([&] { adapter->pull(std::nullopt, 10); }),
              "source_unavailable: cannot read the drop folder " + drop_ + "/missing: No such file or directory");
}

TEST_F(FileAdapterTest, StreamsABigGb18030FileInBatches) {
    constexpr int kRows = 100000;
    std::string csv = kBirthsHeader;
    for (int i = 0; i < kRows; ++i) {
        csv += birthRow(i, i % 7 == 0 ? "张𠮷" : "欧阳子涵");
    }
    const std::string bytes = toGb18030(csv);
    drop("births_20261101080000.csv", bytes);

    auto adapter = open(settings());
    std::optional<std::string> watermark;
    std::size_t rows = 0;
    std::size_t batches = 0;
    std::size_t largest_payload = 0;
    std::string payloads;
    const auto start = std::chrono::steady_clock::now();
    while (true) {
        PullBatch batch = adapter->pull(watermark, 5000);
        if (batch.watermark == watermark.value_or("")) {
            break;
        }
        for (const auto& row : batch.rows) {
            ASSERT_EQ(row.error, "") << row.locator;
        }
        rows += batch.rows.size();
        ++batches;
        largest_payload = std::max(largest_payload, batch.payload.size());
        payloads += batch.payload;
        watermark = batch.watermark;
        adapter->committed(batch);
        if (!batch.more) {
            break;
        }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "[ info     ] " << kRows << " GB18030 CSV rows (" << bytes.size() / 1024 << " KiB) in " << seconds
              << " s: " << static_cast<long>(kRows / seconds) << " rows/s\n";
    EXPECT_EQ(rows, static_cast<std::size_t>(kRows));
    EXPECT_EQ(batches, 20u);
    EXPECT_LT(largest_payload, bytes.size() / 10);
    EXPECT_EQ(payloads, bytes);
    EXPECT_TRUE(std::filesystem::exists(archive_ + "/births_20261101080000.csv"));
}

TEST(RecordReaderTest, SplitsRecordsAcrossChunkBoundaries) {
    TempDir dir;
    const std::string path = dir.file("x.csv");
    writeFile(path, "a,\"b\nc\"\r\n\n" + toGb18030("张,亅") + "\nlast");
    RecordReaderOptions options;
    options.gb18030 = true;
    options.chunk_bytes = 1;  // every byte its own read
    RecordReader reader(path, 0, 1, options);
    std::string captured;
    reader.capture(&captured);
    RawRecord record;
    ASSERT_TRUE(reader.next(record));
    EXPECT_EQ(record.bytes, "a,\"b\nc\"");
    EXPECT_EQ(record.line, 1u);
    EXPECT_TRUE(record.terminated);
    ASSERT_TRUE(reader.next(record));
    EXPECT_EQ(record.bytes, toGb18030("张,亅"));
    EXPECT_EQ(record.line, 4u);
    ASSERT_TRUE(reader.next(record));
    EXPECT_EQ(record.bytes, "last");
    EXPECT_FALSE(record.terminated);
    EXPECT_FALSE(reader.next(record));
    EXPECT_TRUE(reader.atEnd());
    EXPECT_EQ(captured, readFile(path));
}

TEST(RecordReaderTest, SplitsCsvFields) {
    std::vector<std::string> fields;
    std::string error;
    ASSERT_TRUE(splitCsvFields("a,\"b,\"\"c\"\"\",,d\"e", ',', '"', fields, error));
    EXPECT_EQ(fields, (std::vector<std::string>{"a", "b,\"c\"", "", "d\"e"}));
    ASSERT_TRUE(splitCsvFields("a,", ',', '"', fields, error));
    EXPECT_EQ(fields, (std::vector<std::string>{"a", ""}));
    EXPECT_FALSE(splitCsvFields("a,\"b\"x,c", ',', '"', fields, error));
    EXPECT_EQ(error, "field 2: text after the closing quote");
    EXPECT_FALSE(splitCsvFields("\"open", ',', '"', fields, error));
    EXPECT_EQ(error, "field 1: the quoted field is not closed");
}

}  // namespace
}  // namespace gateway::adapters::file
