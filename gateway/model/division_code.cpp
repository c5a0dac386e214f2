#include "gateway/model/division_code.h"

#include "gateway/common/utf8.h"

#include <algorithm>
#include <cstdint>
#include <ostream>

namespace gateway::model {
namespace {

struct CodePart {
    std::string_view name;
    std::size_t begin;
    std::size_t end;
};

// Indexed by DivisionLevel.
constexpr std::array<CodePart, 5> kParts = {{
    {"province", 0, 2},
    {"city", 2, 4},
    {"district", 4, 6},
    {"township", 6, 9},
    {"village", 9, 12},
}};

constexpr std::size_t kDistrictPart = 2;
constexpr std::size_t kTownshipPart = 3;

// NBS puts the townships of these cities directly under the city, with 00 as the district part, so a zero
// district part is not a hole there. The national reference file confirms they are the only cities without
// county rows.
constexpr std::array<std::string_view, 3> kCitiesWithoutCounties = {"4419", "4420", "4604"};

// A code with its padding is at most 12 digits; anything much longer is rejected before decoding so that
// a hostile megabyte costs nothing.
constexpr std::size_t kMaxInputBytes = 256;

bool isZeroPart(std::string_view digits, const CodePart& part) {
    return digits.substr(part.begin, part.end - part.begin).find_first_not_of('0') == std::string_view::npos;
}

bool hasNoCounties(std::string_view digits) {
    return std::find(kCitiesWithoutCounties.begin(), kCitiesWithoutCounties.end(), digits.substr(0, 4)) !=
           kCitiesWithoutCounties.end();
}

std::string capitalised(std::string_view noun) {
    std::string out(noun);
    if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') {
        out[0] = static_cast<char>(out[0] - 'a' + 'A');
    }
    return out;
}

// Folds full-width digits and trims Unicode spaces, leaving the characters in between in `digits`. On failure
// returns what is wrong, worded to follow the input in a message.
std::optional<std::string> extractDigits(std::string_view text, std::string& digits) {
    // Nearly every code arrives as plain ASCII digits; those skip decoding.
    if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        digits.assign(text);
        return std::nullopt;
    }
    utf8::DecodeError decode_error;
    const std::optional<std::u32string> decoded = utf8::decode(text, &decode_error);
    if (!decoded) {
        return "is not valid UTF-8: " + decode_error.reason;
    }
    std::u32string folded = *decoded;
    std::transform(folded.begin(), folded.end(), folded.begin(), utf8::foldFullWidth);
    std::size_t first = 0;
    std::size_t last = folded.size();
    while (first < last && utf8::isSpace(folded[first])) {
        ++first;
    }
    while (last > first && utf8::isSpace(folded[last - 1])) {
        --last;
    }
    if (first == last) {
        return "is blank";
    }
    for (std::size_t i = first; i < last; ++i) {
        const char32_t c = folded[i];
        if (c < U'0' || c > U'9') {
            std::string character;
            utf8::append(character, (*decoded)[i]);
            return "contains " + utf8::quote(character) + " at character " + std::to_string(i + 1) +
                   "; only digits are allowed";
        }
        digits.push_back(static_cast<char>(c));
    }
    return std::nullopt;
}

}  // namespace

std::string_view divisionLevelName(DivisionLevel level) {
    return kParts[static_cast<std::size_t>(level)].name;
}

std::size_t significantDigits(DivisionLevel level) {
    return kParts[static_cast<std::size_t>(level)].end;
}

