#include "gateway/model/ethnicity.h"

#include "gateway/common/utf8.h"

#include <algorithm>
#include <array>
#include <string>

namespace gateway::model {
namespace {

// GB/T 3304-1991, Table 3, ordered by code; then the extension codes.
constexpr std::array<EthnicityRow, 58> kRows = {{
    {1, "01", "HA", "汉族", "Han"},
    {2, "02", "MG", "蒙古族", "Mongol"},
    {3, "03", "HU", "回族", "Hui"},
    {4, "04", "ZA", "藏族", "Zang"},
    {5, "05", "UG", "维吾尔族", "Uygur"},
    {6, "06", "MH", "苗族", "Miao"},
    {7, "07", "YI", "彝族", "Yi"},
    {8, "08", "ZH", "壮族", "Zhuang"},
    {9, "09", "BY", "布依族", "Buyei"},
    {10, "10", "CS", "朝鲜族", "Chosen"},
    {11, "11", "MA", "满族", "Man"},
    {12, "12", "DO", "侗族", "Dong"},
    {13, "13", "YA", "瑶族", "Yao"},
    {14, "14", "BA", "白族", "Bai"},
    {15, "15", "TJ", "土家族", "Tujia"},
    {16, "16", "HN", "哈尼族", "Hani"},
    {17, "17", "KZ", "哈萨克族", "Kazak"},
    {18, "18", "DA", "傣族", "Dai"},
    {19, "19", "LI", "黎族", "Li"},
    {20, "20", "LS", "傈僳族", "Lisu"},
    {21, "21", "VA", "佤族", "Va"},
    {22, "22", "SH", "畲族", "She"},
    {23, "23", "GS", "高山族", "Gaoshan"},
    {24, "24", "LH", "拉祜族", "Lahu"},
    {25, "25", "SU", "水族", "Sui"},
    {26, "26", "DX", "东乡族", "Dongxiang"},
    {27, "27", "NX", "纳西族", "Naxi"},
    {28, "28", "JP", "景颇族", "Jingpo"},
    {29, "29", "KG", "柯尔克孜族", "Kirgiz"},
    {30, "30", "TU", "土族", "Tu"},
    {31, "31", "DU", "达斡尔族", "Daur"},
    {32, "32", "ML", "仫佬族", "Mulao"},
    {33, "33", "QI", "羌族", "Qiang"},
    {34, "34", "BL", "布朗族", "Blang"},
    {35, "35", "SL", "撒拉族", "Salar"},
    {36, "36", "MN", "毛南族", "Maonan"},
    {37, "37", "GL", "仡佬族", "Gelao"},
    {38, "38", "XB", "锡伯族", "Xibe"},
    {39, "39", "AC", "阿昌族", "Achang"},
    {40, "40", "PM", "普米族", "Pumi"},
    {41, "41", "TA", "塔吉克族", "Tajik"},
    {42, "42", "NU", "怒族", "Nu"},
    {43, "43", "UZ", "乌孜别克族", "Uzbek"},
    {44, "44", "RS", "俄罗斯族", "Russ"},
    {45, "45", "EW", "鄂温克族", "Ewenki"},
    {46, "46", "DE", "德昂族", "Deang"},
    {47, "47", "BN", "保安族", "Bonan"},
    {48, "48", "YG", "裕固族", "Yugur"},
    {49, "49", "GI", "京族", "Gin"},
    {50, "50", "TT", "塔塔尔族", "Tatar"},
    {51, "51", "DR", "独龙族", "Derung"},
    {52, "52", "OR", "鄂伦春族", "Oroqen"},
    {53, "53", "HZ", "赫哲族", "Hezhen"},
    {54, "54", "MB", "门巴族", "Monba"},
    {55, "55", "LB", "珞巴族", "Lhoba"},
    {56, "56", "JN", "基诺族", "Jino"},
    {97, "97", "", "其他", ""},
    {98, "98", "", "外国血统中国籍人士", ""},
}};

struct Alias {
    std::string_view text;  // as compared: Chinese without 族/人, Latin in lower case
    int number;
};

// Names no longer in the table (毛难 became 毛南 in 1986, 崩龙 became 德昂 in 1985) and the English forms
// the standard gives for foreign audiences.
constexpr std::array<Alias, 4> kAliases = {{
    {"毛难", 36},
    {"崩龙", 46},
    {"korean", 10},
    {"tibetan", 4},
}};

constexpr std::string_view kZu = "族";
constexpr std::string_view kRen = "人";

std::string lowerAscii(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

std::string_view withoutSuffix(std::string_view text, std::string_view suffix) {
    if (text.size() > suffix.size() && text.ends_with(suffix)) {
        text.remove_suffix(suffix.size());
    }
    return text;
}

std::optional<int> matchNumber(std::string_view key) {
    if (key.empty() || key.size() > 2 ||
        !std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    int value = 0;
    for (const char c : key) {
        value = value * 10 + (c - '0');
    }
    return value;
}

/// Compares a lower-cased key with the letter codes, the romanizations, the names (without 族 and 人) and the
/// aliases; returns the numeric code.
std::optional<int> matchName(std::string_view key) {
    const std::string_view bare = withoutSuffix(withoutSuffix(key, kRen), kZu);
    for (const EthnicityRow& row : kRows) {
        if ((!row.letter_code.empty() && lowerAscii(row.letter_code) == key) ||
            (!row.romanization.empty() && lowerAscii(row.romanization) == key) ||
            withoutSuffix(row.name, kZu) == bare) {
            return row.number;
        }
    }
    for (const Alias& alias : kAliases) {
        if (alias.text == key || alias.text == bare) {
            return alias.number;
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<Ethnicity> Ethnicity::fromCode(int code) noexcept {
    for (const EthnicityRow& row : kRows) {
        if (row.number == code) {
            return Ethnicity(&row);
        }
    }
    return std::nullopt;
}

std::span<const EthnicityRow> Ethnicity::table() noexcept {
    return kRows;
}

EthnicityResult parseEthnicity(std::string_view text) {
    utf8::DecodeError decode_error;
    const auto decoded = utf8::decode(text, &decode_error);
    if (!decoded) {
        return EthnicityResult::failure(
            EthnicityError::Unknown, "ethnicity " + utf8::quote(text) + " is not valid UTF-8: " + decode_error.reason);
    }
    std::u32string folded;
    for (const char32_t c : *decoded) {
        folded.push_back(utf8::foldFullWidth(c));
    }
    const auto first = std::find_if_not(folded.begin(), folded.end(), utf8::isSpace);
    const auto last = std::find_if_not(folded.rbegin(), folded.rend(), utf8::isSpace).base();
    if (first >= last) {
        return EthnicityResult::failure(EthnicityError::Empty, text.empty()
                                                                   ? std::string("ethnicity is empty")
                                                                   : "ethnicity " + utf8::quote(text) + " is empty");
    }
    const std::string key =
        lowerAscii(utf8::encode(std::u32string_view(&*first, static_cast<std::size_t>(last - first))));

    if (const auto number = matchNumber(key)) {
        if (auto found = Ethnicity::fromCode(*number)) {
            return EthnicityResult::success(*found);
        }
        return EthnicityResult::failure(EthnicityError::Unknown,
                                        "ethnicity " + utf8::quote(text) + " is code " + std::to_string(*number) +
                                            ", which is neither a GB/T 3304 code (01 to 56) nor 97 or 98");
    }
    if (const auto number = matchName(key)) {
        if (auto found = Ethnicity::fromCode(*number)) {
            return EthnicityResult::success(*found);
        }
    }
    return EthnicityResult::failure(
        EthnicityError::Unknown,
        "ethnicity " + utf8::quote(text) + " is not recognised as a GB/T 3304 code, letter code, name or romanization");
}

}  // namespace gateway::model
