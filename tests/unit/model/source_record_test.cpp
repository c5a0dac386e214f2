#include "gateway/model/source_record.h"

#include <gtest/gtest.h>

#include <string>

namespace gateway::model {
namespace {

// The example of DESIGN §4 with the elided values filled in.
constexpr std::string_view kDesignExample =
    R"({"source":"police_population","source_id":"P0001234","observed_at":"2026-11-01T08:00:00Z",)"
    R"("name":"张子涵","sex":"2","birth_date":"2014-03-05","id_number":"320411201403051249",)"
    R"("ethnicity":"01","hukou_division":"320411101201","residence_division":"320411101201","address":"孟河镇小河村",)"
    R"("identifiers":{"student_no":"G320411201403051249","birth_cert_no":"Q320123456"},)"
    R"("guardians":[{"relation":"mother","name":"李娜","id_number":"320411198801011224","status":"migrant_worker",)"
    R"("phone":"13800000000"}],)"
    R"("facts":{"enrolment":{"school":"孟河中心小学","grade":6},"health":{},"assistance":[{"kind":"低保"}],)"
    R"("household":{"size":4}}})";

SourceRecord parsed(std::string_view json) {
    SourceRecordResult result = parseSourceRecord(json);
    EXPECT_TRUE(result) << result.error;
    EXPECT_TRUE(result.error.empty());
    return result.record.value_or(SourceRecord{});
}

std::string rejection(std::string_view json) {
    SourceRecordResult result = parseSourceRecord(json);
    EXPECT_FALSE(result) << "accepted: " << json.substr(0, 200);
    EXPECT_FALSE(result.record.has_value());
    return result.error;
}

std::string minimalWith(std::string_view members) {
    return R"({"source":"s","source_id":"1",)" + std::string(members) + "}";
}

std::string nested(std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

TEST(SourceRecordTest, ParsesDesignExample) {
    const SourceRecord record = parsed(kDesignExample);
    EXPECT_EQ(record.source, "police_population");
    EXPECT_EQ(record.source_id, "P0001234");
    EXPECT_EQ(record.observed_at, "2026-11-01T08:00:00Z");
    EXPECT_EQ(record.name, "张子涵");
    EXPECT_EQ(record.sex, "2");
    EXPECT_EQ(record.birth_date, "2014-03-05");
    EXPECT_EQ(record.id_number, "320411201403051249");
    EXPECT_EQ(record.ethnicity, "01");
    EXPECT_EQ(record.hukou_division, "320411101201");
    EXPECT_EQ(record.residence_division, "320411101201");
    EXPECT_EQ(record.address, "孟河镇小河村");
    EXPECT_EQ(record.identifiers, (std::map<std::string, std::string>{{"birth_cert_no", "Q320123456"},
                                                                      {"student_no", "G320411201403051249"}}));
    ASSERT_EQ(record.guardians.size(), 1u);
    EXPECT_EQ(record.guardians[0], (Guardian{"mother", "李娜", "320411198801011224", "migrant_worker", "13800000000"}));
    EXPECT_EQ(record.facts, R"({"enrolment":{"school":"孟河中心小学","grade":6},"health":{},)"
                            R"("assistance":[{"kind":"低保"}],"household":{"size":4}})");
}

TEST(SourceRecordTest, DesignExampleRoundTripsToTheSameText) {
    SourceRecordResult result = parseSourceRecord(kDesignExample);
    ASSERT_TRUE(result) << result.error;
    EXPECT_TRUE(result.warnings.empty());
    // Identifiers come back in key order, which is the only difference from the input.
    std::string expected(kDesignExample);
    expected.replace(expected.find(R"("student_no":"G320411201403051249","birth_cert_no":"Q320123456")"),
                     std::string_view(R"("student_no":"G320411201403051249","birth_cert_no":"Q320123456")").size(),
                     R"("birth_cert_no":"Q320123456","student_no":"G320411201403051249")");
    EXPECT_EQ(toJson(*result.record), expected);
    EXPECT_EQ(parsed(toJson(*result.record)), *result.record);
}

TEST(SourceRecordTest, MinimalRecordHasDefaults) {
    const SourceRecord record = parsed(R"({"source":"school_register","source_id":"S1"})");
    EXPECT_EQ(record.source, "school_register");
    EXPECT_EQ(record.source_id, "S1");
    EXPECT_TRUE(record.name.empty());
    EXPECT_TRUE(record.identifiers.empty());
    EXPECT_TRUE(record.guardians.empty());
    EXPECT_EQ(record.facts, "{}");
    EXPECT_EQ(toJson(record), R"({"source":"school_register","source_id":"S1"})");
}

TEST(SourceRecordTest, WritesKeysInDesignOrderAndOmitsEmptyFields) {
    SourceRecord record;
    record.facts = R"({"a":1})";
    record.address = "地址";
    record.guardians.push_back(Guardian{"", "王芳", "", "", ""});
    record.sex = "1";
    record.source_id = "id";
    record.source = "src";
    record.identifiers["z"] = "last";
    record.identifiers["a"] = "first";
    EXPECT_EQ(toJson(record),
              R"({"source":"src","source_id":"id","sex":"1","address":"地址",)"
              R"("identifiers":{"a":"first","z":"last"},"guardians":[{"name":"王芳"}],"facts":{"a":1}})");
    EXPECT_EQ(parsed(toJson(record)), record);
}

TEST(SourceRecordTest, RequiresSourceAndSourceId) {
    EXPECT_EQ(rejection(R"({"source_id":"1"})"), "field \"source\" is required");
    EXPECT_EQ(rejection(R"({"source":"s"})"), "field \"source_id\" is required");
    EXPECT_EQ(rejection(R"({"source":"","source_id":"1"})"), "field \"source\" must not be empty");
    EXPECT_EQ(rejection(R"({"source":"s","source_id":""})"), "field \"source_id\" must not be empty");
    EXPECT_EQ(rejection("{}"), "field \"source\" is required");
}

TEST(SourceRecordTest, RejectsWrongTypesNamingTheField) {
    EXPECT_EQ(rejection(R"({"source":1,"source_id":"1"})"), "field \"source\" must be a string, got number");
    EXPECT_EQ(rejection(minimalWith(R"("name":null)")), "field \"name\" must be a string, got null");
    EXPECT_EQ(rejection(minimalWith(R"("sex":2)")), "field \"sex\" must be a string, got number");
    EXPECT_EQ(rejection(minimalWith(R"("birth_date":true)")), "field \"birth_date\" must be a string, got boolean");
    EXPECT_EQ(rejection(minimalWith(R"("address":["a"])")), "field \"address\" must be a string, got array");
    EXPECT_EQ(rejection(minimalWith(R"("hukou_division":{"code":"3204"})")),
              "field \"hukou_division\" must be a string, got object");
    EXPECT_EQ(rejection(minimalWith(R"("identifiers":["G1"])")),
              "field \"identifiers\" must be an object of strings, got array");
    EXPECT_EQ(rejection(minimalWith(R"("identifiers":{"student_no":320411201403051249})")),
              "field \"identifiers.student_no\" must be a string, got number");
    EXPECT_EQ(rejection(minimalWith(R"("guardians":{"relation":"mother"})")),
              "field \"guardians\" must be an array of objects, got object");
    EXPECT_EQ(rejection(minimalWith(R"("guardians":[{"name":"李娜"},"father"])")),
              "field \"guardians[1]\" must be an object, got string");
    EXPECT_EQ(rejection(minimalWith(R"("guardians":[{"name":"李娜"},{"name":7}])")),
              "field \"guardians[1].name\" must be a string, got number");
    EXPECT_EQ(rejection(minimalWith(R"("facts":[])")), "field \"facts\" must be an object, got array");
    EXPECT_EQ(rejection(minimalWith(R"("facts":"{}")")), "field \"facts\" must be an object, got string");
}

TEST(SourceRecordTest, RejectsNonObjectRoots) {
    EXPECT_EQ(rejection("[]"), "record must be a JSON object, got array");
    EXPECT_EQ(rejection(R"("police")"), "record must be a JSON object, got string");
    EXPECT_EQ(rejection("42"), "record must be a JSON object, got number");
    EXPECT_EQ(rejection("null"), "record must be a JSON object, got null");
    EXPECT_EQ(rejection(nested(100000)), "record must be a JSON object, got array");
}

TEST(SourceRecordTest, RejectsMalformedJsonWithOffset) {
    EXPECT_EQ(rejection(""), "malformed JSON at byte 0: The document is empty.");
    EXPECT_EQ(rejection("   "), "malformed JSON at byte 3: The document is empty.");
    EXPECT_EQ(rejection(R"({"source":"s","source_id":"1")"),
              "malformed JSON at byte 29: Missing a comma or '}' after an object member.");
    EXPECT_EQ(rejection(R"({"source":"s",})"), "malformed JSON at byte 14: Missing a name for object member.");
    EXPECT_EQ(rejection(R"({"source":'s'})"), "malformed JSON at byte 10: Invalid value.");
    EXPECT_EQ(rejection(R"({"source":"s","source_id":"1"} {})"),
              "malformed JSON at byte 31: The document root must not be followed by other values.");
    EXPECT_EQ(rejection(minimalWith(R"("facts":{"n":NaN})")), "malformed JSON at byte 43: Invalid value.");
}

TEST(SourceRecordTest, DeepNestingCannotOverflowTheStack) {
    // Unclosed: the iterative parser reports it instead of recursing 100k frames deep.
    const std::string open(100000, '[');
    EXPECT_NE(rejection(open).find("malformed JSON at byte 100000"), std::string::npos);

    const std::string deep_facts = minimalWith(R"("facts":{"x":)" + nested(100000) + "}");
    EXPECT_EQ(rejection(deep_facts), "field \"facts\" nests deeper than 64 levels");
    // Unknown keys are not walked, so depth there costs nothing.
    SourceRecordResult ignored = parseSourceRecord(minimalWith(R"("extra":)" + nested(100000)));
    ASSERT_TRUE(ignored) << ignored.error;
    EXPECT_EQ(ignored.warnings, (std::vector<std::string>{"unknown field \"extra\" ignored"}));
}

TEST(SourceRecordTest, FactsDepthLimitIsExact) {
    // `facts` is level 1, so 63 nested arrays inside it reach level 64.
    const SourceRecord record = parsed(minimalWith(R"("facts":{"x":)" + nested(63) + "}"));
    EXPECT_EQ(record.facts, R"({"x":)" + nested(63) + "}");
    EXPECT_EQ(rejection(minimalWith(R"("facts":{"x":)" + nested(64) + "}")),
              "field \"facts\" nests deeper than 64 levels");
}

TEST(SourceRecordTest, HugeNumbers) {
    EXPECT_EQ(rejection(minimalWith(R"("facts":{"n":1e400})")),
              "malformed JSON at byte 43: Number too big to be stored in double.");
    EXPECT_EQ(rejection(minimalWith(R"("name":1e400})")),
              "malformed JSON at byte 37: Number too big to be stored in double.");
    EXPECT_EQ(rejection(minimalWith(R"("name":123456789012345678901234567890)")),
              "field \"name\" must be a string, got number");
    // 64-bit integers are kept exactly; larger ones become the nearest double, as rapidjson reads them.
    EXPECT_EQ(parsed(minimalWith(R"("facts":{"u":18446744073709551615,"i":-9223372036854775808})")).facts,
              R"({"u":18446744073709551615,"i":-9223372036854775808})");
    EXPECT_EQ(parsed(minimalWith(R"("facts":{"big":123456789012345678901234567890})")).facts,
              R"({"big":1.2345678901234568e29})");
}

TEST(SourceRecordTest, KeepsUnknownKeysAsWarnings) {
    SourceRecordResult result = parseSourceRecord(
        R"({"source":"s","source_id":"1","nmae":"张三","guardians":[{"relation":"father","staus":"present"}]})");
    ASSERT_TRUE(result) << result.error;
    EXPECT_EQ(result.warnings, (std::vector<std::string>{"unknown field \"nmae\" ignored",
                                                         "unknown field \"guardians[0].staus\" ignored"}));
    EXPECT_TRUE(result.record->name.empty());
    EXPECT_EQ(result.record->guardians, (std::vector<Guardian>{Guardian{"father", "", "", "", ""}}));
    EXPECT_EQ(toJson(*result.record), R"({"source":"s","source_id":"1","guardians":[{"relation":"father"}]})");
}

TEST(SourceRecordTest, UnknownKeysAreQuotedSafely) {
    SourceRecordResult result = parseSourceRecord(minimalWith(R"("a\u0000\"b":1)"));
    ASSERT_TRUE(result) << result.error;
    EXPECT_EQ(result.warnings, (std::vector<std::string>{"unknown field \"a\\x00\\\"b\" ignored"}));
}

TEST(SourceRecordTest, RejectsDuplicateKeys) {
    EXPECT_EQ(rejection(R"({"source":"s","source_id":"1","source":"t"})"), "field \"source\" appears more than once");
    EXPECT_EQ(rejection(minimalWith(R"("guardians":[{"name":"a","name":"b"}])")),
              "field \"guardians[0].name\" appears more than once");
    EXPECT_EQ(rejection(minimalWith(R"("identifiers":{"k":"a","k":"b"})")),
              "field \"identifiers.k\" appears more than once");
    EXPECT_EQ(rejection(minimalWith(R"("identifiers":{"":"a"})")), "field \"identifiers\" has an empty key");
}

TEST(SourceRecordTest, GuardianStatusVocabulary) {
    EXPECT_EQ(kGuardianStatuses.size(), 11u);
    for (const std::string_view status : kGuardianStatuses) {
        EXPECT_TRUE(isGuardianStatus(status));
        const SourceRecord record = parsed(minimalWith(R"("guardians":[{"status":")" + std::string(status) + R"("}])"));
        EXPECT_EQ(record.guardians.at(0).status, status);
    }
    EXPECT_FALSE(isGuardianStatus("Present"));
    EXPECT_FALSE(isGuardianStatus(""));
    EXPECT_FALSE(isGuardianStatus("外出务工"));
    EXPECT_EQ(rejection(minimalWith(R"("guardians":[{"relation":"mother"},{"status":"working"}])")),
              "field \"guardians[1].status\" is \"working\", which is not one of present, migrant_worker, deceased, "
              "missing, imprisoned, severe_disability, serious_illness, detained_or_rehab, guardianship_revoked, "
              "deported, unknown");
    const std::string padded = rejection(minimalWith(R"("guardians":[{"status":"present "}])"));
    EXPECT_TRUE(padded.starts_with("field \"guardians[0].status\" is \"present \", which is not one of present, "))
        << padded;
    // An empty status is an absent one, like every other empty string.
    EXPECT_EQ(parsed(minimalWith(R"("guardians":[{"status":""}])")).guardians.at(0).status, "");
}

TEST(SourceRecordTest, NonBmpCharactersSurviveByteForByte) {
    const std::string yoshi = "\xF0\xA0\xAE\xB7";  // 𠮷 U+20BB7
    const std::string json = R"({"source":"s","source_id":"1","name":")" + yoshi + R"(子","address":")" + yoshi +
                             R"(村","identifiers":{")" + yoshi + R"(":")" + yoshi + R"("},"guardians":[{"name":")" +
                             yoshi + R"("}],"facts":{")" + yoshi + R"(":")" + yoshi + R"("}})";
    const SourceRecord record = parsed(json);
    EXPECT_EQ(record.name, yoshi + "子");
    EXPECT_EQ(record.guardians.at(0).name, yoshi);
    EXPECT_EQ(record.identifiers.at(yoshi), yoshi);
    const std::string written = toJson(record);
    EXPECT_EQ(written, json);
    EXPECT_EQ(written.find("\\u"), std::string::npos);
    EXPECT_EQ(parsed(written), record);
}

TEST(SourceRecordTest, EscapedSurrogatePairsBecomeRawUtf8) {
    const SourceRecord record = parsed(minimalWith(R"("name":"\uD842\uDFB7\u5B50","facts":{"n":"\uD842\uDFB7"})"));
    EXPECT_EQ(record.name, "\xF0\xA0\xAE\xB7子");
    EXPECT_EQ(record.facts, "{\"n\":\"\xF0\xA0\xAE\xB7\"}");
}

TEST(SourceRecordTest, RejectsInvalidUtf8) {
    EXPECT_EQ(rejection(minimalWith("\"name\":\"\xFF\"")), "malformed JSON at byte 38: Invalid encoding in string.");
    EXPECT_EQ(rejection(minimalWith("\"name\":\"\xE5\xAD\"")),
              "malformed JSON at byte 38: Invalid encoding in string.");
    EXPECT_EQ(rejection(minimalWith("\"facts\":{\"\xC0\xAF\":1}")),
              "malformed JSON at byte 40: Invalid encoding in string.");
    // Escaped lone surrogates slip past rapidjson's check and are caught afterwards.
    EXPECT_EQ(rejection(minimalWith(R"("name":"a\uDC00")")), "field \"name\" is not valid UTF-8: \"a\\xED\\xB0\\x80\"");
    EXPECT_EQ(rejection(minimalWith(R"("facts":{"k":"\uDFFF"})")),
              "field \"facts\" contains a string that is not valid UTF-8: \"\\xED\\xBF\\xBF\"");
    EXPECT_EQ(rejection(minimalWith(R"("identifiers":{"\uDC00":"x"})")),
              "field \"identifiers\" has a key that is not valid UTF-8 text: \"\\xED\\xB0\\x80\"");
    EXPECT_EQ(rejection(minimalWith(R"("name":"\uD800x")")),
              "malformed JSON at byte 38: The surrogate pair in string is invalid.");
}

TEST(SourceRecordTest, NulBytesAndEscapedNul) {
    std::string raw = minimalWith(R"("name":"ab")");
    raw[raw.find("ab") + 1] = '\0';
    EXPECT_EQ(rejection(raw), "record contains a NUL byte at byte 39, which JSON text cannot");
    // rapidjson alone would stop at the NUL and accept the record in front of it.
    const std::string trailing = std::string(R"({"source":"s","source_id":"1"})") + std::string("\0{\"x\":1}", 8);
    EXPECT_EQ(rejection(trailing), "record contains a NUL byte at byte 30, which JSON text cannot");

    EXPECT_EQ(rejection(minimalWith(R"("name":"a\u0000b")")), "field \"name\" contains U+0000");
    EXPECT_EQ(rejection(minimalWith(R"("guardians":[{"phone":"\u0000"}])")),
              "field \"guardians[0].phone\" contains U+0000");
    // Inside facts it is data like any other and keeps its escape.
    EXPECT_EQ(parsed(minimalWith(R"("facts":{"k":"a\u0000b"})")).facts, R"({"k":"a\u0000b"})");
}

TEST(SourceRecordTest, ControlCharactersRoundTripEscaped) {
    const SourceRecord record = parsed(minimalWith(R"("address":"line1\nline2\t\"q\"\\","name":"a/b")"));
    EXPECT_EQ(record.address, "line1\nline2\t\"q\"\\");
    const std::string written = toJson(record);
    EXPECT_EQ(written, R"({"source":"s","source_id":"1","name":"a/b","address":"line1\nline2\t\"q\"\\"})");
    EXPECT_EQ(parsed(written), record);
}

TEST(SourceRecordTest, SizeLimit) {
    const std::string head = R"({"source":"s","source_id":"1","address":")";
    const std::string tail = R"("})";
    const std::string at_limit = head + std::string(kMaxSourceRecordBytes - head.size() - tail.size(), 'a') + tail;
    ASSERT_EQ(at_limit.size(), kMaxSourceRecordBytes);
    EXPECT_EQ(parsed(at_limit).address.size(), kMaxSourceRecordBytes - head.size() - tail.size());

    const std::string over = head + std::string(kMaxSourceRecordBytes - head.size() - tail.size() + 1, 'a') + tail;
    EXPECT_EQ(rejection(over), "record is 1048577 bytes, over the limit of 1048576 bytes");
}

