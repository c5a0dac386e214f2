#include "gateway/profile/rules.h"

#include "gateway/common/config_tree.h"
#include "gateway/common/error.h"
#include "gateway/common/json_pointer.h"
#include "gateway/common/json_type.h"
#include "gateway/common/utf8.h"

#include <Poco/RegularExpression.h>

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <unordered_map>

namespace gateway::profile {

namespace {

using Value = rapidjson::Value;

/// Longest rendering of a value found in a document, in code points, before it is cut with "…".
constexpr std::size_t kMaxShownChars = 60;

enum class Kind { All, Any, Not, Compare, Some, None };
enum class Op { Eq, Ne, In, NotIn, Lt, Le, Gt, Ge, Matches, Exists };

struct OperatorName {
    std::string_view name;
    Op op;
};

constexpr OperatorName kOperators[] = {
    {"eq", Op::Eq}, {"ne", Op::Ne}, {"in", Op::In}, {"not_in", Op::NotIn},    {"lt", Op::Lt},
    {"le", Op::Le}, {"gt", Op::Gt}, {"ge", Op::Ge}, {"matches", Op::Matches}, {"exists", Op::Exists},
};

const std::vector<std::string_view>& knownConditionKeys() {
    static const std::vector<std::string_view> keys = {"all", "any", "not",     "path",   "some", "none",
                                                       "eq",  "ne",  "in",      "not_in", "lt",   "le",
                                                       "gt",  "ge",  "matches", "exists"};
    return keys;
}

/// A string, number or boolean operand, ready to compare without conversions.
struct Scalar {
    enum class Type { String, Number, Boolean };
    Type type = Type::String;
    std::string text;
    double number = 0;
    std::optional<std::int64_t> integer;  ///< set when written as an integer that fits in 64 bits
    bool boolean = false;
};

struct Condition {
    Kind kind = Kind::Compare;
    Op op = Op::Eq;
    JsonPointer pointer;
    std::vector<Condition> children;  ///< All/Any: the alternatives; Not/Some/None: the one inner condition
    std::vector<Scalar> operands;     ///< one for eq…ge, the list for in/not_in
    std::unique_ptr<Poco::RegularExpression> regex;
    bool exists = true;
    /// The test as reasons name it, rendered once at parse time: "less than 16", "one of [\"a\", \"b\"]".
    std::string test;
};

struct Rule {
    std::string code;
    std::string label;
    Condition when;
    std::string extra;
};

// Evaluation: allocation-free except for "matches", which reuses a per-thread buffer.

const Value* lookup(const JsonPointer& pointer, const Value& scope) {
    const Value* found = nullptr;
    return pointer.resolve(scope, found) == JsonPointer::Lookup::Found ? found : nullptr;
}

bool sameNumber(const Scalar& operand, const Value& value) {
    if (operand.integer && value.IsInt64()) {
        return *operand.integer == value.GetInt64();
    }
    return operand.number == value.GetDouble();
}

/// -1, 0 or 1 for value <=> operand; both numbers.
int compareNumber(const Value& value, const Scalar& operand) {
    if (operand.integer && value.IsInt64()) {
        const std::int64_t left = value.GetInt64();
        return left < *operand.integer ? -1 : left > *operand.integer ? 1 : 0;
    }
    const double left = value.GetDouble();
    return left < operand.number ? -1 : left > operand.number ? 1 : 0;
}

bool equals(const Scalar& operand, const Value& value) {
    switch (operand.type) {
        case Scalar::Type::String:
            return value.IsString() &&
                   std::string_view(value.GetString(), value.GetStringLength()) == std::string_view(operand.text);
        case Scalar::Type::Number:
            return value.IsNumber() && sameNumber(operand, value);
        case Scalar::Type::Boolean:
            return value.IsBool() && value.GetBool() == operand.boolean;
    }
    return false;
}

bool isMember(const std::vector<Scalar>& operands, const Value& value) {
    return std::any_of(operands.begin(), operands.end(), [&](const Scalar& operand) { return equals(operand, value); });
}

bool fullMatch(const Poco::RegularExpression& regex, const Value& value) {
    // Poco takes a std::string; one buffer per thread keeps a million evaluations from allocating each time.
    thread_local std::string subject;
    subject.assign(value.GetString(), value.GetStringLength());
    Poco::RegularExpression::Match match;
    try {
        return regex.match(subject, 0, match) > 0;
    } catch (const Poco::RegularExpressionException&) {
        // Ill-formed UTF-8 in the document or PCRE's backtracking limit: the value does not match, as a string
        // that cannot be read as text matches no pattern.
        return false;
    }
}

/// The comparison on `value` (nullptr when absent). Null counts as absent.
bool compare(const Condition& condition, const Value* value) {
    if (value != nullptr && value->IsNull()) {
        value = nullptr;
    }
    switch (condition.op) {
        case Op::Exists:
            return (value != nullptr) == condition.exists;
        case Op::Eq:
            return value != nullptr && equals(condition.operands.front(), *value);
        case Op::Ne:
            return value == nullptr || !equals(condition.operands.front(), *value);
        case Op::In:
            return value != nullptr && isMember(condition.operands, *value);
        case Op::NotIn:
            return value == nullptr || !isMember(condition.operands, *value);
        case Op::Lt:
            return value != nullptr && value->IsNumber() && compareNumber(*value, condition.operands.front()) < 0;
        case Op::Le:
            return value != nullptr && value->IsNumber() && compareNumber(*value, condition.operands.front()) <= 0;
        case Op::Gt:
            return value != nullptr && value->IsNumber() && compareNumber(*value, condition.operands.front()) > 0;
        case Op::Ge:
            return value != nullptr && value->IsNumber() && compareNumber(*value, condition.operands.front()) >= 0;
        case Op::Matches:
            return value != nullptr && value->IsString() && fullMatch(*condition.regex, *value);
    }
    return false;
}

bool holds(const Condition& condition, const Value& scope);

/// The array at an array test's path and the index of its first element that satisfies the inner condition (the
/// array's size when none does); a null array when there is no array there.
struct ArrayScan {
    const Value* array = nullptr;
    rapidjson::SizeType index = 0;
};

ArrayScan scan(const Condition& condition, const Value& scope) {
    const Value* array = lookup(condition.pointer, scope);
    if (array == nullptr || !array->IsArray()) {
        return {};
    }
    const Condition& inner = condition.children.front();
    rapidjson::SizeType i = 0;
    while (i < array->Size() && !holds(inner, (*array)[i])) {
        ++i;
    }
    return {array, i};
}

bool holds(const Condition& condition, const Value& scope) {
    switch (condition.kind) {
        case Kind::All:
            return std::all_of(condition.children.begin(), condition.children.end(),
                               [&](const Condition& child) { return holds(child, scope); });
        case Kind::Any:
            return std::any_of(condition.children.begin(), condition.children.end(),
                               [&](const Condition& child) { return holds(child, scope); });
        case Kind::Not:
            return !holds(condition.children.front(), scope);
        case Kind::Compare:
            return compare(condition, lookup(condition.pointer, scope));
        case Kind::Some: {
            const ArrayScan found = scan(condition, scope);
            return found.array != nullptr && found.index < found.array->Size();
        }
        case Kind::None: {
            // Like every other test, "none" does not hold on missing data: there must be an array to look in.
            const ArrayScan found = scan(condition, scope);
            return found.array != nullptr && found.index == found.array->Size();
        }
    }
    return false;
}

// Reasons: built only for rules that held.

struct Explanation {
    std::vector<std::string> reasons;
    std::vector<std::string> pointers;

