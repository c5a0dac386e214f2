#include "gateway/common/utf8.h"
#include "gateway/mapping/field_source.h"
#include "gateway/mapping/text_util.h"
#include "gateway/mapping/transform_factories.h"
#include "gateway/model/calendar_date.h"
#include "gateway/model/citizen_id.h"
#include "gateway/model/division_code.h"
#include "gateway/model/ethnicity.h"
#include "gateway/model/person_name.h"
#include "gateway/model/sex.h"

#include <algorithm>
#include <cstdio>

namespace gateway::mapping {
namespace {

class DateTransform final : public Transform {
public:
    bool apply(Value& value, StepContext& step) const override {
        if (value.empty()) {
            return true;
        }
        const model::DateResult date = model::parseDate(value.text);
        if (!date) {
            if (date.errorKind() == model::DateError::Empty) {
                value.clear();
                return true;
            }
            step.problem = date.error();
            return false;
        }
        value.text = date->toIso();
        value.kind = ValueKind::Text;
        return true;
    }
};

/// Reads ASCII digits at `pos`, between `min` and `max` of them.
bool readDigits(std::string_view text, std::size_t& pos, std::size_t min, std::size_t max, int& out) {
    std::size_t end = pos;
    while (end < text.size() && end - pos < max && text[end] >= '0' && text[end] <= '9') {
        ++end;
    }
    if (end - pos < min) {
        return false;
    }
    out = 0;
    for (; pos < end; ++pos) {
        out = out * 10 + (text[pos] - '0');
    }
    return true;
}

/// "Z", "+08:00", "+0800" or "+08" at `pos` to the end; minutes east of UTC.
bool readZone(std::string_view text, std::size_t pos, int& minutes) {
    if (pos == text.size()) {
        return false;
    }
    if ((text[pos] == 'Z' || text[pos] == 'z') && pos + 1 == text.size()) {
        minutes = 0;
        return true;
    }
    if (text[pos] != '+' && text[pos] != '-') {
        return false;
    }
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int hours = 0;
    int mins = 0;
    if (!readDigits(text, pos, 2, 2, hours)) {
        return false;
    }
    if (pos < text.size()) {
        if (text[pos] == ':') {
            ++pos;
        }
        if (!readDigits(text, pos, 2, 2, mins)) {
            return false;
        }
    }
    if (pos != text.size() || hours > 14 || mins > 59) {
        return false;
    }
    minutes = sign * (hours * 60 + mins);
    return true;
}

struct Timestamp {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    int zone_minutes = 0;
    bool has_zone = false;
};

/// 2026-11-01, 2026/11/01, 2026-11-01T08:00, 2026-11-01 08:00:00.123, 20261101080000, each with an optional
/// zone (Z, +08:00). Only the layout is checked here.
bool scanTimestamp(std::string_view text, Timestamp& out) {
    std::size_t pos = 0;
    int compact = 0;
    const std::size_t digits_run = text.find_first_not_of("0123456789");
    const std::size_t run = digits_run == std::string_view::npos ? text.size() : digits_run;
    if (run == 8 || run == 14) {
        readDigits(text, pos, 4, 4, out.year);
        readDigits(text, pos, 2, 2, out.month);
        readDigits(text, pos, 2, 2, out.day);
        if (run == 14) {
            readDigits(text, pos, 2, 2, out.hour);
            readDigits(text, pos, 2, 2, out.minute);
            readDigits(text, pos, 2, 2, out.second);
        }
        compact = 1;
    } else {
        if (!readDigits(text, pos, 4, 4, out.year) || pos == text.size() || (text[pos] != '-' && text[pos] != '/')) {
            return false;
        }
        const char separator = text[pos++];
        if (!readDigits(text, pos, 1, 2, out.month) || pos == text.size() || text[pos] != separator) {
            return false;
        }
        ++pos;
        if (!readDigits(text, pos, 1, 2, out.day)) {
            return false;
        }
    }
    if (pos == text.size()) {
        return true;
    }
    if (compact == 0 || run == 8) {
        if (text[pos] == 'T' || text[pos] == 't') {
            ++pos;
        } else if (text[pos] == ' ') {
            while (pos < text.size() && text[pos] == ' ') {
                ++pos;
            }
        } else {
            out.has_zone = readZone(text, pos, out.zone_minutes);
            return out.has_zone;
        }
        if (!readDigits(text, pos, 1, 2, out.hour) || pos == text.size() || text[pos] != ':') {
            return false;
        }
        ++pos;
        if (!readDigits(text, pos, 2, 2, out.minute)) {
            return false;
        }
        if (pos < text.size() && text[pos] == ':') {
            ++pos;
            if (!readDigits(text, pos, 2, 2, out.second)) {
                return false;
            }
            if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
                ++pos;
                int ignored = 0;
                if (!readDigits(text, pos, 1, 9, ignored)) {
                    return false;
                }
            }
        }
    }
    while (pos < text.size() && text[pos] == ' ') {
        ++pos;
    }
    if (pos == text.size()) {
        return true;
    }
    out.has_zone = readZone(text, pos, out.zone_minutes);
    return out.has_zone;
}

class DatetimeTransform final : public Transform {
public:
    explicit DatetimeTransform(int zone_minutes) : zone_minutes_(zone_minutes) {}

