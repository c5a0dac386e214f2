#include "ops/sim/hook_request.h"

#include "gateway/common/hash.h"

#include <rapidjson/document.h>

#include <cctype>

namespace deptsim {

namespace {

constexpr std::size_t kHexDigits = 64;
constexpr std::string_view kSchemePrefix = "sha256=";

bool isJsonSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace

bool signatureMatches(std::string_view header, std::string_view secret, std::string_view body) {
    if (header.substr(0, kSchemePrefix.size()) != kSchemePrefix || header.size() != kSchemePrefix.size() + kHexDigits) {
        return false;
    }
    std::string given(header.substr(kSchemePrefix.size()));
    for (char& c : given) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return gateway::constantTimeEquals(given, gateway::hmacSha256Hex(secret, body));
}

std::optional<std::string> compactJsonBody(std::string_view body) {
    rapidjson::Document document;
    // Without kParseStopWhenDoneFlag anything but whitespace after the value is an error.
    document.Parse<rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
    if (document.HasParseError() || !(document.IsObject() || document.IsArray())) {
        return std::nullopt;
    }
    std::string compact;
    compact.reserve(body.size());
    bool in_string = false;
    bool escaped = false;
    for (const char c : body) {
        if (in_string) {
            compact += c;
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
            compact += c;
        } else if (!isJsonSpace(c)) {
            compact += c;
        }
    }
    return compact;
}

}  // namespace deptsim
