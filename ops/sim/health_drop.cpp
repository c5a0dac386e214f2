#include "ops/sim/health_drop.h"

#include "ops/sim/renderers.h"

#include <cerrno>
#include <fstream>
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

void writeHalfDrop(const std::string& folder, const std::string& name, const std::string& bytes) {
    writeBytes(folder + "/" + name, std::string_view(bytes).substr(0, bytes.size() / 2));
}

}  // namespace deptsim
