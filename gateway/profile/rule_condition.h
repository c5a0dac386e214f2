#pragma once

#include "gateway/common/config_tree.h"
#include "gateway/common/json_pointer.h"

#include <Poco/RegularExpression.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

/// The compiled form of a rule file (see RuleSet): what rule_parser.cpp builds and rules.cpp evaluates.
namespace gateway::profile::rules_detail {

/// Longest rendering of a value, in code points, before it is cut with "…".
constexpr std::size_t kMaxShownChars = 60;

enum class Kind { All, Any, Not, Compare, Some, None };
enum class Op { Eq, Ne, In, NotIn, Lt, Le, Gt, Ge, Matches, Exists };

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
    std::string extra;  ///< the rule's other members as compact JSON
};

/// The rules of a parsed rule file; fails with the document's "ORIGIN:LINE: at PATH: …" messages.
std::vector<Rule> parseRules(const ConfigCursor& root);

}  // namespace gateway::profile::rules_detail
