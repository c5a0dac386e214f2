#pragma once

#include "gateway/mapping/field_source.h"
#include "gateway/mapping/transform.h"
#include "gateway/mapping/validation.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::mapping {

enum class Requirement { Optional, Required, Soft };

/// What a failed transform does to the row: quarantine it, or drop the value and warn.
enum class ErrorPolicy { Quarantine, Warn };

/// The shape a canonical target insists on, checked after the transforms so that a mapping that forgets, say,
/// the sex transform cannot put "男" into a record.
enum class TargetCheck { None, SexCode, IsoDate, CitizenId, EthnicityCode, DivisionCode, Timestamp, GuardianStatus };

/// One input of a field, with the transforms that belong to it alone (used by first_of).
struct FieldInput {
    FieldSource source;
    std::vector<std::unique_ptr<Transform>> transforms;
};

/// A compiled field: inputs (one, or first_of alternatives), a pipeline, rules.
struct FieldProgram {
    std::string target;          // "name", "guardians[1].status", or "type" inside an array item
    std::string pointer_prefix;  // a guardian's base ("/fq"), for messages; inputs are relative to it
    std::vector<FieldInput> inputs;
    std::vector<std::unique_ptr<Transform>> transforms;
    std::vector<std::unique_ptr<Validation>> validations;
    Requirement required = Requirement::Optional;
    ErrorPolicy on_error = ErrorPolicy::Quarantine;
    TargetCheck check = TargetCheck::None;

    /// True when the value does not depend on the row.
    bool isConstant() const;
};

/// The array element a field is evaluated in, for messages: "facts.assistance[2].type (/assistance/2/type)".
struct ElementRef {
    std::string_view target;
    std::string_view pointer;
    std::size_t index = 0;
};

/// Where evaluation reports. Messages are "TARGET (POINTER): what", built only when something is reported.
struct Report {
    std::vector<std::string>& warnings;
    std::vector<std::string>& errors;
};

/// Reads an optional "on_error": "quarantine" (the default) or "warn".
ErrorPolicy readErrorPolicy(const ObjectReader& reader);

/// The keys of a field specification.
std::vector<std::string_view> fieldKeys();

/// Compiles a field specification: an object with one of from/column/const/first_of, or a JSON pointer string
/// as shorthand for {"from": …}.
std::unique_ptr<FieldProgram> compileField(const ConfigCursor& spec, std::string target, TargetCheck check,
                                           std::string pointer_prefix, CompileContext& context);

/// Evaluates a field in `scope`; `out` is empty when the field has no value or its value was rejected.
void evaluateField(const FieldProgram& field, const rapidjson::Value& scope, const ElementRef* element,
                   const RuntimeContext& runtime, Report& report, Value& out);

/// "name (/xm)" for messages about the field as a whole.
std::string fieldLabel(const FieldProgram& field, const ElementRef* element, std::size_t input);

}  // namespace gateway::mapping
