#pragma once

// The gateway writes JSON with RapidJSON's writer; these are the few helpers every writer of it needs, so that no part
// keeps its own: a string of any length (NULs kept), a key, a key with its value, and a document with its buffer.

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace gateway::json {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

template <typename W>
void string(W& writer, std::string_view text) {
    writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

template <typename W>
void key(W& writer, std::string_view name) {
    writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
}

/// "name": "text"
template <typename W>
void field(W& writer, std::string_view name, std::string_view text) {
    key(writer, name);
    string(writer, text);
}

/// "name": number
template <typename W>
void field(W& writer, std::string_view name, std::int64_t number) {
    key(writer, name);
    writer.Int64(number);
}

/// One JSON document being written: the writer and the buffer it writes to.
class Text {
public:
    Text() : writer_(buffer_) {}
    Text(const Text&) = delete;
    Text& operator=(const Text&) = delete;

    Writer& writer() { return writer_; }
    std::string str() const { return std::string(buffer_.GetString(), buffer_.GetSize()); }

private:
    rapidjson::StringBuffer buffer_;
    Writer writer_;
};

}  // namespace gateway::json