    void addPointer(std::string pointer) {
        if (std::find(pointers.begin(), pointers.end(), pointer) == pointers.end()) {
            pointers.push_back(std::move(pointer));
        }
    }
};

std::string shownPointer(const std::string& pointer) {
    return pointer.empty() ? "(document)" : pointer;
}

/// A value found in a document, short and printable: strings quoted, containers as cut compact JSON.
std::string render(const Value& value) {
    if (value.IsString()) {
        return utf8::quote(std::string_view(value.GetString(), value.GetStringLength()), kMaxShownChars);
    }
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
    const std::string_view json(buffer.GetString(), buffer.GetSize());
    if (utf8::length(json) <= kMaxShownChars) {
        return utf8::toValidUtf8(json);
    }
    std::size_t end = 0;
    for (std::size_t chars = 0; end < json.size() && chars < kMaxShownChars; ++chars) {
        ++end;
        while (end < json.size() && (static_cast<unsigned char>(json[end]) & 0xC0) == 0x80) {
            ++end;
        }
    }
    return utf8::toValidUtf8(json.substr(0, end)) + "…";
}

/// "/age = 12", "/age is absent", "/age = null".
std::string found(const JsonPointer& pointer, const Value& scope, const std::string& absolute) {
    const Value* value = nullptr;
    switch (pointer.resolve(scope, value)) {
        case JsonPointer::Lookup::Found:
            return shownPointer(absolute) + " = " + render(*value);
        case JsonPointer::Lookup::Ambiguous:
            return shownPointer(absolute) + " is ambiguous (a member appears twice)";
        case JsonPointer::Lookup::Missing:
            break;
    }
    return shownPointer(absolute) + " is absent";
}

/// The condition in words, without the values found: "(/a less than 16 and /b one of [\"x\"])".
std::string describe(const Condition& condition, const std::string& base) {
    const std::string pointer = base + condition.pointer.text();
    switch (condition.kind) {
        case Kind::All:
        case Kind::Any: {
            std::string text = "(";
            for (std::size_t i = 0; i < condition.children.size(); ++i) {
                if (i > 0) {
                    text += condition.kind == Kind::All ? " and " : " or ";
                }
                text += describe(condition.children[i], base);
            }
            return text + ")";
        }
        case Kind::Not:
            return "not " + describe(condition.children.front(), base);
        case Kind::Compare:
            return shownPointer(pointer) + " " + condition.test;
        case Kind::Some:
            return shownPointer(pointer) + " has an element with " + describe(condition.children.front(), "");
        case Kind::None:
            return shownPointer(pointer) + " has no element with " + describe(condition.children.front(), "");
    }
    return {};
}

/// The absolute pointers of the values a condition looks at (for an array test, the array).
void collectPointers(const Condition& condition, const std::string& base, Explanation& out) {
    if (condition.kind == Kind::Compare || condition.kind == Kind::Some || condition.kind == Kind::None) {
        out.addPointer(base + condition.pointer.text());
        return;
    }
    for (const Condition& child : condition.children) {
        collectPointers(child, base, out);
    }
}

/// Adds why `condition`, which holds on `scope`, holds. `base` is the absolute pointer of `scope`.
void explain(const Condition& condition, const Value& scope, const std::string& base, Explanation& out) {
    const std::string pointer = base + condition.pointer.text();
    switch (condition.kind) {
        case Kind::All:
            for (const Condition& child : condition.children) {
                explain(child, scope, base, out);
            }
            return;
        case Kind::Any:
            for (const Condition& child : condition.children) {
                if (holds(child, scope)) {
                    explain(child, scope, base, out);
                    return;
                }
            }
            return;
        case Kind::Not: {
            const Condition& inner = condition.children.front();
            if (inner.kind == Kind::Compare) {
                out.reasons.push_back("not: " + found(inner.pointer, scope, base + inner.pointer.text()) + ", " +
                                      inner.test);
            } else {
                out.reasons.push_back("not: " + describe(inner, base));
            }
            collectPointers(inner, base, out);
            return;
        }
        case Kind::Compare: {
            const Value* value = lookup(condition.pointer, scope);
            if (condition.op == Op::Exists && !condition.exists) {
                out.reasons.push_back(shownPointer(pointer) + (value == nullptr ? " is absent" : " is null"));
            } else if (condition.op == Op::Exists) {
                out.reasons.push_back(found(condition.pointer, scope, pointer) + ", present");
            } else {
                out.reasons.push_back(found(condition.pointer, scope, pointer) + ", " + condition.test);
            }
            out.addPointer(pointer);
            return;
        }
        case Kind::Some: {
            const ArrayScan found = scan(condition, scope);
            explain(condition.children.front(), (*found.array)[found.index],
                    pointer + "/" + std::to_string(found.index), out);
            return;
        }
        case Kind::None: {
            const std::size_t size = lookup(condition.pointer, scope)->Size();
            out.reasons.push_back(shownPointer(pointer) + " has no element with " +
                                  describe(condition.children.front(), "") + " (" + std::to_string(size) +
                                  (size == 1 ? " element checked)" : " elements checked)"));
            out.addPointer(pointer);
            return;
        }
    }
}

// Parsing.

std::string at(const std::string& path, std::string_view key) {
    return path + "/" + escapePointerToken(key);
}

std::string at(const std::string& path, std::size_t index) {
    return path + "/" + std::to_string(index);
}

std::string quoted(std::string_view name) {
    return singleQuoted(name);
}

class Parser {
public:
    explicit Parser(std::string_view origin) : origin_(origin) {}

