#include "gateway/mapping/field_value.h"

#include "gateway/common/utf8.h"

namespace gateway::mapping {

bool readInput(const JsonPointer& pointer, const rapidjson::Value& scope, Value& out, std::string& problem) {
    out.clear();
    const rapidjson::Value* value = nullptr;
    switch (pointer.resolve(scope, value)) {
        case JsonPointer::Lookup::Missing:
            return true;
        case JsonPointer::Lookup::Ambiguous:
            problem = "the row has this member more than once";
            return false;
        case JsonPointer::Lookup::Found:
            break;
    }
    switch (value->GetType()) {
        case rapidjson::kNullType:
            return true;
        case rapidjson::kFalseType:
        case rapidjson::kTrueType:
            out.text = value->IsTrue() ? "true" : "false";
            out.kind = ValueKind::Boolean;
            return true;
        case rapidjson::kObjectType:
            problem = "is an object, expected a text value";
            return false;
        case rapidjson::kArrayType:
            problem = "is an array, expected a text value";
            return false;
        case rapidjson::kStringType:
        case rapidjson::kNumberType:
            break;
    }
    // Numbers are parsed as strings, keeping the digits as sent.
    const std::string_view text(value->GetString(), value->GetStringLength());
    if (!utf8::isValid(text)) {
        problem = utf8::quote(text) + " is not valid UTF-8";
        return false;
    }
    if (text.find('\0') != std::string_view::npos) {
        problem = utf8::quote(text) + " contains U+0000";
        return false;
    }
    out.text.assign(text);
    return true;
}

}  // namespace gateway::mapping
