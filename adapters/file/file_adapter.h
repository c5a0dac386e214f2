#pragma once

#include "adapters/adapter.h"
#include "adapters/file/drop_folder.h"
#include "adapters/file/file_settings.h"
#include "gateway/common/clock.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace gateway::adapters {

/// Adds the `file` adapter (CSV and JSON-lines files dropped in a folder).
void registerFileAdapter(AdapterRegistry& registry);

}  // namespace gateway::adapters

namespace gateway::adapters::file {

/// What a `file` watermark records: the file being read, its checksum (so a different file of the same name is
/// never mistaken for it), and how far its committed rows reach. Callers treat the encoded form as opaque.
struct FilePosition {
    std::string file;
    std::string sha256;
    std::uint64_t offset = 0;  // just past the last committed row
    std::uint64_t line = 1;    // the line `offset` starts
    bool done = false;         // every row of the file is covered

    bool operator==(const FilePosition&) const = default;
};

std::string encodeFilePosition(const FilePosition& position);
/// nullopt when `text` is not a watermark this adapter wrote.
std::optional<FilePosition> decodeFilePosition(std::string_view text);

/// Takes complete files from a drop folder, oldest first, one file per batch, at most `max_records` rows each.
///
/// A file is read in a stream from the watermark's offset, so a restart resumes after the last committed row and
/// a huge file never sits in memory. Once its last row is committed the file is archived with its checksum;
/// a file whose watermark says it is done but which is still in the folder (the process stopped before
/// archiving) is archived without being staged again.
class FileAdapter : public Adapter {
public:
    FileAdapter();
    /// `clock` decides when a file has settled (settle_seconds).
    explicit FileAdapter(std::shared_ptr<const Clock> clock);
    ~FileAdapter() override;

    void open(const AdapterConfig& config) override;
    PullBatch pull(const std::optional<std::string>& since, std::size_t max_records) override;
    void committed(const PullBatch& batch) override;

    const FileAdapterSettings& settings() const { return settings_; }

private:
    struct FileState;

    /// The checksum, encoding and columns of `file`, computed once per version of it.
    const FileState& inspect(const DropFile& file);
    PullBatch readBatch(const FileState& state, std::uint64_t offset, std::uint64_t line, std::size_t max_records);
    void archive(const DropFile& file, const std::string& sha256);
    std::optional<FilePosition> parseSince(const std::optional<std::string>& since) const;

    std::shared_ptr<const Clock> clock_;
    AdapterConfig config_;
    FileAdapterSettings settings_;
    std::unique_ptr<DropFolder> folder_;
    std::unique_ptr<FileState> current_;
};

}  // namespace gateway::adapters::file