    bool apply(Value& value, StepContext& step) const override {
        if (value.empty()) {
            return true;
        }
        std::string folded = text::foldWidth(value.text, true);
        Timestamp t;
        if (!scanTimestamp(folded, t)) {
            step.problem = utf8::quote(value.text) +
                           " is not a date and time; expected e.g. 2026-11-01T08:00:00Z, 2026-11-01 16:00:00 or "
                           "20261101160000";
            return false;
        }
        if (t.year < model::kMinDateYear || t.year > model::kMaxDateYear) {
            step.problem = utf8::quote(value.text) + " has year " + std::to_string(t.year) + ", outside " +
                           std::to_string(model::kMinDateYear) + " to " + std::to_string(model::kMaxDateYear);
            return false;
        }
        if (const std::string why = model::explainInvalidDate(t.year, t.month, t.day); !why.empty()) {
            step.problem = utf8::quote(value.text) + " is not a real date: " + why;
            return false;
        }
        if (t.hour > 23 || t.minute > 59 || t.second > 59) {
            step.problem = utf8::quote(value.text) + " is not a real time of day";
            return false;
        }
        const int zone = t.has_zone ? t.zone_minutes : zone_minutes_;
        const std::int64_t days = model::CalendarDate(t.year, t.month, t.day).daysSinceEpoch();
        std::int64_t seconds = days * 86400 + t.hour * 3600 + t.minute * 60 + t.second - zone * 60;
        std::int64_t utc_days = seconds / 86400;
        std::int64_t in_day = seconds % 86400;
        if (in_day < 0) {
            in_day += 86400;
            --utc_days;
        }
        const model::CalendarDate utc = model::CalendarDate::fromDaysSinceEpoch(utc_days);
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02dZ", utc.year(), utc.month(), utc.day(),
                      static_cast<int>(in_day / 3600), static_cast<int>(in_day / 60 % 60),
                      static_cast<int>(in_day % 60));
        value.text = buffer;
        value.kind = ValueKind::Text;
        return true;
    }

private:
    int zone_minutes_;
};

class CitizenIdTransform final : public Transform {
public:
    CitizenIdTransform(bool keep_bad_check_digit, bool warn_upgraded, std::optional<FieldSource> birth_date)
        : keep_bad_check_digit_(keep_bad_check_digit),
          warn_upgraded_(warn_upgraded),
          birth_date_(std::move(birth_date)) {}

    bool apply(Value& value, StepContext& step) const override {
        if (value.empty()) {
            return true;
        }
        const std::optional<model::CalendarDate> birth_date = readBirthDate(step);
        const model::CitizenIdResult id =
            birth_date ? model::parseCitizenId(value.text, *birth_date) : model::parseCitizenId(value.text);
        if (id) {
            if (id->wasUpgraded() && warn_upgraded_) {
                step.notes.push_back("15-digit citizen ID " + utf8::quote(value.text) + " upgraded to 18 characters" +
                                     (birth_date ? " with the century of the birth date " + birth_date->toIso() : ""));
            }
            value.text = id->value();
            value.kind = ValueKind::Text;
            return true;
        }
        if (id.errorKind() == model::CitizenIdError::Empty) {
            value.clear();
            return true;
        }
        if (id.errorKind() == model::CitizenIdError::ContradictsBirthDate) {
            // Either the number or the birth date is wrong, and a guessed century would make the number pass for
            // someone else's, so the record goes on without it; the warning keeps the number.
            step.notes.push_back(id.error() + "; left out, not upgraded with a guessed century");
            value.clear();
            return true;
        }
        if (id.errorKind() == model::CitizenIdError::BadCheckDigit && keep_bad_check_digit_) {
            step.notes.push_back(id.error() + "; kept as evidence");
            value.text = id.details().normalised;
            value.kind = ValueKind::Text;
            return true;
        }
        step.problem = id.error();
        return false;
    }

private:
    /// The record's own birth date, when the mapping names one and it reads as a date. A birth date that cannot
    /// be read is the birth date field's problem to report; here it is only no evidence.
    std::optional<model::CalendarDate> readBirthDate(const StepContext& step) const {
        if (!birth_date_) {
            return std::nullopt;
        }
        Value text;
        std::string problem;
        if (!birth_date_->read(step.scope, text, problem) || text.empty()) {
            return std::nullopt;
        }
        const model::DateResult date = model::parseDate(text.text);
        if (!date) {
            return std::nullopt;
        }
        return *date;
    }

