#include "gateway/linkage/linkage_rules_config.h"

#include <cmath>
#include <string_view>

namespace gateway::linkage::rules_config {

namespace {

/// "damerau<=1" → 1; fails unless `text` is `prefix` followed by a number.
double levelParameter(std::string_view text, std::string_view prefix, const ConfigCursor& at) {
    const std::string number(text.substr(prefix.size()));
    std::size_t used = 0;
    double value = 0;
    try {
        value = std::stod(number, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != number.size() || !std::isfinite(value) || value < 0) {
        at.fail("\"" + std::string(text) + "\": expected a number after \"" + std::string(prefix) + "\"");
    }
    return value;
}

LevelSpec levelSpec(FieldType type, const ConfigCursor& cursor) {
    const std::string& text = cursor.asString();
    LevelSpec level;
    level.label = text;
    const std::string_view view(text);
    if (view == "exact") {
        level.kind = LevelKind::Exact;
    } else if (view == "pinyin") {
        if (type != FieldType::ChineseName) {
            cursor.fail("\"pinyin\" compares chinese_name fields only");
        }
        level.kind = LevelKind::Pinyin;
    } else if (view.starts_with("damerau<=")) {
        level.kind = LevelKind::Damerau;
        level.param = levelParameter(view, "damerau<=", cursor);
        if (level.param > 8 || level.param != std::floor(level.param)) {
            cursor.fail("a Damerau distance is a whole number from 0 to 8");
        }
    } else if (view.starts_with("jaro_winkler>=")) {
        level.kind = LevelKind::JaroWinkler;
        level.param = levelParameter(view, "jaro_winkler>=", cursor);
        if (level.param > 1) {
            cursor.fail("a Jaro–Winkler similarity lies between 0 and 1");
        }
    } else if (view.starts_with("prefix=")) {
        level.kind = LevelKind::Prefix;
        level.param = levelParameter(view, "prefix=", cursor);
    } else if (view.starts_with("within=")) {
        if (type != FieldType::Text) {
            cursor.fail("\"within=N\" compares numbers held in text fields only");
        }
        level.kind = LevelKind::Within;
        level.param = levelParameter(view, "within=", cursor);
    } else if (view == "day_month_swapped" || view == "one_field_differs") {
        if (type != FieldType::Date) {
            cursor.fail("\"" + text + "\" compares date fields only");
        }
        level.kind = view == "day_month_swapped" ? LevelKind::DateSwap : LevelKind::DateOneField;
    } else {
        cursor.fail("unknown level \"" + text +
                    "\" (expected exact, pinyin, damerau<=N, jaro_winkler>=X, prefix=N, within=N, "
                    "day_month_swapped or one_field_differs)");
    }
    return level;
}

std::vector<double> probabilities(const ConfigCursor& list, std::size_t expected) {
    list.expectArray();
    const std::size_t size = list.node().elements.size();
    if (size != expected) {
        list.fail("expected " + std::to_string(expected) +
                  " probabilities (one per level and one for \"different\"), found " + std::to_string(size));
    }
    std::vector<double> result;
    for (std::size_t i = 0; i < size; ++i) {
        const ConfigCursor item = list.element(i);
        const double p = item.asNumber();
        if (!(p > 0 && p < 1)) {
            item.fail("a probability strictly between 0 and 1");
        }
        result.push_back(p);
    }
    return result;
}

KeyPart keyPart(const LinkageConfig& config, const ConfigCursor& cursor) {
    const std::string& text = cursor.asString();
    KeyPart part;
    const std::size_t colon = text.find(':');
    part.field = fieldByName(config, text.substr(0, colon), cursor);
    if (colon == std::string::npos) {
        return part;
    }
    const std::string_view transform = std::string_view(text).substr(colon + 1);
    const FieldType type = config.fields[part.field].type;
    if (transform.starts_with("prefix=")) {
        part.transform = KeyTransform::Prefix;
        part.n = static_cast<int>(levelParameter(transform, "prefix=", cursor));
        if (part.n == 0) {
            cursor.fail("a prefix of at least one character");
        }
    } else if (transform == "year") {
        if (type != FieldType::Date) {
            cursor.fail("\":year\" applies to date fields only");
        }
        part.transform = KeyTransform::Year;
    } else if (transform == "pinyin" || transform == "initials") {
        if (type != FieldType::ChineseName) {
            cursor.fail("\":" + std::string(transform) + "\" applies to chinese_name fields only");
        }
        part.transform = transform == "pinyin" ? KeyTransform::Pinyin : KeyTransform::Initial;
    } else {
        cursor.fail("unknown key transform \"" + std::string(transform) +
                    "\" (expected prefix=N, year, pinyin or initials)");
    }
    return part;
}

}  // namespace

std::size_t fieldByName(const LinkageConfig& config, const std::string& name, const ConfigCursor& at) {
    const std::size_t index = config.fieldIndex(name);
    if (index == std::string::npos) {
        std::vector<std::string_view> known;
        for (const FieldSpec& field : config.fields) {
            known.push_back(field.name);
        }
        at.fail(unknownNameMessage("field", name, known));
    }
    return index;
}

std::size_t comparisonByName(const LinkageConfig& config, const std::string& name, const ConfigCursor& at) {
    std::vector<std::string_view> known;
    for (std::size_t c = 0; c < config.comparisons.size(); ++c) {
        if (config.comparisons[c].name == name) {
            return c;
        }
        known.push_back(config.comparisons[c].name);
    }
    at.fail(unknownNameMessage("comparison", name, known));
}

std::vector<std::size_t> fieldList(const LinkageConfig& config, const ConfigCursor& list) {
    list.expectArray();
    std::vector<std::size_t> fields;
    for (std::size_t i = 0; i < list.node().elements.size(); ++i) {
        const ConfigCursor item = list.element(i);
        fields.push_back(fieldByName(config, item.asString(), item));
    }
    return fields;
}

ComparisonSpec comparisonSpec(const LinkageConfig& config, const ConfigCursor& cursor) {
    const ObjectReader reader(cursor, {"name", "field", "levels", "term_frequency", "m", "u"});
    ComparisonSpec spec;
    const auto field = reader.get("field");
    if (!field) {
        cursor.fail("missing \"field\"");
    }
    const std::string& field_name = field->asString();
    spec.field = fieldByName(config, field_name, *field);
    const auto name = reader.get("name");
    spec.name = name ? name->asString() : field_name;
    const FieldType type = config.fields[spec.field].type;
    const auto levels = reader.get("levels");
    if (!levels) {
        cursor.fail("missing \"levels\"");
    }
    levels->expectArray();
    const std::size_t count = levels->node().elements.size();
    if (count == 0 || count > 14) {
        levels->fail("give one to fourteen agreement levels");
    }
    bool equal_values_reach_a_level = false;
    for (std::size_t i = 0; i < count; ++i) {
        spec.levels.push_back(levelSpec(type, levels->element(i)));
        const LevelKind kind = spec.levels.back().kind;
        equal_values_reach_a_level =
            equal_values_reach_a_level || (kind != LevelKind::DateSwap && kind != LevelKind::DateOneField);
    }
    if (!equal_values_reach_a_level) {
        levels->fail("no level holds for equal values: add \"exact\"");
    }
    if (const auto term_frequency = reader.get("term_frequency")) {
        spec.term_frequency = term_frequency->asBoolean();
    }
    const auto m = reader.get("m");
    const auto u = reader.get("u");
    if (m.has_value() != u.has_value()) {
        cursor.fail("give both \"m\" and \"u\" or neither");
    }
    if (m) {
        spec.m = probabilities(*m, spec.levelCount());
        spec.u = probabilities(*u, spec.levelCount());
    }
    return spec;
}

BlockingRule blockingRule(const LinkageConfig& config, const ConfigCursor& cursor) {
    BlockingRule rule;
    std::optional<ConfigCursor> key = cursor;
    if (cursor.node().isObject()) {
        const ObjectReader reader(cursor, {"name", "key", "estimate"});
        if (const auto estimate = reader.get("estimate")) {
            rule.estimate = estimate->asBoolean();
        }
        key = reader.get("key");
        if (!key) {
            cursor.fail("missing \"key\"");
        }
        if (const auto name = reader.get("name")) {
            rule.name = name->asString();
        }
    }
    key->expectArray();
    if (key->node().elements.empty()) {
        key->fail("a key needs at least one field");
    }
    std::string joined;
    for (std::size_t i = 0; i < key->node().elements.size(); ++i) {
        const ConfigCursor part = key->element(i);
        rule.parts.push_back(keyPart(config, part));
        joined += (joined.empty() ? "" : "+") + part.asString();
    }
    if (rule.name.empty()) {
        rule.name = joined;
    }
    return rule;
}

DeterministicRule deterministicRule(const LinkageConfig& config, const ConfigCursor& cursor) {
    const ObjectReader reader(cursor, {"name", "equal", "require_valid", "require_level"});
    DeterministicRule rule;
    const auto name = reader.get("name");
    const auto equal = reader.get("equal");
    if (!name || !equal) {
        cursor.fail("a deterministic rule needs \"name\" and \"equal\"");
    }
    rule.name = name->asString();
    rule.equal = fieldList(config, *equal);
    if (rule.equal.empty()) {
        equal->fail("name at least one field");
    }
    if (const auto require_valid = reader.get("require_valid")) {
        rule.require_valid = fieldList(config, *require_valid);
        for (std::size_t i = 0; i < rule.require_valid.size(); ++i) {
            if (config.fields[rule.require_valid[i]].type != FieldType::CitizenId) {
                require_valid->element(i).fail("validity is known for citizen_id fields only");
            }
        }
    }
    if (const auto require_level = reader.get("require_level")) {
        require_level->expectObject();
        for (const ConfigMember& member : require_level->node().members) {
            const ConfigCursor item = require_level->member(member);
            const std::size_t found = comparisonByName(config, member.key, item);
            const std::string& label = item.asString();
            const auto& levels_of = config.comparisons[found].levels;
            int index = -1;
            for (std::size_t l = 0; l < levels_of.size(); ++l) {
                if (levels_of[l].label == label) {
                    index = static_cast<int>(l);
                }
            }
            if (index < 0) {
                item.fail("comparison \"" + member.key + "\" has no level \"" + label + "\"");
            }
            rule.require_level.emplace_back(found, index);
        }
    }
    return rule;
}

}  // namespace gateway::linkage::rules_config
