#include "gateway/common/config_tree.h"

#include "gateway/common/error.h"
#include "gateway/common/json_writer.h"
#include "gateway/common/utf8.h"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace gateway {
namespace {

// Configuration is written by people, not generated, so anything deeper is a mistake; the limit also keeps the
// recursive destruction of the tree shallow.
constexpr std::size_t kMaxConfigDepth = 64;

/// Builds a ConfigNode tree from reader events, taking offsets from the stream as it goes. The member names are
/// those rapidjson's handler concept requires.
class TreeBuilder {
public:
    explicit TreeBuilder(const rapidjson::StringStream& stream) : stream_(stream) {}

    bool Null() { return add(scalar(ConfigNode::Type::Null, "null")); }
    bool Bool(bool value) { return add(scalar(ConfigNode::Type::Boolean, value ? "true" : "false")); }
    // Numbers arrive through RawNumber (kParseNumbersAsStringsFlag); these are required by the handler concept.
    bool Int(int) { return false; }
    bool Uint(unsigned) { return false; }
    bool Int64(std::int64_t) { return false; }
    bool Uint64(std::uint64_t) { return false; }
    bool Double(double) { return false; }
    bool RawNumber(const char* text, rapidjson::SizeType length, bool) {
        return add(scalar(ConfigNode::Type::Number, std::string_view(text, length)));
    }
    bool String(const char* text, rapidjson::SizeType length, bool) {
        return add(scalar(ConfigNode::Type::String, std::string_view(text, length)));
    }
    bool StartObject() { return open(ConfigNode::Type::Object); }
    bool Key(const char* text, rapidjson::SizeType length, bool) {
        Frame& top = frames_.back();
        const std::string_view key(text, length);
        for (const ConfigMember& member : top.node.members) {
            if (member.key == key) {
                error_offset_ = stream_.Tell();
                error_path_ = openPath();
                error_ = "duplicate key " + singleQuoted(key);
                duplicate_first_offset_ = member.key_offset;
                return false;
            }
        }
        top.key.assign(key);
        top.key_offset = stream_.Tell();
        return true;
    }
    bool EndObject(rapidjson::SizeType) { return close(); }
    bool StartArray() { return open(ConfigNode::Type::Array); }
    bool EndArray(rapidjson::SizeType) { return close(); }

    ConfigNode takeRoot() { return std::move(root_); }
    const std::string& error() const { return error_; }
    /// Where the error is: the path of the innermost open container, "" for the root.
    const std::string& errorPath() const { return error_path_; }
    std::size_t errorOffset() const { return error_offset_; }
    std::optional<std::size_t> duplicateFirstOffset() const { return duplicate_first_offset_; }

private:
    struct Frame {
        ConfigNode node;
        std::string key;
        std::size_t key_offset = 0;
    };

    /// The path of the innermost container being built.
    std::string openPath() const {
        std::string path;
        for (std::size_t i = 1; i < frames_.size(); ++i) {
            const Frame& parent = frames_[i - 1];
            path += "/";
            path += parent.node.type == ConfigNode::Type::Object ? escapePointerToken(parent.key)
                                                                 : std::to_string(parent.node.elements.size());
        }
        return path;
    }

    ConfigNode scalar(ConfigNode::Type type, std::string_view text) const {
        ConfigNode node;
        node.type = type;
        node.text.assign(text);
        node.offset = stream_.Tell();
        return node;
    }

    bool open(ConfigNode::Type type) {
        if (frames_.size() >= kMaxConfigDepth) {
            error_offset_ = stream_.Tell();
            error_ = "nesting deeper than " + std::to_string(kMaxConfigDepth) + " levels";
            return false;
        }
        Frame frame;
        frame.node.type = type;
        frame.node.offset = stream_.Tell();
        frames_.push_back(std::move(frame));
        return true;
    }

    bool close() {
        ConfigNode node = std::move(frames_.back().node);
        frames_.pop_back();
        return add(std::move(node));
    }

    bool add(ConfigNode node) {
        if (frames_.empty()) {
            root_ = std::move(node);
            return true;
        }
        Frame& top = frames_.back();
        if (top.node.type == ConfigNode::Type::Object) {
            top.node.members.push_back(ConfigMember{std::move(top.key), top.key_offset, std::move(node)});
        } else {
            top.node.elements.push_back(std::move(node));
        }
        return true;
    }

    const rapidjson::StringStream& stream_;
    std::vector<Frame> frames_;
    ConfigNode root_;
    std::string error_;
    std::string error_path_;
    std::size_t error_offset_ = 0;
    std::optional<std::size_t> duplicate_first_offset_;
};

/// Optimal string alignment distance: Levenshtein plus the swap of two neighbours, the commonest typo.
std::size_t editDistance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) {
        d[i][0] = i;
    }
    for (std::size_t j = 0; j <= b.size(); ++j) {
        d[0][j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.size()][b.size()];
}

