#include "gateway/linkage/record_table.h"

#include "gateway/common/error.h"
#include "tests/unit/linkage/linkage_fixtures.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gateway::linkage {
namespace {

using fixtures::citizenId;
using fixtures::Guardian;
using fixtures::Rec;

/// Full-width digits (U+FF10…U+FF19) for the ASCII digits of `text`; other characters as they are.
std::string fullWidth(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            const char32_t wide = U'\uFF10' + static_cast<char32_t>(c - '0');
            out += "\xEF\xBC";
            out.push_back(static_cast<char>(0x80 + (wide - 0xFF00)));
        } else {
            out.push_back(c);
        }
    }
    return out;
}

class ChildTableTest : public ::testing::Test {
protected:
    const LinkageConfig config_ = LinkageConfig::builtinChild();
    RecordTable table_{config_};

    /// Adds a record (a fresh source_id each time) and returns its index.
    std::size_t add(Rec record) {
        if (record.source.empty()) {
            record.source = "police";
        }
        if (record.source_id.empty()) {
            record.source_id = "R" + std::to_string(table_.size());
        }
        const std::string error = table_.addJson(record.json());
        EXPECT_EQ(error, "") << record.json();
        return table_.size() - 1;
    }

    /// The normalised value of a field of a record ("" when absent).
    std::string text(std::size_t record, std::string_view field) {
        return table_.entry(record, fixtures::fieldIndex(config_, field)).text;
    }
    bool valid(std::size_t record, std::string_view field) {
        return table_.entry(record, fixtures::fieldIndex(config_, field)).valid;
    }
    bool absent(std::size_t record, std::string_view field) {
        return table_.value(record, fixtures::fieldIndex(config_, field)) == FieldDictionary::kAbsent;
    }
};

const std::string kId = citizenId("320411", "20140305", 124);

TEST_F(ChildTableTest, ValidIdIsKeptValid) {
    const std::size_t r = add({.id_number = kId});
    EXPECT_EQ(text(r, "id_number"), kId);
    EXPECT_TRUE(valid(r, "id_number"));
}

TEST_F(ChildTableTest, StudentNumberWithPrefixGCarriesTheId) {
    const std::size_t r = add({.source = "school", .student_no = "G" + kId});
    EXPECT_EQ(text(r, "id_number"), kId);
    EXPECT_TRUE(valid(r, "id_number"));
}

TEST_F(ChildTableTest, StudentNumberWithoutPrefixGCarriesNoId) {
    const std::size_t j = add({.source = "school", .student_no = "J3204110000123"});
    EXPECT_TRUE(absent(j, "id_number"));
    // The ID digits after another letter are not an ID either: only the configured prefix is stripped.
    const std::size_t other = add({.source = "school", .student_no = "J" + kId});
    EXPECT_TRUE(absent(other, "id_number"));
    const std::size_t bare = add({.source = "school", .student_no = kId});
    EXPECT_TRUE(absent(bare, "id_number"));
}

TEST_F(ChildTableTest, GarbageIdFallsThroughToTheStudentNumber) {
    const std::size_t r = add({.source = "school", .id_number = "无", .student_no = "G" + kId});
    EXPECT_EQ(text(r, "id_number"), kId);
    EXPECT_TRUE(valid(r, "id_number"));
}

TEST_F(ChildTableTest, IdNumberWinsOverTheStudentNumber) {
    const std::string other = citizenId("320411", "20140305", 226);
    const std::size_t r = add({.source = "school", .id_number = kId, .student_no = "G" + other});
    EXPECT_EQ(text(r, "id_number"), kId);
}

TEST_F(ChildTableTest, FifteenDigitIdIsUpgraded) {
    const std::string body = "11010519800101123";
    const std::string upgraded = body + *model::CitizenId::checkCharacter(body);
    const std::size_t r = add({.id_number = "110105800101123"});
    EXPECT_EQ(text(r, "id_number"), upgraded);
    EXPECT_TRUE(valid(r, "id_number"));
}

