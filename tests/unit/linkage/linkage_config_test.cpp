#include "gateway/linkage/linkage_config.h"

#include "gateway/common/error.h"

#include <gtest/gtest.h>

#include <string>

namespace gateway::linkage {
namespace {

// A minimal valid configuration; each test breaks one part of it.
constexpr const char* kFields = R"("fields": {
        "name": {"type": "chinese_name", "from": "/name"},
        "sex": {"type": "text", "from": "/sex"},
        "born": {"type": "date", "from": "/birth_date"},
        "id": {"type": "citizen_id", "from": "/id_number"}
    })";

std::string config(const std::string& comparisons, const std::string& rest = "") {
    return std::string("{") + kFields + R"(, "comparisons": )" + comparisons + R"(, "blocking": [["born"]])" +
           (rest.empty() ? "" : ", " + rest) + "}";
}

std::string configWithBlocking(const std::string& blocking) {
    return std::string("{") + kFields + R"(, "comparisons": [{"field": "name", "levels": ["exact"]}], "blocking": )" +
           blocking + "}";
}

constexpr const char* kOneComparison = R"([{"field": "name", "levels": ["exact", "pinyin"]}])";

/// The message of the InvalidConfig error parsing `json` throws; fails the test when it throws none or another.
std::string failure(const std::string& json) {
    try {
        LinkageConfig::parse(json, "test.json");
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.code(), ErrorCode::InvalidConfig) << error.message();
        return error.message();
    }
    ADD_FAILURE() << "parsed without error: " << json;
    return {};
}

TEST(LinkageConfigTest, MinimalConfigurationParsesWithDefaults) {
    const LinkageConfig parsed = LinkageConfig::parse(config(kOneComparison), "test.json");
    ASSERT_EQ(parsed.fields.size(), 4u);
    EXPECT_EQ(parsed.fields[parsed.fieldIndex("born")].type, FieldType::Date);
    EXPECT_EQ(parsed.fieldIndex("nothing"), std::string::npos);
    ASSERT_EQ(parsed.comparisons.size(), 1u);
    EXPECT_EQ(parsed.comparisons[0].name, "name");
    EXPECT_EQ(parsed.comparisons[0].levelCount(), 3u);
    EXPECT_EQ(parsed.comparisons[0].levels[1].kind, LevelKind::Pinyin);
    ASSERT_EQ(parsed.blocking.size(), 1u);
    EXPECT_EQ(parsed.blocking[0].name, "born");
    EXPECT_TRUE(parsed.blocking[0].estimate);
    EXPECT_EQ(parsed.source_pointer, "/source");
    EXPECT_EQ(parsed.id_pointer, "/source_id");
    EXPECT_DOUBLE_EQ(parsed.thresholds.link, 12);
    EXPECT_DOUBLE_EQ(parsed.thresholds.review, 4);
    EXPECT_DOUBLE_EQ(parsed.thresholds.non_link, 0);
    EXPECT_FALSE(parsed.across_sources_only);
    EXPECT_EQ(parsed.person_prefix, "P");
}

TEST(LinkageConfigTest, BuiltinChildConfigurationParses) {
    const LinkageConfig child = LinkageConfig::builtinChild();
    EXPECT_EQ(child.fields.size(), 12u);
    EXPECT_EQ(child.comparisons.size(), 12u);
    EXPECT_LE(child.comparisons.size(), 16u);
    EXPECT_EQ(child.deterministic.size(), 3u);
    EXPECT_EQ(child.blocking.size(), 6u);
    ASSERT_EQ(child.groups.size(), 1u);
    EXPECT_EQ(child.groups[0].name, "household");
    EXPECT_EQ(child.groups[0].comparisons.size(), 6u);
    EXPECT_DOUBLE_EQ(child.groups[0].max_weight, 12);
    EXPECT_DOUBLE_EQ(child.groups[0].min_weight, -12);
    EXPECT_DOUBLE_EQ(child.thresholds.link, 14);
    EXPECT_DOUBLE_EQ(child.thresholds.review, 8);
    EXPECT_DOUBLE_EQ(child.thresholds.non_link, -4);
    EXPECT_DOUBLE_EQ(child.em.min_m, 0.000001);

    const std::size_t id = child.fieldIndex("id_number");
    ASSERT_NE(id, std::string::npos);
    EXPECT_EQ(child.fields[id].type, FieldType::CitizenId);
    ASSERT_EQ(child.fields[id].sources.size(), 2u);
    EXPECT_EQ(child.fields[id].sources[0].pointer, "/id_number");
    EXPECT_EQ(child.fields[id].sources[1].pointer, "/identifiers/student_no");
    EXPECT_EQ(child.fields[id].sources[1].strip_prefix, "G");
    ASSERT_EQ(child.distinct_within_source.size(), 1u);
    EXPECT_EQ(child.distinct_within_source[0], id);

    const std::size_t mother = child.fieldIndex("mother_id");
    ASSERT_NE(mother, std::string::npos);
    ASSERT_EQ(child.fields[mother].sources.size(), 1u);
    EXPECT_EQ(child.fields[mother].sources[0].pointer, "/guardians/*/id_number");
    ASSERT_EQ(child.fields[mother].sources[0].where.size(), 1u);
    EXPECT_EQ(child.fields[mother].sources[0].where[0].first, "/relation");
    EXPECT_EQ(child.fields[mother].sources[0].where[0].second, "mother");

    const std::size_t surname = child.fieldIndex("surname");
    ASSERT_NE(surname, std::string::npos);
    EXPECT_EQ(child.fields[surname].part, NamePart::Surname);
    EXPECT_EQ(child.fields[surname].placeholders.size(), 3u);

    const DeterministicRule& newborn = child.deterministic[2];
    EXPECT_EQ(newborn.name, "newborn_by_mother");
    EXPECT_EQ(newborn.equal.size(), 3u);
    ASSERT_EQ(newborn.require_level.size(), 1u);
    EXPECT_EQ(child.comparisons[newborn.require_level[0].first].name, "given_name");
    EXPECT_EQ(newborn.require_level[0].second, 1);  // "pinyin" is the second level of given_name

    bool found_mother_block = false;
    for (const BlockingRule& rule : child.blocking) {
        if (rule.name == "mother_id") {
            found_mother_block = true;
            EXPECT_FALSE(rule.estimate);
        }
    }
    EXPECT_TRUE(found_mother_block);
}

