#include "gateway/linkage/linkage_config.h"

#include "gateway/common/config_tree.h"
#include "gateway/common/error.h"
#include "gateway/common/file.h"
#include "gateway/common/json_pointer.h"
#include "gateway/linkage/linkage_rules_config.h"

#include <Poco/RegularExpression.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <limits>

namespace gateway::resources {
std::vector<std::pair<std::string_view, std::string_view>> linkageEntries();
}

namespace gateway::linkage {

namespace {

using rules_config::comparisonByName;
using rules_config::fieldList;

/// A whole number from `min`, as the counts and the seed are written; `what` names it in the message.
std::uint64_t wholeNumber(const ConfigCursor& cursor, std::uint64_t min, std::string_view what) {
    const ConfigNode& node = cursor.node();
    errno = 0;
    char* end = nullptr;
    const unsigned long long value =
        node.type == ConfigNode::Type::Number && node.text.find_first_of(".eE-") == std::string::npos
            ? std::strtoull(node.text.c_str(), &end, 10)
            : 0;
    if (end == nullptr || errno != 0 || value < min) {
        cursor.fail("expected " + std::string(what));
    }
    return value;
}

std::size_t count(const ConfigCursor& cursor) {
    return static_cast<std::size_t>(wholeNumber(cursor, 1, "a positive whole number"));
}

/// A JSON pointer, in which a "*" segment stands for every element of an array.
std::string pointer(const ConfigCursor& cursor) {
    const std::string& text = cursor.asString();
    if (!text.empty() && text.front() != '/') {
        cursor.fail("a JSON pointer starts with \"/\": \"" + text + "\"");
    }
    std::string_view rest = text;
    while (!rest.empty()) {
        const std::size_t star = rest.find("/*");
        const bool wildcard = star != std::string_view::npos && (star + 2 == rest.size() || rest[star + 2] == '/');
        const std::string_view piece = wildcard ? rest.substr(0, star) : rest;
        std::string error;
        if (!JsonPointer::parse(piece, error)) {
            cursor.fail("\"" + text + "\" is not a JSON pointer: " + error);
        }
        rest = wildcard ? rest.substr(star + 2) : std::string_view();
    }
    return text;
}

FieldType fieldType(const ConfigCursor& cursor) {
    const std::string& text = cursor.asString();
    if (text == "text")
        return FieldType::Text;
    if (text == "citizen_id")
        return FieldType::CitizenId;
    if (text == "date")
        return FieldType::Date;
    if (text == "chinese_name")
        return FieldType::ChineseName;
    if (text == "division")
        return FieldType::Division;
    cursor.fail("unknown field type \"" + text + "\" (expected text, citizen_id, date, chinese_name or division)");
}

FieldSource fieldSource(const ConfigCursor& cursor) {
    FieldSource source;
    if (cursor.node().isString()) {
        source.pointer = pointer(cursor);
        return source;
    }
    const ObjectReader reader(cursor, {"pointer", "where", "strip_prefix"});
    const auto pointer_at = reader.get("pointer");
    if (!pointer_at) {
        cursor.fail("missing \"pointer\"");
    }
    source.pointer = pointer(*pointer_at);
    if (const auto strip_prefix = reader.get("strip_prefix")) {
        source.strip_prefix = strip_prefix->asString();
    }
    if (const auto where = reader.get("where")) {
        where->expectObject();
        if (source.pointer.find("/*") == std::string::npos) {
            where->fail("\"where\" filters array elements: the pointer needs a \"*\" segment");
        }
        for (const ConfigMember& member : where->node().members) {
            // A member name, or a pointer relative to the element when it starts with "/".
            const std::string& name = member.key;
            const std::string element_member = !name.empty() && name.front() == '/' ? name : "/" + name;
            source.where.emplace_back(element_member, where->member(member).asString());
        }
    }
    return source;
}

FieldSpec fieldSpec(std::string name, const ConfigCursor& cursor) {
    const ObjectReader reader(cursor, {"type", "from", "part", "placeholders", "birth_date"});
    FieldSpec spec;
    spec.name = std::move(name);
    const auto type = reader.get("type");
    if (!type) {
        cursor.fail("missing \"type\"");
    }
    spec.type = fieldType(*type);
    const auto from = reader.get("from");
    if (!from) {
        cursor.fail("missing \"from\" (a JSON pointer or a list of them)");
    }
    if (from->node().isArray()) {
        if (from->node().elements.empty()) {
            from->fail("empty list: give at least one pointer");
        }
        for (std::size_t i = 0; i < from->node().elements.size(); ++i) {
            spec.sources.push_back(fieldSource(from->element(i)));
        }
    } else {
        spec.sources.push_back(fieldSource(*from));
    }
    if (const auto part_at = reader.get("part")) {
        if (spec.type != FieldType::ChineseName) {
            part_at->fail("\"part\" applies to chinese_name fields only");
        }
        const std::string& part = part_at->asString();
        if (part == "full") {
            spec.part = NamePart::Full;
        } else if (part == "surname") {
            spec.part = NamePart::Surname;
        } else if (part == "given") {
            spec.part = NamePart::Given;
        } else {
            part_at->fail("unknown part \"" + part + "\" (expected full, surname or given)");
        }
    }
    if (const auto list = reader.get("placeholders")) {
        if (spec.type != FieldType::ChineseName) {
            list->fail("\"placeholders\" apply to chinese_name fields only");
        }
        list->expectArray();
        for (std::size_t i = 0; i < list->node().elements.size(); ++i) {
            const ConfigCursor item = list->element(i);
            std::string pattern = item.asString();
            try {
                Poco::RegularExpression compiled(pattern, Poco::RegularExpression::RE_UTF8);
            } catch (const Poco::Exception& error) {
                item.fail("not a regular expression: " + error.message());
            }
            spec.placeholders.push_back(std::move(pattern));
        }
    }
    return spec;
}

void readFields(const ConfigCursor& fields, LinkageConfig& config) {
    fields.expectObject();
    for (const ConfigMember& member : fields.node().members) {
        config.fields.push_back(fieldSpec(member.key, fields.member(member)));
    }
    // Resolved once every field is known, so that the birth date may be declared after the ID.
    for (const ConfigMember& member : fields.node().members) {
        const auto& inner = member.value.members;
        const auto declared =
            std::find_if(inner.begin(), inner.end(), [](const ConfigMember& m) { return m.key == "birth_date"; });
        if (declared == inner.end()) {
            continue;
        }
        const std::optional<ConfigCursor> birth_date = fields.member(member).member(*declared);
        FieldSpec& spec = config.fields[config.fieldIndex(member.key)];
        if (spec.type != FieldType::CitizenId) {
            birth_date->fail("\"birth_date\" applies to citizen_id fields only");
        }
        const std::string& date_name = birth_date->asString();
        const std::size_t date = config.fieldIndex(date_name);
        if (date == std::string::npos) {
            birth_date->fail("unknown field \"" + date_name + "\"");
        }
        if (config.fields[date].type != FieldType::Date) {
            birth_date->fail("field \"" + date_name + "\" is " + std::string(fieldTypeName(config.fields[date].type)) +
                             ", not date");
        }
        spec.birth_date = date;
    }
    if (config.fields.empty()) {
        fields.fail("declare at least one field");
    }
}

void readComparisons(const ConfigCursor& list, LinkageConfig& config) {
    list.expectArray();
    for (std::size_t i = 0; i < list.node().elements.size(); ++i) {
        const ConfigCursor item = list.element(i);
        ComparisonSpec spec = rules_config::comparisonSpec(config, item);
        for (const ComparisonSpec& other : config.comparisons) {
            if (other.name == spec.name) {
                item.fail("a second comparison named \"" + spec.name + "\": give one of them a \"name\"");
            }
        }
        config.comparisons.push_back(std::move(spec));
    }
    if (config.comparisons.empty()) {
        list.fail("declare at least one comparison");
    }
    if (config.comparisons.size() > 16) {
        list.fail("at most 16 comparisons");
    }
}

void readGroups(const ConfigCursor& list, LinkageConfig& config) {
    list.expectArray();
    std::vector<bool> grouped(config.comparisons.size(), false);
    for (std::size_t i = 0; i < list.node().elements.size(); ++i) {
        const ConfigCursor cursor = list.element(i);
        const ObjectReader group(cursor, {"name", "comparisons", "max_weight", "min_weight"});
        const auto name = group.get("name");
        const auto comparisons = group.get("comparisons");
        if (!name || !comparisons) {
            cursor.fail("a group needs \"name\" and \"comparisons\"");
        }
        ComparisonGroup result;
        result.name = name->asString();
        comparisons->expectArray();
        for (std::size_t j = 0; j < comparisons->node().elements.size(); ++j) {
            const ConfigCursor item = comparisons->element(j);
            const std::string& comparison = item.asString();
            const std::size_t found = comparisonByName(config, comparison, item);
            if (grouped[found]) {
                item.fail("comparison \"" + comparison + "\" is in another group already");
            }
            grouped[found] = true;
            result.comparisons.push_back(found);
        }
        if (const auto max_weight = group.get("max_weight")) {
            result.max_weight = max_weight->asNumber();
        }
        if (const auto min_weight = group.get("min_weight")) {
            result.min_weight = min_weight->asNumber();
        }
        if (result.min_weight > result.max_weight) {
            cursor.fail("min_weight exceeds max_weight");
        }
        config.groups.push_back(std::move(result));
    }
}

void readBlocking(const ConfigCursor& list, LinkageConfig& config) {
    list.expectArray();
    for (std::size_t i = 0; i < list.node().elements.size(); ++i) {
        config.blocking.push_back(rules_config::blockingRule(config, list.element(i)));
    }
    if (config.blocking.empty()) {
        list.fail("declare at least one blocking rule");
    }
    if (config.blocking.size() > 64) {
        list.fail("at most 64 blocking rules");
    }
}

void readThresholds(const ConfigCursor& cursor, Thresholds& thresholds) {
    const ObjectReader reader(cursor, {"link", "review", "non_link"});
    if (const auto link = reader.get("link")) {
        thresholds.link = link->asNumber();
    }
    if (const auto review = reader.get("review")) {
        thresholds.review = review->asNumber();
    }
    if (const auto non_link = reader.get("non_link")) {
        thresholds.non_link = non_link->asNumber();
    }
    if (thresholds.review > thresholds.link) {
        cursor.fail("review must not exceed link");
    }
    if (thresholds.non_link > thresholds.review) {
        cursor.fail("non_link must not exceed review");
    }
}

void readConstraints(const ConfigCursor& cursor, LinkageConfig& config) {
    const ObjectReader reader(cursor,
                              {"across_sources_only", "one_per_source", "distinct_within_source", "ambiguity_margin"});
    if (const auto across = reader.get("across_sources_only")) {
        config.across_sources_only = across->asBoolean();
    }
    if (const auto one = reader.get("one_per_source")) {
        config.one_per_source = one->asBoolean();
    }
    if (const auto margin = reader.get("ambiguity_margin")) {
        config.ambiguity_margin = margin->asNumber();
    }
    if (const auto distinct = reader.get("distinct_within_source")) {
        config.distinct_within_source = fieldList(config, *distinct);
    }
}

void readEm(const ConfigCursor& cursor, EmSettings& em) {
    const ObjectReader reader(cursor, {"max_pairs", "max_iterations", "tolerance", "u_sample_pairs", "seed", "min_m"});
    if (const auto min_m = reader.get("min_m")) {
        em.min_m = min_m->asNumber();
        if (!(em.min_m > 0 && em.min_m < 0.5)) {
            min_m->fail("expected a probability between 0 and 0.5");
        }
    }
    if (const auto max_pairs = reader.get("max_pairs")) {
        em.max_pairs = count(*max_pairs);
    }
    if (const auto max_iterations = reader.get("max_iterations")) {
        em.max_iterations = static_cast<int>(count(*max_iterations));
    }
    if (const auto tolerance = reader.get("tolerance")) {
        em.tolerance = tolerance->asNumber();
        if (!(em.tolerance > 0)) {
            tolerance->fail("expected a positive number");
        }
    }
    if (const auto u_sample_pairs = reader.get("u_sample_pairs")) {
        em.u_sample_pairs = count(*u_sample_pairs);
    }
    if (const auto seed = reader.get("seed")) {
        em.seed = wholeNumber(*seed, 0, "a whole number from 0");
    }
}

}  // namespace

std::size_t LinkageConfig::fieldIndex(std::string_view name) const {
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (fields[i].name == name) {
            return i;
        }
    }
    return std::string::npos;
}