    [[noreturn]] void fail(const std::string& path, const std::string& message) const {
        throw GatewayError(ErrorCode::InvalidConfig,
                           std::string(origin_) + ": at " + (path.empty() ? "/" : path) + ": " + message);
    }

    /// An object without repeated keys (RapidJSON keeps both, which would leave one silently unused).
    void expectObject(const Value& value, const std::string& path, std::string_view what) const {
        if (!value.IsObject()) {
            fail(path, "expected " + std::string(what) + ", found " + std::string(jsonTypeName(value)));
        }
        for (auto it = value.MemberBegin(); it != value.MemberEnd(); ++it) {
            for (auto other = value.MemberBegin(); other != it; ++other) {
                if (other->name == it->name) {
                    fail(path, "key " + quoted(name(it->name)) + " appears twice");
                }
            }
        }
    }

    std::vector<Rule> rules(const Value& document) const {
        expectObject(document, "", "an object");
        for (auto it = document.MemberBegin(); it != document.MemberEnd(); ++it) {
            if (name(it->name) != "rules" && name(it->name) != "description") {
                fail("", unknownNameMessage("key", name(it->name), {"rules", "description"}));
            }
        }
        if (!document.HasMember("rules")) {
            fail("", "missing \"rules\"");
        }
        const Value& list = document["rules"];
        if (!list.IsArray()) {
            fail("/rules", "expected an array of rules, found " + std::string(jsonTypeName(list)));
        }
        std::vector<Rule> rules;
        std::unordered_map<std::string, std::size_t> seen;
        for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
            rules.push_back(rule(list[i], at("/rules", i)));
            const auto [previous, inserted] = seen.emplace(rules.back().code, i);
            if (!inserted) {
                fail(at(at("/rules", i), "code"), "duplicate code " + quoted(rules.back().code) + " (also at " +
                                                      at("/rules", previous->second) + ")");
            }
        }
        return rules;
    }

private:
    static std::string_view name(const Value& key) { return {key.GetString(), key.GetStringLength()}; }

