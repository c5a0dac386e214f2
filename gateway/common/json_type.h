#pragma once

#include <rapidjson/rapidjson.h>

#include <string_view>

namespace gateway {

/// "a string", "an object", "null" …: the type of a RapidJSON value as messages about malformed input name it.
template <class Value>
std::string_view jsonTypeName(const Value& value) {
    switch (value.GetType()) {
        case rapidjson::kNullType:
            return "null";
        case rapidjson::kFalseType:
        case rapidjson::kTrueType:
            return "a boolean";
        case rapidjson::kObjectType:
            return "an object";
        case rapidjson::kArrayType:
            return "an array";
        case rapidjson::kStringType:
            return "a string";
        case rapidjson::kNumberType:
            return "a number";
    }
    return "a value";
}

}  // namespace gateway
