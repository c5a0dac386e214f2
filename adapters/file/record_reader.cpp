#include "adapters/file/record_reader.h"

#include "adapters/common/charset.h"
#include "gateway/common/error.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace gateway::adapters::file {
namespace {

enum class QuoteState { FieldStart, Unquoted, Quoted, QuoteInQuoted };

std::size_t withoutTrailingCr(const std::string& buffer, std::size_t from, std::size_t length) {
    return length > 0 && buffer[from + length - 1] == '\r' ? length - 1 : length;
}

}  // namespace

RecordReader::RecordReader(std::string path, std::uint64_t offset, std::uint64_t line, RecordReaderOptions options)
    : path_(std::move(path)), options_(options), buffer_start_(offset), line_(line) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd_ < 0) {
        throw GatewayError(ErrorCode::SourceError, "cannot open " + path_ + ": " + std::strerror(errno));
    }
    if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0) {
        const int saved = errno;
        ::close(fd_);
        throw GatewayError(ErrorCode::SourceError, "cannot seek to byte " + std::to_string(offset) + " of " + path_ +
                                                       ": " + std::strerror(saved));
    }
}

RecordReader::~RecordReader() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

bool RecordReader::ensure(std::size_t k) {
    while (buffer_.size() <= pos_ + k) {
        if (eof_) {
            return false;
        }
        if (pos_ > 0) {
            buffer_.erase(0, pos_);
            buffer_start_ += pos_;
            pos_ = 0;
        }
        const std::size_t old_size = buffer_.size();
        buffer_.resize(old_size + options_.chunk_bytes);
        ssize_t count = 0;
        do {
            count = ::read(fd_, buffer_.data() + old_size, options_.chunk_bytes);
        } while (count < 0 && errno == EINTR);
        if (count < 0) {
            const int saved = errno;
            buffer_.resize(old_size);
            throw GatewayError(ErrorCode::SourceError, "cannot read " + path_ + ": " + std::strerror(saved));
        }
        buffer_.resize(old_size + static_cast<std::size_t>(count));
        if (count == 0) {
            eof_ = true;
        }
    }
    return true;
}

void RecordReader::advance(std::size_t count) {
    if (capture_ != nullptr) {
        capture_->append(buffer_, pos_, count);
    }
    pos_ += count;
}

void RecordReader::skipBlankLines() {
    while (ensure(0)) {
        const char c = buffer_[pos_];
        if (c == '\n') {
            advance(1);
            ++line_;
        } else if (c == '\r') {
            if (!ensure(1)) {
                advance(1);
            } else if (buffer_[pos_ + 1] == '\n') {
                advance(2);
                ++line_;
            } else {
                return;
            }
        } else {
            return;
        }
    }
}

void RecordReader::rewind(std::uint64_t offset, std::uint64_t line) {
    const std::uint64_t current = this->offset();
    if (offset > current) {
        throw GatewayError(ErrorCode::Internal, "cannot rewind " + path_ + " forward");
    }
    if (capture_ != nullptr) {
        capture_->resize(capture_->size() - static_cast<std::size_t>(current - offset));
    }
    if (offset >= buffer_start_) {
        pos_ = static_cast<std::size_t>(offset - buffer_start_);
    } else {
        if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0) {
            throw GatewayError(ErrorCode::SourceError, "cannot seek in " + path_ + ": " + std::strerror(errno));
        }
        buffer_.clear();
        buffer_start_ = offset;
        pos_ = 0;
        eof_ = false;
    }
    line_ = line;
}

bool RecordReader::atEnd() {
    skipBlankLines();
    return !ensure(0);
}

void RecordReader::skipRestOfLine(RawRecord& record, std::size_t scanned) {
    advance(scanned);
    record.terminated = false;
    while (ensure(0)) {
        const char* start = buffer_.data() + pos_;
        const auto* newline = static_cast<const char*>(std::memchr(start, '\n', buffer_.size() - pos_));
        if (newline != nullptr) {
            advance(static_cast<std::size_t>(newline - start) + 1);
            ++line_;
            record.terminated = true;
            break;
        }
        advance(buffer_.size() - pos_);
    }
    record.end = offset();
}

