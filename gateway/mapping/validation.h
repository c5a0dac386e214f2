#pragma once

#include "gateway/common/config_tree.h"
#include "gateway/mapping/field_value.h"
#include "gateway/mapping/transform.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::mapping {

/// A rule a field's final value must satisfy. A hard rule quarantines the row; a soft one keeps the value and
/// records a warning. Rules are not run on empty values (that is "required"'s business).
class Validation {
public:
    explicit Validation(bool soft) : soft_(soft) {}
    virtual ~Validation() = default;

    /// True when `value` passes; otherwise false with `problem` naming the value.
    virtual bool check(const Value& value, const RuntimeContext& runtime, std::string& problem) const = 0;
    bool soft() const { return soft_; }

private:
    bool soft_;
};

/// Compiles one element of a "validate" array: {"KIND": options} with optional "soft": true and "note".
std::unique_ptr<Validation> compileValidation(const ConfigCursor& spec, CompileContext& context);

std::vector<std::string_view> validationNames();

}  // namespace gateway::mapping