    Rule rule(const Value& value, const std::string& path) const {
        expectObject(value, path, "a rule (an object)");
        Rule rule;
        if (!value.HasMember("code")) {
            fail(path, "missing \"code\"");
        }
        rule.code = string(value["code"], at(path, "code"));
        if (rule.code.empty()) {
            fail(at(path, "code"), "a code cannot be empty");
        }
        rule.label = rule.code;
        if (value.HasMember("label")) {
            rule.label = string(value["label"], at(path, "label"));
        }
        if (!value.HasMember("when")) {
            fail(path, "missing \"when\" (the rule's condition)");
        }
        rule.when = condition(value["when"], at(path, "when"));

        rapidjson::StringBuffer buffer;
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        writer.StartObject();
        for (auto it = value.MemberBegin(); it != value.MemberEnd(); ++it) {
            const std::string_view key = name(it->name);
            if (key != "code" && key != "label" && key != "when") {
                writer.Key(it->name.GetString(), it->name.GetStringLength());
                it->value.Accept(writer);
            }
        }
        writer.EndObject();
        rule.extra.assign(buffer.GetString(), buffer.GetSize());
        return rule;
    }

    std::string string(const Value& value, const std::string& path) const {
        if (!value.IsString()) {
            fail(path, "expected a string, found " + std::string(jsonTypeName(value)));
        }
        return {value.GetString(), value.GetStringLength()};
    }

