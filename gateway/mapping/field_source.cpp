#include "gateway/mapping/field_source.h"

namespace gateway::mapping {

std::optional<FieldSource> compileSource(const ObjectReader& reader) {
    const auto from = reader.get(kFromKey);
    const auto column = reader.get(kColumnKey);
    const auto constant = reader.get(kConstKey);
    const int count = (from ? 1 : 0) + (column ? 1 : 0) + (constant ? 1 : 0);
    if (count > 1) {
        reader.cursor().fail("give only one of 'from', 'column' and 'const'");
    }
    FieldSource source;
    if (from) {
        std::string error;
        auto pointer = JsonPointer::parse(from->asString(), error);
        if (!pointer) {
            from->fail(error);
        }
        source.pointer = std::move(*pointer);
    } else if (column) {
        const std::string& name = column->asString();
        if (name.empty()) {
            column->fail("a column name cannot be empty");
        }
        source.pointer = JsonPointer::column(name);
    } else if (constant) {
        source.is_const = true;
        source.constant = constant->asString();
    } else {
        return std::nullopt;
    }
    return source;
}

}  // namespace gateway::mapping