TEST(LinkageConfigTest, EveryLevelKindParsesWithItsParameter) {
    const LinkageConfig parsed = LinkageConfig::parse(
        config(R"([{"field": "name", "levels": ["exact", "pinyin", "damerau<=2", "jaro_winkler>=0.92"]},
                   {"field": "born", "levels": ["exact", "day_month_swapped", "one_field_differs"]},
                   {"field": "sex", "levels": ["prefix=3", "within=1.5"]}])"),
        "test.json");
    ASSERT_EQ(parsed.comparisons.size(), 3u);
    const auto& name = parsed.comparisons[0].levels;
    EXPECT_EQ(name[2].kind, LevelKind::Damerau);
    EXPECT_DOUBLE_EQ(name[2].param, 2);
    EXPECT_EQ(name[2].label, "damerau<=2");
    EXPECT_EQ(name[3].kind, LevelKind::JaroWinkler);
    EXPECT_DOUBLE_EQ(name[3].param, 0.92);
    EXPECT_EQ(parsed.comparisons[1].levels[1].kind, LevelKind::DateSwap);
    EXPECT_EQ(parsed.comparisons[1].levels[2].kind, LevelKind::DateOneField);
    EXPECT_EQ(parsed.comparisons[2].levels[0].kind, LevelKind::Prefix);
    EXPECT_DOUBLE_EQ(parsed.comparisons[2].levels[0].param, 3);
    EXPECT_EQ(parsed.comparisons[2].levels[1].kind, LevelKind::Within);
    EXPECT_DOUBLE_EQ(parsed.comparisons[2].levels[1].param, 1.5);
}

TEST(LinkageConfigTest, FixedProbabilitiesAreKept) {
    const LinkageConfig parsed = LinkageConfig::parse(
        config(R"([{"field": "sex", "levels": ["exact"], "m": [0.9, 0.1], "u": [0.5, 0.5]}])"), "test.json");
    EXPECT_EQ(parsed.comparisons[0].m, (std::vector<double>{0.9, 0.1}));
    EXPECT_EQ(parsed.comparisons[0].u, (std::vector<double>{0.5, 0.5}));
}

TEST(LinkageConfigTest, NotJsonAtAllIsRejectedWithTheOrigin) {
    const std::string message = failure("fields: [");
    EXPECT_EQ(message.rfind("test.json:1: invalid JSON: ", 0), 0u) << message;
    const std::string truncated = failure("{\"fields\": {\n");
    EXPECT_EQ(truncated.rfind("test.json:2: invalid JSON: ", 0), 0u) << truncated;
    EXPECT_NE(failure("").find("invalid JSON"), std::string::npos);
}

TEST(LinkageConfigTest, DocumentThatIsNotAnObjectNamesTheRoot) {
    EXPECT_EQ(failure("[]"), "test.json:1: expected an object, got array");
    EXPECT_EQ(failure("42"), "test.json:1: expected an object, got number");
}

TEST(LinkageConfigTest, UnknownTopLevelKeyNamesTheRootAndTheKnownKeys) {
    const std::string message = failure(config(kOneComparison, R"("threshold": {"link": 12})"));
    EXPECT_EQ(message.rfind("test.json:6: unknown key 'threshold' (did you mean 'thresholds'? known: description, ", 0),
              0u)
        << message;
}

