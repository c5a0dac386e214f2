#pragma once

#include <string>

namespace gateway {

/// Files that hold minors' personal data or keys: readable and writable by their owner only (0600, set with fchmod
/// too, so that no umask widens it), and never reached through a symbolic link (O_NOFOLLOW, O_EXCL), which someone
/// else could have planted where the file should go. Failures throw GatewayError naming the path and the reason.
class PrivateFile {
public:
    enum class Mode {
        CreateNew,  // the file must not exist yet (a key is never overwritten): Conflict if it does
        Replace,    // an existing file is emptied and made 0600; a new one is created
        Keep,       // an existing file keeps its content and mode; a new one is created 0600 (a database)
    };

    PrivateFile(const std::string& path, Mode mode);
    ~PrivateFile();
    PrivateFile(const PrivateFile&) = delete;
    PrivateFile& operator=(const PrivateFile&) = delete;

    /// Writes all of `bytes`.
    void write(const std::string& bytes);
    /// Flushes to disk and closes; a file that cannot be synced is an error.
    void close();

    int fd() const { return fd_; }

private:
    std::string path_;
    int fd_ = -1;
};

/// Writes `text` to the new file `path` (PrivateFile::Mode::CreateNew); on failure, nothing is left at `path`.
void writeNewPrivateFile(const std::string& path, const std::string& text);

}  // namespace gateway
