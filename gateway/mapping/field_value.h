#pragma once

#include "gateway/common/json_pointer.h"
#include "gateway/model/calendar_date.h"
#include "gateway/model/division_directory.h"

#include <rapidjson/document.h>

#include <string>
#include <string_view>
#include <vector>

namespace gateway::mapping {

/// How a value is written into facts: text as a JSON string, numbers and booleans bare.
enum class ValueKind { Text, Number, Boolean };

/// A value moving through a field's pipeline. Empty text is an absent value, whatever the kind.
struct Value {
    std::string text;
    ValueKind kind = ValueKind::Text;

    bool empty() const { return text.empty(); }
    void clear() {
        text.clear();
        kind = ValueKind::Text;
    }
};

/// What every step may consult while a row is mapped. Fixed for one apply().
struct RuntimeContext {
    const model::DivisionDirectory* divisions = nullptr;  // not owned
    model::CalendarDate as_of;
};

/// One step's view of the row: the object its inputs are relative to, and where it reports.
struct StepContext {
    StepContext(const rapidjson::Value& scope_value, const RuntimeContext& runtime_context)
        : scope(scope_value), runtime(runtime_context) {}

    const rapidjson::Value& scope;  // the row, a sub-object (a guardian's base) or an array element
    const RuntimeContext& runtime;
    std::string problem;             // why the step failed; set only on failure
    std::vector<std::string> notes;  // warnings the step raised, without the field's label
};

/// Reads the scalar at `pointer` below `scope`: a string as it is, true/false as text of kind Boolean, and a
/// missing member or null as an empty value. Fails for objects and arrays, duplicate members, strings that are
/// not valid UTF-8 (escaped lone surrogates get past the parser) and strings with U+0000.
bool readInput(const JsonPointer& pointer, const rapidjson::Value& scope, Value& out, std::string& problem);

}  // namespace gateway::mapping