TEST(LinkageConfigTest, UnknownKeysInNestedObjectsNameTheirPointer) {
    EXPECT_EQ(failure(config(R"([{"field": "name", "levels": ["exact"], "weight": 3}])"))
                  .rfind("test.json:6: at /comparisons/0: unknown key 'weight'", 0),
              0u);
    EXPECT_EQ(failure(config(kOneComparison, R"("thresholds": {"link": 12, "match": 3})"))
                  .rfind("test.json:6: at /thresholds: unknown key 'match'", 0),
              0u);
    EXPECT_EQ(
        failure(config(kOneComparison, R"("constraints": {"one_per_sorce": true})"))
            .rfind("test.json:6: at /constraints: unknown key 'one_per_sorce' (did you mean 'one_per_source'?", 0),
        0u);
    EXPECT_EQ(failure(config(kOneComparison, R"("em": {"seeds": 3})"))
                  .rfind("test.json:6: at /em: unknown key 'seeds' (did you mean 'seed'?", 0),
              0u);
    const std::string field = failure(R"({"fields": {"a": {"type": "text", "from": "/a", "form": "/b"}},
        "comparisons": [{"field": "a", "levels": ["exact"]}], "blocking": [["a"]]})");
    EXPECT_EQ(field.rfind("test.json:1: at /fields/a: unknown key 'form' (did you mean 'from'?", 0), 0u) << field;
    const std::string source = failure(R"({"fields": {"a": {"type": "text", "from": {"pointer": "/a", "strip": "G"}}},
        "comparisons": [{"field": "a", "levels": ["exact"]}], "blocking": [["a"]]})");
    EXPECT_EQ(source.rfind("test.json:1: at /fields/a/from: unknown key 'strip'", 0), 0u) << source;
    const std::string rule = failure(configWithBlocking(R"([{"key": ["born"], "estimated": false}])"));
    EXPECT_EQ(rule.rfind("test.json:6: at /blocking/0: unknown key 'estimated' (did you mean 'estimate'?", 0), 0u)
        << rule;
}

TEST(LinkageConfigTest, RepeatedKeyIsRejectedWithTheLinesOfBoth) {
    // RapidJSON kept both members, so the second field of a name silently joined the first.
    EXPECT_EQ(failure(R"({"fields": {"a": {"type": "text", "from": "/a"},
                                     "a": {"type": "date", "from": "/b"}},
                          "comparisons": [{"field": "a", "levels": ["exact"]}], "blocking": [["a"]]})"),
              "test.json:2: at /fields: duplicate key 'a' (first at line 1)");
    EXPECT_EQ(failure(config(kOneComparison, R"("thresholds": {"link": 12,
                                                               "link": 14})")),
              "test.json:7: at /thresholds: duplicate key 'link' (first at line 6)");
}

TEST(LinkageConfigTest, UnknownFieldInAComparisonNamesItsPointerAndTheKnownFields) {
    EXPECT_EQ(failure(config(R"([{"field": "name", "levels": ["exact"]}, {"field": "gender", "levels": ["exact"]}])")),
              "test.json:6: at /comparisons/1/field: unknown field 'gender' (known: name, sex, born, id)");
}

TEST(LinkageConfigTest, UnknownFieldInABlockingRuleNamesItsPointer) {
    EXPECT_EQ(failure(configWithBlocking(R"([["born"], ["born", "surname:pinyin"]])")),
              "test.json:6: at /blocking/1/1: unknown field 'surname' (known: name, sex, born, id)");
    EXPECT_EQ(failure(configWithBlocking(R"([{"name": "x", "key": ["sex", "dob"]}])")),
              "test.json:6: at /blocking/0/key/1: unknown field 'dob' (known: name, sex, born, id)");
}

TEST(LinkageConfigTest, BadBlockingKeysAreRejected) {
    EXPECT_EQ(failure(configWithBlocking(R"([[]])")), "test.json:6: at /blocking/0: a key needs at least one field");
    EXPECT_EQ(failure(configWithBlocking(R"([])")), "test.json:6: at /blocking: declare at least one blocking rule");
    EXPECT_EQ(failure(configWithBlocking(R"([["sex:year"]])")),
              "test.json:6: at /blocking/0/0: \":year\" applies to date fields only");
    EXPECT_EQ(failure(configWithBlocking(R"([["sex:pinyin"]])")),
              "test.json:6: at /blocking/0/0: \":pinyin\" applies to chinese_name fields only");
    EXPECT_EQ(failure(configWithBlocking(R"([["id:prefix=0"]])")),
              "test.json:6: at /blocking/0/0: a prefix of at least one character");
    EXPECT_NE(failure(configWithBlocking(R"([["id:soundex"]])")).find("at /blocking/0/0: unknown key transform"),
              std::string::npos);
    EXPECT_EQ(failure(configWithBlocking(R"([{"name": "no key"}])")), "test.json:6: at /blocking/0: missing \"key\"");
}