    Condition condition(const Value& value, const std::string& path) const {
        expectObject(value, path, "a condition (an object)");
        std::vector<std::string_view> operators;
        bool has_path = false;
        for (auto it = value.MemberBegin(); it != value.MemberEnd(); ++it) {
            const std::string_view key = name(it->name);
            const auto& known = knownConditionKeys();
            if (std::find(known.begin(), known.end(), key) == known.end()) {
                fail(path, unknownNameMessage("operator", key, known));
            }
            if (key == "path") {
                has_path = true;
            } else {
                operators.push_back(key);
            }
        }
        if (operators.empty()) {
            fail(path, has_path ? "\"path\" without an operator (one of eq, ne, in, not_in, lt, le, gt, ge, matches, "
                                  "exists, some, none)"
                                : "empty condition: expected all, any, not, or a path with an operator");
        }
        if (operators.size() > 1) {
            fail(path, "two operators " + quoted(operators[0]) + " and " + quoted(operators[1]) +
                           " in one condition (combine conditions with \"all\")");
        }
        const std::string_view op = operators.front();
        const std::string operand_path = at(path, op);
        const Value& operand = value[Value(rapidjson::StringRef(op.data(), op.size()))];
        Condition condition;
        if (op == "all" || op == "any" || op == "not") {
            if (has_path) {
                fail(path, "\"path\" does not go with " + quoted(op) + " (put it in the conditions inside)");
            }
            if (op == "not") {
                condition.kind = Kind::Not;
                condition.children.push_back(this->condition(operand, operand_path));
                return condition;
            }
            condition.kind = op == "all" ? Kind::All : Kind::Any;
            if (!operand.IsArray()) {
                fail(operand_path, "expected an array of conditions, found " + std::string(jsonTypeName(operand)));
            }
            if (operand.Empty()) {
                fail(operand_path, "empty list: give at least one condition");
            }
            for (rapidjson::SizeType i = 0; i < operand.Size(); ++i) {
                condition.children.push_back(this->condition(operand[i], at(operand_path, i)));
            }
            return condition;
        }
        if (!has_path) {
            fail(path, "missing \"path\" for " + quoted(op));
        }
        condition.pointer = pointer(value["path"], at(path, "path"));
        if (op == "some" || op == "none") {
            condition.kind = op == "some" ? Kind::Some : Kind::None;
            condition.children.push_back(this->condition(operand, operand_path));
            return condition;
        }
        condition.kind = Kind::Compare;
        compareOperand(condition, op, operand, operand_path);
        return condition;
    }

    JsonPointer pointer(const Value& value, const std::string& path) const {
        const std::string text = string(value, path);
        if (!text.empty() && text.front() != '/') {
            fail(path, "bad JSON pointer " + quoted(text) + ": a pointer starts with '/' (write '/" + text + "')");
        }
        std::string error;
        auto parsed = JsonPointer::parse(text, error);
        if (!parsed) {
            fail(path, error);
        }
        return std::move(*parsed);
    }

    void compareOperand(Condition& condition, std::string_view op, const Value& operand,
                        const std::string& path) const {
        for (const OperatorName& known : kOperators) {
            if (known.name == op) {
                condition.op = known.op;
            }
        }
        switch (condition.op) {
            case Op::Eq:
            case Op::Ne:
                condition.operands.push_back(scalar(operand, path));
                condition.test = std::string(condition.op == Op::Eq ? "equal to " : "not equal to ") +
                                 shown(condition.operands.back());
                return;
            case Op::In:
            case Op::NotIn: {
                if (!operand.IsArray()) {
                    fail(path, "expected an array of strings, numbers or booleans, found " +
                                   std::string(jsonTypeName(operand)));
                }
                if (operand.Empty()) {
                    fail(path, "empty list: give at least one value");
                }
                std::string list;
                for (rapidjson::SizeType i = 0; i < operand.Size(); ++i) {
                    condition.operands.push_back(scalar(operand[i], at(path, i)));
                    list += (i == 0 ? "" : ", ") + shown(condition.operands.back());
                }
                condition.test = std::string(condition.op == Op::In ? "one of [" : "not one of [") + list + "]";
                return;
            }
            case Op::Lt:
            case Op::Le:
            case Op::Gt:
            case Op::Ge: {
                if (!operand.IsNumber()) {
                    fail(path, "expected a number, found " + std::string(jsonTypeName(operand)));
                }
                condition.operands.push_back(scalar(operand, path));
                const char* words = condition.op == Op::Lt   ? "less than "
                                    : condition.op == Op::Le ? "at most "
                                    : condition.op == Op::Gt ? "greater than "
                                                             : "at least ";
                condition.test = words + shown(condition.operands.back());
                return;
            }
            case Op::Matches:
                condition.regex = regex(operand, path);
                condition.test = "matches /" + string(operand, path) + "/";
                return;
            case Op::Exists:
                if (!operand.IsBool()) {
                    fail(path, "expected true or false, found " + std::string(jsonTypeName(operand)));
                }
                condition.exists = operand.GetBool();
                condition.test = condition.exists ? "present" : "absent";
                return;
        }
    }

