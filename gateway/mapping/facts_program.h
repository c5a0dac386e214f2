#pragma once

#include "gateway/mapping/field_program.h"

#include <memory>
#include <string>
#include <vector>

namespace gateway::mapping {

struct FactArray;

/// One member of the facts object: a value, a nested object, or an array built element-wise.
struct FactNode {
    std::string key;
    std::string json_key;  // "\"key\":", written as is
    std::unique_ptr<FieldProgram> leaf;
    std::unique_ptr<FactArray> array;
    std::vector<FactNode> children;  // a nested object when neither leaf nor array
};

/// {"each": "/assistance", "fields": {…}}: one object per element of an input array.
struct FactArray {
    JsonPointer each;
    std::string target;  // "facts.assistance"
    std::vector<FactNode> item;
    ErrorPolicy on_error = ErrorPolicy::Quarantine;
};

/// The facts of a record, compiled from the "facts.PATH" targets of a mapping.
class FactsProgram {
public:
    /// Adds the target "facts.PATH" (`path` without "facts."); fails at `spec` when the path clashes with
    /// another or is malformed.
    void add(const ConfigCursor& spec, std::string_view path, CompileContext& context);

    bool empty() const { return root_.empty(); }

    /// Writes the facts object as compact JSON ("{}" when nothing has a value).
    void write(const rapidjson::Value& row, const RuntimeContext& runtime, Report& report, std::string& out) const;

private:
    std::vector<FactNode> root_;
};

/// Appends `text` as a JSON string literal. Characters outside the BMP are written as UTF-8, not escaped.
void appendJsonString(std::string& out, std::string_view text);

}  // namespace gateway::mapping
