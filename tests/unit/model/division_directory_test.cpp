#include "gateway/model/division_directory.h"

#include "gateway/common/error.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gateway::model {
namespace {

DivisionCode code(std::string_view text) {
    DivisionCodeResult result = DivisionCode::parse(text);
    EXPECT_TRUE(result) << result.error;
    return result.code.value();
}

DivisionScope scope(std::string_view text) {
    DivisionScopeResult result = DivisionScope::parse(text);
    EXPECT_TRUE(result) << result.error;
    return result.scope.value();
}

std::vector<std::string> texts(const std::vector<DivisionCode>& codes) {
    std::vector<std::string> result;
    for (const DivisionCode& item : codes) {
        result.emplace_back(item.text());
    }
    return result;
}

std::string loadError(std::string_view csv) {
    DivisionDirectoryResult result = DivisionDirectory::fromCsv(csv, "test.csv");
    EXPECT_FALSE(result) << "accepted:\n" << csv;
    return result.error;
}

// The ancestors a 新北区 row needs, as every place file repeats them.
constexpr std::string_view kXinbeiHead =
    "code,name,level,parent_code\n"
    "320000000000,江苏省,province,\n"
    "320400000000,常州市,city,320000000000\n"
    "320411000000,新北区,county,320400000000\n";

TEST(DivisionDirectoryTest, LoadsEveryReferenceRowOnce) {
    const DivisionDirectory directory = DivisionDirectory::loadBuiltin();
    // 6,498 distinct codes in the five files (2,024 rows repeat across them).
    EXPECT_EQ(directory.size(), 6498u);
}

TEST(DivisionDirectoryTest, NamesRealPlaces) {
    const DivisionDirectory directory = DivisionDirectory::loadBuiltin();
    EXPECT_EQ(directory.name(code("32")), "江苏省");
    EXPECT_EQ(directory.name(code("3204")), "常州市");
    EXPECT_EQ(directory.name(code("320411")), "新北区");
    EXPECT_EQ(directory.name(code("320411101")), "孟河镇");
    EXPECT_EQ(directory.name(code("320411101004")), "孟城社区居委会");
    EXPECT_EQ(directory.name(code("340604")), "烈山区");
    EXPECT_EQ(directory.name(code("340604001001")), "淮选社区居民委员会");
    EXPECT_EQ(directory.name(code("340604400000")), "烈山区工业园");
    EXPECT_EQ(directory.name(code("610822")), "府谷县");
    EXPECT_EQ(directory.name(code("4452")), "揭阳市");
    EXPECT_EQ(directory.name(code("4419")), "东莞市");
    EXPECT_TRUE(directory.contains(code("650000000000")));
}

TEST(DivisionDirectoryTest, UnknownCodesMiss) {
    const DivisionDirectory directory = DivisionDirectory::loadBuiltin();
    EXPECT_FALSE(directory.contains(code("320411102201")));
    EXPECT_EQ(directory.name(code("320411102201")), std::nullopt);
    EXPECT_EQ(directory.fullName(code("320411102201")), std::nullopt);
    EXPECT_TRUE(directory.children(code("320411102201")).empty());
    // Only counties are in the national file: a township elsewhere is unknown.
    EXPECT_FALSE(directory.contains(code("110101001000")));
    EXPECT_TRUE(directory.children(code("110101")).empty());
}

TEST(DivisionDirectoryTest, FullNameJoinsNamesFromProvinceDown) {
    const DivisionDirectory directory = DivisionDirectory::loadBuiltin();
    EXPECT_EQ(directory.fullName(code("320411002001")), "江苏省常州市新北区三井街道华山社区居委会");
    EXPECT_EQ(directory.fullName(code("340604001009")), "安徽省淮北市烈山区杨庄街道铁运社区居民居委会");
    EXPECT_EQ(directory.fullName(code("320411")), "江苏省常州市新北区");
    EXPECT_EQ(directory.fullName(code("32")), "江苏省");
    EXPECT_EQ(directory.fullName(code("110101")), "北京市市辖区东城区");
}

TEST(DivisionDirectoryTest, ChildrenAreDirectAndSortedByCode) {
    const DivisionDirectory directory = DivisionDirectory::loadBuiltin();
    EXPECT_EQ(
        texts(directory.children(code("320411"))),
        (std::vector<std::string>{"320411002000", "320411003000", "320411004000", "320411005000", "320411006000",
                                  "320411101000", "320411103000", "320411104000", "320411105000", "320411122000"}));
    EXPECT_EQ(texts(directory.children(code("340604"))),
              (std::vector<std::string>{"340604001000", "340604002000", "340604003000", "340604004000", "340604100000",
                                        "340604101000", "340604102000", "340604400000"}));
    const std::vector<DivisionCode> villages = directory.children(code("320411101"));
    ASSERT_EQ(villages.size(), 19u);
    EXPECT_EQ(villages.front().text(), "320411101004");
    EXPECT_EQ(villages.back().text(), "320411101500");
    EXPECT_TRUE(directory.children(code("320411101004")).empty());
    EXPECT_EQ(directory.children(code("32")).size(), 13u);  // the cities of 江苏省
}

TEST(DivisionDirectoryTest, CityWithoutCountiesHasNoTownshipsInTheReferenceData) {
    const DivisionDirectory directory = DivisionDirectory::loadBuiltin();
    EXPECT_TRUE(directory.children(code("4419")).empty());
    EXPECT_EQ(directory.fullName(code("4419")), "广东省东莞市");
}

TEST(DivisionDirectoryTest, FindByNameWithinScope) {
    const DivisionDirectory directory = DivisionDirectory::loadBuiltin();
    // The same village name in 武进区 and 金坛区.
    EXPECT_EQ(texts(directory.findByName("三星村村委会", scope("3204"))),
              (std::vector<std::string>{"320412119222", "320413108207"}));
    EXPECT_EQ(texts(directory.findByName("三星村村委会", scope("320412"))), (std::vector<std::string>{"320412119222"}));
    EXPECT_TRUE(directory.findByName("三星村村委会", scope("320411")).empty());
    EXPECT_EQ(directory.findByName("三星村村委会", scope("320412119")).size(), 1u);
    EXPECT_EQ(texts(directory.findByName("孟城社区居委会", scope("320411101"))),
              (std::vector<std::string>{"320411101004"}));
    EXPECT_TRUE(directory.findByName("孟城社区居委会", scope("320411103")).empty());
}

TEST(DivisionDirectoryTest, FindByNameIsExact) {
    const DivisionDirectory directory = DivisionDirectory::loadBuiltin();
    EXPECT_EQ(texts(directory.findByName("新北区")), (std::vector<std::string>{"320411000000"}));
    EXPECT_EQ(texts(directory.findByName("市辖区")),
              (std::vector<std::string>{"110100000000", "120100000000", "310100000000", "500100000000"}));
    EXPECT_TRUE(directory.findByName("新北").empty());
    EXPECT_TRUE(directory.findByName(" 新北区").empty());
    EXPECT_TRUE(directory.findByName("三星村村民委员会").empty());
    EXPECT_TRUE(directory.findByName("").empty());
    EXPECT_TRUE(directory.findByName(std::string("新北区\0", 10)).empty());
    EXPECT_TRUE(directory.findByName("\xFF\xFE").empty());
}

TEST(DivisionDirectoryTest, EmptyDirectoryMissesEverything) {
    const DivisionDirectory directory;
    EXPECT_EQ(directory.size(), 0u);
    EXPECT_FALSE(directory.contains(code("32")));
    EXPECT_EQ(directory.fullName(code("32")), std::nullopt);
    EXPECT_TRUE(directory.findByName("江苏省").empty());
}

TEST(DivisionDirectoryTest, LoadsUserFileWithCrlfAndByteOrderMark) {
    std::string csv =
        "\xEF\xBB\xBF"
        "code,name,level,parent_code\r\n"
        "320000000000,江苏省,province,\r\n"
        "320400000000,常州市,city,320000000000\r\n"
        "320411000000,新北区,county,320400000000\r\n"
        "320411999000,新设街道,township,320411000000\r\n";
    DivisionDirectoryResult result = DivisionDirectory::fromCsv(csv);
    ASSERT_TRUE(result) << result.error;
    EXPECT_EQ(result.directory->size(), 4u);
    EXPECT_EQ(result.directory->fullName(code("320411999")), "江苏省常州市新北区新设街道");
}

TEST(DivisionDirectoryTest, AcceptsQuotedFields) {
    const std::string csv =
        std::string(kXinbeiHead) + "\"320411101000\",\"孟河\"\"镇,\",\"township\",\"320411000000\"\n";
    DivisionDirectoryResult result = DivisionDirectory::fromCsv(csv);
    ASSERT_TRUE(result) << result.error;
    EXPECT_EQ(result.directory->name(code("320411101")), "孟河\"镇,");
}

TEST(DivisionDirectoryTest, AcceptsTownshipUnderCityWithoutCounties) {
    const std::string csv =
        "code,name,level,parent_code\n"
        "440000000000,广东省,province,\n"
        "441900000000,东莞市,city,440000000000\n"
        "441900003000,东城街道,township,441900000000\n";
    DivisionDirectoryResult result = DivisionDirectory::fromCsv(csv);
    ASSERT_TRUE(result) << result.error;
    EXPECT_EQ(texts(result.directory->children(code("4419"))), (std::vector<std::string>{"441900003000"}));
    EXPECT_EQ(result.directory->fullName(code("441900003")), "广东省东莞市东城街道");
}

TEST(DivisionDirectoryTest, MergesRepeatedRowsAcrossFiles) {
    const std::string a = std::string(kXinbeiHead) + "320411101000,孟河镇,township,320411000000\n";
    const std::string b = std::string(kXinbeiHead) + "320411103000,薛家镇,township,320411000000\n";
    DivisionDirectoryResult result = DivisionDirectory::fromCsvFiles({{"a.csv", a}, {"b.csv", b}});
    ASSERT_TRUE(result) << result.error;
    EXPECT_EQ(result.directory->size(), 5u);
    EXPECT_EQ(texts(result.directory->children(code("320411"))),
              (std::vector<std::string>{"320411101000", "320411103000"}));
}

TEST(DivisionDirectoryTest, ConflictingNamesNameBothFiles) {
    const std::string a = std::string(kXinbeiHead);
    const std::string b =
        "code,name,level,parent_code\n"
        "320000000000,江苏省,province,\n"
        "320400000000,常州市,city,320000000000\n"
        "320411000000,新北县,county,320400000000\n";
    DivisionDirectoryResult result = DivisionDirectory::fromCsvFiles({{"a.csv", a}, {"b.csv", b}});
    EXPECT_FALSE(result);
    EXPECT_EQ(result.error, "code 320411000000 is named \"新北区\" in a.csv line 4 but \"新北县\" in b.csv line 4");
}

TEST(DivisionDirectoryTest, RejectsLevelThatDisagreesWithCode) {
    EXPECT_EQ(loadError(std::string(kXinbeiHead) + "320411101000,孟河镇,village,320411000000\n"),
              "test.csv line 5: code 320411101000 is a township code but its level is \"village\"");
    EXPECT_EQ(loadError("code,name,level,parent_code\n320411000000,新北区,township,320400000000\n"),
              "test.csv line 2: code 320411000000 is a county code but its level is \"township\"");
}

TEST(DivisionDirectoryTest, RejectsUnknownLevelWord) {
    EXPECT_EQ(loadError(std::string(kXinbeiHead) + "320411101000,孟河镇,town,320411000000\n"),
              "test.csv line 5: level \"town\" is not one of province, city, county, township, village");
    EXPECT_EQ(loadError(std::string(kXinbeiHead) + "320411101000,孟河镇,District,320411000000\n"),
              "test.csv line 5: level \"District\" is not one of province, city, county, township, village");
}

TEST(DivisionDirectoryTest, RejectsWrongParentCode) {
    EXPECT_EQ(loadError(std::string(kXinbeiHead) + "320411101000,孟河镇,township,320400000000\n"),
              "test.csv line 5: parent_code \"320400000000\" of 320411101000 should be 320411000000");
    EXPECT_EQ(loadError("code,name,level,parent_code\n320000000000,江苏省,province,000000000000\n"),
              "test.csv line 2: parent_code \"000000000000\" of province 320000000000 should be empty");
    EXPECT_EQ(loadError(std::string(kXinbeiHead) + "320411101000,孟河镇,township,\n"),
              "test.csv line 5: parent_code \"\" of 320411101000 should be 320411000000");
}

TEST(DivisionDirectoryTest, RejectsMissingParent) {
    EXPECT_EQ(loadError("code,name,level,parent_code\n"
                        "320000000000,江苏省,province,\n"
                        "320411000000,新北区,county,320400000000\n"),
              "test.csv line 3: the parent 320400000000 of 320411000000 is not in the data");
}

TEST(DivisionDirectoryTest, RejectsBadCodes) {
    EXPECT_EQ(loadError(std::string(kXinbeiHead) + "320411101,孟河镇,township,320411000000\n"),
              "test.csv line 5: code \"320411101\" must be 12 digits");
    EXPECT_EQ(loadError(std::string(kXinbeiHead) + "３２０４１１１０１０００,孟河镇,township,320411000000\n"),
              "test.csv line 5: code \"３２０４１１１０１０００\" must be 12 digits");
    EXPECT_EQ(loadError(std::string(kXinbeiHead) + "320000101000,孟河镇,township,320000000000\n"),
              "test.csv line 5: Division code \"320000101000\" has a zero city part but a non-zero township part");
}

TEST(DivisionDirectoryTest, RejectsBadNames) {
    EXPECT_EQ(loadError(std::string(kXinbeiHead) + "320411101000,,township,320411000000\n"),
              "test.csv line 5: the name of 320411101000 is empty");
    EXPECT_EQ(loadError(std::string(kXinbeiHead) + "320411101000,孟河\xFF镇,township,320411000000\n"),
              "test.csv line 5: the name of 320411101000, \"孟河\\xFF镇\", is not valid UTF-8");
    constexpr char kNulRow[] = "320411101000,孟河\0镇,township,320411000000\n";
    EXPECT_EQ(loadError(std::string(kXinbeiHead) + std::string(kNulRow, sizeof kNulRow - 1)),
              "test.csv line 5: the name of 320411101000, \"孟河\\x00镇\", contains a control character");
}

TEST(DivisionDirectoryTest, RejectsMalformedFiles) {
    EXPECT_EQ(loadError(""), "test.csv is empty");
    EXPECT_EQ(loadError("code,name,level,parent_code\n"), "test.csv has a header but no rows");
    EXPECT_EQ(loadError("code,name,level\n320000000000,江苏省,province\n"),
              "test.csv line 1: expected the header \"code,name,level,parent_code\", got \"code,name,level\"");
    constexpr char kUtf16Header[] =
        "\xFF\xFE"
        "c\0o\0d\0e\0";
    EXPECT_EQ(loadError(std::string(kUtf16Header, sizeof kUtf16Header - 1)),
              "test.csv line 1: expected the header \"code,name,level,parent_code\", got "
              "\"\\xFF\\xFEc\\x00o\\x00d\\x00e\\x00\"");
    EXPECT_EQ(loadError(std::string(kXinbeiHead) + "320411101000,孟河镇,township\n"),
              "test.csv line 5: expected 4 fields (code,name,level,parent_code), got 3");
    EXPECT_EQ(loadError(std::string(kXinbeiHead) + "320411101000,孟河,镇,township,320411000000\n"),
              "test.csv line 5: expected 4 fields (code,name,level,parent_code), got 5");
    EXPECT_EQ(loadError(std::string(kXinbeiHead) + "320411101000,\"孟河镇,township,320411000000\n"),
              "test.csv line 5: field 2 has an unterminated quote");
    EXPECT_EQ(loadError(std::string(kXinbeiHead) + "320411101000,\"孟河\"镇,township,320411000000\n"),
              "test.csv line 5: field 2 has text after its closing quote");
}

TEST(DivisionDirectoryTest, RejectsHostileLines) {
    const std::string long_line(10 * 1024, 'x');
    const std::string error = loadError(std::string(kXinbeiHead) + long_line + "\n");
    EXPECT_EQ(error, "test.csv line 5: expected 4 fields (code,name,level,parent_code), got 1");

    const std::string long_name(10 * 1024, 'y');
    EXPECT_EQ(loadError(std::string(kXinbeiHead) + "320411101000," + long_name + ",town,320411000000\n"),
              "test.csv line 5: level \"town\" is not one of province, city, county, township, village");
}

TEST(DivisionDirectoryTest, KeepsLongNamesWhole) {
    std::string long_name;
    for (int i = 0; i < 4000; ++i) {
        long_name += "村";
    }
    DivisionDirectoryResult result =
        DivisionDirectory::fromCsv(std::string(kXinbeiHead) + "320411101000," + long_name + ",township,320411000000\n");
    ASSERT_TRUE(result) << result.error;
    EXPECT_EQ(result.directory->name(code("320411101")), long_name);
    EXPECT_EQ(texts(result.directory->findByName(long_name, scope("320411"))),
              (std::vector<std::string>{"320411101000"}));
}

TEST(DivisionDirectoryTest, CountsFurtherProblems) {
    EXPECT_EQ(loadError(std::string(kXinbeiHead) + "320411101000,孟河镇,town,320411000000\n"
                                                   "320411103000,,township,320411000000\n"
                                                   "320411104000,罗溪镇,township\n"),
              "test.csv line 5: level \"town\" is not one of province, city, county, township, village "
              "(and 2 more problems)");
    EXPECT_EQ(loadError(std::string(kXinbeiHead) + "320411101000,孟河镇,town,320411000000\n"
                                                   "320411103000,,township,320411000000\n"),
              "test.csv line 5: level \"town\" is not one of province, city, county, township, village "
              "(and 1 more problem)");
}

TEST(DivisionDirectoryTest, NoFilesIsAnError) {
    DivisionDirectoryResult result = DivisionDirectory::fromCsvFiles({});
    EXPECT_FALSE(result);
    EXPECT_EQ(result.error, "no division files were given");
}

}  // namespace
}  // namespace gateway::model
