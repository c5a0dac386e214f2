#include "gateway/mapping/field_program.h"

#include "gateway/common/utf8.h"
#include "gateway/model/calendar_date.h"
#include "gateway/model/source_record.h"

namespace gateway::mapping {
namespace {

constexpr std::size_t kNoInput = static_cast<std::size_t>(-1);

bool allDigits(std::string_view text, std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
        if (text[i] < '0' || text[i] > '9') {
            return false;
        }
    }
    return true;
}

int digitsValue(std::string_view text, std::size_t from, std::size_t to) {
    int value = 0;
    for (std::size_t i = from; i < to; ++i) {
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

bool isIsoDate(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !allDigits(text, 0, 4) || !allDigits(text, 5, 7) ||
        !allDigits(text, 8, 10)) {
        return false;
    }
    return model::CalendarDate(digitsValue(text, 0, 4), digitsValue(text, 5, 7), digitsValue(text, 8, 10)).isValid();
}

/// Returns an explanation when `text` does not have the target's canonical shape, or nothing.
std::optional<std::string> checkTarget(TargetCheck check, std::string_view text) {
    switch (check) {
        case TargetCheck::None:
            return std::nullopt;
        case TargetCheck::SexCode:
            if (text == "0" || text == "1" || text == "2" || text == "9") {
                return std::nullopt;
            }
            return utf8::quote(text) + " is not a GB/T 2261.1 sex code (0, 1, 2, 9); map it with the sex transform";
        case TargetCheck::IsoDate:
            if (isIsoDate(text)) {
                return std::nullopt;
            }
            return utf8::quote(text) + " is not a date as YYYY-MM-DD; map it with the date transform";
        case TargetCheck::CitizenId:
            if (text.size() == 18 && allDigits(text, 0, 17) &&
                ((text[17] >= '0' && text[17] <= '9') || text[17] == 'X')) {
                return std::nullopt;
            }
            return utf8::quote(text) + " is not an 18-character citizen ID; map it with the citizen_id transform";
        case TargetCheck::EthnicityCode:
            if (text.size() == 2 && allDigits(text, 0, 2)) {
                return std::nullopt;
            }
            return utf8::quote(text) + " is not a two-digit GB/T 3304 code; map it with the ethnicity transform";
        case TargetCheck::DivisionCode:
            if (text.size() == 12 && allDigits(text, 0, 12)) {
                return std::nullopt;
            }
            return utf8::quote(text) + " is not a 12-digit division code; map it with the division transform";
        case TargetCheck::Timestamp:
            if (text.size() == 20 && isIsoDate(text.substr(0, 10)) && text[10] == 'T' && text[13] == ':' &&
                text[16] == ':' && text[19] == 'Z' && allDigits(text, 11, 13) && allDigits(text, 14, 16) &&
                allDigits(text, 17, 19)) {
                return std::nullopt;
            }
            return utf8::quote(text) + " is not a UTC time as YYYY-MM-DDTHH:MM:SSZ; map it with the datetime transform";
        case TargetCheck::GuardianStatus:
            if (model::isGuardianStatus(text)) {
                return std::nullopt;
            }
            return utf8::quote(text) + " is not a guardian status of DESIGN §4; map it with a lookup";
    }
    return std::nullopt;
}

std::vector<std::unique_ptr<Transform>> compileTransforms(const ObjectReader& reader, CompileContext& context) {
    std::vector<std::unique_ptr<Transform>> transforms;
    if (const auto list = reader.get("transforms")) {
        list->expectArray();
        for (std::size_t i = 0; i < list->node().elements.size(); ++i) {
            transforms.push_back(compileTransform(list->element(i), context));
        }
    }
    return transforms;
}

void noteWarnings(const FieldProgram& field, const ElementRef* element, std::size_t input, StepContext& step,
                  Report& report) {
    for (std::string& note : step.notes) {
        report.warnings.push_back(fieldLabel(field, element, input) + ": " + note);
    }
    step.notes.clear();
}

}  // namespace

bool FieldProgram::isConstant() const {
    return inputs.size() == 1 && inputs.front().source.is_const;
}

ErrorPolicy readErrorPolicy(const ObjectReader& reader) {
    if (const auto on_error = reader.get("on_error")) {
        const std::string& policy = on_error->asString();
        if (policy == "warn") {
            return ErrorPolicy::Warn;
        }
        if (policy != "quarantine") {
            on_error->fail(unknownNameMessage("value", policy, {"quarantine", "warn"}));
        }
    }
    return ErrorPolicy::Quarantine;
}

std::vector<std::string_view> fieldKeys() {
    return {"from", "column", "const", "first_of", "transforms", "validate", "required", "on_error", "note"};
}

std::unique_ptr<FieldProgram> compileField(const ConfigCursor& spec, std::string target, TargetCheck check,
                                           std::string pointer_prefix, CompileContext& context) {
    auto field = std::make_unique<FieldProgram>();
    field->target = std::move(target);
    field->pointer_prefix = std::move(pointer_prefix);
    field->check = check;
    if (spec.node().isString()) {
        std::string error;
        auto pointer = JsonPointer::parse(spec.node().text, error);
        if (!pointer) {
            spec.fail(error);
        }
        FieldInput input;
        input.source.pointer = std::move(*pointer);
        field->inputs.push_back(std::move(input));
        return field;
    }
    if (!spec.node().isObject()) {
        spec.fail("a field is an object such as {\"from\": \"/xm\"} or a JSON pointer string, got " +
                  std::string(typeName(spec.node().type)));
    }
    const ObjectReader reader(spec, fieldKeys());
    if (const auto note = reader.get("note")) {
        note->asString();
    }
    auto source = compileSource(reader);
    const auto first_of = reader.get("first_of");
    if (source && first_of) {
        first_of->fail("give either 'first_of' or one of 'from', 'column' and 'const'");
    }
    if (source) {
        FieldInput input;
        input.source = std::move(*source);
        field->inputs.push_back(std::move(input));
    } else if (first_of) {
        first_of->expectArray();
        if (first_of->node().elements.size() < 2) {
            first_of->fail("first_of needs at least two alternatives");
        }
        for (std::size_t i = 0; i < first_of->node().elements.size(); ++i) {
            const ObjectReader alternative(first_of->element(i), {"from", "column", "const", "transforms", "note"});
            auto alternative_source = compileSource(alternative);
            if (!alternative_source) {
                alternative.cursor().fail("an alternative needs 'from', 'column' or 'const'");
            }
            FieldInput input;
            input.source = std::move(*alternative_source);
            input.transforms = compileTransforms(alternative, context);
            field->inputs.push_back(std::move(input));
        }
    } else {
        spec.fail("a field needs one of 'from', 'column', 'const' and 'first_of'");
    }
    field->transforms = compileTransforms(reader, context);
    if (const auto list = reader.get("validate")) {
        list->expectArray();
        for (std::size_t i = 0; i < list->node().elements.size(); ++i) {
            field->validations.push_back(compileValidation(list->element(i), context));
        }
    }
    if (const auto required = reader.get("required")) {
        if (required->node().type == ConfigNode::Type::Boolean) {
            field->required = required->asBoolean() ? Requirement::Required : Requirement::Optional;
        } else if (required->node().isString() && required->node().text == "soft") {
            field->required = Requirement::Soft;
        } else {
            required->fail("expected true, false or \"soft\"");
        }
    }
    field->on_error = readErrorPolicy(reader);
    return field;
}

std::string fieldLabel(const FieldProgram& field, const ElementRef* element, std::size_t input) {
    std::string label;
    std::string prefix = field.pointer_prefix;
    if (element != nullptr) {
        label.assign(element->target);
        label += "[" + std::to_string(element->index) + "]";
        if (!field.target.empty()) {
            label += "." + field.target;
        }
        prefix.assign(element->pointer);
        prefix += "/" + std::to_string(element->index);
    } else {
        label = field.target;
    }
    std::string pointers;
    const auto add = [&](const FieldInput& candidate) {
        if (!candidate.source.is_const) {
            pointers += (pointers.empty() ? "" : ", ") + prefix + candidate.source.pointer.text();
        }
    };
    if (input < field.inputs.size()) {
        add(field.inputs[input]);
    } else {
        for (const FieldInput& candidate : field.inputs) {
            add(candidate);
        }
    }
    if (!pointers.empty()) {
        label += " (" + pointers + ")";
    }
    return label;
}

void evaluateField(const FieldProgram& field, const rapidjson::Value& scope, const ElementRef* element,
                   const RuntimeContext& runtime, Report& report, Value& out) {
    StepContext step(scope, runtime);
    const std::size_t warnings_before = report.warnings.size();
    std::size_t used = kNoInput;

    const auto reject = [&](std::size_t input, const std::string& problem) {
        if (field.on_error == ErrorPolicy::Quarantine || field.required == Requirement::Required) {
            report.errors.push_back(fieldLabel(field, element, input) + ": " + problem);
        } else {
            report.warnings.push_back(fieldLabel(field, element, input) + ": " + problem + "; value dropped");
        }
        out.clear();
    };

    out.clear();
    for (std::size_t i = 0; i < field.inputs.size(); ++i) {
        const FieldInput& input = field.inputs[i];
        std::string problem;
        if (!input.source.read(scope, out, problem)) {
            reject(i, problem);
            return;
        }
        for (const auto& transform : input.transforms) {
            if (!transform->apply(out, step)) {
                noteWarnings(field, element, i, step, report);
                reject(i, step.problem);
                return;
            }
        }
        noteWarnings(field, element, i, step, report);
        if (!out.empty()) {
            used = i;
            break;
        }
    }
    if (used == kNoInput && field.inputs.size() == 1) {
        used = 0;
    }
    for (const auto& transform : field.transforms) {
        if (!transform->apply(out, step)) {
            noteWarnings(field, element, used, step, report);
            reject(used, step.problem);
            return;
        }
    }
    noteWarnings(field, element, used, step, report);

    if (!out.empty()) {
        if (auto problem = checkTarget(field.check, out.text)) {
            reject(used, *problem);
            return;
        }
        for (const auto& validation : field.validations) {
            std::string problem;
            if (validation->check(out, runtime, problem)) {
                continue;
            }
            if (validation->soft()) {
                report.warnings.push_back(fieldLabel(field, element, used) + ": " + problem);
            } else {
                report.errors.push_back(fieldLabel(field, element, used) + ": " + problem);
                out.clear();
                return;
            }
        }
        return;
    }
    if (field.required == Requirement::Required) {
        report.errors.push_back(fieldLabel(field, element, used) + ": required, but missing or empty");
    } else if (field.required == Requirement::Soft && report.warnings.size() == warnings_before) {
        report.warnings.push_back(fieldLabel(field, element, used) + ": missing or empty");
    }
}

}  // namespace gateway::mapping
