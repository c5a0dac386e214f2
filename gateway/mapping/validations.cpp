#include "gateway/common/error.h"
#include "gateway/common/utf8.h"
#include "gateway/mapping/pattern.h"
#include "gateway/mapping/validation.h"
#include "gateway/model/calendar_date.h"
#include "gateway/model/division_code.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>

namespace gateway::mapping {
namespace {

class DateRange final : public Validation {
public:
    DateRange(bool soft, bool not_after_as_of, std::optional<model::CalendarDate> not_after,
              std::optional<model::CalendarDate> not_before, std::optional<int> max_years_before)
        : Validation(soft),
          not_after_as_of_(not_after_as_of),
          not_after_(not_after),
          not_before_(not_before),
          max_years_before_(max_years_before) {}

    bool check(const Value& value, const RuntimeContext& runtime, std::string& problem) const override {
        const model::DateResult date = model::parseDate(value.text);
        if (!date) {
            problem = utf8::quote(value.text) + " is not a date, so its range cannot be checked";
            return false;
        }
        const std::string iso = date->toIso();
        if (not_after_as_of_ && *date > runtime.as_of) {
            problem = iso + " is after the as-of date " + runtime.as_of.toIso();
            return false;
        }
        if (not_after_ && *date > *not_after_) {
            problem = iso + " is after " + not_after_->toIso();
            return false;
        }
        if (not_before_ && *date < *not_before_) {
            problem = iso + " is before " + not_before_->toIso();
            return false;
        }
        if (max_years_before_) {
            const int year = runtime.as_of.year() - *max_years_before_;
            const int day =
                std::min(runtime.as_of.day(), model::CalendarDate::daysInMonth(year, runtime.as_of.month()));
            const model::CalendarDate earliest(year, runtime.as_of.month(), day);
            if (*date < earliest) {
                problem = iso + " is more than " + std::to_string(*max_years_before_) +
                          " years before the as-of date " + runtime.as_of.toIso();
                return false;
            }
        }
        return true;
    }

private:
    bool not_after_as_of_;
    std::optional<model::CalendarDate> not_after_;
    std::optional<model::CalendarDate> not_before_;
    std::optional<int> max_years_before_;
};

class InTable final : public Validation {
public:
    InTable(bool soft, std::shared_ptr<const CodeTable> table) : Validation(soft), table_(std::move(table)) {}

    bool check(const Value& value, const RuntimeContext&, std::string& problem) const override {
        if (table_->find(value.text) != nullptr) {
            return true;
        }
        problem = utf8::quote(value.text) + " is not a code in table " + singleQuoted(table_->name());
        return false;
    }

private:
    std::shared_ptr<const CodeTable> table_;
};

class InDirectory final : public Validation {
public:
    explicit InDirectory(bool soft) : Validation(soft) {}

    bool check(const Value& value, const RuntimeContext& runtime, std::string& problem) const override {
        const model::DivisionCodeResult code = model::DivisionCode::parse(value.text);
        if (!code) {
            problem = code.error;
            return false;
        }
        if (!runtime.divisions->contains(*code.code)) {
            problem = "division " + std::string(code.code->text()) + " is not in the division directory";
            return false;
        }
        return true;
    }
};

class Matches final : public Validation {
public:
    Matches(bool soft, Pattern pattern) : Validation(soft), pattern_(std::move(pattern)) {}

    bool check(const Value& value, const RuntimeContext&, std::string& problem) const override {
        switch (pattern_.search(value.text, 0, nullptr)) {
            case Pattern::Result::Match:
                return true;
            case Pattern::Result::TooLong:
                problem = Pattern::tooLongMessage(value.text);
                return false;
            case Pattern::Result::NoMatch:
                break;
        }
        problem = utf8::quote(value.text) + " does not match " + utf8::quote(pattern_.text());
        return false;
    }

private:
    Pattern pattern_;
};

class MaxLength final : public Validation {
public:
    MaxLength(bool soft, std::size_t limit) : Validation(soft), limit_(limit) {}

    bool check(const Value& value, const RuntimeContext&, std::string& problem) const override {
        // Bytes bound code points from above, so short values need no count.
        if (value.text.size() <= limit_) {
            return true;
        }
        const std::size_t length = utf8::length(value.text);
        if (length <= limit_) {
            return true;
        }
        problem = utf8::quote(value.text) + " is " + std::to_string(length) + " characters long, over the limit of " +
                  std::to_string(limit_);
        return false;
    }

private:
    std::size_t limit_;
};

class Range final : public Validation {
public:
    Range(bool soft, std::optional<double> min, std::optional<double> max, std::string min_text, std::string max_text)
        : Validation(soft), min_(min), max_(max), min_text_(std::move(min_text)), max_text_(std::move(max_text)) {}

