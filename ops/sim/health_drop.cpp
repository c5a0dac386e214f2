#include "ops/sim/health_drop.h"

#include "ops/sim/renderers.h"

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace deptsim {

Gb18030Encoder::Gb18030Encoder() : descriptor_(iconv_open("GB18030", "UTF-8")) {
    if (descriptor_ == reinterpret_cast<iconv_t>(-1)) {
        throw std::runtime_error("iconv cannot convert UTF-8 to GB18030 on this system");
    }
}

Gb18030Encoder::~Gb18030Encoder() {
    iconv_close(descriptor_);
}

std::string Gb18030Encoder::encode(std::string_view utf8) {
    std::string out(utf8.size() * 2 + 16, '\0');
    char* in_ptr = const_cast<char*>(utf8.data());
    std::size_t in_left = utf8.size();
    char* out_ptr = out.data();
    std::size_t out_left = out.size();
    iconv(descriptor_, nullptr, nullptr, nullptr, nullptr);
    while (in_left > 0) {
        if (iconv(descriptor_, &in_ptr, &in_left, &out_ptr, &out_left) == static_cast<std::size_t>(-1)) {
            if (errno == E2BIG) {
                const std::size_t used = static_cast<std::size_t>(out_ptr - out.data());
                out.resize(out.size() * 2);
                out_ptr = out.data() + used;
                out_left = out.size() - used;
                continue;
            }
            throw std::runtime_error("text is not valid UTF-8 and cannot be written as GB18030");
        }
    }
    out.resize(static_cast<std::size_t>(out_ptr - out.data()));
    return out;
}

std::string csvRecord(const std::vector<std::string>& fields) {
    std::string record;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) {
            record += ',';
        }
        const std::string& field = fields[i];
        if (field.find_first_of(",\"\r\n") == std::string::npos) {
            record += field;
            continue;
        }
        record += '"';
        for (const char c : field) {
            record += c;
            if (c == '"') {
                record += '"';
            }
        }
        record += '"';
    }
    record += "\r\n";
    return record;
}

DropWriter::DropWriter(std::ostream& out, DropEncoding encoding) : out_(out), encoding_(encoding) {
    if (encoding_ == DropEncoding::Utf8WithBom) {
        out_ << "\xEF\xBB\xBF";
    }
    write(csvRecord(healthCsvHeader()));
}

void DropWriter::add(const std::vector<std::string>& fields) {
    write(csvRecord(fields));
    ++rows_;
}

void DropWriter::write(const std::string& record) {
    if (encoding_ == DropEncoding::Gb18030) {
        out_ << encoder_.encode(record);
    } else {
        out_ << record;
    }
}

std::string dropFileName(EpochSeconds stamp) {
    return "births_" + digitsTimestamp(stamp) + ".csv";
}

namespace {

void writeBytes(const std::string& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
        throw std::runtime_error("cannot write " + path);
    }
}

}  // namespace

void writeMarker(const std::string& folder, const std::string& name) {
    writeBytes(folder + "/" + name + ".ok", "");
}

void writeCompleteDrop(const std::string& folder, const std::string& name, const std::string& bytes) {
    writeBytes(folder + "/" + name, bytes);
    writeMarker(folder, name);
}

namespace {

std::string gb18030ToUtf8(const std::string& bytes, const std::string& path) {
    const iconv_t descriptor = iconv_open("UTF-8", "GB18030");
    if (descriptor == reinterpret_cast<iconv_t>(-1)) {
        throw std::runtime_error("iconv cannot convert GB18030 to UTF-8 on this system");
    }
    // Every GB18030 character takes at most 4 bytes in UTF-8, and none takes fewer than 1 byte in GB18030.
    std::string out(bytes.size() * 4 + 16, '\0');
    char* in_ptr = const_cast<char*>(bytes.data());
    std::size_t in_left = bytes.size();
    char* out_ptr = out.data();
    std::size_t out_left = out.size();
    const bool ok = iconv(descriptor, &in_ptr, &in_left, &out_ptr, &out_left) != static_cast<std::size_t>(-1);
    iconv_close(descriptor);
    if (!ok) {
        throw std::runtime_error(path + " is not valid GB18030");
    }
    out.resize(static_cast<std::size_t>(out_ptr - out.data()));
    return out;
}

/// RFC 4180: quoted fields with doubled quotes, CRLF (or LF) line ends.
void parseCsv(const std::string& text, std::vector<std::vector<std::string>>& records) {
    std::vector<std::string> record;
    std::string field;
    bool quoted = false;
    bool any = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
            continue;
        }
        any = true;
        if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            record.push_back(std::move(field));
            field.clear();
        } else if (c == '\n') {
            record.push_back(std::move(field));
            field.clear();
            records.push_back(std::move(record));
            record.clear();
            any = false;
        } else if (c != '\r') {
            field += c;
        }
    }
    if (any) {
        record.push_back(std::move(field));
        records.push_back(std::move(record));
    }
}

}  // namespace

std::vector<std::vector<std::string>> readCompleteDrops(const std::string& folder) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
        const std::string name = entry.path().filename().string();
        if (name.size() > 4 && name.compare(name.size() - 4, 4, ".csv") == 0 &&
            std::filesystem::exists(entry.path().string() + ".ok")) {
            names.push_back(name);
        }
    }
    // The names carry the drop's time in digits, so their order is the order the drops were written.
    std::sort(names.begin(), names.end());
    std::vector<std::vector<std::string>> records;
    for (const std::string& name : names) {
        const std::string path = folder + "/" + name;
        std::ifstream in(path, std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        if (!in) {
            throw std::runtime_error("cannot read " + path);
        }
        const std::string raw = bytes.str();
        const std::string text = raw.rfind("\xEF\xBB\xBF", 0) == 0 ? raw.substr(3) : gb18030ToUtf8(raw, path);
        const std::size_t before = records.size();
        parseCsv(text, records);
        if (records.size() > before) {
            records.erase(records.begin() + static_cast<std::ptrdiff_t>(before));  // the header row
        }
    }
    return records;
}

void writeHalfDrop(const std::string& folder, const std::string& name, const std::string& bytes) {
    writeBytes(folder + "/" + name, std::string_view(bytes).substr(0, bytes.size() / 2));
}

}  // namespace deptsim
