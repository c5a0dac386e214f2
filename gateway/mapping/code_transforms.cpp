#include "gateway/common/error.h"
#include "gateway/common/utf8.h"
#include "gateway/mapping/text_util.h"
#include "gateway/mapping/transform_factories.h"

#include <rapidjson/reader.h>

#include <algorithm>
#include <cmath>

namespace gateway::mapping {
namespace {

enum class OnMissing { Error, Keep, Warn, Default };

class Lookup final : public Transform {
public:
    Lookup(std::shared_ptr<const CodeTable> table, OnMissing on_missing, std::string fallback)
        : table_(std::move(table)), on_missing_(on_missing), fallback_(std::move(fallback)) {}

    bool apply(Value& value, StepContext& step) const override {
        if (value.empty()) {
            return true;
        }
        if (const std::string* found = table_->find(value.text)) {
            value.text = *found;
            value.kind = ValueKind::Text;
            return true;
        }
        switch (on_missing_) {
            case OnMissing::Keep:
                return true;
            case OnMissing::Warn:
                step.notes.push_back(utf8::quote(value.text) + " is not a code in table " +
                                     singleQuoted(table_->name()) + "; kept as is");
                return true;
            case OnMissing::Default:
                value.text = fallback_;
                value.kind = ValueKind::Text;
                return true;
            case OnMissing::Error:
                break;
        }
        step.problem = utf8::quote(value.text) + " is not a code in table " + singleQuoted(table_->name());
        return false;
    }

private:
    std::shared_ptr<const CodeTable> table_;
    OnMissing on_missing_;
    std::string fallback_;
};

/// Canonical JSON number text from a decimal as departments write it: spaces and full-width digits allowed, a
/// leading '+' and leading zeros dropped. Exponents are kept as written, except on zero, which is 0 or 0.0.
bool canonicalNumber(std::string_view input, bool integer, std::string& out) {
    const std::string text = text::foldWidth(input, true);
    std::size_t i = 0;
    bool negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
        negative = text[i] == '-';
        ++i;
    }
    const auto digitsFrom = [&](std::size_t from) {
        std::size_t end = from;
        while (end < text.size() && text[end] >= '0' && text[end] <= '9') {
            ++end;
        }
        return end;
    };
    const std::size_t int_end = digitsFrom(i);
    std::string_view whole(text.data() + i, int_end - i);
    std::string_view fraction;
    std::string_view exponent;
    std::size_t next = int_end;
    if (next < text.size() && text[next] == '.') {
        const std::size_t fraction_end = digitsFrom(next + 1);
        fraction = std::string_view(text.data() + next + 1, fraction_end - next - 1);
        next = fraction_end;
    }
    if (whole.empty() && fraction.empty()) {
        return false;
    }
    if (next < text.size() && (text[next] == 'e' || text[next] == 'E')) {
        std::size_t start = next + 1;
        if (start < text.size() && (text[start] == '+' || text[start] == '-')) {
            ++start;
        }
        const std::size_t exponent_end = digitsFrom(start);
        if (exponent_end == start) {
            return false;
        }
        exponent = std::string_view(text.data() + next, exponent_end - next);
        next = exponent_end;
    }
    if (next != text.size()) {
        return false;
    }
    while (whole.size() > 1 && whole.front() == '0') {
        whole.remove_prefix(1);
    }
    if (integer) {
        // "3.00" is a whole number written with decimals; "3.5" and "3e2" are not accepted as whole numbers.
        if (!exponent.empty() || fraction.find_first_not_of('0') != std::string_view::npos) {
            return false;
        }
        fraction = {};
    }
    const bool zero = (whole.empty() || whole == "0") && fraction.find_first_not_of('0') == std::string_view::npos;
    if (zero) {
        // Never spelt as written: rapidjson's full-precision reader (parseSourceRecord) has undefined behaviour on a
        // zero with an exponent below -22 or more than 22 decimals.
        out = fraction.empty() ? "0" : "0.0";
        return true;
    }
    out.clear();
    if (negative) {
        out.push_back('-');
    }
    out += whole.empty() ? std::string_view("0") : whole;
    if (!fraction.empty()) {
        out.push_back('.');
        out += fraction;
    }
    out += exponent;
    return true;
}

/// Whether rapidjson, which reads the staged records, takes `number` as a finite value: past a double's range it
/// refuses some numbers and reads others as infinity, which no JSON writer can write back.
bool readsAsFinite(const std::string& number) {
    struct Handler : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Handler> {
        bool Double(double d) { return std::isfinite(d); }
    };
    rapidjson::Reader reader;
    rapidjson::StringStream stream(number.c_str());
    Handler handler;
    return !reader.Parse(stream, handler).IsError();
}

/// The power of ten of the first significant digit of a canonical number: -3 for 0.00120, 2 for 1.5e2, 0 for zero.
/// The exponent is clamped far beyond any double's.
long decimalMagnitude(std::string_view number) {
    const std::size_t e = number.find_first_of("eE");
    std::string_view mantissa = number.substr(0, e);
    if (mantissa.starts_with('-')) {
        mantissa.remove_prefix(1);
    }
    const std::size_t first = mantissa.find_first_of("123456789");
    if (first == std::string_view::npos) {
        return 0;
    }
    const std::size_t point = std::min(mantissa.find('.'), mantissa.size());
    long magnitude = first < point ? static_cast<long>(point - first - 1) : -static_cast<long>(first - point);
    if (e != std::string_view::npos) {
        std::string_view digits = number.substr(e + 1);
        const bool negative = digits.starts_with('-');
        if (digits.starts_with('-') || digits.starts_with('+')) {
            digits.remove_prefix(1);
        }
        long exponent = 0;
        for (const char c : digits) {
            exponent = std::min(exponent * 10 + (c - '0'), 1000000L);
        }
        magnitude += negative ? -exponent : exponent;
    }
    return magnitude;
}

// Far below any quantity a department sends, and far enough from a double's smallest (about 4.9e-324) that
// rapidjson's full-precision reader (parseSourceRecord) stays inside its tables: on 0.000…01e-300 it reads out of
// bounds.
constexpr long kMinDecimalMagnitude = -300;

class Number final : public Transform {
public:
    explicit Number(bool integer) : integer_(integer) {}

