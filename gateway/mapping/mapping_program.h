#pragma once

#include "gateway/common/config_tree.h"
#include "gateway/mapping/facts_program.h"
#include "gateway/mapping/field_program.h"
#include "gateway/mapping/mapping.h"

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gateway::mapping {

/// A guardians[] entry: fields read from the row, from a sub-object ("base") or from each element of an array.
struct GuardianTemplate {
    enum class Scope { Row, Base, Each };

    Scope scope = Scope::Row;
    JsonPointer pointer;  // the base or the array, for Base and Each
    std::string target;   // "guardians[0]"
    ErrorPolicy on_error = ErrorPolicy::Quarantine;
    /// relation, name, id_number, status, phone; null when the mapping leaves one out.
    std::array<std::unique_ptr<FieldProgram>, 5> fields;
};

/// {"at_least_one_of": [targets]}: a row with none of them filled is quarantined (or, when soft, warned about).
struct RecordRule {
    struct Target {
        std::string name;                                    // "id_number", "identifiers.student_no"
        std::string model::SourceRecord::*member = nullptr;  // a scalar target, or
        std::string identifier;                              // an identifier's key
        const FieldProgram* field = nullptr;                 // for messages
    };
    std::vector<Target> targets;
    bool soft = false;
};

/// A mapping file compiled into what apply() runs: every pointer parsed, every pattern compiled, every code table
/// loaded. Immutable; apply() is thread-safe.
class MappingProgram {
public:
    /// Throws GatewayError(InvalidConfig) "ORIGIN:LINE: at PATH: what" for any mistake in the mapping.
    static std::shared_ptr<const MappingProgram> compile(const ConfigDocument& document, const MappingContext& context);

    void apply(std::string_view row_json, const RuntimeContext& runtime, MappedRecord& out) const;

    const std::string& source() const { return source_; }
    const std::string& version() const { return version_; }
    const std::string& description() const { return description_; }
    /// The divisions and as-of date the mapping was loaded with.
    const RuntimeContext& runtime() const { return runtime_; }

private:
    void compileFields(const ConfigCursor& fields, CompileContext& context);
    void compileGuardians(const ConfigCursor& list, CompileContext& context);
    void compileRules(const ConfigCursor& list);
    void checkRules(const model::SourceRecord& record, Report& report) const;
    void applyGuardian(const GuardianTemplate& guardian, const rapidjson::Value& row, const RuntimeContext& runtime,
                       Report& report, std::vector<model::Guardian>& out) const;

    std::string source_;
    std::string version_;
    std::string description_;
    RuntimeContext runtime_;

    std::unique_ptr<FieldProgram> source_id_;
    std::vector<std::pair<std::string model::SourceRecord::*, std::unique_ptr<FieldProgram>>> scalars_;
    std::vector<std::pair<std::string, std::unique_ptr<FieldProgram>>> identifiers_;
    std::vector<GuardianTemplate> guardians_;
    FactsProgram facts_;
    std::vector<RecordRule> rules_;
};

}  // namespace gateway::mapping
