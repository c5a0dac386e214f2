#include "adapters/file/drop_folder.h"

#include "gateway/common/error.h"

#include <dirent.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <tuple>

namespace gateway::adapters::file {
namespace {

namespace fs = std::filesystem;

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

int number(std::string_view digits) {
    int value = 0;
    for (const char c : digits) {
        value = value * 10 + (c - '0');
    }
    return value;
}

bool plausibleTime(std::string_view digits) {
    const int month = number(digits.substr(4, 2));
    const int day = number(digits.substr(6, 2));
    if (month < 1 || month > 12 || day < 1 || day > 31) {
        return false;
    }
    if (digits.size() >= 12 && (number(digits.substr(8, 2)) > 23 || number(digits.substr(10, 2)) > 59)) {
        return false;
    }
    return digits.size() < 14 || number(digits.substr(12, 2)) <= 60;
}

/// Appends `suffix` before the extension: births.csv + ".ab12" → births.ab12.csv.
std::string withSuffix(const std::string& name, const std::string& suffix) {
    const std::size_t dot = name.rfind('.');
    if (dot == std::string::npos || dot == 0) {
        return name + suffix;
    }
    return name.substr(0, dot) + suffix + name.substr(dot);
}

[[noreturn]] void failArchive(const std::string& what, const std::error_code& error) {
    throw GatewayError(ErrorCode::SourceError, "cannot archive: " + what + ": " + error.message());
}

}  // namespace

std::optional<std::string> timestampInName(std::string_view name) {
    std::size_t i = 0;
    while (i < name.size()) {
        if (!isDigit(name[i])) {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < name.size() && isDigit(name[end])) {
            ++end;
        }
        const std::string_view run = name.substr(i, end - i);
        if ((run.size() == 14 || run.size() == 12 || run.size() == 8) && plausibleTime(run)) {
            std::string padded(run);
            padded.resize(14, '0');
            return padded;
        }
        i = end;
    }
    return std::nullopt;
}

void sortOldestFirst(std::vector<DropFile>& files) {
    std::vector<std::pair<std::optional<std::string>, DropFile>> keyed;
    bool all_named = true;
    for (auto& file : files) {
        auto stamp = timestampInName(file.name);
        all_named = all_named && stamp.has_value();
        keyed.emplace_back(std::move(stamp), std::move(file));
    }
    // Mixing name times (local clock of the exporter) with modification times would make the order depend on
    // time zones, so name times count only when every file has one.
    std::sort(keyed.begin(), keyed.end(), [all_named](const auto& a, const auto& b) {
        if (all_named && *a.first != *b.first) {
            return *a.first < *b.first;
        }
        return std::tie(a.second.mtime_ns, a.second.name) < std::tie(b.second.mtime_ns, b.second.name);
    });
    files.clear();
    for (auto& [stamp, file] : keyed) {
        files.push_back(std::move(file));
    }
}

DropFolder::DropFolder(std::string dir, std::string pattern, std::string marker_suffix,
                       std::optional<std::int64_t> settle_seconds, std::shared_ptr<const Clock> clock)
    : dir_(std::move(dir)),
      pattern_(std::move(pattern)),
      marker_suffix_(std::move(marker_suffix)),
      settle_seconds_(settle_seconds),
      clock_(std::move(clock)) {}

std::optional<DropFile> DropFolder::stat(const std::string& name) const {
    DropFile file;
    file.name = name;
    file.path = dir_ + "/" + name;
    // lstat: a symbolic link is never taken, wherever it points. A drop folder is where other systems write; a
    // link planted there would make the gateway read (and archive) a file outside it.
    struct stat info {};
    if (::lstat(file.path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) {
        return std::nullopt;
    }
    file.size = static_cast<std::uint64_t>(info.st_size);
    file.mtime_ns = static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec;
    file.device = static_cast<std::uint64_t>(info.st_dev);
    file.inode = static_cast<std::uint64_t>(info.st_ino);
    return file;
}

std::vector<DropFile> DropFolder::list() const {
    DIR* handle = ::opendir(dir_.c_str());
    if (handle == nullptr) {
        throw GatewayError(ErrorCode::SourceUnavailable,
                           "cannot read the drop folder " + dir_ + ": " + std::strerror(errno));
    }
    std::vector<DropFile> files;
    while (const dirent* entry = ::readdir(handle)) {
        const std::string name = entry->d_name;
        if (name == "." || name == ".." || ::fnmatch(pattern_.c_str(), name.c_str(), FNM_PERIOD) != 0) {
            continue;
        }
        if (!marker_suffix_.empty() && name.size() > marker_suffix_.size() &&
            name.compare(name.size() - marker_suffix_.size(), std::string::npos, marker_suffix_) == 0) {
            continue;
        }
        if (auto file = stat(name)) {
            files.push_back(std::move(*file));
        }
    }
    ::closedir(handle);
    return files;
}

std::optional<DropFile> DropFolder::find(const std::string& name) const {
    return stat(name);
}

bool DropFolder::complete(const DropFile& file) const {
    if (!marker_suffix_.empty()) {
        struct stat info {};
        if (::stat((file.path + marker_suffix_).c_str(), &info) != 0) {
            return false;
        }
    }
    if (settle_seconds_) {
        const std::int64_t now_us = clock_->now().epochMicroseconds();
        if (now_us - file.mtime_ns / 1000 < *settle_seconds_ * 1'000'000) {
            return false;
        }
    }
    return true;
}

std::vector<DropFile> DropFolder::completeOldestFirst() const {
    std::vector<DropFile> files = list();
    std::erase_if(files, [this](const DropFile& file) { return !complete(file); });
    sortOldestFirst(files);
    return files;
}

std::string DropFolder::archive(const DropFile& file, const std::string& sha256, const std::string& archive_dir) const {
    std::error_code error;
    fs::create_directories(archive_dir, error);
    if (error) {
        failArchive("cannot create " + archive_dir, error);
    }
    std::string target_name = file.name;
    for (int attempt = 1; fs::exists(archive_dir + "/" + target_name); ++attempt) {
        target_name =
            withSuffix(file.name, "." + sha256.substr(0, 12) + (attempt > 1 ? "-" + std::to_string(attempt) : ""));
    }
    const std::string target = archive_dir + "/" + target_name;

    // The checksum first, so that an archived file never lacks one.
    const std::string sidecar = target + ".sha256";
    {
        std::ofstream out(sidecar + ".tmp", std::ios::binary | std::ios::trunc);
        out << sha256 << "  " << target_name << "\n";
        out.close();
        if (!out) {
            throw GatewayError(ErrorCode::SourceError, "cannot archive " + file.name + ": cannot write " + sidecar);
        }
    }
    fs::rename(sidecar + ".tmp", sidecar, error);
    if (error) {
        failArchive(sidecar, error);
    }
    if (!marker_suffix_.empty()) {
        fs::remove(file.path + marker_suffix_, error);
        if (error) {
            failArchive("cannot remove the marker " + file.path + marker_suffix_, error);
        }
    }
    fs::rename(file.path, target, error);
    if (error == std::errc::cross_device_link) {
        fs::copy_file(file.path, target, error);
        if (!error) {
            fs::remove(file.path, error);
        }
    }
    if (error) {
        failArchive("cannot move " + file.path + " to " + target, error);
    }
    return target;
}

}  // namespace gateway::adapters::file
