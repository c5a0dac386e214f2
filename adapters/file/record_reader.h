#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::adapters::file {

enum class RecordProblem {
    None,
    UnterminatedQuote,  // a quoted field runs to the end of the file or past max_record_bytes
    TooLong,            // one line is longer than max_record_bytes
};

/// One record's bytes as they are in the file, not yet decoded.
struct RawRecord {
    std::string bytes;         // without the line terminator; the first max_record_bytes bytes when TooLong
    std::uint64_t offset = 0;  // file offset of the first byte
    std::uint64_t end = 0;     // file offset just past the record and its terminator
    std::uint64_t line = 0;    // 1-based line of the first byte
    bool terminated = false;   // ended by a newline rather than by the end of the file
    RecordProblem problem = RecordProblem::None;
};

struct RecordReaderOptions {
    /// CSV quoting: a quote at the start of a field opens a section in which delimiters and newlines are data.
    /// Off for JSON lines, where a record is exactly one line.
    bool quoted = true;
    char quote = '"';
    char delimiter = ',';
    /// Skip the trailing bytes of GB18030 characters, which may equal ASCII delimiters such as '|'.
    bool gb18030 = false;
    std::size_t max_record_bytes = 1 << 20;
    std::size_t chunk_bytes = 1 << 20;
};

/// Splits a file into records while streaming it: only the current record and one read chunk are held in
/// memory, whatever the file's size.
///
/// Records end at LF (a CR before it is dropped); blank lines between records are skipped. A quoted field that
/// never closes swallows the rest of the file under RFC 4180; instead, the record's first line is reported as
/// UnterminatedQuote and reading resumes on the next line, so one stray quote costs one line, not the file.
class RecordReader {
public:
    /// Reads `path` from `offset`, which is the start of line `line`. Throws GatewayError(SourceError) when the
    /// file cannot be opened or read.
    RecordReader(std::string path, std::uint64_t offset, std::uint64_t line, RecordReaderOptions options);
    ~RecordReader();
    RecordReader(const RecordReader&) = delete;
    RecordReader& operator=(const RecordReader&) = delete;

    /// The next record; false at the end of the file.
    bool next(RawRecord& record);

    /// Skips blank lines; true when nothing else is left.
    bool atEnd();

    /// Where the next record (or blank line) starts, and its line.
    std::uint64_t offset() const { return buffer_start_ + pos_; }
    std::uint64_t line() const { return line_; }

    /// Goes back to `offset` (the start of line `line`), at or before offset(), to read again from there; bytes
    /// captured beyond it are taken back out of the sink.
    void rewind(std::uint64_t offset, std::uint64_t line);

    /// Every byte consumed from now on (records, terminators, blank lines) is appended to `sink`.
    void capture(std::string* sink) { capture_ = sink; }

private:
    /// True when the byte at pos_ + k is in the buffer, reading more if needed.
    bool ensure(std::size_t k);
    void advance(std::size_t count);
    void skipBlankLines();
    /// Consumes the rest of an over-long line; the first max_record_bytes bytes are already in `record`.
    void skipRestOfLine(RawRecord& record, std::size_t scanned);

    std::string path_;
    RecordReaderOptions options_;
    int fd_ = -1;
    std::string buffer_;
    std::size_t pos_ = 0;             // index in buffer_ of the first unconsumed byte
    std::uint64_t buffer_start_ = 0;  // file offset of buffer_[0]
    std::uint64_t line_ = 1;
    bool eof_ = false;
    std::string* capture_ = nullptr;
};

/// Splits one decoded CSV record into fields. Returns false with `error` set (e.g. "field 3: text after the
/// closing quote") when the record is malformed. Quotes inside an unquoted field are kept as data.
bool splitCsvFields(std::string_view record, char delimiter, char quote, std::vector<std::string>& fields,
                    std::string& error);

}  // namespace gateway::adapters::file