TEST(LinkageConfigTest, UnknownFieldInADeterministicRuleNamesItsPointer) {
    EXPECT_EQ(failure(config(kOneComparison, R"("deterministic": [{"name": "by_id", "equal": ["id", "passport"]}])")),
              "test.json:6: at /deterministic/0/equal/1: unknown field 'passport' (known: name, sex, born, id)");
    EXPECT_EQ(failure(config(kOneComparison,
                             R"("deterministic": [{"name": "by_id", "equal": ["id"], "require_valid": ["idd"]}])")),
              "test.json:6: at /deterministic/0/require_valid/0: unknown field 'idd' (did you mean 'id'? known: name, "
              "sex, born, id)");
}

TEST(LinkageConfigTest, BadDeterministicRulesAreRejected) {
    EXPECT_EQ(failure(config(kOneComparison, R"("deterministic": [{"equal": ["id"]}])")),
              "test.json:6: at /deterministic/0: a deterministic rule needs \"name\" and \"equal\"");
    EXPECT_EQ(failure(config(kOneComparison, R"("deterministic": [{"name": "x", "equal": []}])")),
              "test.json:6: at /deterministic/0/equal: name at least one field");
    EXPECT_EQ(failure(config(kOneComparison,
                             R"("deterministic": [{"name": "x", "equal": ["sex"], "require_valid": ["sex"]}])")),
              "test.json:6: at /deterministic/0/require_valid/0: validity is known for citizen_id fields only");
    EXPECT_EQ(
        failure(config(kOneComparison,
                       R"("deterministic": [{"name": "x", "equal": ["id"], "require_level": {"nam": "pinyin"}}])")),
        "test.json:6: at /deterministic/0/require_level/nam: unknown comparison 'nam' (did you mean 'name'? known: "
        "name)");
    EXPECT_EQ(
        failure(config(kOneComparison,
                       R"("deterministic": [{"name": "x", "equal": ["id"], "require_level": {"name": "fuzzy"}}])")),
        "test.json:6: at /deterministic/0/require_level/name: comparison \"name\" has no level \"fuzzy\"");
}

TEST(LinkageConfigTest, UnknownLevelNamesItsPointerAndTheKnownLevels) {
    const std::string message = failure(config(R"([{"field": "name", "levels": ["exact", "soundex"]}])"));
    EXPECT_EQ(message.rfind("test.json:6: at /comparisons/0/levels/1: unknown level \"soundex\" (expected exact, ", 0),
              0u)
        << message;
}

TEST(LinkageConfigTest, LevelNotValidForTheFieldTypeIsRejected) {
    EXPECT_EQ(failure(config(R"([{"field": "sex", "levels": ["exact", "pinyin"]}])")),
              "test.json:6: at /comparisons/0/levels/1: \"pinyin\" compares chinese_name fields only");
    EXPECT_EQ(failure(config(R"([{"field": "born", "levels": ["pinyin"]}])")),
              "test.json:6: at /comparisons/0/levels/0: \"pinyin\" compares chinese_name fields only");
    EXPECT_EQ(failure(config(R"([{"field": "name", "levels": ["day_month_swapped"]}])")),
              "test.json:6: at /comparisons/0/levels/0: \"day_month_swapped\" compares date fields only");
    EXPECT_EQ(failure(config(R"([{"field": "id", "levels": ["exact", "one_field_differs"]}])")),
              "test.json:6: at /comparisons/0/levels/1: \"one_field_differs\" compares date fields only");
}