bool RecordReader::next(RawRecord& record) {
    skipBlankLines();
    if (!ensure(0)) {
        return false;
    }
    record.bytes.clear();
    record.offset = offset();
    record.line = line_;
    record.terminated = false;
    record.problem = RecordProblem::None;

    const std::size_t max = options_.max_record_bytes;
    QuoteState state = QuoteState::FieldStart;
    std::size_t k = 0;
    std::size_t newlines = 0;
    std::size_t first_newline = std::string::npos;

    // Ends the record at the first newline inside its runaway quoted field, blaming that one line.
    auto endAtFirstLine = [&] {
        record.bytes.assign(buffer_, pos_, withoutTrailingCr(buffer_, pos_, first_newline));
        record.problem = RecordProblem::UnterminatedQuote;
        record.terminated = true;
        advance(first_newline + 1);
        ++line_;
        record.end = offset();
        return true;
    };

    while (true) {
        if (k > max) {
            if (first_newline != std::string::npos) {
                return endAtFirstLine();
            }
            record.bytes.assign(buffer_, pos_, max);
            record.problem = RecordProblem::TooLong;
            skipRestOfLine(record, k);
            return true;
        }
        if (!options_.quoted) {
            // One record per line: jump to the next newline.
            if (!ensure(k)) {
                break;
            }
            const char* start = buffer_.data() + pos_ + k;
            const auto* newline = static_cast<const char*>(std::memchr(start, '\n', buffer_.size() - pos_ - k));
            if (newline == nullptr) {
                k = buffer_.size() - pos_;
                continue;
            }
            k += static_cast<std::size_t>(newline - start);
            if (k > max) {
                continue;
            }
            state = QuoteState::Unquoted;
        } else if (!ensure(k)) {
            break;
        }
        const auto c = static_cast<unsigned char>(buffer_[pos_ + k]);
        if (options_.gb18030 && c >= 0x81 && c <= 0xFE) {
            ensure(k + 3);
            const std::size_t available = std::min<std::size_t>(4, buffer_.size() - pos_ - k);
            const std::size_t length =
                charset::gb18030SequenceLength(std::string_view(buffer_.data() + pos_ + k, available));
            if (state != QuoteState::Quoted) {
                state = QuoteState::Unquoted;
            }
            k += std::max<std::size_t>(length, 1);
            continue;
        }
        if (c == '\n') {
            if (state != QuoteState::Quoted) {
                record.bytes.assign(buffer_, pos_, withoutTrailingCr(buffer_, pos_, k));
                record.terminated = true;
                advance(k + 1);
                line_ += 1 + newlines;
                record.end = offset();
                return true;
            }
            ++newlines;
            if (first_newline == std::string::npos) {
                first_newline = k;
            }
        } else if (c == static_cast<unsigned char>(options_.quote)) {
            if (state == QuoteState::FieldStart || state == QuoteState::QuoteInQuoted) {
                state = QuoteState::Quoted;
            } else if (state == QuoteState::Quoted) {
                state = QuoteState::QuoteInQuoted;
            }
        } else if (c == static_cast<unsigned char>(options_.delimiter)) {
            if (state != QuoteState::Quoted) {
                state = QuoteState::FieldStart;
            }
        } else if (state == QuoteState::FieldStart || state == QuoteState::QuoteInQuoted) {
            state = QuoteState::Unquoted;
        }
        ++k;
    }

    // The end of the file.
    if (state == QuoteState::Quoted) {
        if (first_newline != std::string::npos) {
            return endAtFirstLine();
        }
        record.bytes.assign(buffer_, pos_, k);
        record.problem = RecordProblem::UnterminatedQuote;
    } else {
        record.bytes.assign(buffer_, pos_, withoutTrailingCr(buffer_, pos_, k));
    }
    advance(k);
    record.end = offset();
    return true;
}

bool splitCsvFields(std::string_view record, char delimiter, char quote, std::vector<std::string>& fields,
                    std::string& error) {
    fields.clear();
    std::size_t i = 0;
    const std::size_t n = record.size();
    while (true) {
        std::string field;
        if (i < n && record[i] == quote) {
            ++i;
            while (true) {
                const std::size_t close = record.find(quote, i);
                if (close == std::string_view::npos) {
                    error = "field " + std::to_string(fields.size() + 1) + ": the quoted field is not closed";
                    return false;
                }
                field.append(record, i, close - i);
                i = close + 1;
                if (i < n && record[i] == quote) {
                    field += quote;
                    ++i;
                    continue;
                }
                break;
            }
            if (i < n && record[i] != delimiter) {
                error = "field " + std::to_string(fields.size() + 1) + ": text after the closing quote";
                return false;
            }
        } else {
            std::size_t end = record.find(delimiter, i);
            if (end == std::string_view::npos) {
                end = n;
            }
            field.assign(record, i, end - i);
            i = end;
        }
        fields.push_back(std::move(field));
        if (i >= n) {
            return true;
        }
        ++i;  // the delimiter; a delimiter at the very end leaves one more, empty, field
    }
}

}  // namespace gateway::adapters::file
