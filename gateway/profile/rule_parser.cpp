#include "gateway/profile/rule_condition.h"

#include "gateway/common/utf8.h"

#include <Poco/Exception.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace gateway::profile::rules_detail {

namespace {

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

/// "expected WHAT, got TYPE" unless the node has the type.
void expectType(const ConfigCursor& cursor, ConfigNode::Type type, std::string_view what) {
    if (cursor.node().type != type) {
        cursor.fail("expected " + std::string(what) + ", got " + std::string(typeName(cursor.node().type)));
    }
}

std::string shown(const Scalar& scalar) {
    return scalar.type == Scalar::Type::String ? utf8::quote(scalar.text, kMaxShownChars) : scalar.text;
}

Scalar scalar(const ConfigCursor& cursor) {
    const ConfigNode& node = cursor.node();
    Scalar scalar;
    if (node.isString()) {
        scalar.text = node.text;
    } else if (node.type == ConfigNode::Type::Number) {
        const rapidjson::Document value = numberValue(node);
        scalar.type = Scalar::Type::Number;
        scalar.number = value.GetDouble();
        if (value.IsInt64()) {
            scalar.integer = value.GetInt64();
        }
        rapidjson::StringBuffer buffer;
        json::Writer writer(buffer);
        value.Accept(writer);
        scalar.text.assign(buffer.GetString(), buffer.GetSize());
    } else if (node.type == ConfigNode::Type::Boolean) {
        scalar.type = Scalar::Type::Boolean;
        scalar.boolean = node.text == "true";
        scalar.text = node.text;
    } else {
        cursor.fail("expected a string, number or boolean, got " + std::string(typeName(node.type)));
    }
    return scalar;
}

JsonPointer pointer(const ConfigCursor& cursor) {
    const std::string& text = cursor.asString();
    if (!text.empty() && text.front() != '/') {
        cursor.fail("bad JSON pointer " + singleQuoted(text) + ": a pointer starts with '/' (write '/" + text + "')");
    }
    std::string error;
    auto parsed = JsonPointer::parse(text, error);
    if (!parsed) {
        cursor.fail(error);
    }
    return std::move(*parsed);
}

std::unique_ptr<Poco::RegularExpression> regex(const ConfigCursor& cursor) {
    const std::string& pattern = cursor.asString();
    if (pattern.empty()) {
        cursor.fail("a pattern cannot be empty (use \"eq\": \"\" for the empty string)");
    }
    try {
        // Compiled alone first, so that the anchoring below cannot turn a broken pattern into a valid one.
        Poco::RegularExpression plain(pattern, Poco::RegularExpression::RE_UTF8);
    } catch (const Poco::Exception& error) {
        cursor.fail("bad regular expression " + singleQuoted(pattern) + ": " + error.message());
    }
    try {
        // \A and \z rather than ^ and $: a whole-string match, and "$" would also accept a trailing newline.
        return std::make_unique<Poco::RegularExpression>("\\A(?:" + pattern + ")\\z", Poco::RegularExpression::RE_UTF8);
    } catch (const Poco::Exception& error) {
        // Valid alone but not inside a group: an unterminated \Q, a (?x) comment running to the end, or a
        // start-of-pattern option such as (*CR).
        cursor.fail("bad regular expression " + singleQuoted(pattern) +
                    ": it cannot be made to match the whole value (" + error.message() + ")");
    }
}

void compareOperand(Condition& condition, std::string_view op, const ConfigCursor& operand) {
    for (const OperatorName& known : kOperators) {
        if (known.name == op) {
            condition.op = known.op;
        }
    }
    switch (condition.op) {
        case Op::Eq:
        case Op::Ne:
            condition.operands.push_back(scalar(operand));
            condition.test =
                std::string(condition.op == Op::Eq ? "equal to " : "not equal to ") + shown(condition.operands.back());
            return;
        case Op::In:
        case Op::NotIn: {
            expectType(operand, ConfigNode::Type::Array, "an array of strings, numbers or booleans");
            const std::size_t size = operand.node().elements.size();
            if (size == 0) {
                operand.fail("empty list: give at least one value");
            }
            std::string list;
            for (std::size_t i = 0; i < size; ++i) {
                condition.operands.push_back(scalar(operand.element(i)));
                list += (i == 0 ? "" : ", ") + shown(condition.operands.back());
            }
            condition.test = std::string(condition.op == Op::In ? "one of [" : "not one of [") + list + "]";
            return;
        }
        case Op::Lt:
        case Op::Le:
        case Op::Gt:
        case Op::Ge: {
            expectType(operand, ConfigNode::Type::Number, "a number");
            condition.operands.push_back(scalar(operand));
            const char* words = condition.op == Op::Lt   ? "less than "
                                : condition.op == Op::Le ? "at most "
                                : condition.op == Op::Gt ? "greater than "
                                                         : "at least ";
            condition.test = words + shown(condition.operands.back());
            return;
        }
        case Op::Matches:
            condition.regex = regex(operand);
            condition.test = "matches /" + operand.asString() + "/";
            return;
        case Op::Exists:
            condition.exists = operand.asBoolean();
            condition.test = condition.exists ? "present" : "absent";
            return;
    }
}

Condition condition(const ConfigCursor& cursor) {
    expectType(cursor, ConfigNode::Type::Object, "a condition (an object)");
    std::vector<const ConfigMember*> operators;
    const ConfigMember* path = nullptr;
    for (const ConfigMember& member : cursor.node().members) {
        const auto& known = knownConditionKeys();
        if (std::find(known.begin(), known.end(), member.key) == known.end()) {
            cursor.document().fail(member.key_offset, cursor.path(), unknownNameMessage("operator", member.key, known));
        }
        if (member.key == "path") {
            path = &member;
        } else {
            operators.push_back(&member);
        }
    }
    if (operators.empty()) {
        cursor.fail(path != nullptr ? "\"path\" without an operator (one of eq, ne, in, not_in, lt, le, gt, ge, "
                                      "matches, exists, some, none)"
                                    : "empty condition: expected all, any, not, or a path with an operator");
    }
    if (operators.size() > 1) {
        cursor.fail("two operators " + singleQuoted(operators[0]->key) + " and " + singleQuoted(operators[1]->key) +
                    " in one condition (combine conditions with \"all\")");
    }
    const std::string_view op = operators.front()->key;
    const ConfigCursor operand = cursor.member(*operators.front());
    Condition result;
    if (op == "all" || op == "any" || op == "not") {
        if (path != nullptr) {
            cursor.fail("\"path\" does not go with " + singleQuoted(op) + " (put it in the conditions inside)");
        }
        if (op == "not") {
            result.kind = Kind::Not;
            result.children.push_back(condition(operand));
            return result;
        }
        result.kind = op == "all" ? Kind::All : Kind::Any;
        expectType(operand, ConfigNode::Type::Array, "an array of conditions");
        if (operand.node().elements.empty()) {
            operand.fail("empty list: give at least one condition");
        }
        for (std::size_t i = 0; i < operand.node().elements.size(); ++i) {
            result.children.push_back(condition(operand.element(i)));
        }
        return result;
    }
    if (path == nullptr) {
        cursor.fail("missing \"path\" for " + singleQuoted(op));
    }
    result.pointer = pointer(cursor.member(*path));
    if (op == "some" || op == "none") {
        result.kind = op == "some" ? Kind::Some : Kind::None;
        result.children.push_back(condition(operand));
        return result;
    }
    result.kind = Kind::Compare;
    compareOperand(result, op, operand);
    return result;
}

Rule rule(const ConfigCursor& cursor) {
    expectType(cursor, ConfigNode::Type::Object, "a rule (an object)");
    const auto member = [&](std::string_view key) -> std::optional<ConfigCursor> {
        for (const ConfigMember& candidate : cursor.node().members) {
            if (candidate.key == key) {
                return cursor.member(candidate);
            }
        }
        return std::nullopt;
    };
    Rule rule;
    const auto code = member("code");
    if (!code) {
        cursor.fail("missing \"code\"");
    }
    rule.code = code->asString();
    if (rule.code.empty()) {
        code->fail("a code cannot be empty");
    }
    rule.label = rule.code;
    if (const auto label = member("label")) {
        rule.label = label->asString();
    }
    const auto when = member("when");
    if (!when) {
        cursor.fail("missing \"when\" (the rule's condition)");
    }
    rule.when = condition(*when);

    rapidjson::StringBuffer buffer;
    json::Writer writer(buffer);
    writer.StartObject();
    for (const ConfigMember& extra : cursor.node().members) {
        if (extra.key != "code" && extra.key != "label" && extra.key != "when") {
            writer.Key(extra.key.c_str(), static_cast<rapidjson::SizeType>(extra.key.size()));
            writeJson(writer, extra.value);
        }
    }
    writer.EndObject();
    rule.extra.assign(buffer.GetString(), buffer.GetSize());
    return rule;
}

}  // namespace

std::vector<Rule> parseRules(const ConfigCursor& root) {
    const ObjectReader reader(root, {"rules", "description"});
    const auto list = reader.get("rules");
    if (!list) {
        root.fail("missing \"rules\"");
    }
    expectType(*list, ConfigNode::Type::Array, "an array of rules");
    std::vector<Rule> rules;
    std::unordered_map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < list->node().elements.size(); ++i) {
        const ConfigCursor item = list->element(i);
        rules.push_back(rule(item));
        const auto [previous, inserted] = seen.emplace(rules.back().code, i);
        if (!inserted) {
            const ConfigNode& node = item.node();
            const auto code = std::find_if(node.members.begin(), node.members.end(),
                                           [](const ConfigMember& m) { return m.key == "code"; });
            const ConfigCursor first = list->element(previous->second);
            item.member(*code).fail("duplicate code " + singleQuoted(rules.back().code) + " (also at " + first.path() +
                                    ", line " + std::to_string(first.line()) + ")");
        }
    }
    return rules;
}

}  // namespace gateway::profile::rules_detail
