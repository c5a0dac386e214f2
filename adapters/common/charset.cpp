#include "adapters/common/charset.h"

#include "gateway/common/error.h"
#include "gateway/common/utf8.h"

#include <iconv.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace gateway::adapters::charset {
namespace {

const iconv_t kNoDescriptor = reinterpret_cast<iconv_t>(-1);

std::string lowerAscii(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

bool inRange(unsigned char byte, unsigned char low, unsigned char high) {
    return byte >= low && byte <= high;
}

bool decodeUtf8(std::string_view bytes, std::string& out, DecodeError* error) {
    if (utf8::isValid(bytes)) {
        out.assign(bytes);
        return true;
    }
    if (error != nullptr) {
        utf8::DecodeError utf8_error;
        utf8::decode(bytes, &utf8_error);
        error->offset = utf8_error.offset;
        const bool truncated = utf8_error.reason.rfind("truncated", 0) == 0;
        error->reason = std::string(truncated ? "truncated" : "invalid") + " UTF-8 sequence " +
                        hexBytes(bytes, utf8_error.offset) + (truncated ? " at the end" : "");
    }
    return false;
}

}  // namespace

std::optional<Encoding> encodingFromName(std::string_view name) {
    const std::string lower = lowerAscii(name);
    if (lower == "utf-8" || lower == "utf8") {
        return Encoding::Utf8;
    }
    if (lower == "gbk" || lower == "gb18030" || lower == "gb2312" || lower == "cp936") {
        return Encoding::Gb18030;
    }
    return std::nullopt;
}

std::string_view encodingName(Encoding encoding) {
    return encoding == Encoding::Utf8 ? "UTF-8" : "GB18030";
}

std::optional<Bom> detectBom(std::string_view bytes) {
    if (bytes.substr(0, 3) == "\xEF\xBB\xBF") {
        return Bom{Encoding::Utf8, 3};
    }
    if (bytes.substr(0, 4) == "\x84\x31\x95\x33") {
        return Bom{Encoding::Gb18030, 4};
    }
    return std::nullopt;
}

std::string hexBytes(std::string_view bytes, std::size_t offset, std::size_t max_bytes) {
    std::string out;
    for (std::size_t i = offset; i < bytes.size() && i < offset + max_bytes; ++i) {
        char buffer[8];
        std::snprintf(buffer, sizeof buffer, "0x%02X", static_cast<unsigned char>(bytes[i]));
        if (!out.empty()) {
            out += ' ';
        }
        out += buffer;
    }
    return out;
}

Decoder::Decoder(Encoding encoding) : encoding_(encoding) {}

Decoder::~Decoder() {
    if (descriptor_ != nullptr) {
        iconv_close(static_cast<iconv_t>(descriptor_));
    }
}

bool Decoder::decode(std::string_view bytes, std::string& out, DecodeError* error) {
    if (encoding_ == Encoding::Utf8) {
        return decodeUtf8(bytes, out, error);
    }
    if (descriptor_ == nullptr) {
        // No //TRANSLIT or //IGNORE: glibc then stops at the first sequence it cannot map, which is the point.
        const iconv_t opened = iconv_open("UTF-8", "GB18030");
        if (opened == kNoDescriptor) {
            throw GatewayError(ErrorCode::Internal,
                               std::string("iconv cannot convert GB18030 to UTF-8: ") + std::strerror(errno));
        }
        descriptor_ = opened;
    }
    const auto descriptor = static_cast<iconv_t>(descriptor_);
    iconv(descriptor, nullptr, nullptr, nullptr, nullptr);

    // A GB18030 character of n bytes becomes at most 1.5·n bytes of UTF-8 (two bytes → three).
    out.resize(bytes.size() + bytes.size() / 2 + 8);
    char* in = const_cast<char*>(bytes.data());
    std::size_t in_left = bytes.size();
    std::size_t written = 0;
    while (in_left > 0) {
        char* out_ptr = out.data() + written;
        std::size_t out_left = out.size() - written;
        const std::size_t result = iconv(descriptor, &in, &in_left, &out_ptr, &out_left);
        written = static_cast<std::size_t>(out_ptr - out.data());
        if (result != static_cast<std::size_t>(-1)) {
            break;
        }
        if (errno == E2BIG) {
            out.resize(out.size() * 2);
            continue;
        }
        if (error != nullptr) {
            const std::size_t offset = static_cast<std::size_t>(in - bytes.data());
            error->offset = offset;
            if (errno == EINVAL) {
                error->reason = "truncated GB18030 sequence " + hexBytes(bytes, offset) + " at the end";
            } else {
                const std::size_t length = gb18030SequenceLength(bytes.substr(offset));
                error->reason = "invalid GB18030 sequence " + hexBytes(bytes, offset, length >= 2 ? length : 2);
            }
        }
        return false;
    }
    out.resize(written);
    return true;
}

std::optional<std::string> toUtf8(std::string_view bytes, Encoding encoding, DecodeError* error) {
    Decoder decoder(encoding);
    std::string out;
    if (!decoder.decode(bytes, out, error)) {
        return std::nullopt;
    }
    return out;
}

std::size_t gb18030SequenceLength(std::string_view bytes) {
    if (bytes.empty()) {
        return 0;
    }
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
    if (!inRange(byte(0), 0x81, 0xFE)) {
        return 1;
    }
    if (bytes.size() < 2) {
        return 0;
    }
    if (inRange(byte(1), 0x30, 0x39)) {
        if (bytes.size() < 4) {
            return 0;
        }
        return inRange(byte(2), 0x81, 0xFE) && inRange(byte(3), 0x30, 0x39) ? 4 : 1;
    }
    if (inRange(byte(1), 0x40, 0x7E) || inRange(byte(1), 0x80, 0xFE)) {
        return 2;
    }
    return 1;
}

void EncodingSniffer::feed(std::string_view bytes) {
    for (const char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        if (need_ > 0) {
            if (inRange(byte, low_, high_)) {
                low_ = 0x80;
                high_ = 0xBF;
                if (--need_ == 0) {
                    ++valid_;
                }
                continue;
            }
            // The sequence broke off; this byte may still start a new one.
            ++invalid_;
            need_ = 0;
        }
        if (byte < 0x80) {
            continue;
        }
        low_ = 0x80;
        high_ = 0xBF;
        if (inRange(byte, 0xC2, 0xDF)) {
            need_ = 1;
        } else if (inRange(byte, 0xE0, 0xEF)) {
            need_ = 2;
            if (byte == 0xE0) {
                low_ = 0xA0;
            } else if (byte == 0xED) {
                high_ = 0x9F;
            }
        } else if (inRange(byte, 0xF0, 0xF4)) {
            need_ = 3;
            if (byte == 0xF0) {
                low_ = 0x90;
            } else if (byte == 0xF4) {
                high_ = 0x8F;
            }
        } else {
            ++invalid_;
        }
    }
}

Encoding EncodingSniffer::result() const {
    const std::uint64_t bad = invalid();
    if (bad == 0) {
        return Encoding::Utf8;
    }
    // GB18030 Chinese produces about one invalid position per character and few accidental UTF-8 sequences;
    // a damaged UTF-8 file has a handful of invalid positions among many valid characters.
    return bad * 4 >= valid_ ? Encoding::Gb18030 : Encoding::Utf8;
}

}  // namespace gateway::adapters::charset
