#include "gateway/reconcile/key_sorter.h"

#include "gateway/common/error.h"

#include <Poco/File.h>
#include <Poco/TemporaryFile.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <queue>

namespace gateway::reconcile {
namespace {

// A run file is a sequence of rows, each as its key's and its hash's length (4 bytes, little-endian) and bytes, and
// the order the row was added in (8 bytes), so that the merge can keep the last copy of a key across runs.
void writeText(std::ofstream& out, const std::string& text) {
    const auto size = static_cast<std::uint32_t>(text.size());
    unsigned char length[4] = {static_cast<unsigned char>(size), static_cast<unsigned char>(size >> 8),
                               static_cast<unsigned char>(size >> 16), static_cast<unsigned char>(size >> 24)};
    out.write(reinterpret_cast<const char*>(length), 4);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

bool readText(std::ifstream& in, std::string& text) {
    unsigned char length[4];
    if (!in.read(reinterpret_cast<char*>(length), 4)) {
        return false;
    }
    const std::uint32_t size =
        length[0] | length[1] << 8 | length[2] << 16 | static_cast<std::uint32_t>(length[3]) << 24;
    text.resize(size);
    return static_cast<bool>(in.read(text.data(), size));
}

/// One run file read back in order.
class RunReader {
public:
    explicit RunReader(const std::string& path) : in_(path, std::ios::binary), path_(path) {
        if (!in_) {
            throw GatewayError(ErrorCode::Internal, path + ": cannot read a sorted run back");
        }
    }

    /// The next row and the order it was added in; false at the end.
    bool next(KeyHash& row, std::int64_t& order) {
        if (!readText(in_, row.key)) {
            return false;
        }
        std::uint64_t value = 0;
        unsigned char bytes[8];
        if (!readText(in_, row.hash) || !in_.read(reinterpret_cast<char*>(bytes), 8)) {
            throw GatewayError(ErrorCode::Internal, path_ + ": a sorted run ends inside a row");
        }
        for (int i = 7; i >= 0; --i) {
            value = value << 8 | bytes[i];
        }
        order = static_cast<std::int64_t>(value);
        return true;
    }

private:
    std::ifstream in_;
    std::string path_;
};

/// Rows already in memory, sorted by key and then by the order they were added in: the last copy of each key.
class SortedBuffer : public KeyHashStream {
public:
    explicit SortedBuffer(std::vector<std::pair<KeyHash, std::int64_t>> rows) : rows_(std::move(rows)) {}

    bool next(KeyHash& row) override {
        if (at_ == rows_.size()) {
            return false;
        }
        while (at_ + 1 < rows_.size() && rows_[at_ + 1].first.key == rows_[at_].first.key) {
            ++at_;
        }
        row = std::move(rows_[at_++].first);
        return true;
    }

private:
    std::vector<std::pair<KeyHash, std::int64_t>> rows_;
    std::size_t at_ = 0;
};

/// The k-way merge of the runs, keeping the last-added copy of each key.
class MergedRuns : public KeyHashStream {
public:
    explicit MergedRuns(const std::vector<std::string>& runs) {
        readers_.reserve(runs.size());
        for (const std::string& run : runs) {
            readers_.emplace_back(run);
        }
        heads_.resize(readers_.size());
        for (std::size_t i = 0; i < readers_.size(); ++i) {
            pull(i);
        }
    }

    bool next(KeyHash& row) override {
        if (queue_.empty()) {
            return false;
        }
        std::size_t source = queue_.top();
        queue_.pop();
        row = std::move(heads_[source].row);
        std::int64_t order = heads_[source].order;
        pull(source);
        // Later copies of the same key, in this run or others: the one added last wins.
        while (!queue_.empty() && heads_[queue_.top()].row.key == row.key) {
            const std::size_t same = queue_.top();
            queue_.pop();
            if (heads_[same].order > order) {
                order = heads_[same].order;
                row.hash = std::move(heads_[same].row.hash);
            }
            pull(same);
        }
        return true;
    }

private:
    struct Head {
        KeyHash row;
        std::int64_t order = 0;
    };

    void pull(std::size_t reader) {
        if (readers_[reader].next(heads_[reader].row, heads_[reader].order)) {
            queue_.push(reader);
        }
    }

    struct Later {
        const std::vector<Head>* heads;
        bool operator()(std::size_t a, std::size_t b) const {
            const Head& x = (*heads)[a];
            const Head& y = (*heads)[b];
            return x.row.key != y.row.key ? x.row.key > y.row.key : x.order > y.order;
        }
    };

    std::vector<RunReader> readers_;
    std::vector<Head> heads_;
    std::priority_queue<std::size_t, std::vector<std::size_t>, Later> queue_{Later{&heads_}};
};

}  // namespace

KeySorter::KeySorter(std::string folder, std::size_t run_rows) : folder_(std::move(folder)), run_rows_(run_rows) {
    if (run_rows_ == 0) {
        throw GatewayError(ErrorCode::InvalidArgument, "a sorted run must hold at least one row");
    }
}

KeySorter::~KeySorter() {
    for (const std::string& run : runs_) {
        try {
            Poco::File(run).remove();
        } catch (const Poco::Exception&) {
            // A run left behind in the state folder is only disk space; the destructor must not throw.
        }
    }
}

void KeySorter::add(KeyHash row) {
    if (finished_) {
        throw GatewayError(ErrorCode::Internal, "a row added to a key sorter after its stream was taken");
    }
    buffer_.emplace_back(std::move(row), added_++);
    if (buffer_.size() >= run_rows_) {
        spill();
    }
}

void KeySorter::sortBuffer() {
    std::sort(buffer_.begin(), buffer_.end(), [](const auto& a, const auto& b) {
        return a.first.key != b.first.key ? a.first.key < b.first.key : a.second < b.second;
    });
}

void KeySorter::spill() {
    if (buffer_.empty()) {
        return;
    }
    sortBuffer();
    const std::string path = Poco::TemporaryFile::tempName(folder_);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) {
        throw GatewayError(ErrorCode::Internal, path + ": cannot write a sorted run: " + std::strerror(errno));
    }
    runs_.push_back(path);
    for (const auto& [row, order] : buffer_) {
        writeText(out, row.key);
        writeText(out, row.hash);
        unsigned char bytes[8];
        auto value = static_cast<std::uint64_t>(order);
        for (unsigned char& byte : bytes) {
            byte = static_cast<unsigned char>(value);
            value >>= 8;
        }
        out.write(reinterpret_cast<const char*>(bytes), 8);
    }
    out.close();
    if (!out) {
        throw GatewayError(ErrorCode::Internal, path + ": cannot write a sorted run: " + std::strerror(errno));
    }
    buffer_.clear();
}

std::unique_ptr<KeyHashStream> KeySorter::sorted() {
    if (finished_) {
        throw GatewayError(ErrorCode::Internal, "a key sorter's stream taken twice");
    }
    finished_ = true;
    if (runs_.empty()) {
        // Everything fitted in memory: no file to write.
        sortBuffer();
        return std::make_unique<SortedBuffer>(std::move(buffer_));
    }
    spill();
    return std::make_unique<MergedRuns>(runs_);
}

}  // namespace gateway::reconcile