    bool apply(Value& value, StepContext& step) const override {
        if (value.empty()) {
            return true;
        }
        std::string out;
        if (!canonicalNumber(value.text, integer_, out)) {
            step.problem = utf8::quote(value.text) + " is not " + (integer_ ? "a whole number" : "a number");
            return false;
        }
        // A number the readers of staged records refuse or misread would leave the accepted record unreadable, and
        // its child unlinked.
        if (decimalMagnitude(out) < kMinDecimalMagnitude) {
            step.problem = utf8::quote(value.text) + " is too small for a JSON number";
            return false;
        }
        if (!readsAsFinite(out)) {
            step.problem = utf8::quote(value.text) + " is too large for a JSON number";
            return false;
        }
        value.text = std::move(out);
        value.kind = ValueKind::Number;
        return true;
    }

private:
    bool integer_;
};

std::string lowerAscii(std::string text) {
    for (char& c : text) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return text;
}

class Boolean final : public Transform {
public:
    Boolean(std::vector<std::string> yes, std::vector<std::string> no) : yes_(std::move(yes)), no_(std::move(no)) {}

    bool apply(Value& value, StepContext& step) const override {
        if (value.empty()) {
            return true;
        }
        std::string key = lowerAscii(value.text);
        text::trimSpaces(key);
        if (std::find(yes_.begin(), yes_.end(), key) != yes_.end()) {
            value.text = "true";
        } else if (std::find(no_.begin(), no_.end(), key) != no_.end()) {
            value.text = "false";
        } else {
            step.problem =
                utf8::quote(value.text) + " is neither a yes (" + list(yes_) + ") nor a no (" + list(no_) + ")";
            return false;
        }
        value.kind = ValueKind::Boolean;
        return true;
    }

private:
    static std::string list(const std::vector<std::string>& words) {
        std::string out;
        for (const std::string& word : words) {
            out += (out.empty() ? "" : ", ") + word;
        }
        return out;
    }

    std::vector<std::string> yes_;
    std::vector<std::string> no_;
};

std::vector<std::string> wordList(const ConfigCursor& where) {
    where.expectArray();
    std::vector<std::string> words;
    for (std::size_t i = 0; i < where.node().elements.size(); ++i) {
        std::string word = lowerAscii(where.element(i).asString());
        text::trimSpaces(word);
        if (word.empty()) {
            where.element(i).fail("a word cannot be empty");
        }
        words.push_back(std::move(word));
    }
    if (words.empty()) {
        where.fail("give at least one word");
    }
    return words;
}

}  // namespace

std::unique_ptr<Transform> compileLookup(const TransformOptions& options, CompileContext& context) {
    const ConfigCursor table_name = options.require("table");
    const std::string& name = table_name.asString();
    if (!isValidTableName(name)) {
        table_name.fail("bad code table name " + singleQuoted(name) + ": use lower-case letters, digits and '_'");
    }
    std::shared_ptr<const CodeTable> table;
    try {
        table = context.tables.get(name);
    } catch (const GatewayError& error) {
        // A table's own syntax errors name the table's file; say also where it was asked for.
        const std::string message = error.message();
        if (message.starts_with("code table ")) {
            table_name.fail(message);
        }
        throw GatewayError(ErrorCode::InvalidConfig, message + " (code table " + singleQuoted(name) + ", used at " +
                                                         table_name.document().origin() + ":" +
                                                         std::to_string(table_name.line()) + ")");
    }
    const std::string on_missing = options.choice("on_missing", {"error", "keep", "warn", "default"}, "error");
    std::string fallback;
    if (const auto given = options.get("default")) {
        if (on_missing != "default") {
            given->fail("'default' needs \"on_missing\": \"default\"");
        }
        fallback = given->asString();
    } else if (on_missing == "default") {
        options.where().fail("\"on_missing\": \"default\" needs a 'default' value");
    }
    return std::make_unique<Lookup>(std::move(table),
                                    on_missing == "keep"      ? OnMissing::Keep
                                    : on_missing == "warn"    ? OnMissing::Warn
                                    : on_missing == "default" ? OnMissing::Default
                                                              : OnMissing::Error,
                                    std::move(fallback));
}

std::unique_ptr<Transform> compileNumber(const TransformOptions& options, CompileContext&) {
    bool integer = false;
    if (const auto given = options.get("integer")) {
        integer = given->asBoolean();
    }
    return std::make_unique<Number>(integer);
}

std::unique_ptr<Transform> compileBoolean(const TransformOptions& options, CompileContext&) {
    std::vector<std::string> yes = {"true", "1", "yes", "y", "是", "有"};
    std::vector<std::string> no = {"false", "0", "no", "n", "否", "无"};
    if (const auto given = options.get("true")) {
        yes = wordList(*given);
    }
    if (const auto given = options.get("false")) {
        no = wordList(*given);
    }
    for (const std::string& word : yes) {
        if (std::find(no.begin(), no.end(), word) != no.end()) {
            options.where().fail("the word " + singleQuoted(word) + " is listed as both true and false");
        }
    }
    return std::make_unique<Boolean>(std::move(yes), std::move(no));
}

}  // namespace gateway::mapping