std::string joined(const std::vector<std::string_view>& names) {
    std::string out;
    for (const std::string_view name : names) {
        if (!out.empty()) {
            out += ", ";
        }
        out += name;
    }
    return out;
}

}  // namespace

std::string_view typeName(ConfigNode::Type type) {
    switch (type) {
        case ConfigNode::Type::Null:
            return "null";
        case ConfigNode::Type::Boolean:
            return "boolean";
        case ConfigNode::Type::Number:
            return "number";
        case ConfigNode::Type::String:
            return "string";
        case ConfigNode::Type::Object:
            return "object";
        case ConfigNode::Type::Array:
            return "array";
    }
    return "value";
}

std::shared_ptr<const ConfigDocument> ConfigDocument::parse(std::string text, std::string origin) {
    auto document = std::make_shared<ConfigDocument>();
    document->text_ = std::move(text);
    document->origin_ = std::move(origin);
    const std::string& source = document->text_;

    // The reader stops at a NUL byte as if the text ended there, which would hide whatever follows.
    if (const std::size_t nul = source.find('\0'); nul != std::string::npos) {
        document->fail(nul, "", "invalid JSON: NUL byte at byte " + std::to_string(nul));
    }
    rapidjson::StringStream stream(source.c_str());
    TreeBuilder builder(stream);
    rapidjson::Reader reader;
    constexpr unsigned kFlags =
        rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;
    const rapidjson::ParseResult result = reader.Parse<kFlags>(stream, builder);
    if (!builder.error().empty()) {
        std::string message = builder.error();
        if (const auto first = builder.duplicateFirstOffset()) {
            message += " (first at line " + std::to_string(document->lineOf(*first)) + ")";
        }
        document->fail(builder.errorOffset(), builder.errorPath(), message);
    }
    if (result.IsError()) {
        const std::size_t offset = result.Offset();
        const std::size_t line_start = source.rfind('\n', offset == 0 ? 0 : offset - 1);
        const std::size_t begin = line_start == std::string::npos || offset == 0 ? 0 : line_start + 1;
        const std::size_t column = utf8::length(std::string_view(source).substr(begin, offset - begin)) + 1;
        document->fail(offset, "",
                       std::string("invalid JSON: ") + rapidjson::GetParseError_En(result.Code()) + " (column " +
                           std::to_string(column) + ")");
    }
    document->root_ = builder.takeRoot();
    return document;
}

std::size_t ConfigDocument::lineOf(std::size_t offset) const {
    const std::size_t end = std::min(offset, text_.size());
    return 1 +
           static_cast<std::size_t>(std::count(text_.begin(), text_.begin() + static_cast<std::ptrdiff_t>(end), '\n'));
}

void ConfigDocument::fail(std::size_t offset, std::string_view path, std::string_view message) const {
    std::string text = origin_ + ":" + std::to_string(lineOf(offset)) + ": ";
    if (!path.empty()) {
        text += "at ";
        text += path;
        text += ": ";
    }
    text += message;
    throw GatewayError(ErrorCode::InvalidConfig, text);
}

ConfigCursor ConfigCursor::member(const ConfigMember& member) const {
    return ConfigCursor(*document_, member.value, path_ + "/" + escapePointerToken(member.key), member.key_offset);
}

std::optional<ConfigCursor> ConfigCursor::find(std::string_view key) const {
    for (const ConfigMember& candidate : node_->members) {
        if (candidate.key == key) {
            return member(candidate);
        }
    }
    return std::nullopt;
}

void ConfigCursor::failAt(std::string_view key, std::string_view message) const {
    if (const auto present = find(key)) {
        present->fail(message);
    }
    document_->fail(offset_, path_ + "/" + escapePointerToken(key), message);
}

ConfigCursor ConfigCursor::element(std::size_t index) const {
    const ConfigNode& child = node_->elements.at(index);
    return ConfigCursor(*document_, child, path_ + "/" + std::to_string(index), child.offset);
}

const std::string& ConfigCursor::asString() const {
    if (!node_->isString()) {
        fail("expected a string, got " + std::string(typeName(node_->type)));
    }
    return node_->text;
}

bool ConfigCursor::asBoolean() const {
    if (node_->type != ConfigNode::Type::Boolean) {
        fail("expected true or false, got " + std::string(typeName(node_->type)));
    }
    return node_->text == "true";
}

long long ConfigCursor::asInteger(long long min, long long max) const {
    if (node_->type != ConfigNode::Type::Number) {
        fail("expected a number, got " + std::string(typeName(node_->type)));
    }
    const bool whole = node_->text.find_first_of(".eE") == std::string::npos;
    errno = 0;
    char* end = nullptr;
    const long long value = std::strtoll(node_->text.c_str(), &end, 10);
    if (!whole || errno != 0 || value < min || value > max) {
        fail("expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ", got " +
             node_->text);
    }
    return value;
}

