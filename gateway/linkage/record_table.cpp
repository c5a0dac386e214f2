#include "gateway/linkage/record_table.h"

#include "gateway/common/error.h"
#include "gateway/common/json_pointer.h"

#include <rapidjson/error/en.h>

#include <charconv>
#include <functional>
#include <istream>
#include <thread>

namespace gateway::linkage {

std::string scalarText(const rapidjson::Value& value) {
    if (value.IsString()) {
        return std::string(value.GetString(), value.GetStringLength());
    }
    if (value.IsInt64()) {
        return std::to_string(value.GetInt64());
    }
    if (value.IsUint64()) {
        return std::to_string(value.GetUint64());
    }
    if (value.IsDouble()) {
        char buffer[32];
        const auto result = std::to_chars(buffer, buffer + sizeof buffer, value.GetDouble());
        return std::string(buffer, result.ptr);
    }
    return {};
}

RecordTable::RecordTable(const LinkageConfig& config)
    : config_(&config), reader_(std::make_unique<FieldReader>(config)) {
    std::string error;
    const auto source_pointer = JsonPointer::parse(config.source_pointer, error);
    const auto id_pointer = JsonPointer::parse(config.id_pointer, error);
    if (!source_pointer || !id_pointer) {
        throw GatewayError(ErrorCode::InvalidConfig, "record source or id pointer: " + error);
    }
    source_pointer_ = *source_pointer;
    id_pointer_ = *id_pointer;
    dictionaries_.reserve(config.fields.size());
    for (const FieldSpec& spec : config.fields) {
        dictionaries_.emplace_back(spec);
    }
}

RecordTable::~RecordTable() = default;
RecordTable::RecordTable(RecordTable&&) noexcept = default;

std::string RecordTable::key(std::size_t record) const {
    return source_names_[sources_[record]] + "/" + ids_[record];
}

namespace {

/// The map key of a record: length-prefixed, so no source or id text can make two records collide.
std::string mapKey(std::string_view source, std::string_view source_id) {
    std::string key = std::to_string(source.size());
    key.push_back(':');
    key.append(source);
    key.append(source_id);
    return key;
}

}  // namespace

std::size_t RecordTable::find(std::string_view source, std::string_view source_id) const {
    const auto it = by_key_.find(mapKey(source, source_id));
    return it == by_key_.end() ? std::string::npos : it->second;
}

RecordTable::Prepared RecordTable::prepare(const rapidjson::Value& record) const {
    Prepared prepared;
    if (!record.IsObject()) {
        prepared.error = "not a JSON object";
        return prepared;
    }
    const rapidjson::Value* found = nullptr;
    if (source_pointer_.resolve(record, found) == JsonPointer::Lookup::Found) {
        prepared.source = scalarText(*found);
    }
    if (id_pointer_.resolve(record, found) == JsonPointer::Lookup::Found) {
        prepared.id = scalarText(*found);
    }
    if (prepared.source.empty()) {
        prepared.error = "no source at " + config_->source_pointer;
    } else if (prepared.id.empty()) {
        prepared.error = "no record id at " + config_->id_pointer;
    } else {
        prepared.values.reserve(dictionaries_.size());
        for (std::size_t field = 0; field < dictionaries_.size(); ++field) {
            prepared.values.push_back(reader_->read(field, record));
        }
    }
    return prepared;
}

RecordTable::Prepared RecordTable::prepareJson(std::string_view json) const {
    rapidjson::Document document;
    document.Parse(json.data(), json.size());
    if (document.HasParseError()) {
        Prepared prepared;
        prepared.error = std::string("not valid JSON at byte ") + std::to_string(document.GetErrorOffset()) + ": " +
                         rapidjson::GetParseError_En(document.GetParseError());
        return prepared;
    }
    return prepare(document);
}

std::string RecordTable::claim(Prepared& prepared) {
    if (!prepared.error.empty()) {
        return prepared.error;
    }
    const auto [it, inserted] = by_key_.try_emplace(mapKey(prepared.source, prepared.id), ids_.size());
    if (!inserted) {
        return "a second record " + prepared.source + "/" + prepared.id;
    }
    std::uint16_t source_index = 0;
    while (source_index < source_names_.size() && source_names_[source_index] != prepared.source) {
        ++source_index;
    }
    if (source_index == source_names_.size()) {
        if (source_names_.size() == 0xFFFF) {
            by_key_.erase(it);
            return "more than 65535 sources";
        }
        source_names_.push_back(prepared.source);
    }
    sources_.push_back(source_index);
    ids_.push_back(std::move(prepared.id));
    values_.resize(values_.size() + dictionaries_.size(), FieldDictionary::kAbsent);
    return {};
}

std::string RecordTable::add(Prepared prepared) {
    std::string error = claim(prepared);
    if (error.empty()) {
        const std::size_t row = (ids_.size() - 1) * dictionaries_.size();
        for (std::size_t field = 0; field < dictionaries_.size(); ++field) {
            values_[row + field] =
                dictionaries_[field].intern(prepared.values[field].text, prepared.values[field].valid);
        }
    }
    return error;
}

std::string RecordTable::add(const rapidjson::Value& record) {
    return add(prepare(record));
}

std::string RecordTable::addJson(std::string_view json) {
    return add(prepareJson(json));
}

std::size_t RecordTable::addJsonTexts(
    const std::vector<std::string>& texts, unsigned threads,
    const std::function<void(std::size_t index, const std::string& error)>& rejected) {
    threads = std::max(1u, threads);
    auto parallel = [threads](std::size_t count, const std::function<void(std::size_t)>& work) {
        std::vector<std::thread> pool;
        for (unsigned t = 0; t < threads; ++t) {
            pool.emplace_back([&, t] {
                for (std::size_t i = t; i < count; i += threads) {
                    work(i);
                }
            });
        }
        for (std::thread& thread : pool) {
            thread.join();
        }
    };
    // Parsing and normalising is most of the work and needs nothing shared; then records are numbered in input
    // order, and each field's dictionary is filled by one thread.
    std::vector<Prepared> prepared(texts.size());
    parallel(texts.size(), [&](std::size_t i) { prepared[i] = prepareJson(texts[i]); });
    std::vector<std::pair<std::size_t, std::size_t>> rows;  // (index in texts, record)
    rows.reserve(texts.size());
    for (std::size_t i = 0; i < prepared.size(); ++i) {
        const std::string error = claim(prepared[i]);
        if (error.empty()) {
            rows.emplace_back(i, ids_.size() - 1);
        } else if (rejected) {
            rejected(i, error);
        }
    }
    const std::size_t fields = dictionaries_.size();
    parallel(fields, [&](std::size_t field) {
        for (const auto& [i, record] : rows) {
            const FieldReader::Value& value = prepared[i].values[field];
            values_[record * fields + field] = dictionaries_[field].intern(value.text, value.valid);
        }
    });
    return rows.size();
}

std::size_t RecordTable::addJsonLines(std::istream& in, unsigned threads,
                                      const std::function<void(std::size_t line, const std::string& error)>& rejected) {
    constexpr std::size_t kChunk = 1 << 15;
    std::size_t line_number = 0;
    std::size_t added = 0;
    std::vector<std::string> lines;
    std::vector<std::size_t> numbers;
    for (bool more = true; more;) {
        lines.clear();
        numbers.clear();
        std::string line;
        while (lines.size() < kChunk && (more = static_cast<bool>(std::getline(in, line)))) {
            ++line_number;
            if (!line.empty() && line.back() == '\r') {
                line.pop_back();
            }
            if (line.find_first_not_of(" \t") != std::string::npos) {
                lines.push_back(std::move(line));
                numbers.push_back(line_number);
            }
        }
        added += addJsonTexts(lines, threads, [&](std::size_t index, const std::string& error) {
            if (rejected) {
                rejected(numbers[index], error);
            }
        });
    }
    return added;
}

}  // namespace gateway::linkage
