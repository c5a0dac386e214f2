#pragma once

#include "gateway/common/json_writer.h"

#include <rapidjson/document.h>

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Configuration documents (every JSON file the gateway is configured with) as a tree that remembers where each
/// value was written, so that every load error can name a file, a line and a path. The one strict reader: a key
/// repeated within an object is an error, and ObjectReader refuses keys it does not know.
namespace gateway {

struct ConfigMember;

struct ConfigNode {
    enum class Type { Null, Boolean, Number, String, Object, Array };

    Type type = Type::Null;
    /// String: the value. Number: the digits as written. Boolean: "true" or "false".
    std::string text;
    std::vector<ConfigMember> members;  ///< Object members in file order
    std::vector<ConfigNode> elements;   ///< Array elements
    /// Byte offset in the document just past the value's first token (after '{', '[' or the scalar).
    std::size_t offset = 0;

    bool isObject() const { return type == Type::Object; }
    bool isArray() const { return type == Type::Array; }
    bool isString() const { return type == Type::String; }
};

struct ConfigMember {
    std::string key;
    std::size_t key_offset = 0;  ///< just past the key's closing quote
    ConfigNode value;
};

/// "object", "array", "string", "number", "boolean" or "null".
std::string_view typeName(ConfigNode::Type type);

/// One parsed configuration file. Strict JSON (no comments, no trailing commas); a key repeated within one object
/// is an error.
class ConfigDocument {
public:
    /// Throws GatewayError(InvalidConfig) "ORIGIN:LINE: invalid JSON: … (column C)" on a syntax error.
    static std::shared_ptr<const ConfigDocument> parse(std::string text, std::string origin);

    const ConfigNode& root() const { return root_; }
    const std::string& origin() const { return origin_; }
    /// 1-based line of a byte offset.
    std::size_t lineOf(std::size_t offset) const;

    /// Throws GatewayError(InvalidConfig) "ORIGIN:LINE: at PATH: MESSAGE" ("ORIGIN:LINE: MESSAGE" at the root).
    [[noreturn]] void fail(std::size_t offset, std::string_view path, std::string_view message) const;

private:
    std::string text_;
    std::string origin_;
    ConfigNode root_;
};

/// A node of a document together with its path ("/fields/name/transforms/2"), for reading with good messages.
class ConfigCursor {
public:
    ConfigCursor(const ConfigDocument& document, const ConfigNode& node, std::string path, std::size_t offset)
        : document_(&document), node_(&node), path_(std::move(path)), offset_(offset) {}

    static ConfigCursor root(const ConfigDocument& document) {
        return ConfigCursor(document, document.root(), "", document.root().offset);
    }

    const ConfigDocument& document() const { return *document_; }
    const ConfigNode& node() const { return *node_; }
    const std::string& path() const { return path_; }
    /// The path, or "/" for the root.
    std::string displayPath() const { return path_.empty() ? "/" : path_; }
    /// Where the value was named: the key's line for a member, the value's otherwise.
    std::size_t offset() const { return offset_; }
    std::size_t line() const { return document_->lineOf(offset_); }

    ConfigCursor member(const ConfigMember& member) const;
    /// The member `key` of an object, whatever other keys it has; nullopt when absent or not an object.
    std::optional<ConfigCursor> find(std::string_view key) const;
    ConfigCursor element(std::size_t index) const;

    [[noreturn]] void fail(std::string_view message) const { document_->fail(offset_, path_, message); }
    /// Fails at the member `key`: on its line when present, on this object's line when absent.
    [[noreturn]] void failAt(std::string_view key, std::string_view message) const;

    /// These fail with "expected TYPE, got TYPE" unless the node has the type.
    const std::string& asString() const;
    bool asBoolean() const;
    /// A whole number in [min, max].
    long long asInteger(long long min, long long max) const;
    double asNumber() const;
    /// An array of non-empty strings; fails "expected a list of strings", or at an element "expected a non-empty
    /// string".
    std::vector<std::string> asStrings() const;
    void expectObject() const;
    void expectArray() const;

private:
    const ConfigDocument* document_;
    const ConfigNode* node_;
    std::string path_;
    std::size_t offset_;
};

/// Reads an object whose keys come from a fixed list: any other key fails at construction with
/// "unknown key 'x' (did you mean 'y'? known: …)".
class ObjectReader {
public:
    ObjectReader(const ConfigCursor& cursor, std::initializer_list<std::string_view> known)
        : ObjectReader(cursor, std::vector<std::string_view>(known)) {}
    ObjectReader(const ConfigCursor& cursor, const std::vector<std::string_view>& known);

    const ConfigCursor& cursor() const { return cursor_; }
    bool has(std::string_view key) const;
    std::optional<ConfigCursor> get(std::string_view key) const;
    /// Fails with "missing key 'x'" when absent.
    ConfigCursor require(std::string_view key) const;

private:
    ConfigCursor cursor_;
};

/// A number node as RapidJSON reads it (an integer of its range, or a double), for readers that tell integers,
/// their range and fractions apart as a RapidJSON document would.
rapidjson::Document numberValue(const ConfigNode& node);

/// Writes the node as JSON, numbers as numberValue() reads them: a part of a document (an adapter's settings, a
/// rule's extra members) handed on as the document's own readers would have seen it.
void writeJson(json::Writer& writer, const ConfigNode& node);
/// writeJson() into text.
std::string toJson(const ConfigNode& node);

/// "'x'" with control characters escaped, for names taken from a configuration file.
std::string singleQuoted(std::string_view text);

/// The closest of `candidates` to `word` when it is close enough to be a likely typo.
std::optional<std::string_view> closestMatch(std::string_view word, const std::vector<std::string_view>& candidates);

/// "unknown WHAT 'x' (did you mean 'y'? known: a, b, c)".
std::string unknownNameMessage(std::string_view what, std::string_view name,
                               const std::vector<std::string_view>& known);

/// Escapes a key for a JSON pointer path: "~" → "~0", "/" → "~1".
std::string escapePointerToken(std::string_view token);

}  // namespace gateway