double ConfigCursor::asNumber() const {
    if (node_->type != ConfigNode::Type::Number) {
        fail("expected a number, got " + std::string(typeName(node_->type)));
    }
    const double value = std::strtod(node_->text.c_str(), nullptr);
    if (!std::isfinite(value)) {
        fail("number " + node_->text + " is out of range");
    }
    return value;
}

std::vector<std::string> ConfigCursor::asStrings() const {
    if (!node_->isArray()) {
        fail("expected a list of strings, got " + std::string(typeName(node_->type)));
    }
    std::vector<std::string> list;
    for (std::size_t i = 0; i < node_->elements.size(); ++i) {
        const ConfigNode& item = node_->elements[i];
        if (!item.isString() || item.text.empty()) {
            element(i).fail("expected a non-empty string");
        }
        list.push_back(item.text);
    }
    return list;
}

void ConfigCursor::expectObject() const {
    if (!node_->isObject()) {
        fail("expected an object, got " + std::string(typeName(node_->type)));
    }
}

void ConfigCursor::expectArray() const {
    if (!node_->isArray()) {
        fail("expected an array, got " + std::string(typeName(node_->type)));
    }
}

ObjectReader::ObjectReader(const ConfigCursor& cursor, const std::vector<std::string_view>& names) : cursor_(cursor) {
    cursor_.expectObject();
    for (const ConfigMember& member : cursor_.node().members) {
        if (std::find(names.begin(), names.end(), member.key) == names.end()) {
            cursor_.document().fail(member.key_offset, cursor_.path(), unknownNameMessage("key", member.key, names));
        }
    }
}

bool ObjectReader::has(std::string_view key) const {
    const auto& members = cursor_.node().members;
    return std::any_of(members.begin(), members.end(), [&](const ConfigMember& member) { return member.key == key; });
}

std::optional<ConfigCursor> ObjectReader::get(std::string_view key) const {
    return cursor_.find(key);
}

ConfigCursor ObjectReader::require(std::string_view key) const {
    if (auto found = get(key)) {
        return *found;
    }
    cursor_.fail("missing key " + singleQuoted(key));
}

rapidjson::Document numberValue(const ConfigNode& node) {
    rapidjson::Document number;
    number.Parse(node.text.c_str(), node.text.size());
    return number;
}

void writeJson(json::Writer& writer, const ConfigNode& node) {
    switch (node.type) {
        case ConfigNode::Type::Null:
            writer.Null();
            break;
        case ConfigNode::Type::Boolean:
            writer.Bool(node.text == "true");
            break;
        case ConfigNode::Type::Number:
            numberValue(node).Accept(writer);
            break;
        case ConfigNode::Type::String:
            json::string(writer, node.text);
            break;
        case ConfigNode::Type::Object:
            writer.StartObject();
            for (const ConfigMember& member : node.members) {
                json::key(writer, member.key);
                writeJson(writer, member.value);
            }
            writer.EndObject();
            break;
        case ConfigNode::Type::Array:
            writer.StartArray();
            for (const ConfigNode& element : node.elements) {
                writeJson(writer, element);
            }
            writer.EndArray();
            break;
    }
}

std::string toJson(const ConfigNode& node) {
    rapidjson::StringBuffer buffer;
    json::Writer writer(buffer);
    writeJson(writer, node);
    return buffer.GetString();
}

std::string singleQuoted(std::string_view text) {
    const std::string quoted = utf8::quote(text, 60);
    return "'" + quoted.substr(1, quoted.size() - 2) + "'";
}

std::optional<std::string_view> closestMatch(std::string_view word, const std::vector<std::string_view>& candidates) {
    std::optional<std::string_view> best;
    std::size_t best_distance = 0;
    for (const std::string_view candidate : candidates) {
        const std::size_t distance = editDistance(word, candidate);
        if (!best || distance < best_distance) {
            best = candidate;
            best_distance = distance;
        }
    }
    // One edit in four characters is a typo; more is a different word.
    if (best && best_distance > 0 && best_distance <= std::max<std::size_t>(1, best->size() / 4)) {
        return best;
    }
    return std::nullopt;
}

std::string unknownNameMessage(std::string_view what, std::string_view name,
                               const std::vector<std::string_view>& known) {
    std::string message = "unknown " + std::string(what) + " " + singleQuoted(name) + " (";
    if (const auto suggestion = closestMatch(name, known)) {
        message += "did you mean " + singleQuoted(*suggestion) + "? ";
    }
    message += "known: " + joined(known) + ")";
    return message;
}

std::string escapePointerToken(std::string_view token) {
    std::string out;
    out.reserve(token.size());
    for (const char c : token) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

}  // namespace gateway