    Scalar scalar(const Value& value, const std::string& path) const {
        Scalar scalar;
        if (value.IsString()) {
            scalar.text.assign(value.GetString(), value.GetStringLength());
        } else if (value.IsNumber()) {
            scalar.type = Scalar::Type::Number;
            scalar.number = value.GetDouble();
            if (value.IsInt64()) {
                scalar.integer = value.GetInt64();
            }
            rapidjson::StringBuffer buffer;
            rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
            value.Accept(writer);
            scalar.text.assign(buffer.GetString(), buffer.GetSize());
        } else if (value.IsBool()) {
            scalar.type = Scalar::Type::Boolean;
            scalar.boolean = value.GetBool();
            scalar.text = scalar.boolean ? "true" : "false";
        } else {
            fail(path, "expected a string, number or boolean, found " + std::string(jsonTypeName(value)));
        }
        return scalar;
    }

    static std::string shown(const Scalar& scalar) {
        return scalar.type == Scalar::Type::String ? utf8::quote(scalar.text, kMaxShownChars) : scalar.text;
    }

    std::unique_ptr<Poco::RegularExpression> regex(const Value& value, const std::string& path) const {
        const std::string pattern = string(value, path);
        if (pattern.empty()) {
            fail(path, "a pattern cannot be empty (use \"eq\": \"\" for the empty string)");
        }
        try {
            // Compiled alone first, so that the anchoring below cannot turn a broken pattern into a valid one.
            Poco::RegularExpression plain(pattern, Poco::RegularExpression::RE_UTF8);
        } catch (const Poco::Exception& error) {
            fail(path, "bad regular expression " + quoted(pattern) + ": " + error.message());
        }
        try {
            // \A and \z rather than ^ and $: a whole-string match, and "$" would also accept a trailing newline.
            return std::make_unique<Poco::RegularExpression>("\\A(?:" + pattern + ")\\z",
                                                             Poco::RegularExpression::RE_UTF8);
        } catch (const Poco::Exception& error) {
            // Valid alone but not inside a group: an unterminated \Q, a (?x) comment running to the end, or a
            // start-of-pattern option such as (*CR).
            fail(path, "bad regular expression " + quoted(pattern) + ": it cannot be made to match the whole value (" +
                           error.message() + ")");
        }
    }

    std::string_view origin_;
};

}  // namespace

struct RuleSet::Impl {
    std::vector<Rule> rules;
};

RuleSet::RuleSet() : impl_(std::make_unique<Impl>()) {}
RuleSet::RuleSet(RuleSet&&) noexcept = default;
RuleSet& RuleSet::operator=(RuleSet&&) noexcept = default;
RuleSet::~RuleSet() = default;

RuleSet RuleSet::parse(std::string_view json, std::string_view origin) {
    rapidjson::Document document;
    document.Parse(json.data(), json.size());
    if (document.HasParseError()) {
        throw GatewayError(ErrorCode::InvalidConfig, std::string(origin) + ": not valid JSON at byte " +
                                                         std::to_string(document.GetErrorOffset()) + ": " +
                                                         rapidjson::GetParseError_En(document.GetParseError()));
    }
    RuleSet set;
    set.impl_->rules = Parser(origin).rules(document);
    return set;
}

RuleSet RuleSet::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw GatewayError(ErrorCode::InvalidConfig, path + ": cannot read the rule file");
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), path);
}

std::vector<RuleMatch> RuleSet::evaluate(const rapidjson::Value& document) const {
    std::vector<RuleMatch> matches;
    for (const Rule& rule : impl_->rules) {
        if (!holds(rule.when, document)) {
            continue;
        }
        Explanation explanation;
        explain(rule.when, document, "", explanation);
        matches.push_back(
            RuleMatch{rule.code, rule.label, std::move(explanation.reasons), std::move(explanation.pointers)});
    }
    return matches;
}

std::vector<std::string> RuleSet::codes() const {
    std::vector<std::string> codes;
    codes.reserve(impl_->rules.size());
    for (const Rule& rule : impl_->rules) {
        codes.push_back(rule.code);
    }
    return codes;
}

std::string RuleSet::extra(std::string_view code) const {
    for (const Rule& rule : impl_->rules) {
        if (rule.code == code) {
            return rule.extra;
        }
    }
    return "{}";
}

}  // namespace gateway::profile
