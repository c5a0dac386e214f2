#include "mapping_fixture.h"

#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace gateway::mapping {
namespace {

using testing::loadError;

/// A mapping whose fields object holds `fields`, laid out so that the first field is on line 5.
std::string mappingText(std::string_view fields) {
    return "{\n"
           "    \"source\": \"test\",\n"
           "    \"version\": \"1\",\n"
           "    \"fields\": {\n"
           "        \"source_id\": \"/id\",\n" +
           std::string(fields) +
           "\n"
           "    }\n"
           "}\n";
}

constexpr std::string_view kKnownTransforms =
    "trim, half_width, upper, lower, remove_spaces, strip_prefix, default, concat, regex_extract, blank_if_match, "
    "date, datetime, citizen_id, sex, ethnicity, name, division, division_lookup, lookup, number, boolean";

TEST(MappingLoadErrorTest, UnknownTransformNamesLinePathAndSuggestion) {
    const std::string text = mappingText(R"(        "name": {
            "from": "/xm",
            "transforms": ["trim", "name", "trimm"]
        })");
    EXPECT_EQ(loadError(text, "police.json"),
              "police.json:8: at /fields/name/transforms/2: unknown transform 'trimm' (did you mean 'trim'? known: " +
                  std::string(kKnownTransforms) + ")");
}

TEST(MappingLoadErrorTest, UnknownTransformWithoutACloseMatch) {
    EXPECT_EQ(loadError(mappingText(R"(        "name": {"from": "/xm", "transforms": [{"soundex": {}}]})")),
              "test.json:6: at /fields/name/transforms/0: unknown transform 'soundex' (known: " +
                  std::string(kKnownTransforms) + ")");
}

TEST(MappingLoadErrorTest, BadJsonPointers) {
    EXPECT_EQ(loadError(mappingText(R"(        "name": {"from": "xm"})")),
              "test.json:6: at /fields/name/from: bad JSON pointer 'xm': a pointer starts with '/' (write '/xm', or "
              "use \"column\" for a column name)");
    EXPECT_EQ(loadError(mappingText(R"(        "name": "/fq/~2xm")")),
              "test.json:6: at /fields/name: bad JSON pointer '/fq/~2xm': '~' at byte 4 must be followed by 0 or 1 "
              "(~0 stands for '~', ~1 for '/')");
    EXPECT_EQ(loadError(mappingText(R"(        "guardians": [{"base": "fq", "fields": {"name": "/xm"}}])")),
              "test.json:6: at /fields/guardians/0/base: bad JSON pointer 'fq': a pointer starts with '/' (write "
              "'/fq', or use \"column\" for a column name)");
    EXPECT_EQ(loadError(mappingText(R"(        "facts.a": {"each": "a~", "fields": {"b": "/b"}})")),
              "test.json:6: at /fields/facts.a/each: bad JSON pointer 'a~': a pointer starts with '/' (write '/a~', "
              "or use \"column\" for a column name)");
}

TEST(MappingLoadErrorTest, MissingCodeTable) {
    EXPECT_EQ(loadError(mappingText(R"(        "name": {"from": "/xm",
            "transforms": [{"lookup": "guardian_statuses"}]})")),
              "test.json:7: at /fields/name/transforms/0/lookup: code table 'guardian_statuses' not found (no file " +
                  testing::codesDir() + "/guardian_statuses.json)");
    EXPECT_EQ(loadError(mappingText(R"(        "name": {"from": "/xm", "transforms": [{"lookup": "../secrets"}]})")),
              "test.json:6: at /fields/name/transforms/0/lookup: bad code table name '../secrets': use lower-case "
              "letters, digits and '_'");
}