TEST(LinkageConfigTest, LevelParametersMustBeFiniteNonNegativeNumbers) {
    for (const char* level : {"damerau<=", "damerau<=x", "damerau<=1x", "damerau<=-1", "damerau<=nan", "damerau<=1e999",
                              "prefix=", "prefix=inf", "jaro_winkler>= 0.9x"}) {
        const std::string message =
            failure(config(std::string(R"([{"field": "name", "levels": [")") + level + R"("]}])"));
        EXPECT_EQ(
            message.rfind(
                std::string("test.json:6: at /comparisons/0/levels/0: \"") + level + "\": expected a number after", 0),
            0u)
            << message;
    }
    EXPECT_EQ(failure(config(R"([{"field": "name", "levels": ["jaro_winkler>=1.5"]}])")),
              "test.json:6: at /comparisons/0/levels/0: a Jaro–Winkler similarity lies between 0 and 1");
}

TEST(LinkageConfigTest, LevelCountMustBeOneToFourteen) {
    EXPECT_EQ(failure(config(R"([{"field": "name", "levels": []}])")),
              "test.json:6: at /comparisons/0/levels: give one to fourteen agreement levels");
    std::string fifteen = "[";
    for (int i = 0; i < 15; ++i) {
        fifteen += (i == 0 ? "\"prefix=" : ", \"prefix=") + std::to_string(15 - i) + "\"";
    }
    fifteen += "]";
    EXPECT_EQ(failure(config(R"([{"field": "name", "levels": )" + fifteen + "}]")),
              "test.json:6: at /comparisons/0/levels: give one to fourteen agreement levels");
    std::string fourteen = fifteen.substr(0, fifteen.rfind(", ")) + "]";
    EXPECT_EQ(LinkageConfig::parse(config(R"([{"field": "name", "levels": )" + fourteen + "}]"), "test.json")
                  .comparisons[0]
                  .levelCount(),
              15u);
}

TEST(LinkageConfigTest, LevelsThatCannotWorkAreRejected) {
    EXPECT_EQ(failure(config(R"([{"field": "name", "levels": ["within=1"]}])")),
              "test.json:6: at /comparisons/0/levels/0: \"within=N\" compares numbers held in text fields only");
    EXPECT_EQ(failure(config(R"([{"field": "name", "levels": ["damerau<=9"]}])")),
              "test.json:6: at /comparisons/0/levels/0: a Damerau distance is a whole number from 0 to 8");
    EXPECT_EQ(failure(config(R"([{"field": "name", "levels": ["damerau<=1.5"]}])")),
              "test.json:6: at /comparisons/0/levels/0: a Damerau distance is a whole number from 0 to 8");
    // Equal dates must reach some level, or they would score as "different".
    EXPECT_EQ(failure(config(R"([{"field": "born", "levels": ["day_month_swapped", "one_field_differs"]}])")),
              "test.json:6: at /comparisons/0/levels: no level holds for equal values: add \"exact\"");
}

TEST(LinkageConfigTest, ThresholdsMustBeOrdered) {
    EXPECT_EQ(failure(config(kOneComparison, R"("thresholds": {"link": 10, "review": 11})")),
              "test.json:6: at /thresholds: review must not exceed link");
    EXPECT_EQ(failure(config(kOneComparison, R"("thresholds": {"link": 10, "review": 4, "non_link": 5})")),
              "test.json:6: at /thresholds: non_link must not exceed review");
    // Only review given: it is checked against the default link threshold (12).
    EXPECT_EQ(failure(config(kOneComparison, R"("thresholds": {"review": 13})")),
              "test.json:6: at /thresholds: review must not exceed link");
    EXPECT_EQ(failure(config(kOneComparison, R"("thresholds": {"link": "12"})")),
              "test.json:6: at /thresholds/link: expected a number, got string");
    const LinkageConfig equal =
        LinkageConfig::parse(config(kOneComparison, R"("thresholds": {"link": 5, "review": 5, "non_link": 5})"), "t");
    EXPECT_DOUBLE_EQ(equal.thresholds.non_link, 5);
}

TEST(LinkageConfigTest, ProbabilitiesNeedOnePerLevelAndOneForDifferent) {
    EXPECT_EQ(
        failure(config(R"([{"field": "name", "levels": ["exact", "pinyin"], "m": [0.9, 0.1], "u": [0.1, 0.2, 0.7]}])")),
        "test.json:6: at /comparisons/0/m: expected 3 probabilities (one per level and one for \"different\"), found "
        "2");
    EXPECT_EQ(
        failure(config(
            R"([{"field": "name", "levels": ["exact", "pinyin"], "m": [0.8, 0.1, 0.1], "u": [0.1, 0.2, 0.3, 0.4]}])")),
        "test.json:6: at /comparisons/0/u: expected 3 probabilities (one per level and one for \"different\"), "
        "found 4");
    EXPECT_EQ(failure(config(R"([{"field": "sex", "levels": ["exact"], "m": [0.9, 0.1]}])")),
              "test.json:6: at /comparisons/0: give both \"m\" and \"u\" or neither");
    EXPECT_EQ(failure(config(R"([{"field": "sex", "levels": ["exact"], "m": [1, 0], "u": [0.5, 0.5]}])")),
              "test.json:6: at /comparisons/0/m/0: a probability strictly between 0 and 1");
    EXPECT_EQ(failure(config(R"([{"field": "sex", "levels": ["exact"], "m": [0.9, 0.1], "u": [0.5, -0.5]}])")),
              "test.json:6: at /comparisons/0/u/1: a probability strictly between 0 and 1");
}

TEST(LinkageConfigTest, AtMostSixteenComparisons) {
    std::string list = "[";
    for (int i = 0; i < 17; ++i) {
        list += (i == 0 ? "" : ", ") + std::string(R"({"name": "c)") + std::to_string(i) +
                R"(", "field": "sex", "levels": ["exact"]})";
    }
    const std::string seventeen = list + "]";
    EXPECT_EQ(failure(config(seventeen)), "test.json:6: at /comparisons: at most 16 comparisons");
    const std::string sixteen = list.substr(0, list.rfind(", {")) + "]";
    EXPECT_EQ(LinkageConfig::parse(config(sixteen), "test.json").comparisons.size(), 16u);
    EXPECT_EQ(failure(config("[]")), "test.json:6: at /comparisons: declare at least one comparison");
}

