#include "gateway/profile/rules.h"

#include "gateway/common/config_tree.h"
#include "gateway/common/file.h"
#include "gateway/common/json_pointer.h"
#include "gateway/common/utf8.h"
#include "gateway/profile/rule_condition.h"

#include <Poco/Exception.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdint>

namespace gateway::profile {

namespace {

using Value = rapidjson::Value;
using rules_detail::Condition;
using rules_detail::Kind;
using rules_detail::kMaxShownChars;
using rules_detail::Op;
using rules_detail::Rule;
using rules_detail::Scalar;

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

}  // namespace

struct RuleSet::Impl {
    std::vector<Rule> rules;
};

RuleSet::RuleSet() : impl_(std::make_unique<Impl>()) {}
RuleSet::RuleSet(RuleSet&&) noexcept = default;
RuleSet& RuleSet::operator=(RuleSet&&) noexcept = default;
RuleSet::~RuleSet() = default;

RuleSet RuleSet::parse(std::string_view json, std::string_view origin) {
    const auto document = ConfigDocument::parse(std::string(json), std::string(origin));
    RuleSet set;
    set.impl_->rules = rules_detail::parseRules(ConfigCursor::root(*document));
    return set;
}

RuleSet RuleSet::load(const std::string& path) {
    return parse(readFileContent(path, "rule file"), path);
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