TEST_F(ChildTableTest, FifteenDigitIdTakesTheCenturyOfTheRecordsBirthDate) {
    // A legacy register cut kId to 15 digits, dropping "20" and the check character.
    const std::size_t r = add({.birth_date = "2014-03-05", .id_number = "320411140305124"});
    EXPECT_EQ(text(r, "id_number"), kId);
    EXPECT_TRUE(valid(r, "id_number"));
    // The birth date in any layout the date field reads; the number in full-width digits.
    const std::size_t wide = add({.birth_date = "2014年3月5日", .id_number = fullWidth("320411140305124")});
    EXPECT_EQ(text(wide, "id_number"), kId);
    // 000229 alone is 1900-02-29, which did not exist; the record's 2000-02-29 did, and its number ends in 1.
    const std::size_t leap = add({.birth_date = "2000-02-29", .id_number = "110105000229002"});
    EXPECT_EQ(text(leap, "id_number"), "110105200002290021");
    EXPECT_TRUE(valid(leap, "id_number"));
    // A birth date in the 1900s gives what 15 digits alone give; so does a record without a readable birth date.
    EXPECT_EQ(text(add({.birth_date = "1980-01-01", .id_number = "110105800101123"}), "id_number"),
              "110105198001011238");
    EXPECT_EQ(text(add({.birth_date = "2014-02-30", .id_number = "320411140305124"}), "id_number"),
              "320411191403051241");
    // The mother's 15-digit number does not take the child's birth date.
    const std::size_t mother =
        add({.birth_date = "2014-03-05", .guardians = {{.relation = "mother", .id_number = "320411870304002"}}});
    EXPECT_EQ(text(mother, "mother_id"), "320411198703040028");
}

TEST_F(ChildTableTest, FifteenDigitIdContradictingTheRecordsBirthDateIsNoIdentity) {
    // The number says 14-03-06, the record 2014-03-05: neither 1914 nor 2014 can be trusted.
    const std::size_t r = add({.birth_date = "2014-03-05", .id_number = "320411140306124"});
    EXPECT_TRUE(absent(r, "id_number"));
    // Across the turn of the century, one day apart.
    EXPECT_TRUE(absent(add({.birth_date = "2000-01-01", .id_number = "110105991231002"}), "id_number"));
    // The next source still counts.
    const std::size_t school =
        add({.source = "school", .birth_date = "2014-03-05", .id_number = "320411140306124", .student_no = "G" + kId});
    EXPECT_EQ(text(school, "id_number"), kId);
    EXPECT_TRUE(valid(school, "id_number"));
}

TEST_F(ChildTableTest, LowerCaseXAndFullWidthDigitsAndSpacesAreFolded) {
    std::string with_x;
    for (int sequence = 0; sequence < 1000 && with_x.empty(); ++sequence) {
        const std::string id = citizenId("320411", "20140305", sequence);
        if (id.back() == 'X') {
            with_x = id;
        }
    }
    ASSERT_FALSE(with_x.empty());
    std::string lower = with_x;
    lower.back() = 'x';
    const std::size_t r = add({.id_number = " " + lower + "\xE3\x80\x80"});
    EXPECT_EQ(text(r, "id_number"), with_x);
    EXPECT_TRUE(valid(r, "id_number"));
    const std::size_t wide = add({.id_number = fullWidth(kId)});
    EXPECT_EQ(text(wide, "id_number"), kId);
    EXPECT_TRUE(valid(wide, "id_number"));
}

TEST_F(ChildTableTest, WrongCheckDigitIsKeptAsInvalidEvidence) {
    const std::string wrong = fixtures::withWrongCheck(kId);
    const std::size_t r = add({.id_number = wrong});
    EXPECT_EQ(text(r, "id_number"), wrong);
    EXPECT_FALSE(valid(r, "id_number"));
    // An impossible birth date inside the number is kept the same way.
    const std::string bad_date = "32041120140230" + std::string("1234");
    const std::size_t d = add({.id_number = bad_date});
    EXPECT_EQ(text(d, "id_number"), bad_date);
    EXPECT_FALSE(valid(d, "id_number"));
}