TEST(LinkageConfigTest, DuplicateComparisonNamesAreRejected) {
    EXPECT_EQ(failure(config(R"([{"field": "name", "levels": ["exact"]}, {"field": "name", "levels": ["pinyin"]}])")),
              "test.json:6: at /comparisons/1: a second comparison named \"name\": give one of them a \"name\"");
    EXPECT_EQ(failure(config(R"([{"field": "sex", "levels": ["exact"], "name": "x"},
                                 {"field": "born", "levels": ["exact"], "name": "x"}])")),
              "test.json:7: at /comparisons/1: a second comparison named \"x\": give one of them a \"name\"");
    const LinkageConfig named = LinkageConfig::parse(
        config(
            R"([{"field": "name", "levels": ["exact"]}, {"field": "name", "name": "name_fuzzy", "levels": ["pinyin"]}])"),
        "test.json");
    EXPECT_EQ(named.comparisons[1].name, "name_fuzzy");
}

TEST(LinkageConfigTest, WhereNeedsAStarPointer) {
    EXPECT_EQ(failure(R"({"fields": {"mother": {"type": "citizen_id",
                          "from": {"pointer": "/guardians/0/id_number", "where": {"relation": "mother"}}}},
                          "comparisons": [{"field": "mother", "levels": ["exact"]}], "blocking": [["mother"]]})"),
              "test.json:2: at /fields/mother/from/where: \"where\" filters array elements: the pointer needs a \"*\" "
              "segment");
    EXPECT_EQ(
        failure(R"({"fields": {"mother": {"type": "citizen_id", "from": ["/id",
                          {"pointer": "/mother_id", "where": {"relation": "mother"}}]}},
                          "comparisons": [{"field": "mother", "levels": ["exact"]}], "blocking": [["mother"]]})"),
        "test.json:2: at /fields/mother/from/1/where: \"where\" filters array elements: the pointer needs a \"*\" "
        "segment");
    EXPECT_EQ(failure(R"({"fields": {"mother": {"type": "text",
                          "from": {"pointer": "/guardians/*/name", "where": {"relation": 1}}}},
                          "comparisons": [{"field": "mother", "levels": ["exact"]}], "blocking": [["mother"]]})"),
              "test.json:2: at /fields/mother/from/where/relation: expected a string, got number");
}

TEST(LinkageConfigTest, BadFieldDeclarationsNameTheirPointer) {
    auto withField = [](const std::string& field) {
        return R"({"fields": {"f": )" + field +
               R"(}, "comparisons": [{"field": "f", "levels": ["exact"]}], "blocking": [["f"]]})";
    };
    EXPECT_EQ(failure(withField(R"({"type": "number", "from": "/f"})")),
              "test.json:1: at /fields/f/type: unknown field type \"number\" (expected text, citizen_id, date, "
              "chinese_name or division)");
    EXPECT_EQ(failure(withField(R"({"from": "/f"})")), "test.json:1: at /fields/f: missing \"type\"");
    EXPECT_EQ(failure(withField(R"({"type": "text"})")),
              "test.json:1: at /fields/f: missing \"from\" (a JSON pointer or a list of them)");
    EXPECT_EQ(failure(withField(R"({"type": "text", "from": []})")),
              "test.json:1: at /fields/f/from: empty list: give at least one pointer");
    EXPECT_EQ(failure(withField(R"({"type": "text", "from": "name"})")),
              "test.json:1: at /fields/f/from: a JSON pointer starts with \"/\": \"name\"");
    EXPECT_EQ(failure(withField(R"({"type": "text", "from": ["/a", 3]})")),
              "test.json:1: at /fields/f/from/1: expected an object, got number");
    EXPECT_EQ(failure(withField(R"({"type": "text", "from": {"where": {}}})")),
              "test.json:1: at /fields/f/from: missing \"pointer\"");
    EXPECT_EQ(failure(withField(R"({"type": "text", "part": "surname", "from": "/f"})")),
              "test.json:1: at /fields/f/part: \"part\" applies to chinese_name fields only");
    EXPECT_EQ(failure(withField(R"({"type": "chinese_name", "part": "middle", "from": "/f"})")),
              "test.json:1: at /fields/f/part: unknown part \"middle\" (expected full, surname or given)");
    EXPECT_EQ(failure(withField(R"({"type": "text", "placeholders": ["x"], "from": "/f"})")),
              "test.json:1: at /fields/f/placeholders: \"placeholders\" apply to chinese_name fields only");
    EXPECT_EQ(failure(R"({"fields": {}, "comparisons": [], "blocking": []})"),
              "test.json:1: at /fields: declare at least one field");
    EXPECT_EQ(failure(R"({"comparisons": [], "blocking": []})"), "test.json:1: missing \"fields\"");
}

