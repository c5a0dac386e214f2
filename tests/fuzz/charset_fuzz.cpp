// Charset decoding of department exports: the strict UTF-8 and GB18030 decoders, the UTF-8 helpers, the GB18030
// sequence scanner the record reader relies on, and the encoding sniffer fed in chunks.
//
// Input: one byte that chooses where the sniffer's input is cut, then the bytes to decode.
#include "adapters/common/charset.h"
#include "gateway/common/utf8.h"
#include "tests/fuzz/fuzz_check.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using gateway::fuzz::check;
namespace charset = gateway::adapters::charset;
namespace utf8 = gateway::utf8;

void decodeBoth(std::string_view bytes) {
    charset::Decoder utf8_decoder(charset::Encoding::Utf8);
    std::string out;
    charset::DecodeError error;
    const bool utf8_ok = utf8_decoder.decode(bytes, out, &error);
    check(utf8_ok == utf8::isValid(bytes), "the UTF-8 decoder accepts exactly valid UTF-8");
    if (utf8_ok) {
        check(out == bytes, "UTF-8 passes through unchanged");
    } else {
        check(error.offset < bytes.size() && !error.reason.empty(), "a UTF-8 error names a byte of the input");
    }

    charset::Decoder gb_decoder(charset::Encoding::Gb18030);
    const bool gb_ok = gb_decoder.decode(bytes, out, &error);
    if (gb_ok) {
        check(utf8::isValid(out), "GB18030 decodes to valid UTF-8");
    } else {
        check(error.offset < bytes.size() && !error.reason.empty(), "a GB18030 error names a byte of the input");
    }
    // A decoder is reused across records: a failed sequence must not leave state behind.
    std::string again;
    check(gb_decoder.decode(bytes, again) == gb_ok && (!gb_ok || again == out), "decoding again gives the same");
}

// The UTF-8 helpers the decoder and every parser after it stand on; isValid() has a word-at-a-time fast path that
// must agree with the plain decoder.
void checkUtf8Helpers(std::string_view bytes) {
    const auto decoded = utf8::decode(bytes);
    check(decoded.has_value() == utf8::isValid(bytes), "isValid agrees with decode");
    if (decoded) {
        check(utf8::encode(*decoded) == bytes, "encoding the decoded code points gives the input back");
        check(utf8::length(bytes) == decoded->size(), "length counts code points");
    }
    check(utf8::isValid(utf8::toValidUtf8(bytes)), "toValidUtf8 makes valid UTF-8");
    check(utf8::isValid(utf8::quote(bytes)), "quote makes valid UTF-8");
}

void scanGb18030(std::string_view bytes) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const std::size_t length = charset::gb18030SequenceLength(bytes.substr(i));
        check(length == 0 || length == 1 || length == 2 || length == 4, "a GB18030 sequence has 1, 2 or 4 bytes");
        check(length <= bytes.size() - i, "a GB18030 sequence lies inside the input");
    }
}

void sniffInChunks(std::string_view bytes, std::size_t cut) {
    charset::EncodingSniffer whole;
    whole.feed(bytes);
    charset::EncodingSniffer parts;
    parts.feed(bytes.substr(0, cut));
    parts.feed(bytes.substr(cut));
    check(whole.validMultiByte() == parts.validMultiByte() && whole.invalid() == parts.invalid() &&
              whole.result() == parts.result(),
          "the sniffer's verdict does not depend on how the file is read");
    if (whole.invalid() == 0) {
        check(utf8::isValid(bytes), "text the sniffer finds flawless is valid UTF-8");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) {
        return 0;
    }
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    decodeBoth(bytes);
    checkUtf8Helpers(bytes);
    scanGb18030(bytes);
    sniffInChunks(bytes, bytes.empty() ? 0 : data[0] % (bytes.size() + 1));
    if (const auto bom = charset::detectBom(bytes)) {
        check(bom->length <= bytes.size(), "a byte-order mark lies inside the input");
    }
    charset::encodingFromName(bytes);
    charset::hexBytes(bytes, data[0] % (bytes.size() + 1));
    return 0;
}
