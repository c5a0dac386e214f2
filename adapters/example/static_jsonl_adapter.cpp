// An example adapter plugin: serves the lines of one JSONL file as rows. The watermark is the number of lines
// already served, so a pull resumes right after the last line of the previous batch.
//
// Settings: {"file": "/path/to/rows.jsonl"}.

#include "adapters/adapter.h"
#include "gateway/common/error.h"

#include <Poco/ClassLibrary.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <fstream>

namespace {

using gateway::ErrorCode;
using gateway::GatewayError;
using gateway::adapters::Adapter;
using gateway::adapters::AdapterConfig;
using gateway::adapters::PullBatch;
using gateway::adapters::RawRow;

class StaticJsonlAdapter : public Adapter {
public:
    void open(const AdapterConfig& config) override {
        source_ = config.source;
        rapidjson::Document settings;
        settings.Parse(config.settings_json.c_str(), config.settings_json.size());
        if (settings.HasParseError() || !settings.IsObject()) {
            throw GatewayError(ErrorCode::InvalidConfig, config.origin + ": settings: must be a JSON object");
        }
        for (auto member = settings.MemberBegin(); member != settings.MemberEnd(); ++member) {
            if (std::string_view(member->name.GetString()) != "file") {
                throw GatewayError(ErrorCode::InvalidConfig, config.origin + ": settings." + member->name.GetString() +
                                                                 ": unknown key (known: file)");
            }
        }
        const auto file = settings.FindMember("file");
        if (file == settings.MemberEnd() || !file->value.IsString() || file->value.GetStringLength() == 0) {
            throw GatewayError(ErrorCode::InvalidConfig, config.origin + ": settings.file: is required");
        }
        path_ = file->value.GetString();
        if (!std::ifstream(path_)) {
            throw GatewayError(ErrorCode::InvalidConfig, config.origin + ": settings.file: cannot read " + path_);
        }
    }

    PullBatch pull(const std::optional<std::string>& since, std::size_t max_records) override {
        std::size_t served = 0;
        if (since && !since->empty()) {
            const auto [end, error] = std::from_chars(since->data(), since->data() + since->size(), served);
            if (error != std::errc() || end != since->data() + since->size()) {
                throw GatewayError(ErrorCode::SourceError,
                                   source_ + ": watermark '" + *since + "' is not a line count");
            }
        }
        std::ifstream in(path_, std::ios::binary);
        if (!in) {
            throw GatewayError(ErrorCode::SourceUnavailable, source_ + ": cannot read " + path_);
        }
        PullBatch batch;
        std::string line;
        std::size_t number = 0;
        while (std::getline(in, line)) {
            ++number;
            if (number <= served) {
                continue;
            }
            if (batch.rows.size() >= max_records) {
                batch.more = true;
                break;
            }
            batch.payload += line;
            batch.payload += '\n';
            served = number;
            if (line.find_first_not_of(" \t\r") == std::string::npos) {
                continue;
            }
            batch.rows.push_back(toRow(line, number));
        }
        batch.watermark = std::to_string(served);
        return batch;
    }

private:
    RawRow toRow(const std::string& line, std::size_t number) const {
        RawRow row;
        row.locator = path_ + " line " + std::to_string(number);
        rapidjson::Document document;
        document.Parse<rapidjson::kParseValidateEncodingFlag>(line.c_str(), line.size());
        if (document.HasParseError() || !document.IsObject()) {
            row.error = "line is not a JSON object in UTF-8";
            row.raw = line;
            return row;
        }
        rapidjson::StringBuffer buffer;
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        document.Accept(writer);
        row.json.assign(buffer.GetString(), buffer.GetSize());
        return row;
    }

    std::string source_;
    std::string path_;
};

}  // namespace

extern "C" POCO_LIBRARY_API int gatewayAdapterAbiVersion() {
    return gateway::adapters::kAdapterAbiVersion;
}

// POCO_EXPORT_INTERFACE registers the class under a chosen name: sources name their adapter "static_jsonl".
POCO_BEGIN_MANIFEST(gateway::adapters::Adapter)
POCO_EXPORT_INTERFACE(StaticJsonlAdapter, "static_jsonl")
POCO_END_MANIFEST