TEST(LinkageConfigTest, CitizenIdBirthDateNamesADateField) {
    const LinkageConfig child = LinkageConfig::builtinChild();
    EXPECT_EQ(child.fields[child.fieldIndex("id_number")].birth_date, child.fieldIndex("birth_date"));
    EXPECT_EQ(child.fields[child.fieldIndex("mother_id")].birth_date, std::string::npos);

    auto withFields = [](const std::string& fields) {
        return R"({"fields": {)" + fields +
               R"(}, "comparisons": [{"field": "id", "levels": ["exact"]}], "blocking": [["id"]]})";
    };
    // The birth date may be declared after the ID.
    const LinkageConfig later =
        LinkageConfig::parse(withFields(R"("id": {"type": "citizen_id", "birth_date": "born", "from": "/i"},
                      "born": {"type": "date", "from": "/b"})"),
                             "test.json");
    EXPECT_EQ(later.fields[0].birth_date, 1u);
    EXPECT_EQ(failure(withFields(R"("id": {"type": "citizen_id", "birth_date": "born", "from": "/i"})")),
              "test.json:1: at /fields/id/birth_date: unknown field \"born\"");
    EXPECT_EQ(failure(withFields(R"("id": {"type": "citizen_id", "birth_date": "sex", "from": "/i"},
                                    "sex": {"type": "text", "from": "/s"})")),
              "test.json:1: at /fields/id/birth_date: field \"sex\" is text, not date");
    EXPECT_EQ(failure(withFields(R"("id": {"type": "citizen_id", "birth_date": "id", "from": "/i"})")),
              "test.json:1: at /fields/id/birth_date: field \"id\" is citizen_id, not date");
    EXPECT_EQ(failure(withFields(R"("id": {"type": "text", "birth_date": "born", "from": "/i"},
                                    "born": {"type": "date", "from": "/b"})")),
              "test.json:1: at /fields/id/birth_date: \"birth_date\" applies to citizen_id fields only");
    EXPECT_EQ(failure(withFields(R"("id": {"type": "citizen_id", "birth_date": 3, "from": "/i"})")),
              "test.json:1: at /fields/id/birth_date: expected a string, got number");
}

TEST(LinkageConfigTest, PointersInMessagesEscapeSlashAndTildeInNames) {
    // RFC 6901: a member named "a/b" is reached by "/a~1b"; "a~b" by "/a~0b". A message that claims to name a JSON
    // pointer must name the right one.
    EXPECT_EQ(failure(R"({"fields": {"guardian/phone": {"type": "phone", "from": "/p"}},
                          "comparisons": [], "blocking": []})"),
              "test.json:1: at /fields/guardian~1phone/type: unknown field type \"phone\" (expected text, citizen_id, "
              "date, chinese_name or division)");
    EXPECT_EQ(failure(R"({"fields": {"a~b": {"type": "phone", "from": "/p"}}, "comparisons": [], "blocking": []})")
                  .rfind("test.json:1: at /fields/a~0b/type: ", 0),
              0u);
}

TEST(LinkageConfigTest, MalformedPointerIsRejectedWhenParsed) {
    // "~2" is no RFC 6901 escape: the configuration is wrong, and parse() is where configuration errors are named.
    const std::string message = failure(R"({"fields": {"f": {"type": "text", "from": "/a~2"}},
        "comparisons": [{"field": "f", "levels": ["exact"]}], "blocking": [["f"]]})");
    EXPECT_EQ(message.rfind("test.json:1: at /fields/f/from: ", 0), 0u) << message;
    const std::string record = failure(config(kOneComparison, R"("record": {"id": "/key~"})"));
    EXPECT_EQ(record.rfind("test.json:6: at /record/id: ", 0), 0u) << record;
}

TEST(LinkageConfigTest, BrokenPlaceholderPatternIsRejectedWhenParsed) {
    const std::string message = failure(R"({"fields": {"n": {"type": "chinese_name", "from": "/name",
        "placeholders": ["^(.)某$", "(unclosed"]}}, "comparisons": [{"field": "n", "levels": ["exact"]}],
        "blocking": [["n"]]})");
    EXPECT_EQ(message.rfind("test.json:2: at /fields/n/placeholders/1: ", 0), 0u) << message;
}

