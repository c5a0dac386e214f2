#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace deptsim {

/// A compact JSON writer for the rows and replies the simulator serves: text is written as UTF-8, unescaped
/// beyond what JSON requires.
class JsonOut {
public:
    JsonOut() : writer_(buffer_) {}

    JsonOut& beginObject() {
        writer_.StartObject();
        return *this;
    }
    JsonOut& endObject() {
        writer_.EndObject();
        return *this;
    }
    JsonOut& beginArray() {
        writer_.StartArray();
        return *this;
    }
    JsonOut& endArray() {
        writer_.EndArray();
        return *this;
    }
    JsonOut& key(std::string_view name) {
        writer_.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
        return *this;
    }
    JsonOut& text(std::string_view value) {
        writer_.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
        return *this;
    }
    JsonOut& null() {
        writer_.Null();
        return *this;
    }
    JsonOut& number(std::int64_t value) {
        writer_.Int64(value);
        return *this;
    }
    JsonOut& real(double value) {
        writer_.Double(value);
        return *this;
    }
    JsonOut& boolean(bool value) {
        writer_.Bool(value);
        return *this;
    }
    JsonOut& field(std::string_view name, std::string_view value) { return key(name).text(value); }
    JsonOut& field(std::string_view name, std::int64_t value) { return key(name).number(value); }
    /// A text member that is null when empty.
    JsonOut& fieldOrNull(std::string_view name, std::string_view value) {
        key(name);
        return value.empty() ? null() : text(value);
    }
    /// Inserts already-serialised JSON as a value (rows stored as text).
    JsonOut& raw(std::string_view json) {
        writer_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
        return *this;
    }

    std::string str() const { return {buffer_.GetString(), buffer_.GetSize()}; }

private:
    rapidjson::StringBuffer buffer_;
    rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

}  // namespace deptsim