TEST(MappingLoadErrorTest, CodeTableWithDuplicatesNamesItsOwnFileAndLine) {
    gateway::testing::TempDir dir;
    gateway::testing::writeFile(dir.file("status.json"),
                                "{\n  \"values\": {\n    \"在家\": \"present\",\n"
                                "    \"外出务工\": \"migrant_worker\",\n"
                                "    \"在家\": \"present\"\n  }\n}\n");
    gateway::testing::writeFile(dir.file("bad_value.json"), "{\"values\": {\"在家\": 1}}");
    MappingContext context = testing::testContext();
    context.codes_dir = dir.path();
    const auto error = [&](std::string_view table) {
        try {
            Mapping::parse(mappingText(R"(        "name": {"from": "/xm", "transforms": [{"lookup": ")" +
                                       std::string(table) + "\"}]}"),
                           "test.json", context);
        } catch (const GatewayError& e) {
            return e.message();
        }
        return std::string();
    };
    EXPECT_EQ(error("status"),
              dir.file("status.json") +
                  ":5: at /values: duplicate key '在家' (first at line 3) (code table 'status', used at "
                  "test.json:6)");
    EXPECT_EQ(error("bad_value"), dir.file("bad_value.json") +
                                      ":1: at /values/在家: expected a string, got number (code table 'bad_value', "
                                      "used at test.json:6)");
}

TEST(MappingLoadErrorTest, UnknownKeys) {
    EXPECT_EQ(loadError(mappingText(R"(        "name": {"from": "/xm", "tranforms": ["trim"]})")),
              "test.json:6: at /fields/name: unknown key 'tranforms' (did you mean 'transforms'? known: from, column, "
              "const, first_of, transforms, validate, required, on_error, note)");
    EXPECT_EQ(loadError("{\"source\": \"t\", \"version\": 1, \"feilds\": {}}"),
              "test.json:1: unknown key 'feilds' (did you mean 'fields'? known: source, version, description, fields, "
              "rules)");
    EXPECT_EQ(loadError(mappingText(
                  R"(        "name": {"from": "/xm", "transforms": [{"citizen_id": {"on_bad_check": "keep"}}]})")),
              "test.json:6: at /fields/name/transforms/0/citizen_id: unknown key 'on_bad_check' (known: "
              "on_bad_check_digit, warn_upgraded, birth_date, output)");
    EXPECT_EQ(
        loadError(mappingText(
            R"(        "id_number": {"from": "/v", "transforms": [{"citizen_id": {"birth_date": {"const": "2014"}}}]})")),
        "test.json:6: at /fields/id_number/transforms/0/citizen_id/birth_date: unknown key 'const' (known: from, "
        "column)");
    EXPECT_EQ(loadError(mappingText(
                  R"(        "id_number": {"from": "/v", "transforms": [{"citizen_id": {"birth_date": {}}}]})")),
              "test.json:6: at /fields/id_number/transforms/0/citizen_id/birth_date: the birth date needs 'from' or "
              "'column'");
    EXPECT_EQ(loadError(mappingText(
                  R"(        "id_number": {"from": "/v", "transforms": [{"citizen_id": {"birth_date": "/csrq"}}]})")),
              "test.json:6: at /fields/id_number/transforms/0/citizen_id/birth_date: expected an object, got string");
    EXPECT_EQ(
        loadError(mappingText(
            R"(        "address": {"from": "/v", "transforms": [{"citizen_id": {"output": "old_form", "warn_upgraded": true}}]})")),
        "test.json:6: at /fields/address/transforms/0/citizen_id/warn_upgraded: 'warn_upgraded' does not apply "
        "with output 'old_form', which only copies digits");
    EXPECT_EQ(loadError(mappingText(
                  R"(        "address": {"from": "/v", "transforms": [{"citizen_id": {"output": "15"}}]})")),
              "test.json:6: at /fields/address/transforms/0/citizen_id/output: unknown value '15' (known: id, "
              "old_form)");
    EXPECT_EQ(loadError(mappingText(R"(        "guardians": [{"fields": {"name": "/xm", "mobile": "/dh"}}])")),
              "test.json:6: at /fields/guardians/0/fields: unknown key 'mobile' (known: relation, name, id_number, "
              "status, phone)");
    EXPECT_EQ(loadError(mappingText(R"(        "name": {"from": "/xm", "validate": [{"max_len": 3}]})")),
              "test.json:6: at /fields/name/validate/0: unknown validation 'max_len' (known: date_range, in_table, "
              "in_directory, matches, max_length, range, soft, note)");
}

