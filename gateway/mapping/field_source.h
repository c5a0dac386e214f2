#pragma once

#include "gateway/common/config_tree.h"
#include "gateway/common/json_pointer.h"
#include "gateway/mapping/field_value.h"

#include <optional>
#include <string>

namespace gateway::mapping {

/// Where a value comes from: {"from": "/json/pointer"}, {"column": "name"} or {"const": "text"}.
struct FieldSource {
    bool is_const = false;
    std::string constant;
    JsonPointer pointer;  // relative to the scope the field is read in

    /// The pointer for messages, "" for a constant.
    std::string_view describe() const { return is_const ? std::string_view() : std::string_view(pointer.text()); }
    bool read(const rapidjson::Value& scope, Value& out, std::string& problem) const {
        if (is_const) {
            out.text = constant;
            out.kind = ValueKind::Text;
            return true;
        }
        return readInput(pointer, scope, out, problem);
    }
};

/// The keys compileSource reads.
inline constexpr std::string_view kFromKey = "from";
inline constexpr std::string_view kColumnKey = "column";
inline constexpr std::string_view kConstKey = "const";

/// Reads the one source key of an object; nullopt when it has none. Fails when it has more than one or the
/// pointer is malformed.
std::optional<FieldSource> compileSource(const ObjectReader& reader);

}  // namespace gateway::mapping