TEST_F(ChildTableTest, GarbageIdIsAbsent) {
    for (const std::string garbage : {"无", "0", "12345", "32041120140305123", "3204112014030512345",
                                      "320411X01403051240", "不详", "   ", "null"}) {
        const std::size_t r = add({.id_number = garbage});
        EXPECT_TRUE(absent(r, "id_number")) << garbage << " read as " << text(r, "id_number");
    }
}

TEST_F(ChildTableTest, DatesInSeveralLayoutsAreNormalised) {
    for (const std::string layout : {"2014-03-05", "2014-3-5", "2014/3/5", "2014.03.05", "20140305", "2014年3月5日",
                                     "2014-03-05 00:00:00", "2014-03-05T08:00:00Z", " 2014-03-05 ", "41703"}) {
        const std::size_t r = add({.birth_date = layout});
        EXPECT_EQ(text(r, "birth_date"), "2014-03-05") << layout;
    }
    const std::size_t wide = add({.birth_date = fullWidth("2014-03-05")});
    EXPECT_EQ(text(wide, "birth_date"), "2014-03-05");
    const std::size_t entry = add({.birth_date = "2014/3/5"});
    const auto& date = table_.entry(entry, fixtures::fieldIndex(config_, "birth_date")).date;
    EXPECT_EQ(date, model::CalendarDate(2014, 3, 5));
}

TEST_F(ChildTableTest, DateAsJsonNumberIsRead) {
    ASSERT_EQ(table_.addJson(R"({"source":"police","source_id":"N1","birth_date":20140305})"), "");
    EXPECT_EQ(text(table_.size() - 1, "birth_date"), "2014-03-05");
}

TEST_F(ChildTableTest, ImpossibleOrAmbiguousDatesAreAbsent) {
    for (const std::string bad : {"2015-02-29", "2014-13-01", "2014-00-10", "2014-04-31", "2014-03-00", "05/03/2014",
                                  "03/05/2014", "yesterday", "0", "1849-12-31", "2014-03-05-01"}) {
        const std::size_t r = add({.birth_date = bad});
        EXPECT_TRUE(absent(r, "birth_date")) << bad << " read as " << text(r, "birth_date");
    }
    const std::size_t leap = add({.birth_date = "2016-02-29"});
    EXPECT_EQ(text(leap, "birth_date"), "2016-02-29");
}

TEST_F(ChildTableTest, DivisionCodesArePaddedToTwelveDigits) {
    EXPECT_EQ(text(add({.residence_division = "320411"}), "residence"), "320411000000");
    EXPECT_EQ(text(add({.residence_division = "320411101"}), "residence"), "320411101000");
    EXPECT_EQ(text(add({.residence_division = "320411101201"}), "residence"), "320411101201");
    EXPECT_EQ(text(add({.residence_division = " 320411 "}), "residence"), "320411000000");
    EXPECT_EQ(text(add({.residence_division = fullWidth("320411101")}), "residence"), "320411101000");
    EXPECT_EQ(text(add({.hukou_division = "320411101201"}), "hukou"), "320411101201");
    ASSERT_EQ(table_.addJson(R"({"source":"police","source_id":"N2","residence_division":320411})"), "");
    EXPECT_EQ(text(table_.size() - 1, "residence"), "320411000000");
}

TEST_F(ChildTableTest, MalformedDivisionCodesAreAbsent) {
    for (const std::string bad :
         {"32041", "32041110", "3204111012", "3204111012010", "32O411", "-320411", "320411 101", "江苏省常州市", ""}) {
        const std::size_t r = add({.residence_division = bad});
        EXPECT_TRUE(absent(r, "residence")) << bad << " read as " << text(r, "residence");
    }
}