LinkageConfig LinkageConfig::parse(std::string_view json, std::string_view origin) {
    const auto document = ConfigDocument::parse(std::string(json), std::string(origin));
    const ConfigCursor root = ConfigCursor::root(*document);
    const ObjectReader reader(
        root, {"description", "record", "fields", "comparisons", "groups", "blocking", "deterministic", "thresholds",
               "constraints", "em", "max_block_size", "person_prefix"});
    LinkageConfig config;
    if (const auto record_at = reader.get("record")) {
        const ObjectReader record(*record_at, {"source", "id"});
        if (const auto source = record.get("source")) {
            config.source_pointer = pointer(*source);
        }
        if (const auto id = record.get("id")) {
            config.id_pointer = pointer(*id);
        }
    }
    const auto fields = reader.get("fields");
    if (!fields) {
        root.fail("missing \"fields\"");
    }
    readFields(*fields, config);
    const auto comparisons = reader.get("comparisons");
    if (!comparisons) {
        root.fail("missing \"comparisons\"");
    }
    readComparisons(*comparisons, config);
    if (const auto groups = reader.get("groups")) {
        readGroups(*groups, config);
    }
    const auto blocking = reader.get("blocking");
    if (!blocking) {
        root.fail("missing \"blocking\"");
    }
    readBlocking(*blocking, config);
    if (const auto rules = reader.get("deterministic")) {
        rules->expectArray();
        for (std::size_t i = 0; i < rules->node().elements.size(); ++i) {
            config.deterministic.push_back(rules_config::deterministicRule(config, rules->element(i)));
        }
    }
    if (const auto thresholds = reader.get("thresholds")) {
        readThresholds(*thresholds, config.thresholds);
    }
    if (const auto constraints = reader.get("constraints")) {
        readConstraints(*constraints, config);
    }
    if (const auto em = reader.get("em")) {
        readEm(*em, config.em);
    }
    if (const auto max_block_size = reader.get("max_block_size")) {
        config.max_block_size = count(*max_block_size);
    }
    if (const auto person_prefix = reader.get("person_prefix")) {
        config.person_prefix = person_prefix->asString();
    }
    return config;
}

LinkageConfig LinkageConfig::load(const std::string& path) {
    return parse(readFileContent(path, "linkage configuration"), path);
}

LinkageConfig LinkageConfig::builtinChild() {
    for (const auto& [name, text] : resources::linkageEntries()) {
        if (name == "child.json") {
            return parse(text, "built-in config/linkage/child.json");
        }
    }
    throw GatewayError(ErrorCode::Internal, "the built-in linkage configuration is missing");
}

std::string_view fieldTypeName(FieldType type) {
    switch (type) {
        case FieldType::Text:
            return "text";
        case FieldType::CitizenId:
            return "citizen_id";
        case FieldType::Date:
            return "date";
        case FieldType::ChineseName:
            return "chinese_name";
        case FieldType::Division:
            return "division";
    }
    return "text";
}

}  // namespace gateway::linkage
