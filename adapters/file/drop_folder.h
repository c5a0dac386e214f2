#pragma once

#include "gateway/common/clock.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::adapters::file {

/// A file in the drop folder as listed.
struct DropFile {
    std::string name;
    std::string path;
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;  // since the epoch
    std::uint64_t device = 0;
    std::uint64_t inode = 0;

    /// Same file, unchanged since it was listed (name, identity, size and modification time).
    bool sameVersion(const DropFile& other) const {
        return name == other.name && device == other.device && inode == other.inode && size == other.size &&
               mtime_ns == other.mtime_ns;
    }
};

/// The time a file name carries, as 14 digits YYYYMMDDhhmmss: the first run of exactly 14, 12 or 8 digits that
/// reads as a date (shorter forms padded with zeros), e.g. births_20261101080000.csv → 20261101080000.
std::optional<std::string> timestampInName(std::string_view name);

/// Oldest first: by the timestamp in the name when every file has one, else by modification time; then by name.
void sortOldestFirst(std::vector<DropFile>& files);

/// The folder a department drops export files into.
class DropFolder {
public:
    /// `marker_suffix` empty: no marker rule; `settle_seconds` nullopt: no settle rule.
    DropFolder(std::string dir, std::string pattern, std::string marker_suffix,
               std::optional<std::int64_t> settle_seconds, std::shared_ptr<const Clock> clock);

    /// Regular files whose names match the pattern (marker files excluded), complete or not, in no order.
    /// Throws GatewayError(SourceUnavailable) when the folder cannot be read.
    std::vector<DropFile> list() const;

    /// The file called `name`, if it is there.
    std::optional<DropFile> find(const std::string& name) const;

    /// True when the completeness rules hold: its marker exists and/or it has not changed for settle_seconds.
    bool complete(const DropFile& file) const;

    /// Complete files, oldest first.
    std::vector<DropFile> completeOldestFirst() const;

    /// Moves a fully staged file into `archive_dir` beside a sidecar NAME.sha256 in `sha256sum -c` format, and
    /// removes its marker. A name already taken in the archive gets the checksum's first 12 digits before its
    /// extension. Steps run in an order that a crash at any point leaves either the file in the drop folder (the
    /// caller archives it again) or archived; never a marker without its file, which would mark a later file of
    /// the same name complete before it is. Returns the archived path; throws GatewayError(SourceError).
    std::string archive(const DropFile& file, const std::string& sha256, const std::string& archive_dir) const;

    const std::string& dir() const { return dir_; }

private:
    std::optional<DropFile> stat(const std::string& name) const;

    std::string dir_;
    std::string pattern_;
    std::string marker_suffix_;
    std::optional<std::int64_t> settle_seconds_;
    std::shared_ptr<const Clock> clock_;
};

}  // namespace gateway::adapters::file