    bool keep_bad_check_digit_;
    bool warn_upgraded_;
    std::optional<FieldSource> birth_date_;
};

/// The digits of a number written in the 15-digit form, for an identifier that keeps the original beside the
/// upgraded id_number (STANDARDS.md §1.4); anything else is no value here. Cheaper than a pattern on every row.
class OldCitizenIdTransform final : public Transform {
public:
    bool apply(Value& value, StepContext&) const override {
        std::string folded = text::foldWidth(value.text, true);
        if (folded.size() == 15 &&
            std::all_of(folded.begin(), folded.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            value.text = std::move(folded);
            value.kind = ValueKind::Text;
        } else {
            value.clear();
        }
        return true;
    }
};

class SexTransform final : public Transform {
public:
    bool apply(Value& value, StepContext& step) const override {
        if (value.empty()) {
            return true;
        }
        // The codes themselves are by far the most common input.
        if (value.text.size() == 1 &&
            (value.text[0] == '1' || value.text[0] == '2' || value.text[0] == '0' || value.text[0] == '9')) {
            value.kind = ValueKind::Text;
            return true;
        }
        const model::SexResult sex = model::parseSex(value.text);
        if (!sex) {
            if (sex.errorKind() == model::SexError::Empty) {
                value.clear();
                return true;
            }
            step.problem = sex.error();
            return false;
        }
        value.text = model::sexCode(*sex);
        value.kind = ValueKind::Text;
        return true;
    }
};

class EthnicityTransform final : public Transform {
public:
    bool apply(Value& value, StepContext& step) const override {
        if (value.empty()) {
            return true;
        }
        const model::EthnicityResult ethnicity = model::parseEthnicity(value.text);
        if (!ethnicity) {
            if (ethnicity.errorKind() == model::EthnicityError::Empty) {
                value.clear();
                return true;
            }
            step.problem = ethnicity.error();
            return false;
        }
        value.text = ethnicity->code();
        value.kind = ValueKind::Text;
        return true;
    }
};

class NameTransform final : public Transform {
public:
    bool apply(Value& value, StepContext& step) const override {
        if (value.empty()) {
            return true;
        }
        model::NameResult name = model::normaliseName(value.text);
        if (!name) {
            if (name.errorKind() == model::NameError::Empty) {
                value.clear();
                return true;
            }
            step.problem = name.error();
            return false;
        }
        value.text = name->normalised();
        value.kind = ValueKind::Text;
        return true;
    }
};

class DivisionTransform final : public Transform {
public:
    bool apply(Value& value, StepContext& step) const override {
        if (value.empty()) {
            return true;
        }
        const model::DivisionCodeResult code = model::DivisionCode::parse(value.text);
        if (!code) {
            step.problem = code.error;
            return false;
        }
        value.text.assign(code.code->text());
        value.kind = ValueKind::Text;
        return true;
    }
};

class DivisionLookup final : public Transform {
public:
    DivisionLookup(model::DivisionScope scope, std::optional<model::DivisionLevel> level)
        : scope_(scope), level_(level) {}

