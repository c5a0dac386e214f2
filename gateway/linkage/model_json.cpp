// The model and a pair's explanation as JSON and text: kept with each link run, shown to reviewers.

#include "gateway/linkage/scoring.h"

#include "gateway/common/error.h"
#include "gateway/common/json_writer.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>

namespace gateway::linkage {

std::string PairExplanation::toJson() const {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("left");
    json::string(writer, left);
    writer.Key("right");
    json::string(writer, right);
    if (!deterministic_rule.empty()) {
        writer.Key("deterministic_rule");
        writer.String(deterministic_rule.c_str());
    }
    writer.Key("weight");
    writer.Double(std::round(weight * 1000) / 1000);
    writer.Key("probability");
    writer.Double(probability);
    writer.Key("band");
    writer.String(band.c_str());
    writer.Key("comparisons");
    writer.StartArray();
    for (const ComparisonExplanation& part : comparisons) {
        writer.StartObject();
        writer.Key("comparison");
        writer.String(part.comparison.c_str());
        writer.Key("level");
        writer.String(part.level.c_str());
        writer.Key("left");
        json::string(writer, part.left);
        writer.Key("right");
        json::string(writer, part.right);
        writer.Key("m");
        writer.Double(part.m);
        writer.Key("u");
        writer.Double(part.u);
        writer.Key("weight");
        writer.Double(std::round(part.weight * 1000) / 1000);
        if (part.term_frequency_adjusted) {
            writer.Key("term_frequency_adjusted");
            writer.Bool(true);
        }
        if (!part.group.empty()) {
            writer.Key("group");
            writer.String(part.group.c_str());
        }
        writer.EndObject();
    }
    writer.EndArray();
    if (!notes.empty()) {
        writer.Key("notes");
        writer.StartArray();
        for (const std::string& note : notes) {
            json::string(writer, note);
        }
        writer.EndArray();
    }
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

std::string PairExplanation::toText() const {
    std::string text = left + "  ~  " + right + "\n";
    if (!deterministic_rule.empty()) {
        text += "deterministic rule: " + deterministic_rule + "\n";
    }
    for (const ComparisonExplanation& part : comparisons) {
        std::string line = "  " + part.comparison;
        line.resize(std::max<std::size_t>(line.size() + 1, 18), ' ');
        line += part.level;
        line.resize(std::max<std::size_t>(line.size() + 1, 38), ' ');
        line += formatNumber(part.weight, "%+7.2f");
        line += "   " + (part.left.empty() ? std::string("-") : part.left) + " | " +
                (part.right.empty() ? std::string("-") : part.right);
        if (part.term_frequency_adjusted) {
            line += "   (term frequency)";
        }
        if (!part.group.empty()) {
            line += "   [" + part.group + "]";
        }
        text += line + "\n";
    }
    for (const std::string& note : notes) {
        text += "  " + note + "\n";
    }
    text += "weight " + formatNumber(weight, "%.2f") + "  probability " + formatNumber(probability, "%.6f") +
            "  band " + band + "\n";
    return text;
}

std::string modelToJson(const LinkageConfig& config, const ModelParams& params, const TermFrequencies& frequencies) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("lambda");
    writer.Double(params.lambda);
    writer.Key("iterations");
    writer.Int(params.iterations);
    writer.Key("converged");
    writer.Bool(params.converged);
    writer.Key("pairs");
    writer.Uint64(params.pairs);
    writer.Key("comparisons");
    writer.StartArray();
    for (std::size_t c = 0; c < params.comparisons.size(); ++c) {
        writer.StartObject();
        writer.Key("name");
        writer.String(config.comparisons[c].name.c_str());
        writer.Key("m");
        writer.StartArray();
        for (double m : params.comparisons[c].m) {
            writer.Double(m);
        }
        writer.EndArray();
        writer.Key("u");
        writer.StartArray();
        for (double u : params.comparisons[c].u) {
            writer.Double(u);
        }
        writer.EndArray();
        if (c < frequencies.comparisons.size() && frequencies.comparisons[c].total > 0) {
            const auto& table = frequencies.comparisons[c];
            writer.Key("tf_total");
            writer.Uint64(table.total);
            writer.Key("tf");
            writer.StartObject();
            for (const auto& [value, count] : table.counts) {
                json::key(writer, value);
                writer.Uint(count);
            }
            writer.EndObject();
        }
        writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

void modelFromJson(const LinkageConfig& config, std::string_view json, ModelParams& params,
                   TermFrequencies& frequencies) {
    rapidjson::Document document;
    document.Parse(json.data(), json.size());
    auto fail = [](const std::string& why) {
        throw GatewayError(ErrorCode::InvalidArgument, "stored linkage model: " + why);
    };
    if (document.HasParseError() || !document.IsObject() || !document.HasMember("comparisons") ||
        !document["comparisons"].IsArray() || !document.HasMember("lambda") || !document["lambda"].IsNumber()) {
        fail("not a model");
    }
    const auto& list = document["comparisons"];
    if (list.Size() != config.comparisons.size()) {
        fail("made for another configuration (" + std::to_string(list.Size()) + " comparisons)");
    }
    params = ModelParams();
    params.lambda = document["lambda"].GetDouble();
    frequencies = TermFrequencies();
    for (rapidjson::SizeType c = 0; c < list.Size(); ++c) {
        const auto& item = list[c];
        const std::size_t levels = config.comparisons[c].levelCount();
        if (!item.IsObject() || !item.HasMember("m") || !item.HasMember("u") || !item["m"].IsArray() ||
            !item["u"].IsArray() || item["m"].Size() != levels || item["u"].Size() != levels) {
            fail("comparison " + std::to_string(c) + " does not match the configuration");
        }
        LevelProbabilities probabilities;
        for (rapidjson::SizeType l = 0; l < levels; ++l) {
            if (!item["m"][l].IsNumber() || !item["u"][l].IsNumber()) {
                fail("comparison " + std::to_string(c) + ": probabilities must be numbers");
            }
            probabilities.m.push_back(item["m"][l].GetDouble());
            probabilities.u.push_back(item["u"][l].GetDouble());
        }
        normaliseProbabilities(probabilities.m);
        normaliseProbabilities(probabilities.u);
        params.comparisons.push_back(std::move(probabilities));
        TermFrequencies::Table table;
        if (item.HasMember("tf") && item["tf"].IsObject() && item.HasMember("tf_total") &&
            item["tf_total"].IsUint64()) {
            table.total = item["tf_total"].GetUint64();
            for (auto it = item["tf"].MemberBegin(); it != item["tf"].MemberEnd(); ++it) {
                if (it->value.IsUint()) {
                    table.counts.emplace(std::string(it->name.GetString(), it->name.GetStringLength()),
                                         it->value.GetUint());
                }
            }
        }
        frequencies.comparisons.push_back(std::move(table));
    }
}
}  // namespace gateway::linkage
