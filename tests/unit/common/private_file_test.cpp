#include "gateway/common/private_file.h"

#include "gateway/common/error.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace gateway {
namespace {

unsigned modeOf(const std::string& path) {
    struct stat info {};
    EXPECT_EQ(::lstat(path.c_str(), &info), 0) << path;
    return info.st_mode & 0777;
}

std::string contentOf(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// Every test runs with a umask that would leave files open to all, as a careless service unit might.
class PrivateFileTest : public ::testing::Test {
protected:
    void SetUp() override { previous_ = ::umask(0); }
    void TearDown() override { ::umask(previous_); }

    testing::TempDir dir_;
    mode_t previous_ = 0;
};

TEST_F(PrivateFileTest, ANewFileIsTheOwnersAloneWhateverTheUmask) {
    const std::string path = dir_.file("key.pem");
    writeNewPrivateFile(path, "secret");
    EXPECT_EQ(modeOf(path), 0600u);
    EXPECT_EQ(contentOf(path), "secret");
    try {
        writeNewPrivateFile(path, "other");
        ADD_FAILURE() << "overwrote " << path;
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.code(), ErrorCode::Conflict);
        EXPECT_NE(error.message().find("exists already"), std::string::npos) << error.message();
    }
    EXPECT_EQ(contentOf(path), "secret") << "a key is never overwritten";
}

TEST_F(PrivateFileTest, ReplaceEmptiesAnExistingFileAndTightensItsMode) {
    const std::string path = dir_.file("export.jsonl");
    testing::writeFile(path, "old content that is longer");
    ::chmod(path.c_str(), 0644);
    PrivateFile file(path, PrivateFile::Mode::Replace);
    file.write("new");
    file.close();
    EXPECT_EQ(contentOf(path), "new");
    EXPECT_EQ(modeOf(path), 0600u);
}

TEST_F(PrivateFileTest, KeepLeavesAnExistingFileAsItIsAndMakesANewOnePrivate) {
    const std::string existing = dir_.file("gateway.db");
    testing::writeFile(existing, "database");
    ::chmod(existing.c_str(), 0640);
    { const PrivateFile kept(existing, PrivateFile::Mode::Keep); }
    EXPECT_EQ(contentOf(existing), "database");
    EXPECT_EQ(modeOf(existing), 0640u) << "an operator's choice for an existing file stands";
    const std::string fresh = dir_.file("fresh.db");
    { const PrivateFile made(fresh, PrivateFile::Mode::Keep); }
    EXPECT_EQ(modeOf(fresh), 0600u);
}

TEST_F(PrivateFileTest, NeverWritesThroughASymbolicLinkInAnyMode) {
    const std::string target = dir_.file("elsewhere.txt");
    testing::writeFile(target, "someone else's file");
    const std::string link = dir_.file("planted");
    std::filesystem::create_symlink(target, link);
    const std::string dangling = dir_.file("dangling");
    std::filesystem::create_symlink(dir_.file("does-not-exist"), dangling);
    for (const auto mode : {PrivateFile::Mode::CreateNew, PrivateFile::Mode::Replace, PrivateFile::Mode::Keep}) {
        for (const std::string& path : {link, dangling}) {
            try {
                PrivateFile file(path, mode);
                ADD_FAILURE() << "opened " << path;
            } catch (const GatewayError& error) {
                EXPECT_TRUE(error.message().find("symbolic link") != std::string::npos ||
                            error.message().find("exists already") != std::string::npos)
                    << error.message();
            }
        }
    }
    EXPECT_EQ(contentOf(target), "someone else's file");
    EXPECT_FALSE(std::filesystem::exists(dir_.file("does-not-exist"))) << "nothing made at the end of a link";
    EXPECT_THROW(PrivateFile(dir_.path(), PrivateFile::Mode::Keep), GatewayError) << "a folder is no file";
}

}  // namespace
}  // namespace gateway