TEST(LinkageConfigTest, GroupsAreChecked) {
    const std::string two = R"([{"field": "name", "levels": ["exact"]}, {"field": "sex", "levels": ["exact"]}])";
    EXPECT_EQ(failure(config(two, R"("groups": [{"name": "g", "comparisons": ["name", "mother"]}])")),
              "test.json:6: at /groups/0/comparisons/1: unknown comparison 'mother' (known: name, sex)");
    EXPECT_EQ(failure(config(two, R"("groups": [{"name": "g", "comparisons": ["name"]},
                                               {"name": "h", "comparisons": ["sex", "name"]}])")),
              "test.json:7: at /groups/1/comparisons/1: comparison \"name\" is in another group already");
    EXPECT_EQ(failure(config(two, R"("groups": [{"name": "g", "comparisons": ["name"], "max_weight": -1,
                                                "min_weight": 1}])")),
              "test.json:6: at /groups/0: min_weight exceeds max_weight");
    EXPECT_EQ(failure(config(two, R"("groups": [{"comparisons": ["name"]}])")),
              "test.json:6: at /groups/0: a group needs \"name\" and \"comparisons\"");
}

TEST(LinkageConfigTest, EmAndOtherSettingsAreChecked) {
    EXPECT_EQ(failure(config(kOneComparison, R"("em": {"min_m": 0.5})")),
              "test.json:6: at /em/min_m: expected a probability between 0 and 0.5");
    EXPECT_EQ(failure(config(kOneComparison, R"("em": {"min_m": 0})")),
              "test.json:6: at /em/min_m: expected a probability between 0 and 0.5");
    EXPECT_EQ(failure(config(kOneComparison, R"("em": {"max_iterations": 0})")),
              "test.json:6: at /em/max_iterations: expected a positive whole number");
    EXPECT_EQ(failure(config(kOneComparison, R"("em": {"max_pairs": 1.5})")),
              "test.json:6: at /em/max_pairs: expected a positive whole number");
    EXPECT_EQ(failure(config(kOneComparison, R"("max_block_size": -3)")),
              "test.json:6: at /max_block_size: expected a positive whole number");
    EXPECT_EQ(failure(config(kOneComparison, R"("constraints": {"distinct_within_source": ["passport"]})")),
              "test.json:6: at /constraints/distinct_within_source/0: unknown field 'passport' (known: name, sex, "
              "born, id)");
    EXPECT_EQ(failure(config(kOneComparison, R"("constraints": {"one_per_source": "yes"})")),
              "test.json:6: at /constraints/one_per_source: expected true or false, got string");
    EXPECT_EQ(failure(config(kOneComparison, R"("record": {"source": "source"})")),
              "test.json:6: at /record/source: a JSON pointer starts with \"/\": \"source\"");
    const LinkageConfig parsed = LinkageConfig::parse(
        config(kOneComparison, R"("constraints": {"across_sources_only": true, "one_per_source": true,
                                   "distinct_within_source": ["id"], "ambiguity_margin": 3},
                                   "em": {"seed": 7, "max_pairs": 10}, "max_block_size": 50, "person_prefix": "C")"),
        "test.json");
    EXPECT_TRUE(parsed.across_sources_only);
    EXPECT_TRUE(parsed.one_per_source);
    EXPECT_EQ(parsed.distinct_within_source, (std::vector<std::size_t>{3}));
    EXPECT_DOUBLE_EQ(parsed.ambiguity_margin, 3);
    EXPECT_EQ(parsed.em.seed, 7u);
    EXPECT_EQ(parsed.em.max_pairs, 10u);
    EXPECT_EQ(parsed.max_block_size, 50u);
    EXPECT_EQ(parsed.person_prefix, "C");
}

TEST(LinkageConfigTest, LoadNamesTheFileItCannotRead) {
    try {
        LinkageConfig::load("/nonexistent/linkage.json");
        ADD_FAILURE() << "loaded a missing file";
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.code(), ErrorCode::InvalidConfig);
        EXPECT_EQ(error.message(),
                  "/nonexistent/linkage.json: cannot read the linkage configuration: No such file or directory");
    }
}

TEST(LinkageConfigTest, ShippedFileParsesLikeTheBuiltinOne) {
    const LinkageConfig file = LinkageConfig::load(std::string(GATEWAY_SOURCE_DIR) + "/config/linkage/child.json");
    const LinkageConfig builtin = LinkageConfig::builtinChild();
    ASSERT_EQ(file.comparisons.size(), builtin.comparisons.size());
    for (std::size_t c = 0; c < file.comparisons.size(); ++c) {
        EXPECT_EQ(file.comparisons[c].name, builtin.comparisons[c].name);
        EXPECT_EQ(file.comparisons[c].levelCount(), builtin.comparisons[c].levelCount());
    }
    EXPECT_EQ(file.fields.size(), builtin.fields.size());
    EXPECT_EQ(file.blocking.size(), builtin.blocking.size());
}

}  // namespace
}  // namespace gateway::linkage