TEST(MappingLoadErrorTest, UnknownTargetFields) {
    EXPECT_EQ(loadError(mappingText(R"(        "nmae": "/xm")")),
              "test.json:6: at /fields: unknown target field 'nmae' (did you mean 'name'? known: source_id, "
              "observed_at, name, sex, birth_date, id_number, ethnicity, hukou_division, residence_division, address, "
              "guardians, identifiers.NAME, facts.PATH)");
    EXPECT_EQ(loadError(mappingText(R"(        "identifier.student_no": "/xjh")")),
              "test.json:6: at /fields: unknown target field 'identifier.student_no' (did you mean "
              "'identifiers.student_no'? known: source_id, observed_at, name, sex, birth_date, id_number, ethnicity, "
              "hukou_division, residence_division, address, guardians, identifiers.NAME, facts.PATH)");
    EXPECT_EQ(loadError(mappingText(R"(        "source": "/s")")),
              "test.json:6: at /fields/source: 'source' is not a field: the top-level \"source\" names the source of "
              "every record");
    EXPECT_EQ(loadError(mappingText(R"(        "facts.a..b": "/x")")),
              "test.json:6: at /fields/facts.a..b: bad target 'facts.a..b': each part of a facts path is letters, "
              "digits and '_', separated by '.'");
    EXPECT_EQ(loadError(mappingText("        \"facts.a\": \"/x\",\n        \"facts.a.b\": \"/y\"")),
              "test.json:7: at /fields/facts.a.b: target 'facts.a' is already a value, so it cannot hold other facts");
}

TEST(MappingLoadErrorTest, JsonSyntaxErrorsNameLineAndColumn) {
    EXPECT_EQ(loadError("{\n  \"source\": \"t\",\n  \"version\": \"1\"\n  \"fields\": {}\n}\n"),
              "test.json:4: invalid JSON: Missing a comma or '}' after an object member. (column 3)");
    EXPECT_EQ(loadError("{\n  \"source\": \"t\",\n}\n"),
              "test.json:3: invalid JSON: Missing a name for object member. (column 1)");
    EXPECT_EQ(loadError(""), "test.json:1: invalid JSON: The document is empty. (column 1)");
    EXPECT_EQ(loadError("{\"source\": \"t\xFF\"}"),
              "test.json:1: invalid JSON: Invalid encoding in string. (column 14)");
    EXPECT_EQ(loadError(mappingText("        \"name\": \"/a\",\n        \"name\": \"/b\"")),
              "test.json:7: at /fields: duplicate key 'name' (first at line 6)");
}

TEST(MappingLoadErrorTest, StructuralMistakes) {
    EXPECT_EQ(loadError("[]"), "test.json:1: a mapping is a JSON object, got array");
    EXPECT_EQ(loadError(R"({"version": "1", "fields": {}})"), "test.json:1: missing key 'source'");
    EXPECT_EQ(loadError(R"({"source": "Police Data", "version": "1", "fields": {}})"),
              "test.json:1: at /source: bad source name 'Police Data': use lower-case letters, digits and '_', "
              "starting with a letter");
    EXPECT_EQ(loadError(R"({"source": "t", "version": "1", "fields": {"name": "/xm"}})"),
              "test.json:1: at /fields: missing field 'source_id': every record needs the source's own identifier");
    EXPECT_EQ(loadError(mappingText(R"(        "name": {"transforms": ["trim"]})")),
              "test.json:6: at /fields/name: a field needs one of 'from', 'column', 'const' and 'first_of'");
    EXPECT_EQ(loadError(mappingText(R"(        "name": {"from": "/a", "column": "b"})")),
              "test.json:6: at /fields/name: give only one of 'from', 'column' and 'const'");
    EXPECT_EQ(loadError(mappingText(R"(        "name": {"from": "/a", "required": "yes"})")),
              "test.json:6: at /fields/name/required: expected true, false or \"soft\"");
    EXPECT_EQ(loadError(mappingText(R"(        "name": {"from": "/a", "on_error": "ignore"})")),
              "test.json:6: at /fields/name/on_error: unknown value 'ignore' (known: quarantine, warn)");
    EXPECT_EQ(loadError(mappingText(R"(        "guardians": [{"fields": {"relation": {"const": "father"}}}])")),
              "test.json:6: at /fields/guardians/0/fields: a guardian needs at least one of name, id_number and phone");
}

