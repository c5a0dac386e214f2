// The file adapter's reading path over one file: byte-order mark, record splitting with small read chunks and
// record limits, decoding, field splitting and the rewind after a stray quote, as FileAdapter::readBatch does it.
//
// Input: three option bytes, then the file.
//   byte 0: bit 0 CSV (else JSON lines), bit 1 GB18030 (else UTF-8), bits 2-3 the delimiter (, | tab ;),
//           bit 4 the quote (" or ')
//   byte 1: read chunk of 1 to 64 bytes, so that records straddle buffer refills
//   byte 2: max_record_bytes of 4 to 1024
#include "adapters/common/charset.h"
#include "adapters/file/record_reader.h"
#include "tests/fuzz/fuzz_check.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using gateway::fuzz::check;
namespace charset = gateway::adapters::charset;
namespace file = gateway::adapters::file;

constexpr char kDelimiters[] = {',', '|', '\t', ';'};

/// The bytes in a file that has no name on disk; closed with the object.
/// The input as a file the reader can open by name: one file in memory (/dev/shm), rewritten for every input. A
/// real path, since the reader refuses to follow links, /proc/self/fd/N included.
class MemoryFile {
public:
    explicit MemoryFile(std::string_view bytes) {
        // Made once, removed when the run ends.
        static const struct Scratch {
            Scratch() {
                const int fd = ::mkstemp(name.data());
                check(fd >= 0, "mkstemp in /dev/shm");
                ::close(fd);
            }
            ~Scratch() { ::unlink(name.c_str()); }
            std::string name = "/dev/shm/csv_fuzz_XXXXXX";
        } scratch;
        path_ = scratch.name;
        const int fd = ::open(path_.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
        check(fd >= 0, "open the input file");
        std::size_t written = 0;
        while (written < bytes.size()) {
            const ssize_t count = ::write(fd, bytes.data() + written, bytes.size() - written);
            check(count > 0, "write the input file");
            written += static_cast<std::size_t>(count);
        }
        ::close(fd);
    }

    const std::string& path() const { return path_; }

private:
    std::string path_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) {
        return 0;
    }
    const std::uint8_t flags = data[0];
    file::RecordReaderOptions options;
    options.quoted = (flags & 1) != 0;
    options.gb18030 = (flags & 2) != 0;
    options.delimiter = kDelimiters[(flags >> 2) & 3];
    options.quote = (flags & 16) != 0 ? '\'' : '"';
    options.chunk_bytes = 1 + data[1] % 64;
    options.max_record_bytes = 4 + static_cast<std::size_t>(data[2]) * 4;
    const std::string content(reinterpret_cast<const char*>(data) + 3, size - 3);

    const auto bom = charset::detectBom(content);
    const std::uint64_t start = bom ? bom->length : 0;
    const charset::Encoding encoding = options.gb18030 ? charset::Encoding::Gb18030 : charset::Encoding::Utf8;

    const MemoryFile memory(content);
    file::RecordReader reader(memory.path(), start, 1, options);
    std::string captured;
    reader.capture(&captured);
    charset::Decoder decoder(encoding);
    file::RawRecord record;
    std::string text;
    std::vector<std::string> fields;
    std::string split_error;
    std::uint64_t previous_offset = 0;
    bool first = true;
    while (reader.next(record)) {
        // A rewind gives back only the lines after a record's first, so records start ever further on.
        check(first || record.offset > previous_offset, "the reader makes progress");
        first = false;
        previous_offset = record.offset;
        check(record.offset >= start && record.offset < record.end && record.end <= content.size(),
              "the record lies inside the file");
        check(record.end == reader.offset(), "the record ends where the reader stands");
        check(record.line >= 1, "lines count from 1");
        check(record.bytes.size() <= options.max_record_bytes, "a record is cut at max_record_bytes");
        check(content.compare(record.offset, record.bytes.size(), record.bytes) == 0,
              "the record's bytes are the file's bytes at its offset");
        if (record.problem != file::RecordProblem::None) {
            continue;
        }
        charset::DecodeError decode_error;
        if (!decoder.decode(record.bytes, text, &decode_error)) {
            check(decode_error.offset <= record.bytes.size(), "a decode error lies inside the record");
            continue;
        }
        if (!options.quoted) {
            continue;
        }
        if (file::splitCsvFields(text, options.delimiter, options.quote, fields, split_error)) {
            check(!fields.empty(), "a record has at least one field");
            continue;
        }
        check(!split_error.empty(), "a malformed record says why");
        const std::size_t newline = record.bytes.find('\n');
        if (newline != std::string::npos) {
            reader.rewind(record.offset + newline + 1, record.line + 1);
        }
    }
    check(reader.atEnd(), "no records are left after the last");
    check(reader.offset() == content.size(), "the reader stops at the end of the file");
    check(captured == std::string_view(content).substr(start), "the captured bytes are the file after the BOM");
    return 0;
}