TEST_F(ChildTableTest, PlaceholderNameKeepsOnlyItsSurname) {
    const std::size_t daughter = add({.name = "张某之女"});
    EXPECT_EQ(text(daughter, "surname"), "张");
    EXPECT_TRUE(absent(daughter, "given_name"));
    const std::size_t son = add({.name = "李某之子"});
    EXPECT_EQ(text(son, "surname"), "李");
    EXPECT_TRUE(absent(son, "given_name"));
    const std::size_t someone = add({.name = "王某"});
    EXPECT_EQ(text(someone, "surname"), "王");
    EXPECT_TRUE(absent(someone, "given_name"));
}

TEST_F(ChildTableTest, NicknamesAndEmptyNamesAreAbsent) {
    for (const std::string nickname : {"小涵", "小明明", "", "   ", "\xE3\x80\x80"}) {
        const std::size_t r = add({.name = nickname});
        EXPECT_TRUE(absent(r, "surname")) << nickname << " surname " << text(r, "surname");
        EXPECT_TRUE(absent(r, "given_name")) << nickname << " given " << text(r, "given_name");
    }
}

TEST_F(ChildTableTest, CompoundSurnameIsSplit) {
    const std::size_t r = add({.name = "欧阳娜娜"});
    EXPECT_EQ(text(r, "surname"), "欧阳");
    EXPECT_EQ(text(r, "given_name"), "娜娜");
    const std::size_t sima = add({.name = "司马光"});
    EXPECT_EQ(text(sima, "surname"), "司马");
    EXPECT_EQ(text(sima, "given_name"), "光");
    // Two characters are a one-character surname and a one-character given name, compound or not.
    const std::size_t two = add({.name = "欧阳"});
    EXPECT_EQ(text(two, "surname"), "欧");
    EXPECT_EQ(text(two, "given_name"), "阳");
    const std::size_t plain = add({.name = "张子涵"});
    EXPECT_EQ(text(plain, "surname"), "张");
    EXPECT_EQ(text(plain, "given_name"), "子涵");
}

TEST_F(ChildTableTest, SpacesAndFullWidthFormsAreFolded) {
    for (const std::string spelling : {"张子涵 ", " 张子涵", "张子涵\xE3\x80\x80", "张 子涵", "\t张子涵"}) {
        const std::size_t r = add({.name = spelling});
        if (spelling.front() == '\t') {
            // A control character makes the name unreadable, not a different name.
            EXPECT_TRUE(absent(r, "given_name"));
            continue;
        }
        EXPECT_EQ(text(r, "surname"), "张") << spelling;
        EXPECT_EQ(text(r, "given_name"), "子涵") << spelling;
    }
    EXPECT_EQ(text(add({.sex = " 1 "}), "sex"), "1");
    EXPECT_EQ(text(add({.sex = fullWidth("2")}), "sex"), "2");
    EXPECT_EQ(text(add({.sex = "\xE3\x80\x80" + fullWidth("1") + "\xE3\x80\x80"}), "sex"), "1");
    EXPECT_TRUE(absent(add({.sex = "  "}), "sex"));
}

TEST_F(ChildTableTest, TextIsLowerCasedAndFullWidthLettersFolded) {
    const std::size_t r = add({.birth_cert_no = "\xEF\xBC\xB1"
                                                "320123456 "});  // Ｑ320123456
    EXPECT_EQ(text(r, "birth_cert"), "q320123456");
    EXPECT_EQ(text(add({.birth_cert_no = "Q320123456"}), "birth_cert"), "q320123456");
}

TEST_F(ChildTableTest, InvalidUtf8IsAbsentNotGarbage) {
    ASSERT_EQ(table_.addJson("{\"source\":\"police\",\"source_id\":\"U1\",\"name\":\"\xE5\xBC\xA0\xFF\","
                             "\"sex\":\"\xC3\","
                             "\"birth_date\":\"2014-03-05\"}"),
              "");
    const std::size_t r = table_.size() - 1;
    EXPECT_TRUE(absent(r, "surname"));
    EXPECT_TRUE(absent(r, "given_name"));
    EXPECT_TRUE(absent(r, "sex"));
    EXPECT_EQ(text(r, "birth_date"), "2014-03-05");
}