    bool apply(Value& value, StepContext& step) const override {
        if (value.empty()) {
            return true;
        }
        std::vector<model::DivisionCode> found = step.runtime.divisions->findByName(value.text, scope_);
        if (level_) {
            std::erase_if(found, [&](const model::DivisionCode& code) { return code.level() != *level_; });
        }
        const std::string where = " within " + std::string(scope_.prefix()) +
                                  (level_ ? " at " + std::string(model::divisionLevelName(*level_)) + " level" : "");
        if (found.empty()) {
            step.problem = "no division is named " + utf8::quote(value.text) + where;
            return false;
        }
        if (found.size() > 1) {
            std::string codes;
            for (std::size_t i = 0; i < found.size() && i < 5; ++i) {
                codes += (i == 0 ? "" : ", ") + std::string(found[i].text());
            }
            if (found.size() > 5) {
                codes += ", …";
            }
            step.problem = utf8::quote(value.text) + " is ambiguous: " + std::to_string(found.size()) +
                           " divisions have this name" + where + " (" + codes + ")";
            return false;
        }
        value.text.assign(found.front().text());
        value.kind = ValueKind::Text;
        return true;
    }

private:
    model::DivisionScope scope_;
    std::optional<model::DivisionLevel> level_;
};

int parseZoneOption(const ConfigCursor& where) {
    int minutes = 0;
    const std::string& text = where.asString();
    if (!readZone(text, 0, minutes)) {
        where.fail("bad zone " + singleQuoted(text) + ": expected Z or an offset such as +08:00");
    }
    return minutes;
}

}  // namespace

std::unique_ptr<Transform> compileDate(const TransformOptions&, CompileContext&) {
    return std::make_unique<DateTransform>();
}

std::unique_ptr<Transform> compileDatetime(const TransformOptions& options, CompileContext&) {
    // Department systems write local time without a zone, and every one of them is in China.
    int zone = 8 * 60;
    if (const auto given = options.get("zone")) {
        zone = parseZoneOption(*given);
    }
    return std::make_unique<DatetimeTransform>(zone);
}

std::unique_ptr<Transform> compileCitizenId(const TransformOptions& options, CompileContext&) {
    if (options.choice("output", {"id", "old_form"}, "id") == "old_form") {
        for (const std::string_view key : {"on_bad_check_digit", "warn_upgraded", "birth_date"}) {
            if (const auto given = options.get(key)) {
                given->fail(singleQuoted(key) + " does not apply with output 'old_form', which only copies digits");
            }
        }
        return std::make_unique<OldCitizenIdTransform>();
    }
    const std::string bad_check = options.choice("on_bad_check_digit", {"error", "keep"}, "error");
    bool warn_upgraded = true;
    if (const auto given = options.get("warn_upgraded")) {
        warn_upgraded = given->asBoolean();
    }
    std::optional<FieldSource> birth_date;
    if (const auto given = options.get("birth_date")) {
        const ObjectReader reader(*given, {kFromKey, kColumnKey});
        birth_date = compileSource(reader);
        if (!birth_date) {
            given->fail("the birth date needs 'from' or 'column'");
        }
    }
    return std::make_unique<CitizenIdTransform>(bad_check == "keep", warn_upgraded, std::move(birth_date));
}

std::unique_ptr<Transform> compileSex(const TransformOptions&, CompileContext&) {
    return std::make_unique<SexTransform>();
}

std::unique_ptr<Transform> compileEthnicity(const TransformOptions&, CompileContext&) {
    return std::make_unique<EthnicityTransform>();
}

std::unique_ptr<Transform> compileName(const TransformOptions&, CompileContext&) {
    return std::make_unique<NameTransform>();
}

std::unique_ptr<Transform> compileDivision(const TransformOptions&, CompileContext&) {
    return std::make_unique<DivisionTransform>();
}

std::unique_ptr<Transform> compileDivisionLookup(const TransformOptions& options, CompileContext& context) {
    if (context.mapping.divisions == nullptr) {
        options.where().fail("division_lookup needs a division directory, and none was given");
    }
    const ConfigCursor scope_text = options.require("scope");
    const model::DivisionScopeResult scope = model::DivisionScope::parse(scope_text.asString());
    if (!scope) {
        scope_text.fail(scope.error);
    }
    std::optional<model::DivisionLevel> level;
    if (options.get("level")) {
        const std::string name =
            options.choice("level", {"province", "city", "district", "township", "village"}, "village");
        for (const model::DivisionLevel candidate :
             {model::DivisionLevel::Province, model::DivisionLevel::City, model::DivisionLevel::District,
              model::DivisionLevel::Township, model::DivisionLevel::Village}) {
            if (model::divisionLevelName(candidate) == name) {
                level = candidate;
            }
        }
    }
    return std::make_unique<DivisionLookup>(*scope.scope, level);
}

}  // namespace gateway::mapping