TEST(MappingLoadErrorTest, TransformOptionMistakes) {
    EXPECT_EQ(loadError(mappingText(R"(        "name": {"from": "/a", "transforms": ["lookup"]})")),
              "test.json:6: at /fields/name/transforms/0: missing option 'table'");
    EXPECT_EQ(loadError(mappingText(R"(        "name": {"from": "/a", "transforms": [{"trim": true}]})")),
              "test.json:6: at /fields/name/transforms/0/trim: transform 'trim' takes no options");
    EXPECT_EQ(loadError(mappingText(R"(        "name": {"from": "/a", "transforms": [{"trim": "x", "name": {}}]})")),
              "test.json:6: at /fields/name/transforms/0: a transform is a name (\"trim\") or an object with one key "
              "({\"lookup\": \"table\"}), got an object with 2 keys");
    EXPECT_EQ(loadError(mappingText(
                  R"(        "name": {"from": "/a", "transforms": [{"citizen_id": {"on_bad_check_digit": "fix"}}]})")),
              "test.json:6: at /fields/name/transforms/0/citizen_id/on_bad_check_digit: unknown value 'fix' (known: "
              "error, keep)");
    EXPECT_EQ(loadError(mappingText(R"(        "name": {"from": "/a", "transforms": [{"regex_extract": "([0-9]+"}]})")),
              "test.json:6: at /fields/name/transforms/0/regex_extract: bad regular expression '([0-9]+': "
              "Mismatched '(' and ')' in regular expression");
    EXPECT_EQ(
        loadError(mappingText(
            R"j(        "name": {"from": "/a", "transforms": [{"regex_extract": {"pattern": "(a)", "group": 2}}]})j")),
        "test.json:6: at /fields/name/transforms/0/regex_extract/group: expected a whole number from 0 to 1, "
        "got 2");
    EXPECT_EQ(
        loadError(mappingText(R"(        "name": {"from": "/a", "transforms": [{"datetime": {"zone": "CST"}}]})")),
        "test.json:6: at /fields/name/transforms/0/datetime/zone: bad zone 'CST': expected Z or an offset such "
        "as +08:00");
    EXPECT_EQ(loadError(mappingText(R"(        "name": {"from": "/a", "transforms": [{"division_lookup": "32041"}]})"))
                  .substr(0, 66),
              "test.json:6: at /fields/name/transforms/0/division_lookup: Divisio");
    EXPECT_EQ(
        loadError(mappingText(
            R"(        "name": {"from": "/a", "transforms": [{"lookup": {"table": "relation", "default": "x"}}]})")),
        "test.json:6: at /fields/name/transforms/0/lookup/default: 'default' needs \"on_missing\": \"default\"");
    EXPECT_EQ(loadError(mappingText(R"(        "name": {"from": "/a", "validate": [{"date_range": {}}]})")),
              "test.json:6: at /fields/name/validate/0/date_range: date_range needs at least one of not_after, "
              "not_before, max_years_before");
}

TEST(MappingLoadErrorTest, DivisionFeaturesNeedADirectory) {
    MappingContext context = testing::testContext();
    context.divisions = nullptr;
    try {
        Mapping::parse(mappingText(R"(        "name": {"from": "/a", "transforms": [{"division_lookup": "320411"}]})"),
                       "test.json", context);
        FAIL() << "expected an error";
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.message(),
                  "test.json:6: at /fields/name/transforms/0: division_lookup needs a division "
                  "directory, and none was given");
    }
}

TEST(MappingLoadErrorTest, RulesMustNameMappedTargets) {
    EXPECT_EQ(loadError(R"({"source": "t", "version": "1", "fields": {"source_id": "/id"},
        "rules": [{"at_least_one_of": ["id_number"]}]})"),
              "test.json:2: at /rules/0/at_least_one_of/0: rule names 'id_number', which is not a scalar or "
              "identifiers target this mapping fills");
}

}  // namespace
}  // namespace gateway::mapping