TEST_F(ChildTableTest, MinorityAndRareCharacterNamesSurvive) {
    const std::size_t uyghur = add({.name = "阿依古丽 • 买买提"});
    EXPECT_TRUE(absent(uyghur, "surname"));
    EXPECT_EQ(text(uyghur, "given_name"), "阿依古丽·买买提");
    const std::size_t rare = add({.name = "张\xF0\xA0\xAE\xB7"});  // 张𠮷: a character outside the BMP
    EXPECT_EQ(text(rare, "surname"), "张");
    EXPECT_EQ(text(rare, "given_name"), "\xF0\xA0\xAE\xB7");
    const std::size_t mother = add({.guardians = {{"mother", "王\xF0\xA0\xAE\xB7", "", ""}}});
    EXPECT_EQ(text(mother, "mother_name"), "王\xF0\xA0\xAE\xB7");
}

TEST_F(ChildTableTest, NameDictionaryHoldsPinyinAndInitials) {
    const std::size_t r = add({.name = "张子涵"});
    const auto& given = table_.entry(r, fixtures::fieldIndex(config_, "given_name"));
    EXPECT_EQ(given.pinyin, "zi han");
    EXPECT_EQ(given.initials, "zh");
    EXPECT_EQ(given.readings.size(), 2u);
    const std::size_t shan = add({.name = "单明"});
    EXPECT_EQ(table_.entry(shan, fixtures::fieldIndex(config_, "surname")).pinyin, "shan");
}

TEST_F(ChildTableTest, GuardiansAreChosenByRelation) {
    const std::string mother = citizenId("320411", "19880101", 222);
    const std::string father = citizenId("320411", "19860101", 111);
    const std::size_t r = add({.guardians = {{"father", "张伟", father, "13900000001"},
                                             {"mother", "李娜", mother, "13900000002"},
                                             {"mother", "王芳", citizenId("320411", "19900101", 442), "139"}}});
    EXPECT_EQ(text(r, "mother_id"), mother);
    EXPECT_EQ(text(r, "father_id"), father);
    EXPECT_EQ(text(r, "mother_name"), "李娜");
    EXPECT_EQ(text(r, "mother_phone"), "13900000002");
    const std::size_t no_mother = add({.guardians = {{"father", "张伟", father, "13900000001"}}});
    EXPECT_TRUE(absent(no_mother, "mother_id"));
    EXPECT_TRUE(absent(no_mother, "mother_phone"));
    EXPECT_EQ(text(no_mother, "father_id"), father);
}

TEST_F(ChildTableTest, DuplicateSourceAndIdIsRejectedAndAddsNothing) {
    ASSERT_EQ(table_.addJson(Rec{.source = "police", .source_id = "P1", .name = "张子涵"}.json()), "");
    const std::uint64_t present = table_.dictionary(fixtures::fieldIndex(config_, "surname")).present();
    EXPECT_EQ(table_.addJson(Rec{.source = "police", .source_id = "P1", .name = "王小明"}.json()),
              "a second record police/P1");
    EXPECT_EQ(table_.size(), 1u);
    EXPECT_EQ(table_.dictionary(fixtures::fieldIndex(config_, "surname")).present(), present);
    EXPECT_EQ(table_.dictionary(fixtures::fieldIndex(config_, "surname")).find("王"), FieldDictionary::kAbsent);
    // The same id in another source is another record.
    EXPECT_EQ(table_.addJson(Rec{.source = "school", .source_id = "P1", .name = "王小明"}.json()), "");
    EXPECT_EQ(table_.size(), 2u);
    EXPECT_EQ(table_.find("police", "P1"), 0u);
    EXPECT_EQ(table_.find("school", "P1"), 1u);
    EXPECT_EQ(table_.find("health", "P1"), std::string::npos);
    EXPECT_EQ(table_.key(1), "school/P1");
    EXPECT_EQ(table_.sourceCount(), 2u);
    EXPECT_EQ(table_.sourceName(table_.source(1)), "school");
    EXPECT_EQ(table_.sourceId(0), "P1");
}

