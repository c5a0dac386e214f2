#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gateway {

/// An RFC 6901 JSON pointer ("/fq/xm"), or a column name, which is a pointer of one token.
class JsonPointer {
public:
    /// The empty pointer: the value itself.
    JsonPointer() = default;

    /// Parses pointer syntax; nullopt with `error` set when it is not a pointer.
    static std::optional<JsonPointer> parse(std::string_view text, std::string& error);
    /// One member of the top-level object, whatever characters its name has.
    static JsonPointer column(std::string_view name);

    /// The same pointer below `base`: "/fq" then "/xm" is "/fq/xm".
    JsonPointer under(const JsonPointer& base) const;

    /// The pointer in RFC 6901 form, for messages.
    const std::string& text() const { return text_; }
    bool empty() const { return tokens_.empty(); }

    enum class Lookup { Found, Missing, Ambiguous };

    /// Follows the pointer. An object member that appears more than once (legal JSON, but two values for one
    /// field) is Ambiguous rather than silently the first.
    Lookup resolve(const rapidjson::Value& root, const rapidjson::Value*& out) const;

private:
    struct Token {
        std::string name;
        std::optional<std::size_t> index;  // set when the token is a valid array index
    };

    static Token makeToken(std::string name);

    std::vector<Token> tokens_;
    std::string text_;
};

}  // namespace gateway