DivisionCodeResult DivisionCode::parseAs(std::string_view text, std::string_view noun) {
    DivisionCodeResult result;
    // Quoting the input is paid for only on failure.
    const auto fail = [&](std::string_view problem) {
        result.error = capitalised(noun) + " " + utf8::quote(text) + " " + std::string(problem);
        return result;
    };
    if (text.empty()) {
        result.error = capitalised(noun) + " is empty";
        return result;
    }
    if (text.size() > kMaxInputBytes) {
        return fail("is " + std::to_string(text.size()) + " bytes long; a code has at most 12 digits");
    }
    std::string digits;
    if (const std::optional<std::string> problem = extractDigits(text, digits)) {
        return fail(*problem);
    }
    const std::size_t length = digits.size();
    if (length != 2 && length != 4 && length != 6 && length != 9 && length != 12) {
        return fail("has " + std::to_string(length) + " digits; expected 2, 4, 6, 9 or 12");
    }
    digits.resize(12, '0');
    if (isZeroPart(digits, kParts[0])) {
        return fail("has province part 00, which no province has");
    }
    std::array<bool, kParts.size()> zero{};
    for (std::size_t i = 0; i < kParts.size(); ++i) {
        zero[i] = isZeroPart(digits, kParts[i]);
    }
    if (zero[kDistrictPart] && !zero[kTownshipPart] && hasNoCounties(digits)) {
        zero[kDistrictPart] = false;
    }
    for (std::size_t i = 1; i < kParts.size(); ++i) {
        if (!zero[i]) {
            continue;
        }
        for (std::size_t j = i + 1; j < kParts.size(); ++j) {
            if (!zero[j]) {
                return fail("has a zero " + std::string(kParts[i].name) + " part but a non-zero " +
                            std::string(kParts[j].name) + " part");
            }
        }
        break;
    }
    std::array<char, 12> array{};
    std::copy(digits.begin(), digits.end(), array.begin());
    result.code = DivisionCode(array);
    return result;
}

DivisionCodeResult DivisionCode::parse(std::string_view text) {
    return parseAs(text, "division code");
}

DivisionLevel DivisionCode::level() const {
    for (std::size_t i = kParts.size(); i-- > 1;) {
        if (!isZeroPart(text(), kParts[i])) {
            return static_cast<DivisionLevel>(i);
        }
    }
    return DivisionLevel::Province;
}

std::string_view DivisionCode::prefix() const {
    return text().substr(0, significantDigits(level()));
}

std::optional<DivisionCode> DivisionCode::parent() const {
    const DivisionLevel own = level();
    if (own == DivisionLevel::Province) {
        return std::nullopt;
    }
    // Truncating to the level above yields a city, not a district, for a township of a city without
    // counties: exactly the parent NBS gives it.
    std::array<char, 12> digits = digits_;
    std::fill(digits.begin() + significantDigits(static_cast<DivisionLevel>(static_cast<int>(own) - 1)), digits.end(),
              '0');
    return DivisionCode(digits);
}

std::vector<DivisionCode> DivisionCode::ancestors() const {
    std::vector<DivisionCode> result;
    for (std::optional<DivisionCode> up = parent(); up; up = up->parent()) {
        result.push_back(*up);
    }
    std::reverse(result.begin(), result.end());
    return result;
}

std::optional<DivisionCode> DivisionCode::ancestorAt(DivisionLevel target) const {
    if (target > level()) {
        return std::nullopt;
    }
    std::array<char, 12> digits = digits_;
    std::fill(digits.begin() + significantDigits(target), digits.end(), '0');
    const DivisionCode ancestor(digits);
    if (ancestor.level() != target) {
        return std::nullopt;
    }
    return ancestor;
}

bool DivisionCode::isWithin(const DivisionScope& scope) const {
    return scope.contains(*this);
}

DivisionScopeResult DivisionScope::parse(std::string_view text) {
    DivisionCodeResult parsed = DivisionCode::parseAs(text, "division scope");
    DivisionScopeResult result;
    if (parsed.code) {
        result.scope = DivisionScope(*parsed.code);
    } else {
        result.error = std::move(parsed.error);
    }
    return result;
}

bool DivisionScope::contains(const DivisionCode& code) const {
    return code.text().starts_with(prefix());
}

std::ostream& operator<<(std::ostream& out, const DivisionCode& code) {
    return out << code.text();
}

std::ostream& operator<<(std::ostream& out, const DivisionScope& scope) {
    return out << scope.prefix();
}

std::ostream& operator<<(std::ostream& out, DivisionLevel level) {
    return out << divisionLevelName(level);
}

}  // namespace gateway::model

namespace std {

size_t hash<gateway::model::DivisionCode>::operator()(const gateway::model::DivisionCode& code) const noexcept {
    std::uint64_t value = 0;
    for (const char digit : code.text()) {
        value = value * 10 + static_cast<std::uint64_t>(digit - '0');
    }
    return hash<std::uint64_t>{}(value);
}

size_t hash<gateway::model::DivisionScope>::operator()(const gateway::model::DivisionScope& scope) const noexcept {
    return hash<gateway::model::DivisionCode>{}(scope.root());
}

}  // namespace std
