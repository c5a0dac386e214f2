#pragma once

#include "gateway/common/config_tree.h"
#include "gateway/mapping/code_table.h"
#include "gateway/mapping/field_value.h"
#include "gateway/mapping/mapping.h"

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace gateway::mapping {

/// One step of a field's pipeline. Compiled once per mapping; apply() is const and thread-safe.
class Transform {
public:
    virtual ~Transform() = default;
    /// Rewrites `value` in place. Returns false with step.problem set when the value cannot be transformed.
    /// Unless said otherwise, a transform leaves an empty value empty.
    virtual bool apply(Value& value, StepContext& step) const = 0;
};

/// What compiling a step may use.
struct CompileContext {
    const MappingContext& mapping;
    CodeTableCache& tables;
};

/// A transform's options: {"name": {"key": …}} or, for the transform's main option, {"name": scalar}.
class TransformOptions {
public:
    /// `spec` is the element of the transforms array; `argument` the value under the transform's name, if any.
    TransformOptions(const ConfigCursor& spec, std::optional<ConfigCursor> argument, std::string_view shorthand,
                     const std::vector<std::string_view>& keys);

    /// Where the transform was written, for messages about it as a whole.
    const ConfigCursor& where() const { return spec_; }
    std::optional<ConfigCursor> get(std::string_view key) const;
    ConfigCursor require(std::string_view key) const;
    /// One of `allowed`, or `fallback` when the key is absent.
    std::string choice(std::string_view key, const std::vector<std::string_view>& allowed,
                       std::string_view fallback) const;

private:
    ConfigCursor spec_;
    std::optional<ConfigCursor> argument_;
    std::string_view shorthand_;
};

/// Compiles one element of a "transforms" array: "trim", or {"lookup": "guardian_status"}, or
/// {"lookup": {"table": "guardian_status", "on_missing": "keep"}}.
std::unique_ptr<Transform> compileTransform(const ConfigCursor& spec, CompileContext& context);

/// The known transform names, in the order mappings/README.md documents them.
std::vector<std::string_view> transformNames();

}  // namespace gateway::mapping
