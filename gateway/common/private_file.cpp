#include "gateway/common/private_file.h"

#include "gateway/common/error.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gateway {

namespace {

[[noreturn]] void fail(const std::string& path, int error) {
    if (error == ELOOP) {
        throw GatewayError(ErrorCode::InvalidArgument,
                           path + " is a symbolic link; files holding personal data are never written through one");
    }
    if (error == EEXIST) {
        throw GatewayError(ErrorCode::Conflict, path + " exists already and is never overwritten");
    }
    throw GatewayError(ErrorCode::InvalidArgument, path + ": " + std::strerror(error));
}

}  // namespace

PrivateFile::PrivateFile(const std::string& path, Mode mode) : path_(path) {
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW;
    if (mode == Mode::CreateNew) {
        flags |= O_EXCL;
    } else if (mode == Mode::Replace) {
        flags |= O_TRUNC;
    } else {
        flags = (flags & ~O_WRONLY) | O_RDWR;
    }
    const bool existed = ::access(path.c_str(), F_OK) == 0;
    fd_ = ::open(path.c_str(), flags, S_IRUSR | S_IWUSR);
    if (fd_ < 0) {
        fail(path, errno);
    }
    struct stat info {};
    if (::fstat(fd_, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd_);
        fd_ = -1;
        throw GatewayError(ErrorCode::InvalidArgument, path + " is not a regular file");
    }
    // A file this call made, or one it emptied, is the gateway's alone whatever the umask said.
    if ((mode != Mode::Keep || !existed) && ::fchmod(fd_, S_IRUSR | S_IWUSR) != 0) {
        const int error = errno;
        ::close(fd_);
        fd_ = -1;
        fail(path, error);
    }
}

PrivateFile::~PrivateFile() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

void PrivateFile::write(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            throw GatewayError(ErrorCode::Internal,
                               path_ + ": cannot be written: " + std::strerror(n < 0 ? errno : EIO));
        }
        done += static_cast<std::size_t>(n);
    }
}

void PrivateFile::close() {
    const int fd = fd_;
    fd_ = -1;
    const bool synced = ::fsync(fd) == 0;
    const int error = synced ? 0 : errno;
    if (::close(fd) != 0 || !synced) {
        throw GatewayError(ErrorCode::Internal,
                           path_ + ": cannot be written: " + std::strerror(error != 0 ? error : errno));
    }
}

void writeNewPrivateFile(const std::string& path, const std::string& text) {
    PrivateFile file(path, PrivateFile::Mode::CreateNew);
    try {
        file.write(text);
        file.close();
    } catch (const GatewayError&) {
        ::unlink(path.c_str());
        throw;
    }
}

}  // namespace gateway
