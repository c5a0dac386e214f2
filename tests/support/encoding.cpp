#include "tests/support/encoding.h"

#include <iconv.h>

#include <stdexcept>

namespace gateway::testing {

std::optional<std::string> convertEncoding(const std::string& bytes, const char* from, const char* to) {
    iconv_t descriptor = iconv_open(to, from);
    if (descriptor == reinterpret_cast<iconv_t>(-1)) {
        throw std::runtime_error(std::string("iconv cannot convert from ") + from + " to " + to);
    }
    std::string out(bytes.size() * 4 + 16, '\0');
    char* in_ptr = const_cast<char*>(bytes.data());
    std::size_t in_left = bytes.size();
    char* out_ptr = out.data();
    std::size_t out_left = out.size();
    const std::size_t result = iconv(descriptor, &in_ptr, &in_left, &out_ptr, &out_left);
    iconv_close(descriptor);
    if (result == static_cast<std::size_t>(-1)) {
        return std::nullopt;
    }
    out.resize(out.size() - out_left);
    return out;
}

std::string toGb18030(const std::string& utf8) {
    auto encoded = convertEncoding(utf8, "UTF-8", "GB18030");
    if (!encoded) {
        throw std::runtime_error("cannot encode fixture as GB18030");
    }
    return *encoded;
}

std::string encode(const std::string& value) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : value) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

}  // namespace gateway::testing
