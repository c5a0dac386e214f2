#pragma once

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <string>
#include <string_view>

namespace gateway {

/// How deep JSON from outside (a source's pages and lines, a token endpoint's reply, a request body) may nest. Real
/// payloads nest a handful of levels; a hostile one of 300,000 brackets must end as an error, not a stack overflow
/// in whatever walks the document afterwards.
constexpr unsigned kMaxJsonDepth = 64;

/// A SAX handler in front of `Next` that stops the parse (kParseErrorTermination) when arrays and objects nest
/// deeper than `max_depth`. Used with RapidJSON's iterative parser, so the parse itself never recurses either.
template <typename Next>
class DepthLimitedHandler {
public:
    DepthLimitedHandler(Next& next, unsigned max_depth) : next_(next), max_depth_(max_depth) {}

    bool Null() { return next_.Null(); }
    bool Bool(bool value) { return next_.Bool(value); }
    bool Int(int value) { return next_.Int(value); }
    bool Uint(unsigned value) { return next_.Uint(value); }
    bool Int64(int64_t value) { return next_.Int64(value); }
    bool Uint64(uint64_t value) { return next_.Uint64(value); }
    bool Double(double value) { return next_.Double(value); }
    bool RawNumber(const char* text, rapidjson::SizeType length, bool copy) {
        return next_.RawNumber(text, length, copy);
    }
    bool String(const char* text, rapidjson::SizeType length, bool copy) { return next_.String(text, length, copy); }
    bool Key(const char* text, rapidjson::SizeType length, bool copy) { return next_.Key(text, length, copy); }
    bool StartObject() { return enter() && next_.StartObject(); }
    bool EndObject(rapidjson::SizeType members) {
        --depth_;
        return next_.EndObject(members);
    }
    bool StartArray() { return enter() && next_.StartArray(); }
    bool EndArray(rapidjson::SizeType elements) {
        --depth_;
        return next_.EndArray(elements);
    }

    /// True when the parse stopped because of the depth, not because the handler behind refused.
    bool tooDeep() const { return too_deep_; }

private:
    bool enter() {
        if (++depth_ > max_depth_) {
            too_deep_ = true;
            return false;
        }
        return true;
    }

    Next& next_;
    unsigned max_depth_;
    unsigned depth_ = 0;
    bool too_deep_ = false;
};

/// What a bounded parse found: nothing wrong (error empty), or what is wrong and where.
struct JsonParseResult {
    std::string error;      // "nests deeper than 64 levels at byte N", or RapidJSON's message and the byte offset
    bool too_deep = false;  // the input was refused for its depth, which no retry or truncation explains

    explicit operator bool() const { return error.empty(); }
};

/// Runs RapidJSON's iterative parser over `text` into `handler` with `Flags`, at most `max_depth` levels deep.
template <unsigned Flags = rapidjson::kParseDefaultFlags, typename Handler>
JsonParseResult parseJsonEvents(std::string_view text, Handler& handler, unsigned max_depth = kMaxJsonDepth) {
    rapidjson::MemoryStream memory(text.data(), text.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> stream(memory);
    DepthLimitedHandler<Handler> limited(handler, max_depth);
    rapidjson::Reader reader;
    const rapidjson::ParseResult result = reader.Parse<Flags | rapidjson::kParseIterativeFlag>(stream, limited);
    if (!result.IsError()) {
        return {};
    }
    if (limited.tooDeep()) {
        return {"nests deeper than " + std::to_string(max_depth) + " levels at byte " + std::to_string(result.Offset()),
                true};
    }
    return {std::string(rapidjson::GetParseError_En(result.Code())) + " at byte " + std::to_string(result.Offset())};
}

/// parseJsonEvents() into `document`, which is left null on failure.
template <unsigned Flags = rapidjson::kParseDefaultFlags>
JsonParseResult parseJsonLimited(std::string_view text, rapidjson::Document& document,
                                 unsigned max_depth = kMaxJsonDepth) {
    JsonParseResult result;
    const auto generate = [&](rapidjson::Document& handler) {
        result = parseJsonEvents<Flags>(text, handler, max_depth);
        return static_cast<bool>(result);
    };
    document.Populate(generate);
    if (!result) {
        document.SetNull();
    }
    return result;
}

}  // namespace gateway
