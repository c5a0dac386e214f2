#include "mapping_fixture.h"

#include "gateway/common/utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

// Every transform and validation against the same hostile inputs: nothing crashes, nothing invalid reaches a record,
// every refusal names the field, and characters outside the BMP survive the transforms that keep text.
namespace gateway::mapping {
namespace {

using testing::addressMapping;
using testing::rowWith;

struct StepCase {
    std::string name;
    std::string spec;  // the field specification, reading /v into address
    bool keeps_text;   // whether 𠮷 must come through unchanged
    bool fills_empty;  // whether an empty input may produce a value
};

void PrintTo(const StepCase& step, std::ostream* out) {
    *out << step.name;
}

std::vector<StepCase> stepCases() {
    const auto field = [](std::string_view transform) {
        return R"({"from": "/v", "transforms": [)" + std::string(transform) + "]}";
    };
    const auto validated = [](std::string_view validation) {
        return R"({"from": "/v", "validate": [)" + std::string(validation) + "]}";
    };
    return {
        {"trim", field(R"("trim")"), true, false},
        {"half_width", field(R"("half_width")"), true, false},
        {"upper", field(R"("upper")"), true, false},
        {"lower", field(R"("lower")"), true, false},
        {"remove_spaces", field(R"("remove_spaces")"), true, false},
        {"strip_prefix", field(R"({"strip_prefix": "G"})"), true, false},
        {"default", field(R"({"default": "无"})"), true, true},
        {"concat", field(R"({"concat": [{"const": "-"}]})"), true, true},
        {"regex_extract", field(R"({"regex_extract": {"pattern": "^(.*)$"}})"), true, false},
        {"blank_if_match", field(R"({"blank_if_match": "^[0-9]+$"})"), true, false},
        {"date", field(R"("date")"), false, false},
        {"datetime", field(R"("datetime")"), false, false},
        {"citizen_id", field(R"("citizen_id")"), false, false},
        {"sex", field(R"("sex")"), false, false},
        {"ethnicity", field(R"("ethnicity")"), false, false},
        {"name", field(R"("name")"), true, false},
        {"division", field(R"("division")"), false, false},
        {"division_lookup", field(R"({"division_lookup": "320411"})"), false, false},
        {"lookup", field(R"({"lookup": {"table": "relation", "on_missing": "keep"}})"), true, false},
        {"number", field(R"("number")"), false, false},
        {"boolean", field(R"("boolean")"), false, false},
        {"date_range", validated(R"({"date_range": {"not_after": "as_of"}})"), false, false},
        {"in_table", validated(R"({"in_table": "relation"})"), false, false},
        {"in_directory", validated(R"({"in_directory": true})"), false, false},
        {"matches", validated(R"({"matches": "^.+$"})"), true, false},
        {"max_length", validated(R"({"max_length": 20})"), true, false},
        {"range", validated(R"({"range": {"min": 0}})"), false, false},
        {"required", R"({"from": "/v", "required": true})", true, false},
    };
}

class HostileInputTest : public ::testing::TestWithParam<StepCase> {
protected:
    MappedRecord map(std::string_view json_value) const {
        return addressMapping(GetParam().spec).apply(rowWith("v", json_value));
    }

    /// Accepted output is valid UTF-8 without NUL; a refusal names the field.
    static void expectSound(const MappedRecord& result) {
        if (result.outcome == Outcome::Quarantined) {
            EXPECT_NE(result.reason.find("address (/v): "), std::string::npos) << result.reason;
            return;
        }
        EXPECT_TRUE(utf8::isValid(result.record.address));
        EXPECT_EQ(result.record.address.find('\0'), std::string::npos);
        for (const std::string& warning : result.warnings) {
            EXPECT_NE(warning.find("address (/v): "), std::string::npos) << warning;
        }
    }
};

TEST_P(HostileInputTest, EmptyStaysEmptyUnlessTheStepFillsIt) {
    for (const char* value : {R"("")", "null"}) {
        const MappedRecord result = map(value);
        if (GetParam().name == "required") {
            EXPECT_EQ(result.reason, "address (/v): required, but missing or empty");
            continue;
        }
        EXPECT_NE(result.outcome, Outcome::Quarantined) << value << ": " << result.reason;
        if (!GetParam().fills_empty) {
            EXPECT_EQ(result.record.address, "") << value;
        }
    }
}

TEST_P(HostileInputTest, TenKilobyteValuesAreHandled) {
    std::string big;
    for (int i = 0; i < 2560; ++i) {
        big += "𠮷";  // 10 240 bytes
    }
    const MappedRecord result = map("\"" + big + "\"");
    expectSound(result);
    const std::string& name = GetParam().name;
    if (GetParam().keeps_text && name != "name" && name != "regex_extract" && name != "max_length" &&
        name != "matches" && name != "concat" && result.outcome != Outcome::Quarantined) {
        EXPECT_EQ(result.record.address.size(), big.size());
    }
}

TEST_P(HostileInputTest, EscapedNulIsRefusedBeforeAnyStep) {
    const MappedRecord result = map(R"("ab\u0000cd")");
    ASSERT_EQ(result.outcome, Outcome::Quarantined);
    EXPECT_EQ(result.reason, R"(address (/v): "ab\x00cd" contains U+0000)");
}

TEST_P(HostileInputTest, EscapedLoneSurrogateIsRefusedBeforeAnyStep) {
    // A lone high surrogate is refused by the parser; a lone low one gets through it as ill-formed bytes.
    const MappedRecord result = map(R"("\udc00")");
    ASSERT_EQ(result.outcome, Outcome::Quarantined);
    EXPECT_EQ(result.reason, R"(address (/v): "\xED\xB0\x80" is not valid UTF-8)");
    EXPECT_EQ(map(R"("\ud842")").reason, "row is not valid JSON at byte 19: The surrogate pair in string is invalid.");
}

TEST_P(HostileInputTest, InvalidUtf8InTheRowQuarantinesTheRow) {
    const MappedRecord result = addressMapping(GetParam().spec).apply("{\"id\": \"R1\", \"v\": \"\xC3\x28\"}");
    ASSERT_EQ(result.outcome, Outcome::Quarantined);
    EXPECT_EQ(result.reason, "row is not valid JSON at byte 19: Invalid encoding in string.");
}

TEST_P(HostileInputTest, CharactersOutsideTheBmpSurvive) {
    const MappedRecord result = map(R"("𠮷")");
    expectSound(result);
    if (GetParam().keeps_text) {
        ASSERT_NE(result.outcome, Outcome::Quarantined) << result.reason;
        EXPECT_NE(result.record.address.find("𠮷"), std::string::npos) << result.record.address;
    }
}

TEST_P(HostileInputTest, FullWidthDigitsAreSound) {
    expectSound(map(R"("２０１４０３０５")"));
    expectSound(map(R"("　３２０４１１　")"));
}

INSTANTIATE_TEST_SUITE_P(Steps, HostileInputTest, ::testing::ValuesIn(stepCases()),
                         [](const ::testing::TestParamInfo<StepCase>& info) { return info.param.name; });

}  // namespace
}  // namespace gateway::mapping