TEST_F(ChildTableTest, NumericIdsAreRecordIdsToo) {
    EXPECT_EQ(table_.addJson(R"({"source":"police","source_id":42})"), "");
    EXPECT_EQ(table_.addJson(R"({"source":"police","source_id":"42"})"), "a second record police/42");
    EXPECT_EQ(table_.addJson(R"({"source":"police","source_id":0})"), "");
    EXPECT_EQ(table_.size(), 2u);
}

TEST_F(ChildTableTest, MissingSourceOrIdIsRejected) {
    EXPECT_EQ(table_.addJson(R"({"source_id":"P1","name":"张子涵"})"), "no source at /source");
    EXPECT_EQ(table_.addJson(R"({"source":"","source_id":"P1"})"), "no source at /source");
    EXPECT_EQ(table_.addJson(R"({"source":null,"source_id":"P1"})"), "no source at /source");
    EXPECT_EQ(table_.addJson(R"({"source":"police","name":"张子涵"})"), "no record id at /source_id");
    EXPECT_EQ(table_.addJson(R"({"source":"police","source_id":""})"), "no record id at /source_id");
    EXPECT_EQ(table_.addJson(R"({"source":"police","source_id":{"id":1}})"), "no record id at /source_id");
    EXPECT_EQ(table_.addJson("[1, 2]"), "not a JSON object");
    EXPECT_EQ(table_.addJson("\"police\""), "not a JSON object");
    const std::string broken = table_.addJson(R"({"source":"police",)");
    EXPECT_EQ(broken.rfind("not valid JSON at byte ", 0), 0u) << broken;
    EXPECT_EQ(table_.size(), 0u);
}

TEST_F(ChildTableTest, SourceAndIdContainingTheSeparatorDoNotCollide) {
    // Two different records whose source and id only differ in where a U+001F falls: they must both be kept.
    EXPECT_EQ(table_.addJson(R"({"source":"a\u001fb","source_id":"c"})"), "");
    EXPECT_EQ(table_.addJson(R"({"source":"a","source_id":"b\u001fc"})"), "");
    EXPECT_EQ(table_.size(), 2u);
}

TEST_F(ChildTableTest, EqualValuesShareOneDictionaryEntry) {
    const std::size_t a = add({.name = "张子涵", .birth_date = "2014-03-05"});
    const std::size_t b = add({.name = "张紫涵", .birth_date = "2014/3/5"});
    const std::size_t c = add({.name = "王子涵"});
    const std::size_t born = fixtures::fieldIndex(config_, "birth_date");
    EXPECT_EQ(table_.value(a, born), table_.value(b, born));
    EXPECT_EQ(table_.dictionary(born).entry(table_.value(a, born)).count, 2u);
    EXPECT_EQ(table_.dictionary(born).present(), 2u);
    const std::size_t given = fixtures::fieldIndex(config_, "given_name");
    EXPECT_EQ(table_.value(a, given), table_.value(c, given));
    EXPECT_NE(table_.value(a, given), table_.value(b, given));
    EXPECT_EQ(table_.dictionary(given).find("子涵"), table_.value(a, given));
    EXPECT_EQ(table_.dictionary(given).find(""), FieldDictionary::kAbsent);
    EXPECT_EQ(table_.dictionary(given).find("不在"), FieldDictionary::kAbsent);
}

