#pragma once

#include "ops/sim/time_format.h"

#include <iconv.h>

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace deptsim {

enum class DropEncoding {
    Gb18030,     // what most health exports are (GBK bytes for every name GBK has)
    Utf8WithBom  // what some newer exports are
};

/// UTF-8 to GB18030 through glibc's iconv; every Unicode character has a GB18030 form, so nothing is lost.
class Gb18030Encoder {
public:
    Gb18030Encoder();
    ~Gb18030Encoder();
    Gb18030Encoder(const Gb18030Encoder&) = delete;
    Gb18030Encoder& operator=(const Gb18030Encoder&) = delete;

    /// Throws std::runtime_error when `utf8` is not valid UTF-8.
    std::string encode(std::string_view utf8);

private:
    iconv_t descriptor_;
};

/// One CSV record per RFC 4180: fields with a comma, quote or line break are quoted; CRLF at the end.
std::string csvRecord(const std::vector<std::string>& fields);

/// Writes a health drop: the header row, then records, in the file's encoding.
class DropWriter {
public:
    DropWriter(std::ostream& out, DropEncoding encoding);

    void add(const std::vector<std::string>& fields);
    std::size_t rows() const { return rows_; }

private:
    void write(const std::string& record);

    std::ostream& out_;
    DropEncoding encoding_;
    Gb18030Encoder encoder_;
    std::size_t rows_ = 0;
};

/// "births_20261101080000.csv".
std::string dropFileName(EpochSeconds stamp);

/// Writes `bytes` as folder/name, closes it, then creates folder/name.ok: a reader that sees the marker sees
/// the whole file.
void writeCompleteDrop(const std::string& folder, const std::string& name, const std::string& bytes);

/// Writes only the first half of `bytes` (cut mid-record) and no marker: a drop still being written.
void writeHalfDrop(const std::string& folder, const std::string& name, const std::string& bytes);

/// Creates folder/name.ok for a file already complete on disk.
void writeMarker(const std::string& folder, const std::string& name);

/// The records of every complete drop in the folder (a file with its .ok marker), oldest file first, each file's
/// records in file order, decoded to UTF-8 (a BOM says UTF-8, else GB18030), without the header rows: what a
/// reader that stages the folder in order has seen, the last record of a certificate number being the current
/// one. Throws std::runtime_error for a file it cannot read or decode.
std::vector<std::vector<std::string>> readCompleteDrops(const std::string& folder);

}  // namespace deptsim
