#include "gateway/mapping/mapping.h"

#include "gateway/common/error.h"
#include "gateway/common/file.h"
#include "gateway/mapping/mapping_program.h"

#include <fstream>
#include <sstream>

namespace gateway::mapping {

std::string_view outcomeName(Outcome outcome) {
    switch (outcome) {
        case Outcome::Accepted:
            return "accepted";
        case Outcome::AcceptedWithWarnings:
            return "accepted_with_warnings";
        case Outcome::Quarantined:
            return "quarantined";
    }
    return "quarantined";
}

Mapping::Mapping(std::shared_ptr<const MappingProgram> program) : program_(std::move(program)) {}

Mapping Mapping::load(const std::string& path, const MappingContext& context) {
    const std::string text = readFileContent(path, "mapping file");
    if (!context.codes_dir.empty()) {
        return parse(text, path, context);
    }
    MappingContext beside = context;
    const std::size_t slash = path.rfind('/');
    beside.codes_dir = (slash == std::string::npos ? std::string(".") : path.substr(0, slash)) + "/codes";
    return parse(text, path, beside);
}

Mapping Mapping::parse(std::string_view json_text, const std::string& origin, const MappingContext& context) {
    const auto document = ConfigDocument::parse(std::string(json_text), origin);
    return Mapping(MappingProgram::compile(*document, context));
}

MappedRecord Mapping::apply(std::string_view row_json) const {
    MappedRecord out;
    program_->apply(row_json, program_->runtime(), out);
    return out;
}

MappedRecord Mapping::apply(std::string_view row_json, const model::CalendarDate& as_of) const {
    RuntimeContext runtime = program_->runtime();
    runtime.as_of = as_of;
    MappedRecord out;
    program_->apply(row_json, runtime, out);
    return out;
}

void Mapping::applyInto(std::string_view row_json, MappedRecord& out) const {
    program_->apply(row_json, program_->runtime(), out);
}

const std::string& Mapping::source() const {
    return program_->source();
}

const std::string& Mapping::version() const {
    return program_->version();
}

const std::string& Mapping::description() const {
    return program_->description();
}

}  // namespace gateway::mapping