TEST_F(ChildTableTest, ReaderNormalisesLookupsLikeTheTable) {
    const FieldReader& reader = table_.reader();
    EXPECT_EQ(reader.normalise(fixtures::fieldIndex(config_, "birth_date"), "2014年3月5日").text, "2014-03-05");
    EXPECT_EQ(reader.normalise(fixtures::fieldIndex(config_, "residence"), "320411").text, "320411000000");
    const auto wrong = reader.normalise(fixtures::fieldIndex(config_, "id_number"), fixtures::withWrongCheck(kId));
    EXPECT_FALSE(wrong.valid);
    EXPECT_EQ(wrong.text, fixtures::withWrongCheck(kId));
    EXPECT_EQ(reader.normalise(fixtures::fieldIndex(config_, "given_name"), "欧阳娜娜").text, "娜娜");
}

// --- JSON pointers with * and where -----------------------------------------------------------------------------

constexpr const char* kPointerConfig = R"({
    "record": {"source": "/meta/system", "id": "/meta/key"},
    "fields": {
        "father_phone": {"type": "text", "from": {"pointer": "/guardians/*/phone", "where": {"relation": "father"}}},
        "any_phone": {"type": "text", "from": "/guardians/*/phone"},
        "present_mother": {"type": "text", "from": {"pointer": "/guardians/*/phone",
                                                     "where": {"relation": "mother", "/status": "present"}}},
        "child_code": {"type": "text", "from": {"pointer": "/households/*/members/*/code", "where": {"role": "child"}}},
        "born": {"type": "date", "from": ["/birth_date", "/dob"]},
        "slashed": {"type": "text", "from": "/a~1b"},
        "first": {"type": "text", "from": "/list/*"}
    },
    "comparisons": [{"field": "any_phone", "levels": ["exact"]}],
    "blocking": [["any_phone"]]
})";

class PointerTableTest : public ::testing::Test {
protected:
    const LinkageConfig config_ = LinkageConfig::parse(kPointerConfig, "pointer.json");
    RecordTable table_{config_};

    std::size_t add(const std::string& body) {
        const std::string json =
            R"({"meta":{"system":"s","key":"k)" + std::to_string(table_.size()) + R"("},)" + body + "}";
        EXPECT_EQ(table_.addJson(json), "") << json;
        return table_.size() - 1;
    }
    std::string text(std::size_t record, std::string_view field) {
        return table_.entry(record, fixtures::fieldIndex(config_, field)).text;
    }
};

TEST_F(PointerTableTest, RecordKeyComesFromTheConfiguredPointers) {
    const std::size_t r = add(R"("x":1)");
    EXPECT_EQ(table_.key(r), "s/k0");
    EXPECT_EQ(table_.addJson(R"({"source":"s","source_id":"k9"})"), "no source at /meta/system");
}

TEST_F(PointerTableTest, StarVisitsEveryElementAndTheFirstNonEmptyWins) {
    const std::size_t r = add(R"("guardians":[{"relation":"mother","phone":""},
                                             {"relation":"father","phone":"13900000001"},
                                             {"relation":"father","phone":"13900000002"}])");
    EXPECT_EQ(text(r, "father_phone"), "13900000001");
    EXPECT_EQ(text(r, "any_phone"), "13900000001");
    EXPECT_EQ(text(r, "present_mother"), "");
}

TEST_F(PointerTableTest, WhereNeedsEveryMemberToMatch) {
    const std::size_t r = add(R"("guardians":[{"relation":"mother","status":"migrant_worker","phone":"1"},
                                             {"relation":"mother","status":"present","phone":"2"},
                                             {"relation":"father","status":"present","phone":"3"}])");
    EXPECT_EQ(text(r, "present_mother"), "2");
    EXPECT_EQ(text(r, "father_phone"), "3");
    EXPECT_EQ(text(r, "any_phone"), "1");
}

TEST_F(PointerTableTest, WhereComparesNumbersByTheirText) {
    const std::size_t r = add(R"("guardians":[{"relation":"father","phone":13900000003}])");
    EXPECT_EQ(text(r, "father_phone"), "13900000003");
}

