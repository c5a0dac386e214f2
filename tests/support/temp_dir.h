#pragma once

#include <string>

namespace gateway::testing {

/// A fresh directory under the system temporary folder, removed with everything in it on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const { return path_; }
    /// path() + "/" + name
    std::string file(const std::string& name) const;

private:
    std::string path_;
};

/// Writes `content` to `path`, replacing it.
void writeFile(const std::string& path, const std::string& content);

/// Reads a whole file; throws std::runtime_error if it cannot.
std::string readFile(const std::string& path);

}  // namespace gateway::testing
