#pragma once

#include "gateway/common/error.h"
#include "gateway/mapping/mapping.h"
#include "gateway/model/division_directory.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace gateway::mapping::testing {

/// The as-of date every mapping test runs on.
inline const model::CalendarDate kAsOf(2026, 11, 1);

inline const model::DivisionDirectory& builtinDivisions() {
    static const model::DivisionDirectory directory = model::DivisionDirectory::loadBuiltin();
    return directory;
}

inline std::string codesDir() {
    return std::string(GATEWAY_SOURCE_DIR) + "/mappings/codes";
}

inline std::string mappingsDir() {
    return std::string(GATEWAY_SOURCE_DIR) + "/mappings";
}

inline MappingContext testContext() {
    MappingContext context;
    context.divisions = &builtinDivisions();
    context.codes_dir = codesDir();
    context.as_of = kAsOf;
    return context;
}

/// A mapping with source_id from /id plus `fields` (the inside of a JSON object, e.g. "\"address\": \"/a\"").
inline Mapping mappingWith(std::string_view fields) {
    const std::string text =
        R"({"source": "test", "version": "1", "fields": {"source_id": "/id", )" + std::string(fields) + "}}";
    return Mapping::parse(text, "test.json", testContext());
}

/// A mapping that puts one field spec into `address`, which has no canonical shape of its own.
inline Mapping addressMapping(std::string_view spec) {
    return mappingWith("\"address\": " + std::string(spec));
}

/// The message of the GatewayError(InvalidConfig) that loading `text` throws, or "" when it loads.
inline std::string loadError(std::string_view text, const std::string& origin = "test.json") {
    try {
        Mapping::parse(text, origin, testContext());
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.code(), ErrorCode::InvalidConfig);
        return error.message();
    }
    return "";
}

/// {"id": "R1", KEY: VALUE} with VALUE given as JSON text.
inline std::string rowWith(std::string_view key, std::string_view json_value) {
    return R"({"id": "R1", ")" + std::string(key) + "\": " + std::string(json_value) + "}";
}

}  // namespace gateway::mapping::testing