TEST_F(PointerTableTest, NestedStarsApplyWhereToTheInnermostElements) {
    const std::size_t r = add(R"("households":[{"members":[{"role":"parent","code":"A"}]},
                                              {"members":[{"role":"parent","code":"B"},{"role":"child","code":"C"}]}])");
    EXPECT_EQ(text(r, "child_code"), "c");
}

TEST_F(PointerTableTest, HostileShapesReadAsAbsent) {
    for (const std::string body :
         {R"("guardians":{"relation":"father","phone":"1"})", R"("guardians":["x", 3, null, true])",
          R"("guardians":[{"relation":"father","phone":{"n":"1"}}])",
          R"("guardians":[{"relation":"father","phone":[1]}])", R"("guardians":[{"relation":"father","phone":true}])",
          R"("guardians":[{"relation":["father"],"phone":"1"}])", R"("guardians":null)", R"("guardians":[])",
          R"("list":"abc")", R"("list":[[], {}, null])"}) {
        const std::size_t r = add(body);
        EXPECT_EQ(text(r, "father_phone"), "") << body;
        EXPECT_EQ(text(r, "first"), "") << body;
    }
}

TEST_F(PointerTableTest, StarAtTheEndReadsTheElementsThemselves) {
    const std::size_t r = add(R"("list":["", "Second", "third"])");
    EXPECT_EQ(text(r, "first"), "second");
}

TEST_F(PointerTableTest, BlankElementsAreSkippedLikeEmptyOnes) {
    // A blank value is no value: the next element that holds one wins, as the next pointer would.
    const std::size_t list = add(R"("list":["  ", "Second"])");
    EXPECT_EQ(text(list, "first"), "second");
    const std::size_t phones = add(R"("guardians":[{"relation":"father","phone":" "},
                                                  {"relation":"mother","phone":"13900000004"}])");
    EXPECT_EQ(text(phones, "any_phone"), "13900000004");
}

TEST_F(PointerTableTest, LaterPointersAreTriedWhenEarlierOnesGiveNothingUsable) {
    EXPECT_EQ(text(add(R"("birth_date":"2014-02-30","dob":"2014-03-05")"), "born"), "2014-03-05");
    EXPECT_EQ(text(add(R"("dob":"2014-03-05")"), "born"), "2014-03-05");
    EXPECT_EQ(text(add(R"("birth_date":"2014-03-06","dob":"2014-03-05")"), "born"), "2014-03-06");
}

TEST_F(PointerTableTest, EscapedPointerSegmentsAreUnescaped) {
    EXPECT_EQ(text(add(R"("a/b":"Value")"), "slashed"), "value");
}

TEST(RecordTableConfigTest, BadPlaceholderPatternIsAConfigError) {
    // parse() rejects such a pattern; a configuration assembled in code meets the same check in the table.
    LinkageConfig config = LinkageConfig::parse(
        R"({"fields": {"n": {"type": "chinese_name", "from": "/name"}},
            "comparisons": [{"field": "n", "levels": ["exact"]}], "blocking": [["n"]]})",
        "bad.json");
    config.fields[0].placeholders.push_back("(unclosed");
    try {
        RecordTable table(config);
        ADD_FAILURE() << "a broken pattern was accepted";
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.code(), ErrorCode::InvalidConfig);
        EXPECT_NE(error.message().find("field \"n\": placeholder pattern \"(unclosed\""), std::string::npos)
            << error.message();
    }
}

TEST(RecordTableConfigTest, BadPointerIsAConfigError) {
    LinkageConfig config = LinkageConfig::parse(
        R"({"fields": {"n": {"type": "text", "from": "/name"}},
            "comparisons": [{"field": "n", "levels": ["exact"]}], "blocking": [["n"]]})",
        "bad.json");
    config.fields[0].sources[0].pointer = "/a~2";
    EXPECT_THROW(RecordTable table(config), GatewayError);
}

}  // namespace
}  // namespace gateway::linkage
