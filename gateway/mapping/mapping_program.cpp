#include "gateway/mapping/mapping_program.h"

#include "gateway/common/json_type.h"

#include "gateway/mapping/code_table.h"

#include <rapidjson/error/en.h>

#include <algorithm>

namespace gateway::mapping {
namespace {

using model::SourceRecord;

struct ScalarTarget {
    std::string_view name;
    std::string SourceRecord::*member;
    TargetCheck check;
};

const std::array<ScalarTarget, 10> kScalarTargets = {{
    {"source_id", &SourceRecord::source_id, TargetCheck::None},
    {"observed_at", &SourceRecord::observed_at, TargetCheck::Timestamp},
    {"name", &SourceRecord::name, TargetCheck::None},
    {"sex", &SourceRecord::sex, TargetCheck::SexCode},
    {"birth_date", &SourceRecord::birth_date, TargetCheck::IsoDate},
    {"id_number", &SourceRecord::id_number, TargetCheck::CitizenId},
    {"ethnicity", &SourceRecord::ethnicity, TargetCheck::EthnicityCode},
    {"hukou_division", &SourceRecord::hukou_division, TargetCheck::DivisionCode},
    {"residence_division", &SourceRecord::residence_division, TargetCheck::DivisionCode},
    {"address", &SourceRecord::address, TargetCheck::None},
}};

struct GuardianTarget {
    std::string_view name;
    std::string model::Guardian::*member;
    TargetCheck check;
};

const std::array<GuardianTarget, 5> kGuardianTargets = {{
    {"relation", &model::Guardian::relation, TargetCheck::None},
    {"name", &model::Guardian::name, TargetCheck::None},
    {"id_number", &model::Guardian::id_number, TargetCheck::CitizenId},
    {"status", &model::Guardian::status, TargetCheck::GuardianStatus},
    {"phone", &model::Guardian::phone, TargetCheck::None},
}};

constexpr std::string_view kIdentifiersPrefix = "identifiers.";
constexpr std::string_view kFactsPrefix = "facts.";

// Raw NUL bytes would end the parse early; invalid UTF-8 is refused by the parser; numbers stay as the digits
// sent; the iterative parser keeps deep nesting off the thread's stack.
constexpr unsigned kRowParseFlags =
    rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;

/// Per-thread memory the row parser starts from, so that a typical row is parsed without touching the heap.
struct RowArena {
    static constexpr std::size_t kValueBytes = 64 * 1024;
    static constexpr std::size_t kStackBytes = 16 * 1024;
    std::unique_ptr<char[]> values = std::make_unique<char[]>(kValueBytes);
    std::unique_ptr<char[]> stack = std::make_unique<char[]>(kStackBytes);
};

using RowDocument =
    rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>, rapidjson::MemoryPoolAllocator<>>;

bool isSourceName(std::string_view name) {
    return !name.empty() && name[0] >= 'a' && name[0] <= 'z' && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

std::string unknownTargetMessage(std::string_view key) {
    std::vector<std::string_view> known;
    for (const ScalarTarget& target : kScalarTargets) {
        known.push_back(target.name);
    }
    known.push_back("guardians");
    std::string message = "unknown target field " + singleQuoted(key) + " (";
    std::optional<std::string> suggestion;
    if (const auto close = closestMatch(key, known)) {
        suggestion = std::string(*close);
    } else if (const std::size_t dot = key.find('.'); dot != std::string_view::npos) {
        if (const auto group = closestMatch(key.substr(0, dot), {"identifiers", "facts"})) {
            suggestion = std::string(*group) + std::string(key.substr(dot));
        }
    }
    if (suggestion) {
        message += "did you mean " + singleQuoted(*suggestion) + "? ";
    }
    message += "known: ";
    for (const std::string_view name : known) {
        message += std::string(name) + ", ";
    }
    message += "identifiers.NAME, facts.PATH)";
    return message;
}

}  // namespace

std::shared_ptr<const MappingProgram> MappingProgram::compile(const ConfigDocument& document,
                                                              const MappingContext& context) {
    auto program = std::make_shared<MappingProgram>();
    const ConfigCursor root = ConfigCursor::root(document);
    if (!root.node().isObject()) {
        root.fail("a mapping is a JSON object, got " + std::string(typeName(root.node().type)));
    }
    const ObjectReader top(root, {"source", "version", "description", "fields", "rules"});
    const ConfigCursor source = top.require("source");
    program->source_ = source.asString();
    if (!isSourceName(program->source_)) {
        source.fail("bad source name " + singleQuoted(program->source_) +
                    ": use lower-case letters, digits and '_', starting with a letter");
    }
    const ConfigCursor version = top.require("version");
    if (version.node().type != ConfigNode::Type::String && version.node().type != ConfigNode::Type::Number) {
        version.fail("expected a string or a number, got " + std::string(typeName(version.node().type)));
    }
    program->version_ = version.node().text;
    if (const auto description = top.get("description")) {
        program->description_ = description->asString();
    }
    program->runtime_.divisions = context.divisions;
    program->runtime_.as_of = context.as_of;

    CodeTableCache tables(context.codes_dir);
    CompileContext compile_context{context, tables};
    program->compileFields(top.require("fields"), compile_context);
    if (const auto rules = top.get("rules")) {
        program->compileRules(*rules);
    }
    return program;
}

void MappingProgram::compileFields(const ConfigCursor& fields, CompileContext& context) {
    fields.expectObject();
    for (const ConfigMember& member : fields.node().members) {
        const ConfigCursor spec = fields.member(member);
        const std::string_view key = member.key;
        const auto scalar = std::find_if(kScalarTargets.begin(), kScalarTargets.end(),
                                         [&](const ScalarTarget& target) { return target.name == key; });
        if (scalar != kScalarTargets.end()) {
            auto field = compileField(spec, std::string(key), scalar->check, "", context);
            if (scalar->member == &SourceRecord::source_id) {
                if (field->isConstant()) {
                    spec.fail("source_id must come from the row, not a constant");
                }
                field->required = Requirement::Required;
                source_id_ = std::move(field);
            } else {
                scalars_.emplace_back(scalar->member, std::move(field));
            }
        } else if (key == "source") {
            spec.fail("'source' is not a field: the top-level \"source\" names the source of every record");
        } else if (key == "guardians") {
            compileGuardians(spec, context);
        } else if (key.starts_with(kIdentifiersPrefix)) {
            const std::string_view name = key.substr(kIdentifiersPrefix.size());
            if (!isSourceName(name)) {
                spec.fail("bad identifier name " + singleQuoted(name) +
                          ": use lower-case letters, digits and '_', starting with a letter");
            }
            identifiers_.emplace_back(std::string(name),
                                      compileField(spec, std::string(key), TargetCheck::None, "", context));
        } else if (key.starts_with(kFactsPrefix)) {
            facts_.add(spec, key.substr(kFactsPrefix.size()), context);
        } else {
            fields.document().fail(member.key_offset, fields.path(), unknownTargetMessage(key));
        }
    }
    if (!source_id_) {
        fields.fail("missing field 'source_id': every record needs the source's own identifier");
    }
}

void MappingProgram::compileRules(const ConfigCursor& list) {
    list.expectArray();
    for (std::size_t i = 0; i < list.node().elements.size(); ++i) {
        const ObjectReader reader(list.element(i), {"at_least_one_of", "soft", "note"});
        RecordRule rule;
        if (const auto soft = reader.get("soft")) {
            rule.soft = soft->asBoolean();
        }
        const ConfigCursor targets = reader.require("at_least_one_of");
        targets.expectArray();
        if (targets.node().elements.empty()) {
            targets.fail("name at least one target field");
        }
        for (std::size_t t = 0; t < targets.node().elements.size(); ++t) {
            const ConfigCursor where = targets.element(t);
            RecordRule::Target target;
            target.name = where.asString();
            for (const auto& [member, field] : scalars_) {
                if (field->target == target.name) {
                    target.member = member;
                    target.field = field.get();
                }
            }
            for (const auto& [name, field] : identifiers_) {
                if (field->target == target.name) {
                    target.identifier = name;
                    target.field = field.get();
                }
            }
            if (target.field == nullptr) {
                where.fail("rule names " + singleQuoted(target.name) +
                           ", which is not a scalar or identifiers target this mapping fills");
            }
            rule.targets.push_back(std::move(target));
        }
        rules_.push_back(std::move(rule));
    }
}

void MappingProgram::checkRules(const model::SourceRecord& record, Report& report) const {
    for (const RecordRule& rule : rules_) {
        const bool satisfied = std::any_of(rule.targets.begin(), rule.targets.end(), [&](const RecordRule::Target& t) {
            if (t.member != nullptr) {
                return !(record.*(t.member)).empty();
            }
            return record.identifiers.count(t.identifier) > 0;
        });
        if (satisfied) {
            continue;
        }
        std::string message = "at least one of ";
        for (std::size_t i = 0; i < rule.targets.size(); ++i) {
            message += (i == 0 ? "" : ", ") + fieldLabel(*rule.targets[i].field, nullptr, static_cast<std::size_t>(-1));
        }
        message += " is needed, and none has a value";
        (rule.soft ? report.warnings : report.errors).push_back(std::move(message));
    }
}

void MappingProgram::compileGuardians(const ConfigCursor& list, CompileContext& context) {
    list.expectArray();
    for (std::size_t i = 0; i < list.node().elements.size(); ++i) {
        const ObjectReader reader(list.element(i), {"base", "each", "fields", "on_error", "note"});
        GuardianTemplate guardian;
        guardian.target = "guardians[" + std::to_string(i) + "]";
        const auto base = reader.get("base");
        const auto each = reader.get("each");
        if (base && each) {
            each->fail("give either 'base' or 'each', not both");
        }
        if (base || each) {
            const ConfigCursor& where = base ? *base : *each;
            std::string error;
            auto pointer = JsonPointer::parse(where.asString(), error);
            if (!pointer) {
                where.fail(error);
            }
            if (pointer->empty()) {
                where.fail("the pointer cannot be empty here");
            }
            guardian.pointer = std::move(*pointer);
            guardian.scope = base ? GuardianTemplate::Scope::Base : GuardianTemplate::Scope::Each;
        }
        guardian.on_error = readErrorPolicy(reader);
        const ConfigCursor fields = reader.require("fields");
        std::vector<std::string_view> names;
        for (const GuardianTarget& target : kGuardianTargets) {
            names.push_back(target.name);
        }
        const ObjectReader field_reader(fields, names);
        bool identifies = false;
        for (std::size_t f = 0; f < kGuardianTargets.size(); ++f) {
            const auto spec = field_reader.get(kGuardianTargets[f].name);
            if (!spec) {
                continue;
            }
            const bool each_scope = guardian.scope == GuardianTemplate::Scope::Each;
            std::string target = each_scope ? std::string(kGuardianTargets[f].name)
                                            : guardian.target + "." + std::string(kGuardianTargets[f].name);
            std::string prefix = guardian.scope == GuardianTemplate::Scope::Base ? guardian.pointer.text() : "";
            guardian.fields[f] =
                compileField(*spec, std::move(target), kGuardianTargets[f].check, std::move(prefix), context);
            const bool identifying = kGuardianTargets[f].name == "name" || kGuardianTargets[f].name == "id_number" ||
                                     kGuardianTargets[f].name == "phone";
            identifies = identifies || identifying;
        }
        if (!identifies) {
            fields.fail("a guardian needs at least one of name, id_number and phone");
        }
        guardians_.push_back(std::move(guardian));
    }
}

void MappingProgram::applyGuardian(const GuardianTemplate& guardian, const rapidjson::Value& row,
                                   const RuntimeContext& runtime, Report& report,
                                   std::vector<model::Guardian>& out) const {
    const auto fill = [&](const rapidjson::Value& scope, const ElementRef* element) {
        model::Guardian result;
        Value value;
        for (std::size_t f = 0; f < kGuardianTargets.size(); ++f) {
            if (guardian.fields[f]) {
                evaluateField(*guardian.fields[f], scope, element, runtime, report, value);
                (result.*(kGuardianTargets[f].member)) = std::move(value.text);
            }
        }
        // Relation and status alone do not describe a person.
        if (!result.name.empty() || !result.id_number.empty() || !result.phone.empty()) {
            out.push_back(std::move(result));
        }
    };
    if (guardian.scope == GuardianTemplate::Scope::Row) {
        fill(row, nullptr);
        return;
    }
    const rapidjson::Value* found = nullptr;
    const JsonPointer::Lookup lookup = guardian.pointer.resolve(row, found);
    if (lookup == JsonPointer::Lookup::Missing || (lookup == JsonPointer::Lookup::Found && found->IsNull())) {
        return;
    }
    const bool each = guardian.scope == GuardianTemplate::Scope::Each;
    std::string problem;
    if (lookup == JsonPointer::Lookup::Ambiguous) {
        problem = "the row has this member more than once";
    } else if (each && !found->IsArray()) {
        problem = "expected an array, got " + std::string(jsonTypeName(*found));
    } else if (!each && !found->IsObject()) {
        problem = "expected an object, got " + std::string(jsonTypeName(*found));
    }
    if (!problem.empty()) {
        const std::string label = guardian.target + " (" + guardian.pointer.text() + "): " + problem;
        if (guardian.on_error == ErrorPolicy::Quarantine) {
            report.errors.push_back(label);
        } else {
            report.warnings.push_back(label + "; guardian dropped");
        }
        return;
    }
    if (!each) {
        fill(*found, nullptr);
        return;
    }
    for (rapidjson::SizeType i = 0; i < found->Size(); ++i) {
        const ElementRef element{guardian.target, guardian.pointer.text(), i};
        fill((*found)[i], &element);
    }
}

void MappingProgram::apply(std::string_view row_json, const RuntimeContext& runtime, MappedRecord& out) const {
    // Cleared rather than replaced, so that a result reused by applyInto() keeps its buffers.
    out.outcome = Outcome::Quarantined;
    SourceRecord& record = out.record;
    for (std::string* text :
         {&record.source_id, &record.observed_at, &record.name, &record.sex, &record.birth_date, &record.id_number,
          &record.ethnicity, &record.hukou_division, &record.residence_division, &record.address}) {
        text->clear();
    }
    record.source.assign(source_);
    record.identifiers.clear();
    record.guardians.clear();
    record.facts.assign("{}");
    out.warnings.clear();
    out.reason.clear();

    if (row_json.size() > model::kMaxSourceRecordBytes) {
        out.reason = "row is " + std::to_string(row_json.size()) + " bytes, over the limit of " +
                     std::to_string(model::kMaxSourceRecordBytes);
        return;
    }
    if (const std::size_t nul = row_json.find('\0'); nul != std::string_view::npos) {
        out.reason = "row contains a NUL byte at byte " + std::to_string(nul) + ", which JSON text cannot";
        return;
    }
    thread_local RowArena arena;
    rapidjson::MemoryPoolAllocator<> values(arena.values.get(), RowArena::kValueBytes);
    rapidjson::MemoryPoolAllocator<> stack(arena.stack.get(), RowArena::kStackBytes);
    RowDocument row(&values, 1024, &stack);
    row.Parse<kRowParseFlags>(row_json.data(), row_json.size());
    if (row.HasParseError()) {
        out.reason = "row is not valid JSON at byte " + std::to_string(row.GetErrorOffset()) + ": " +
                     rapidjson::GetParseError_En(row.GetParseError());
        return;
    }
    if (!row.IsObject()) {
        // Numbers are parsed as strings; the text tells them apart.
        const std::size_t first = row_json.find_first_not_of(" \t\r\n");
        const bool number = row.IsString() && first != std::string_view::npos && row_json[first] != '"';
        out.reason = "row is " + std::string(number ? "a number" : jsonTypeName(row)) + ", not a JSON object";
        return;
    }

    std::vector<std::string> errors;
    Report report{out.warnings, errors};
    Value value;
    evaluateField(*source_id_, row, nullptr, runtime, report, value);
    record.source_id.assign(value.text);
    for (const auto& [member, field] : scalars_) {
        evaluateField(*field, row, nullptr, runtime, report, value);
        (record.*member).assign(value.text);
    }
    for (const auto& [name, field] : identifiers_) {
        evaluateField(*field, row, nullptr, runtime, report, value);
        if (!value.empty()) {
            record.identifiers[name] = value.text;
        }
    }
    checkRules(record, report);
    for (const GuardianTemplate& guardian : guardians_) {
        applyGuardian(guardian, row, runtime, report, record.guardians);
    }
    if (!facts_.empty()) {
        facts_.write(row, runtime, report, record.facts);
    }

    if (!errors.empty()) {
        for (std::size_t i = 0; i < errors.size(); ++i) {
            out.reason += (i == 0 ? "" : "; ") + errors[i];
        }
        return;
    }
    out.outcome = out.warnings.empty() ? Outcome::Accepted : Outcome::AcceptedWithWarnings;
}

}  // namespace gateway::mapping
