#include "gateway/common/json_pointer.h"

#include "gateway/common/config_tree.h"

namespace gateway {

JsonPointer::Token JsonPointer::makeToken(std::string name) {
    Token token;
    // RFC 6901: an array index is "0" or digits without a leading zero.
    const bool digits = !name.empty() && name.size() <= 9 && name.find_first_not_of("0123456789") == std::string::npos;
    if (digits && (name.size() == 1 || name[0] != '0')) {
        token.index = static_cast<std::size_t>(std::stoul(name));
    }
    token.name = std::move(name);
    return token;
}

std::optional<JsonPointer> JsonPointer::parse(std::string_view text, std::string& error) {
    JsonPointer pointer;
    pointer.text_.assign(text);
    if (text.empty()) {
        return pointer;
    }
    if (text[0] != '/') {
        error = "bad JSON pointer " + singleQuoted(text) + ": a pointer starts with '/' (write '/" + std::string(text) +
                "', or use \"column\" for a column name)";
        return std::nullopt;
    }
    std::string token;
    for (std::size_t i = 1; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == '/') {
            pointer.tokens_.push_back(makeToken(std::move(token)));
            token.clear();
            continue;
        }
        if (text[i] == '~') {
            const char next = i + 1 < text.size() ? text[i + 1] : '\0';
            if (next != '0' && next != '1') {
                error = "bad JSON pointer " + singleQuoted(text) + ": '~' at byte " + std::to_string(i) +
                        " must be followed by 0 or 1 (~0 stands for '~', ~1 for '/')";
                return std::nullopt;
            }
            token.push_back(next == '0' ? '~' : '/');
            ++i;
            continue;
        }
        token.push_back(text[i]);
    }
    return pointer;
}

JsonPointer JsonPointer::column(std::string_view name) {
    JsonPointer pointer;
    pointer.tokens_.push_back(makeToken(std::string(name)));
    pointer.text_ = "/" + escapePointerToken(name);
    return pointer;
}

JsonPointer JsonPointer::under(const JsonPointer& base) const {
    JsonPointer pointer = base;
    pointer.tokens_.insert(pointer.tokens_.end(), tokens_.begin(), tokens_.end());
    pointer.text_ += text_;
    return pointer;
}

JsonPointer::Lookup JsonPointer::resolve(const rapidjson::Value& root, const rapidjson::Value*& out) const {
    const rapidjson::Value* current = &root;
    for (const Token& token : tokens_) {
        if (current->IsObject()) {
            const rapidjson::Value* found = nullptr;
            for (auto member = current->MemberBegin(); member != current->MemberEnd(); ++member) {
                const rapidjson::Value& name = member->name;
                if (name.GetStringLength() == token.name.size() &&
                    std::char_traits<char>::compare(name.GetString(), token.name.data(), token.name.size()) == 0) {
                    if (found != nullptr) {
                        return Lookup::Ambiguous;
                    }
                    found = &member->value;
                }
            }
            if (found == nullptr) {
                return Lookup::Missing;
            }
            current = found;
        } else if (current->IsArray() && token.index && *token.index < current->Size()) {
            current = &(*current)[static_cast<rapidjson::SizeType>(*token.index)];
        } else {
            return Lookup::Missing;
        }
    }
    out = current;
    return Lookup::Found;
}

}  // namespace gateway