TEST(SourceRecordTest, TenKilobyteValuesAndGarbage) {
    std::string long_name;
    for (int i = 0; i < 3500; ++i) {
        long_name += "张";
    }
    const SourceRecord record = parsed(minimalWith(R"("name":")" + long_name + R"(")"));
    EXPECT_EQ(record.name, long_name);
    EXPECT_EQ(parsed(toJson(record)), record);

    std::string garbage(10 * 1024, '\0');
    for (std::size_t i = 0; i < garbage.size(); ++i) {
        garbage[i] = static_cast<char>(0x80 + (i * 37) % 0x7F);
    }
    EXPECT_EQ(rejection(garbage), "malformed JSON at byte 0: Invalid value.");
}

TEST(SourceRecordTest, FactsAreKeptCompact) {
    const SourceRecord record = parsed(minimalWith(R"( "facts" : { "a" : [ 1 , 2.5 , true , null ] , "b" : { } } )"));
    EXPECT_EQ(record.facts, R"({"a":[1,2.5,true,null],"b":{}})");
    EXPECT_EQ(parsed(toJson(record)).facts, record.facts);
}

TEST(SourceRecordTest, HandBuiltRecordRoundTrips) {
    SourceRecord record;
    record.source = "civil_affairs";
    record.source_id = "C-9";
    record.observed_at = "2026-11-01T08:00:00Z";
    record.name = "欧阳𠮷";
    record.sex = "9";
    record.birth_date = "2015-02-28";
    record.id_number = "34060420150228123X";
    record.ethnicity = "02";
    record.hukou_division = "340604001001";
    record.residence_division = "320411101004";
    record.address = "杨庄街道";
    record.identifiers = {{"case_no", "R-1"}, {"birth_cert_no", "Q1"}};
    record.guardians = {Guardian{"father", "欧阳明", "", "imprisoned", ""},
                        Guardian{"grandmother", "", "", "unknown", "0561-1234567"}, Guardian{}};
    record.facts = R"({"assistance":[{"kind":"孤儿基本生活费","since":"2020-01"}]})";
    const std::string written = toJson(record);
    EXPECT_EQ(parsed(written), record);
    EXPECT_NE(written.find(R"("guardians":[{"relation":"father","name":"欧阳明","status":"imprisoned"},)"),
              std::string::npos)
        << written;
    EXPECT_NE(written.find(R"({"relation":"grandmother","status":"unknown","phone":"0561-1234567"},{}])"),
              std::string::npos)
        << written;
}

}  // namespace
}  // namespace gateway::model
