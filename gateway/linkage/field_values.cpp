// A field's values as linkage compares them: read from a record, normalised, and interned in the field's dictionary
// with what comparisons need of each distinct value (code points, pinyin readings, number).

#include "gateway/linkage/record_table.h"

#include "gateway/common/error.h"
#include "gateway/common/json_pointer.h"
#include "gateway/common/utf8.h"
#include "gateway/linkage/pinyin.h"
#include "gateway/model/citizen_id.h"
#include "gateway/model/person_name.h"

#include <Poco/RegularExpression.h>

#include <charconv>
#include <cmath>
#include <functional>

namespace gateway::linkage {

namespace {

bool isAscii(std::string_view text) {
    for (unsigned char c : text) {
        if (c >= 0x80) {
            return false;
        }
    }
    return true;
}

/// Trims, folds full-width forms and lower-cases ASCII letters.
std::string foldText(std::string_view raw) {
    std::string out;
    if (isAscii(raw)) {
        std::size_t begin = 0;
        std::size_t end = raw.size();
        while (begin < end && std::isspace(static_cast<unsigned char>(raw[begin])))
            ++begin;
        while (end > begin && std::isspace(static_cast<unsigned char>(raw[end - 1])))
            --end;
        out.reserve(end - begin);
        for (std::size_t i = begin; i < end; ++i) {
            const char c = raw[i];
            out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
        }
        return out;
    }
    const auto decoded = utf8::decode(raw);
    if (!decoded) {
        return out;
    }
    std::u32string folded;
    for (char32_t c : *decoded) {
        c = utf8::foldFullWidth(c);
        folded.push_back(c >= U'A' && c <= U'Z' ? c - U'A' + U'a' : c);
    }
    std::size_t begin = 0;
    std::size_t end = folded.size();
    while (begin < end && utf8::isSpace(folded[begin]))
        ++begin;
    while (end > begin && utf8::isSpace(folded[end - 1]))
        --end;
    return utf8::encode(std::u32string_view(folded).substr(begin, end - begin));
}

std::uint64_t packReadings(const std::vector<PinyinTable::Syllable>& readings) {
    std::uint64_t packed = 0;
    for (std::size_t i = 0; i < readings.size() && i < 4; ++i) {
        packed |= static_cast<std::uint64_t>(readings[i]) << (16 * i);
    }
    return packed;
}

/// How many leading characters of a Han name are its surname (0 for names that have none we can tell).
std::size_t surnameLength(std::u32string_view name) {
    if (name.size() < 2) {
        return 0;
    }
    for (char32_t c : name) {
        if (!utf8::isHan(c)) {
            return 0;  // transcribed minority names (阿依古丽·买买提) and Latin names
        }
    }
    if (name.size() >= 3 && PinyinTable::builtin().isCompoundSurname(name.substr(0, 2))) {
        return 2;
    }
    return 1;
}

/// A JSON pointer with `*` segments, split into the pointers between them.
struct SourcePath {
    std::vector<JsonPointer> pieces;  // pieces.size() - 1 wildcards
    std::vector<std::pair<JsonPointer, std::string>> where;
    std::string strip_prefix;
};

SourcePath compilePath(const FieldSource& source, const std::string& field) {
    SourcePath path;
    std::string_view rest = source.pointer;
    auto add = [&](std::string_view text) {
        std::string error;
        auto pointer = JsonPointer::parse(text, error);
        if (!pointer) {
            throw GatewayError(ErrorCode::InvalidConfig,
                               "field \"" + field + "\": bad pointer \"" + source.pointer + "\": " + error);
        }
        path.pieces.push_back(*pointer);
    };
    for (;;) {
        const std::size_t star = rest.find("/*");
        if (star == std::string_view::npos || (star + 2 < rest.size() && rest[star + 2] != '/')) {
            add(rest);
            break;
        }
        add(rest.substr(0, star));
        rest = rest.substr(star + 2);
    }
    for (const auto& [member, expected] : source.where) {
        std::string error;
        auto pointer = JsonPointer::parse(member, error);
        if (!pointer) {
            throw GatewayError(ErrorCode::InvalidConfig, "field \"" + field + "\": bad pointer \"" + member + "\"");
        }
        path.where.emplace_back(*pointer, expected);
    }
    path.strip_prefix = source.strip_prefix;
    return path;
}

bool matchesWhere(const SourcePath& path, const rapidjson::Value& element) {
    for (const auto& [pointer, expected] : path.where) {
        const rapidjson::Value* found = nullptr;
        if (pointer.resolve(element, found) != JsonPointer::Lookup::Found || scalarText(*found) != expected) {
            return false;
        }
    }
    return true;
}

/// Offers each scalar the path reaches from `value` (from piece `piece` on) to `accept`, in document order, until
/// it accepts one. Returns whether one was accepted.
bool firstValue(const SourcePath& path, std::size_t piece, const rapidjson::Value& value,
                const std::function<bool(const std::string&)>& accept) {
    const rapidjson::Value* found = nullptr;
    if (path.pieces[piece].resolve(value, found) != JsonPointer::Lookup::Found) {
        return false;
    }
    if (piece + 1 == path.pieces.size()) {
        const std::string text = scalarText(*found);
        return !text.empty() && accept(text);
    }
    if (!found->IsArray()) {
        return false;
    }
    for (const rapidjson::Value& element : found->GetArray()) {
        if (piece + 1 == path.pieces.size() - 1 && !path.where.empty() && !matchesWhere(path, element)) {
            continue;
        }
        if (firstValue(path, piece + 1, element, accept)) {
            return true;
        }
    }
    return false;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------

struct FieldReader::Impl {
    struct Field {
        const FieldSpec* spec = nullptr;
        std::vector<SourcePath> paths;
        std::vector<std::unique_ptr<Poco::RegularExpression>> placeholders;
    };
    std::vector<Field> fields;

    Value normalise(const Field& field, std::string_view raw) const;
    /// A citizen ID whose field names a birth date: read with it when the number may lack its century.
    Value normaliseCitizenId(const Field& field, std::string_view raw, const rapidjson::Value& record) const;
    Value read(const Field& field, const rapidjson::Value& record) const;
    Value normaliseName(const Field& field, std::string_view raw) const;
};

FieldReader::FieldReader(const LinkageConfig& config) : impl_(std::make_unique<Impl>()) {
    for (const FieldSpec& spec : config.fields) {
        Impl::Field field;
        field.spec = &spec;
        for (const FieldSource& source : spec.sources) {
            field.paths.push_back(compilePath(source, spec.name));
        }
        for (const std::string& pattern : spec.placeholders) {
            try {
                field.placeholders.push_back(
                    std::make_unique<Poco::RegularExpression>(pattern, Poco::RegularExpression::RE_UTF8));
            } catch (const Poco::Exception& error) {
                throw GatewayError(ErrorCode::InvalidConfig, "field \"" + spec.name + "\": placeholder pattern \"" +
                                                                 pattern + "\": " + error.message());
            }
        }
        impl_->fields.push_back(std::move(field));
    }
}

FieldReader::~FieldReader() = default;

FieldReader::Value FieldReader::read(std::size_t field, const rapidjson::Value& record) const {
    return impl_->read(impl_->fields[field], record);
}

FieldReader::Value FieldReader::Impl::read(const Field& spec, const rapidjson::Value& record) const {
    const bool id_with_birth_date = spec.spec->type == FieldType::CitizenId && spec.spec->birth_date < fields.size();
    Value value;
    for (const SourcePath& path : spec.paths) {
        const bool found = firstValue(path, 0, record, [&](const std::string& text) {
            std::string_view raw = text;
            if (!path.strip_prefix.empty()) {
                if (!raw.starts_with(path.strip_prefix)) {
                    return false;  // "J…" student numbers carry no ID
                }
                raw.remove_prefix(path.strip_prefix.size());
            }
            value = id_with_birth_date ? normaliseCitizenId(spec, raw, record) : normalise(spec, raw);
            return !value.text.empty();
        });
        if (found) {
            return value;
        }
    }
    return {};
}

FieldReader::Value FieldReader::normalise(std::size_t field, std::string_view raw) const {
    return impl_->normalise(impl_->fields[field], raw);
}

FieldReader::Value FieldReader::Impl::normalise(const Field& field, std::string_view raw) const {
    switch (field.spec->type) {
        case FieldType::Text:
            return {foldText(raw), true};
        case FieldType::CitizenId: {
            const auto parsed = model::parseCitizenId(raw);
            if (parsed) {
                return {parsed->value(), true};
            }
            // A number of the right shape with a wrong check digit or date is still evidence; anything else
            // ("无", "0") is no ID at all.
            return {parsed.details().normalised, false};
        }
        case FieldType::Date: {
            const auto parsed = model::parseDate(raw);
            return {parsed ? parsed->toIso() : std::string(), true};
        }
        case FieldType::Division: {
            std::string digits;
            for (char c : foldText(raw)) {
                if (c < '0' || c > '9') {
                    return {};
                }
                digits.push_back(c);
            }
            if (digits.size() != 6 && digits.size() != 9 && digits.size() != 12) {
                return {};
            }
            digits.resize(12, '0');
            return {digits, true};
        }
        case FieldType::ChineseName:
            return normaliseName(field, raw);
    }
    return {};
}

FieldReader::Value FieldReader::Impl::normaliseCitizenId(const Field& field, std::string_view raw,
                                                         const rapidjson::Value& record) const {
    auto parsed = model::parseCitizenId(raw);
    // Only a 15-digit number lacks its century; 000229 alone is no date at all (1900 was not a leap year).
    const bool may_lack_century =
        parsed ? parsed->wasUpgraded() : parsed.errorKind() == model::CitizenIdError::BadBirthDate;
    if (may_lack_century) {
        const Value birth = read(fields[field.spec->birth_date], record);
        if (const auto date = model::parseDate(birth.text); date) {
            parsed = model::parseCitizenId(raw, *date);
        }
    }
    if (parsed) {
        return {parsed->value(), true};
    }
    // As in normalise(); a number that contradicts the birth date has no normalised form and is absent.
    return {parsed.details().normalised, false};
}

FieldReader::Value FieldReader::Impl::normaliseName(const Field& field, std::string_view raw) const {
    const auto parsed = model::normaliseName(raw);
    if (!parsed) {
        return {};
    }
    std::string name = foldText(parsed->normalised());
    for (const auto& pattern : field.placeholders) {
        Poco::RegularExpression::MatchVec groups;
        if (pattern->match(name, 0, groups) > 0 && groups[0].offset == 0 && groups[0].length == name.size()) {
            // A birth record's 张某之女 names no child; its surname, when the pattern captures one, still counts.
            if (field.spec->part == NamePart::Surname && groups.size() > 1 && groups[1].offset != std::string::npos) {
                return {name.substr(groups[1].offset, groups[1].length), true};
            }
            return {};
        }
    }
    if (field.spec->part == NamePart::Full) {
        return {name, true};
    }
    const auto chars = utf8::decode(name).value_or(std::u32string());
    const std::size_t surname = surnameLength(chars);
    const std::u32string_view view(chars);
    if (field.spec->part == NamePart::Surname) {
        return {utf8::encode(view.substr(0, surname)), true};
    }
    return {utf8::encode(view.substr(surname)), true};
}

// ---------------------------------------------------------------------------------------------------------------

FieldDictionary::FieldDictionary(const FieldSpec& spec) : spec_(&spec) {
    entries_.emplace_back();
}

std::uint32_t FieldDictionary::find(std::string_view normalised) const {
    if (normalised.empty()) {
        return kAbsent;
    }
    const auto it = index_.find(std::string(normalised));
    return it == index_.end() ? kAbsent : it->second;
}

std::uint32_t FieldDictionary::intern(std::string_view normalised, bool valid) {
    if (normalised.empty()) {
        return kAbsent;
    }
    ++present_;
    auto [it, inserted] = index_.try_emplace(std::string(normalised), static_cast<std::uint32_t>(entries_.size()));
    if (!inserted) {
        ++entries_[it->second].count;
        return it->second;
    }
    Entry entry;
    entry.text = std::string(normalised);
    entry.count = 1;
    entry.valid = valid;
    if (!isAscii(normalised)) {
        entry.chars = utf8::decode(normalised).value_or(std::u32string());
    }
    switch (spec_->type) {
        case FieldType::Date: {
            const auto parsed = model::parseDate(normalised);
            if (parsed) {
                entry.date = *parsed;
            }
            break;
        }
        case FieldType::Text: {
            const char* end = normalised.data() + normalised.size();
            const auto result = std::from_chars(normalised.data(), end, entry.number);
            entry.numeric = result.ec == std::errc() && result.ptr == end && std::isfinite(entry.number);
            break;
        }
        case FieldType::ChineseName: {
            const PinyinTable& table = PinyinTable::builtin();
            const std::u32string chars =
                entry.chars.empty() ? utf8::decode(normalised).value_or(std::u32string()) : entry.chars;
            // The first character of a full name or a surname is read as a surname (单 shàn, not dān).
            const bool surname_first = spec_->part != NamePart::Given;
            for (std::size_t i = 0; i < chars.size(); ++i) {
                const auto& readings =
                    (i == 0 && surname_first) ? table.surnameReadings(chars[i]) : table.readings(chars[i]);
                entry.readings.push_back(packReadings(readings));
                if (!entry.pinyin.empty()) {
                    entry.pinyin.push_back(' ');
                }
                if (readings.empty()) {
                    entry.pinyin += utf8::encode(std::u32string(1, chars[i]));
                    entry.initials += utf8::encode(std::u32string(1, chars[i]));
                } else {
                    const std::string spelling = table.spelling(readings.front());
                    entry.pinyin += spelling;
                    entry.initials.push_back(spelling.empty() ? '?' : spelling.front());
                }
            }
            break;
        }
        case FieldType::CitizenId:
        case FieldType::Division:
            break;
    }
    entries_.push_back(std::move(entry));
    return it->second;
}

}  // namespace gateway::linkage
