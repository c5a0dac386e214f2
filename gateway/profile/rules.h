#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::profile {

/// A rule that held for a document: its code and label, why (one line per condition that decided it), and the JSON
/// pointers of the values it rested on (for provenance).
struct RuleMatch {
    std::string code;
    std::string label;
    std::vector<std::string> reasons;   ///< e.g. "/age = 12, less than 16"
    std::vector<std::string> pointers;  ///< e.g. "/guardians/father/status/value"
};

/// Declarative rules over a JSON document (a child's profile), read from a config file: classification and alert
/// rules are data, not C++. The language (documented in config/profile/README.md):
///
///   {"rules": [{"code": "left_behind", "label": "农村留守儿童", "when": CONDITION, ...other members kept...}]}
///
///   CONDITION := {"all": [CONDITION…]} | {"any": [CONDITION…]} | {"not": CONDITION}
///              | {"path": POINTER, OP: OPERAND}                 one comparison on the value at POINTER
///              | {"path": POINTER, "some": CONDITION}           an array element satisfies CONDITION (paths
///                                                               inside are relative to the element)
///              | {"path": POINTER, "none": CONDITION}           no array element does
///   OP := "eq" | "ne" (string/number/bool) | "in" | "not_in" (array) | "lt" | "le" | "gt" | "ge" (number)
///       | "matches" (regex, whole string) | "exists": true|false (present and not null)
///
/// A comparison on an absent value is false (except "exists": false and "not_in"/"ne", which hold), so a rule never
/// fires on missing data unless it says so.
class RuleSet {
public:
    /// Throws GatewayError(InvalidConfig) "ORIGIN:LINE: at /rules/3/when/all/1: …" for any mistake (unknown
    /// operator, bad pointer, bad regex, missing code, duplicate code, wrong operand type, a key given twice).
    static RuleSet parse(std::string_view json, std::string_view origin);
    static RuleSet load(const std::string& path);

    RuleSet(RuleSet&&) noexcept;
    RuleSet& operator=(RuleSet&&) noexcept;
    ~RuleSet();

    /// Every rule that holds for `document`, in rule order.
    std::vector<RuleMatch> evaluate(const rapidjson::Value& document) const;

    /// The rules' codes, in order.
    std::vector<std::string> codes() const;
    /// A rule's extra members (everything but code, label and when), as compact JSON; "{}" for an unknown code.
    std::string extra(std::string_view code) const;

private:
    RuleSet();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gateway::profile