    bool check(const Value& value, const RuntimeContext&, std::string& problem) const override {
        char* end = nullptr;
        const double number = std::strtod(value.text.c_str(), &end);
        if (end == value.text.c_str() || *end != '\0' || !std::isfinite(number)) {
            problem = utf8::quote(value.text) + " is not a number, so its range cannot be checked";
            return false;
        }
        if (min_ && number < *min_) {
            problem = value.text + " is below the minimum " + min_text_;
            return false;
        }
        if (max_ && number > *max_) {
            problem = value.text + " is above the maximum " + max_text_;
            return false;
        }
        return true;
    }

private:
    std::optional<double> min_;
    std::optional<double> max_;
    std::string min_text_;
    std::string max_text_;
};

model::CalendarDate parseFixedDate(const ConfigCursor& where) {
    const model::DateResult date = model::parseDate(where.asString());
    if (!date) {
        where.fail(date.error());
    }
    return *date;
}

std::shared_ptr<const CodeTable> tableFor(const ConfigCursor& where, CompileContext& context) {
    const std::string& name = where.asString();
    if (!isValidTableName(name)) {
        where.fail("bad code table name " + singleQuoted(name) + ": use lower-case letters, digits and '_'");
    }
    try {
        return context.tables.get(name);
    } catch (const GatewayError& error) {
        if (error.message().starts_with("code table ")) {
            where.fail(error.message());
        }
        throw GatewayError(ErrorCode::InvalidConfig, error.message() + " (code table " + singleQuoted(name) +
                                                         ", used at " + where.document().origin() + ":" +
                                                         std::to_string(where.line()) + ")");
    }
}

const std::vector<std::string_view>& kinds() {
    static const std::vector<std::string_view> kKinds = {"date_range", "in_table",   "in_directory",
                                                         "matches",    "max_length", "range"};
    return kKinds;
}

}  // namespace

std::unique_ptr<Validation> compileValidation(const ConfigCursor& spec, CompileContext& context) {
    spec.expectObject();
    std::optional<ConfigCursor> body;
    std::string_view kind;
    bool soft = false;
    const std::vector<std::string_view>& known = kinds();
    for (const ConfigMember& member : spec.node().members) {
        if (member.key == "soft") {
            soft = spec.member(member).asBoolean();
        } else if (member.key == "note") {
            spec.member(member).asString();
        } else if (std::find(known.begin(), known.end(), member.key) != known.end()) {
            if (body) {
                spec.member(member).fail("one validation per object; '" + std::string(kind) + "' is already here");
            }
            kind = member.key;
            body = spec.member(member);
        } else {
            std::vector<std::string_view> keys = known;
            keys.push_back("soft");
            keys.push_back("note");
            spec.document().fail(member.key_offset, spec.path(), unknownNameMessage("validation", member.key, keys));
        }
    }
    if (!body) {
        spec.fail("a validation needs one of: date_range, in_table, in_directory, matches, max_length, range");
    }
    if (kind == "date_range") {
        const ObjectReader options(*body, {"not_after", "not_before", "max_years_before"});
        bool not_after_as_of = false;
        std::optional<model::CalendarDate> not_after;
        std::optional<model::CalendarDate> not_before;
        std::optional<int> max_years;
        if (const auto given = options.get("not_after")) {
            if (given->asString() == "as_of") {
                not_after_as_of = true;
            } else {
                not_after = parseFixedDate(*given);
            }
        }
        if (const auto given = options.get("not_before")) {
            not_before = parseFixedDate(*given);
        }
        if (const auto given = options.get("max_years_before")) {
            max_years = static_cast<int>(given->asInteger(0, 200));
        }
        if (!not_after_as_of && !not_after && !not_before && !max_years) {
            body->fail("date_range needs at least one of not_after, not_before, max_years_before");
        }
        return std::make_unique<DateRange>(soft, not_after_as_of, not_after, not_before, max_years);
    }
    if (kind == "in_table") {
        return std::make_unique<InTable>(soft, tableFor(*body, context));
    }
    if (kind == "in_directory") {
        if (!body->asBoolean()) {
            body->fail("in_directory takes true; leave it out instead of false");
        }
        if (context.mapping.divisions == nullptr) {
            body->fail("in_directory needs a division directory, and none was given");
        }
        return std::make_unique<InDirectory>(soft);
    }
    if (kind == "matches") {
        return std::make_unique<Matches>(soft, Pattern::compile(*body));
    }
    if (kind == "max_length") {
        return std::make_unique<MaxLength>(soft, static_cast<std::size_t>(body->asInteger(1, 1 << 20)));
    }
    const ObjectReader options(*body, {"min", "max"});
    std::optional<double> min;
    std::optional<double> max;
    std::string min_text;
    std::string max_text;
    if (const auto given = options.get("min")) {
        min = given->asNumber();
        min_text = given->node().text;
    }
    if (const auto given = options.get("max")) {
        max = given->asNumber();
        max_text = given->node().text;
    }
    if (!min && !max) {
        body->fail("range needs min, max or both");
    }
    if (min && max && *min > *max) {
        body->fail("min " + min_text + " is above max " + max_text);
    }
    return std::make_unique<Range>(soft, min, max, min_text, max_text);
}

std::vector<std::string_view> validationNames() {
    return kinds();
}

}  // namespace gateway::mapping
