#include "adapters/file/file_adapter.h"

#include "adapters/common/charset.h"
#include "adapters/file/record_reader.h"
#include "gateway/common/error.h"
#include "gateway/common/json_parse.h"
#include "gateway/common/json_writer.h"
#include "gateway/common/utf8.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <fcntl.h>
#include <unistd.h>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

namespace gateway::adapters {

void registerFileAdapter(AdapterRegistry& registry) {
    registry.add("file", [] { return std::make_unique<file::FileAdapter>(); });
}

}  // namespace gateway::adapters

namespace gateway::adapters::file {
namespace {

constexpr std::size_t kReadChunkBytes = 1 << 20;
constexpr const char* kUnbalancedQuote = "a quoted field opened on this line is never properly closed";

/// RapidJSON's Writer quotes raw numbers; this one writes them as they were, so that a JSON line passes
/// through with its numbers unchanged (an 18-digit ID stays exact).
class PassThroughWriter : public rapidjson::Writer<rapidjson::StringBuffer> {
public:
    using rapidjson::Writer<rapidjson::StringBuffer>::Writer;
    bool RawNumber(const Ch* text, rapidjson::SizeType length, bool copy = false) {
        (void)copy;
        return RawValue(text, length, rapidjson::kNumberType);
    }
};

/// Closes a file descriptor when it goes out of scope.
class FileDescriptor {
public:
    explicit FileDescriptor(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) {
        if (fd_ < 0) {
            throw GatewayError(ErrorCode::SourceError, "cannot open " + path + ": " + std::strerror(errno));
        }
    }
    ~FileDescriptor() { ::close(fd_); }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

/// Reads up to `buffer.size()` bytes at `offset`; returns how many were read.
std::size_t readAt(int fd, const std::string& path, std::string& buffer, std::uint64_t offset) {
    std::size_t total = 0;
    while (total < buffer.size()) {
        const ssize_t count =
            ::pread(fd, buffer.data() + total, buffer.size() - total, static_cast<off_t>(offset + total));
        if (count < 0 && errno == EINTR) {
            continue;
        }
        if (count < 0) {
            throw GatewayError(ErrorCode::SourceError, "cannot read " + path + ": " + std::strerror(errno));
        }
        if (count == 0) {
            break;
        }
        total += static_cast<std::size_t>(count);
    }
    return total;
}

bool isSha256(std::string_view text) {
    return text.size() == 64 && std::all_of(text.begin(), text.end(),
                                            [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string problemText(const RawRecord& record, std::size_t max_record_bytes) {
    switch (record.problem) {
        case RecordProblem::UnterminatedQuote:
            return record.terminated ? kUnbalancedQuote : "the file ends inside a quoted field";
        case RecordProblem::TooLong:
            return "the line is longer than " + std::to_string(max_record_bytes) + " bytes (max_record_bytes)";
        case RecordProblem::None:
            break;
    }
    return {};
}

std::string decodeErrorText(const charset::DecodeError& error, const RawRecord& record) {
    return error.reason + " at byte " + std::to_string(error.offset) + " of the line (file offset " +
           std::to_string(record.offset + error.offset) + ")";
}

}  // namespace

struct FileAdapter::FileState {
    DropFile file;
    std::string sha256;
    charset::Encoding encoding = charset::Encoding::Utf8;
    std::vector<std::string> columns;
    // When the header row cannot be used, every row of the file is quarantined with this reason.
    std::string header_error;
    RawRecord header;
    std::uint64_t data_offset = 0;
    std::uint64_t data_line = 1;
};

std::string encodeFilePosition(const FilePosition& position) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("file");
    json::string(writer, position.file);
    writer.Key("sha256");
    json::string(writer, position.sha256);
    writer.Key("offset");
    writer.Uint64(position.offset);
    writer.Key("line");
    writer.Uint64(position.line);
    writer.Key("done");
    writer.Bool(position.done);
    writer.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

std::optional<FilePosition> decodeFilePosition(std::string_view text) {
    rapidjson::Document document;
    document.Parse(text.data(), text.size());
    if (document.HasParseError() || !document.IsObject()) {
        return std::nullopt;
    }
    const auto member = [&](const char* name) -> const rapidjson::Value* {
        const auto it = document.FindMember(name);
        return it == document.MemberEnd() ? nullptr : &it->value;
    };
    const auto* file = member("file");
    const auto* sha256 = member("sha256");
    const auto* offset = member("offset");
    const auto* line = member("line");
    const auto* done = member("done");
    if (file == nullptr || !file->IsString() || file->GetStringLength() == 0 || sha256 == nullptr ||
        !sha256->IsString() || offset == nullptr || !offset->IsUint64() || line == nullptr || !line->IsUint64() ||
        line->GetUint64() == 0 || done == nullptr || !done->IsBool()) {
        return std::nullopt;
    }
    FilePosition position;
    position.file.assign(file->GetString(), file->GetStringLength());
    position.sha256.assign(sha256->GetString(), sha256->GetStringLength());
    if (!isSha256(position.sha256) || position.file.find('/') != std::string::npos) {
        return std::nullopt;
    }
    position.offset = offset->GetUint64();
    position.line = line->GetUint64();
    position.done = done->GetBool();
    return position;
}

FileAdapter::FileAdapter() : FileAdapter(std::make_shared<SystemClock>()) {}

FileAdapter::FileAdapter(std::shared_ptr<const Clock> clock) : clock_(std::move(clock)) {}

FileAdapter::~FileAdapter() = default;

void FileAdapter::open(const AdapterConfig& config) {
    settings_ = parseFileAdapterSettings(config);
    config_ = config;
    folder_ = std::make_unique<DropFolder>(settings_.dir, settings_.pattern, settings_.marker_suffix,
                                           settings_.settle_seconds, clock_);
    current_.reset();
}

std::optional<FilePosition> FileAdapter::parseSince(const std::optional<std::string>& since) const {
    if (!since || since->empty()) {
        return std::nullopt;
    }
    auto position = decodeFilePosition(*since);
    if (!position) {
        throw GatewayError(ErrorCode::InvalidConfig, "source " + config_.source +
                                                         ": the stored watermark was not written by the file "
                                                         "adapter: " +
                                                         utf8::quote(*since, 80));
    }
    return position;
}

const FileAdapter::FileState& FileAdapter::inspect(const DropFile& file) {
    if (current_ && current_->file.sameVersion(file)) {
        return *current_;
    }
    auto state = std::make_unique<FileState>();
    state->file = file;

    // One pass for the checksum and, when the encoding is left to the content, for the UTF-8 test.
    std::string head;
    {
        FileDescriptor fd(file.path);
        Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
        charset::EncodingSniffer sniffer;
        std::string chunk(kReadChunkBytes, '\0');
        std::uint64_t offset = 0;
        while (true) {
            const std::size_t count = readAt(fd.get(), file.path, chunk, offset);
            if (count == 0) {
                break;
            }
            const std::string_view bytes(chunk.data(), count);
            sha.update(bytes.data(), bytes.size());
            if (!settings_.encoding) {
                sniffer.feed(bytes);
            }
            if (head.size() < 4) {
                head.append(bytes.substr(0, 4 - head.size()));
            }
            offset += count;
        }
        state->sha256 = Poco::DigestEngine::digestToHex(sha.digest());
        const auto now = folder_->find(file.name);
        if (!now || !now->sameVersion(file) || offset != file.size) {
            throw GatewayError(ErrorCode::SourceUnavailable,
                               "the file " + file.path + " changed while it was read; it is read again next time");
        }
        const auto bom = charset::detectBom(head);
        state->encoding = bom ? bom->encoding : settings_.encoding.value_or(sniffer.result());
        state->data_offset = bom ? bom->length : 0;
    }

    if (settings_.format == FileFormat::Csv && settings_.header) {
        RecordReaderOptions options{true, settings_.quote, settings_.delimiter,
                                    state->encoding == charset::Encoding::Gb18030, settings_.max_record_bytes};
        RecordReader reader(file.path, state->data_offset, 1, options);
        RawRecord& header = state->header;
        if (reader.next(header)) {
            charset::Decoder decoder(state->encoding);
            charset::DecodeError decode_error;
            std::string text;
            std::string split_error;
            if (header.problem != RecordProblem::None) {
                state->header_error = problemText(header, settings_.max_record_bytes);
            } else if (!decoder.decode(header.bytes, text, &decode_error)) {
                state->header_error = decodeErrorText(decode_error, header);
            } else if (!splitCsvFields(text, settings_.delimiter, settings_.quote, state->columns, split_error)) {
                state->header_error = split_error;
            } else {
                std::set<std::string> seen;
                for (std::size_t i = 0; i < state->columns.size() && state->header_error.empty(); ++i) {
                    if (state->columns[i].empty()) {
                        state->header_error = "column " + std::to_string(i + 1) + " has no name";
                    } else if (!seen.insert(state->columns[i]).second) {
                        state->header_error =
                            "column " + std::to_string(i + 1) + " repeats the name " + utf8::quote(state->columns[i]);
                    }
                }
            }
        }
        state->data_offset = reader.offset();
        state->data_line = reader.line();
    } else {
        state->columns = settings_.columns;
    }
    current_ = std::move(state);
    return *current_;
}

PullBatch FileAdapter::readBatch(const FileState& state, std::uint64_t offset, std::uint64_t line,
                                 std::size_t max_records) {
    const std::string& name = state.file.name;
    PullBatch batch;
    const bool csv = settings_.format == FileFormat::Csv;
    if (offset < state.data_offset) {
        // The file's first batch also carries its byte-order mark and header, so that its payload is the file.
        FileDescriptor fd(state.file.path);
        batch.payload.resize(state.data_offset);
        batch.payload.resize(readAt(fd.get(), state.file.path, batch.payload, 0));
        if (!state.header_error.empty()) {
            RawRow row;
            row.locator = name + " line " + std::to_string(state.header.line);
            row.error = row.locator + ": the header row is unusable: " + state.header_error;
            row.raw = state.header.bytes;
            batch.rows.push_back(std::move(row));
        }
        offset = state.data_offset;
        line = state.data_line;
    }

    RecordReaderOptions options{csv, settings_.quote, settings_.delimiter, state.encoding == charset::Encoding::Gb18030,
                                settings_.max_record_bytes};
    RecordReader reader(state.file.path, offset, line, options);
    reader.capture(&batch.payload);
    charset::Decoder decoder(state.encoding);
    charset::DecodeError decode_error;
    rapidjson::StringBuffer json;
    RawRecord record;
    std::string text;
    std::vector<std::string> fields;
    std::string split_error;

    while (batch.rows.size() < max_records && reader.next(record)) {
        RawRow row;
        row.locator = name + " line " + std::to_string(record.line);
        auto fail = [&](const std::string& reason) {
            row.error = row.locator + ": " + reason;
            row.raw = std::move(record.bytes);
        };
        if (record.problem != RecordProblem::None) {
            fail(problemText(record, settings_.max_record_bytes));
        } else if (!decoder.decode(record.bytes, text, &decode_error)) {
            fail(decodeErrorText(decode_error, record));
        } else if (!state.header_error.empty()) {
            fail("not read: the header row (line " + std::to_string(state.header.line) + ") is unusable");
        } else if (csv) {
            if (!splitCsvFields(text, settings_.delimiter, settings_.quote, fields, split_error)) {
                const std::size_t newline = record.bytes.find('\n');
                if (newline == std::string::npos) {
                    fail(split_error);
                } else {
                    // Malformed quoting over several lines is almost always one stray quote that paired with a
                    // quote lines later: blame its line alone and read the following lines again on their own.
                    reader.rewind(record.offset + newline + 1, record.line + 1);
                    record.bytes.resize(newline > 0 && record.bytes[newline - 1] == '\r' ? newline - 1 : newline);
                    fail(kUnbalancedQuote);
                }
            } else if (fields.size() != state.columns.size()) {
                fail(std::to_string(fields.size()) + " fields, but " +
                     (settings_.header ? "the header has " : "settings.csv.columns names ") +
                     std::to_string(state.columns.size()));
            } else {
                json.Clear();
                rapidjson::Writer<rapidjson::StringBuffer> writer(json);
                writer.StartObject();
                for (std::size_t i = 0; i < fields.size(); ++i) {
                    const std::string& column = state.columns[i];
                    json::key(writer, column);
                    if (fields[i].empty()) {
                        writer.Null();
                    } else {
                        json::string(writer, fields[i]);
                    }
                }
                writer.EndObject();
                row.json.assign(json.GetString(), json.GetSize());
                row.raw = std::move(record.bytes);
            }
        } else {
            const std::size_t first = text.find_first_not_of(" \t\r");
            json.Clear();
            PassThroughWriter writer(json);
            if (text.find('\0') != std::string::npos) {
                fail("not a JSON object: the line contains a NUL byte");
            } else if (first == std::string::npos || text[first] != '{') {
                fail("not a JSON object");
            } else if (const auto parsed = parseJsonEvents<rapidjson::kParseNumbersAsStringsFlag>(text, writer);
                       !parsed) {
                fail("not a JSON object: " + parsed.error);
            } else {
                row.json.assign(json.GetString(), json.GetSize());
                if (row.json != record.bytes) {
                    row.raw = std::move(record.bytes);
                }
            }
        }
        batch.rows.push_back(std::move(row));
    }

    const bool done = reader.atEnd();
    batch.watermark = encodeFilePosition({name, state.sha256, reader.offset(), reader.line(), done});
    batch.more = !done;
    // For the progress line's ETA: the bytes still waiting (the rest of this file and the other complete files)
    // at this batch's bytes per row.
    std::uint64_t bytes_left = reader.offset() < state.file.size ? state.file.size - reader.offset() : 0;
    for (const auto& other : folder_->completeOldestFirst()) {
        if (other.name != name) {
            batch.more = true;
            bytes_left += other.size;
        }
    }
    const std::uint64_t batch_bytes = reader.offset() > offset ? reader.offset() - offset : 0;
    if (!batch.rows.empty() && batch_bytes > 0) {
        batch.remaining = static_cast<std::int64_t>(bytes_left * batch.rows.size() / batch_bytes);
    }
    return batch;
}

void FileAdapter::archive(const DropFile& file, const std::string& sha256) {
    folder_->archive(file, sha256, settings_.archive_dir);
    if (current_ && current_->file.name == file.name) {
        current_.reset();
    }
}

PullBatch FileAdapter::pull(const std::optional<std::string>& since, std::size_t max_records) {
    if (!folder_) {
        throw GatewayError(ErrorCode::Internal, "the file adapter was pulled before open()");
    }
    max_records = std::max<std::size_t>(max_records, 1);
    if (const auto position = parseSince(since)) {
        if (const auto file = folder_->find(position->file)) {
            const FileState& state = inspect(*file);
            if (state.sha256 == position->sha256) {
                if (!position->done) {
                    return readBatch(state, position->offset, position->line, max_records);
                }
                // Fully staged before the process stopped, but never archived.
                archive(*file, state.sha256);
            } else if (!position->done) {
                throw GatewayError(ErrorCode::SourceError,
                                   "the file " + file->path + " changed after its rows before line " +
                                       std::to_string(position->line) + " were staged (SHA-256 was " +
                                       position->sha256 + ", now " + state.sha256 +
                                       "); move it away to go on with the next file");
            }
        }
    }
    const auto candidates = folder_->completeOldestFirst();
    if (candidates.empty()) {
        PullBatch batch;
        batch.watermark = since.value_or("");
        return batch;
    }
    return readBatch(inspect(candidates.front()), 0, 1, max_records);
}

void FileAdapter::committed(const PullBatch& batch) {
    if (!folder_) {
        return;
    }
    const auto position = decodeFilePosition(batch.watermark);
    if (!position || !position->done) {
        return;
    }
    const auto file = folder_->find(position->file);
    if (!file) {
        return;
    }
    const FileState& state = inspect(*file);
    if (state.sha256 == position->sha256) {
        archive(*file, state.sha256);
    }
}

}  // namespace gateway::adapters::file
