#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

/// Decoding of department exports to UTF-8. Strict: a byte sequence that cannot be decoded is reported with its
/// byte offset and never replaced or dropped, so that a child's name is either exact or visibly quarantined.
namespace gateway::adapters::charset {

/// GBK input is decoded as GB18030, its superset: a GBK file is a valid GB18030 file with the same characters.
enum class Encoding { Utf8, Gb18030 };

/// "utf-8", "gbk" or "gb18030" (case-insensitive; "utf8" too); nullopt for anything else.
std::optional<Encoding> encodingFromName(std::string_view name);

/// "UTF-8" or "GB18030", for messages.
std::string_view encodingName(Encoding encoding);

struct Bom {
    Encoding encoding;
    std::size_t length = 0;  // bytes to skip
};

/// The byte-order mark `bytes` starts with: UTF-8 (EF BB BF) or GB18030 (84 31 95 33, its encoding of U+FEFF).
std::optional<Bom> detectBom(std::string_view bytes);

struct DecodeError {
    std::size_t offset = 0;  // of the first byte of the offending sequence, from the start of the input
    std::string reason;      // e.g. "invalid GB18030 sequence 0x81 0x20", without the offset
};

/// A reusable strict converter to UTF-8. Holds an iconv descriptor: not thread-safe, cheap to reuse.
class Decoder {
public:
    explicit Decoder(Encoding encoding);
    ~Decoder();
    Decoder(const Decoder&) = delete;
    Decoder& operator=(const Decoder&) = delete;

    Encoding encoding() const { return encoding_; }

    /// Replaces `out` with the UTF-8 text of `bytes`. On an undecodable or truncated sequence returns false and
    /// fills `error` (when given); `out` is then unspecified.
    bool decode(std::string_view bytes, std::string& out, DecodeError* error = nullptr);

private:
    Encoding encoding_;
    void* descriptor_ = nullptr;  // iconv_t, opened on first use of a GB18030 decoder
};

/// One-off decoding; prefer a Decoder in loops.
std::optional<std::string> toUtf8(std::string_view bytes, Encoding encoding, DecodeError* error = nullptr);

/// Length of the well-formed GB18030 sequence at the start of `bytes`: 1 for a single byte (and for a byte that
/// cannot start a sequence, which decoding reports later), 2 or 4 for a multi-byte character, 1 when the lead
/// byte is not followed by valid trailing bytes, 0 when `bytes` ends before the sequence can be judged. Lets a
/// scanner skip the trailing bytes of a character, which in GB18030 may equal ASCII such as '|' or '\\'.
std::size_t gb18030SequenceLength(std::string_view bytes);

/// Decides between UTF-8 and GB18030 for a file without a byte-order mark, fed in chunks of any size.
///
/// Text that is valid UTF-8 throughout is UTF-8. Otherwise the file is GB18030 only when the invalid sequences
/// are a substantial share of its multi-byte text (Chinese GB18030 text fails UTF-8 on most characters), so
/// that a UTF-8 export with a few corrupt bytes stays UTF-8 and those rows are quarantined, instead of every
/// row being silently misread as GB18030.
class EncodingSniffer {
public:
    void feed(std::string_view bytes);
    Encoding result() const;

    std::uint64_t validMultiByte() const { return valid_; }
    std::uint64_t invalid() const { return invalid_ + (need_ > 0 ? 1 : 0); }

private:
    std::uint64_t valid_ = 0;
    std::uint64_t invalid_ = 0;
    int need_ = 0;  // continuation bytes still expected
    unsigned char low_ = 0x80;
    unsigned char high_ = 0xBF;
};

/// "0x81 0x20": up to `max_bytes` bytes of `bytes` from `offset`, for messages.
std::string hexBytes(std::string_view bytes, std::size_t offset, std::size_t max_bytes = 4);

}  // namespace gateway::adapters::charset
