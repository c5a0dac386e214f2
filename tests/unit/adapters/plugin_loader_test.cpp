#include "adapters/plugin_loader.h"

#include "gateway/common/error.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <curl/curl.h>
#include <dlfcn.h>

namespace gateway::adapters {
namespace {

std::string examplePath() {
#ifdef EXAMPLE_ADAPTER_PATH
    return EXAMPLE_ADAPTER_PATH;
#else
    return {};
#endif
}

std::string loadError(PluginLoader& loader, const std::string& path, AdapterRegistry& registry) {
    try {
        loader.load(path, registry);
    } catch (const GatewayError& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidConfig);
        return e.message();
    }
    ADD_FAILURE() << "no error loading " << path;
    return {};
}

class PluginLoaderTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (examplePath().empty()) {
            GTEST_FAIL() << "EXAMPLE_ADAPTER_PATH is not defined: tests/CMakeLists.txt must pass the example module's "
                            "path to unit_adapters_test";
        }
    }
};

TEST_F(PluginLoaderTest, LoadsTheExampleAndServesRowsFromIt) {
    testing::TempDir dir;
    testing::writeFile(dir.file("rows.jsonl"), "{\"id\":1, \"name\":\"张𠮷\"}\n\nnot json\n{\"id\":3}\n");
    AdapterRegistry registry;
    std::unique_ptr<Adapter> adapter;
    {
        PluginLoader loader;
        EXPECT_EQ(loader.load(examplePath(), registry), (std::vector<std::string>{"static_jsonl"}));
        adapter = registry.create("static_jsonl");
    }
    // The loader is gone; the adapter keeps its library loaded.
    adapter->open(AdapterConfig{"sample", R"({"file":")" + dir.file("rows.jsonl") + R"("})", "sample.json", ""});
    const PullBatch first = adapter->pull(std::nullopt, 2);
    ASSERT_EQ(first.rows.size(), 2u);
    EXPECT_EQ(first.rows[0].json, "{\"id\":1,\"name\":\"张𠮷\"}");
    EXPECT_EQ(first.rows[1].error, "line is not a JSON object in UTF-8");
    EXPECT_EQ(first.rows[1].raw, "not json");
    EXPECT_EQ(first.watermark, "3");
    EXPECT_TRUE(first.more);
    const PullBatch second = adapter->pull(first.watermark, 2);
    ASSERT_EQ(second.rows.size(), 1u);
    EXPECT_EQ(second.rows[0].locator, dir.file("rows.jsonl") + " line 4");
    EXPECT_FALSE(second.more);
    adapter.reset();
    EXPECT_NO_THROW(registry.create("static_jsonl"));
}

TEST_F(PluginLoaderTest, ThePluginRejectsUnknownSettings) {
    AdapterRegistry registry;
    PluginLoader loader;
    loader.load(examplePath(), registry);
    auto adapter = registry.create("static_jsonl");
    try {
        adapter->open(AdapterConfig{"sample", R"({"path":"x"})", "sample.json", ""});
        FAIL() << "no error";
    } catch (const GatewayError& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidConfig);
        EXPECT_EQ(e.message(), "sample.json: settings.path: unknown key (known: file)");
    }
}

TEST_F(PluginLoaderTest, RefusesAMissingFile) {
    AdapterRegistry registry;
    PluginLoader loader;
    EXPECT_EQ(loadError(loader, "/nonexistent/plugin.so", registry),
              "adapter plugin /nonexistent/plugin.so: no such file");
    EXPECT_TRUE(registry.names().empty());
}

TEST_F(PluginLoaderTest, RefusesAFileThatIsNotALibrary) {
    testing::TempDir dir;
    testing::writeFile(dir.file("fake.so"), "not a library");
    AdapterRegistry registry;
    PluginLoader loader;
    const std::string message = loadError(loader, dir.file("fake.so"), registry);
    EXPECT_EQ(message.rfind("adapter plugin " + dir.file("fake.so") + ": cannot be loaded: ", 0), 0u) << message;
}

TEST_F(PluginLoaderTest, RefusesALibraryWithoutTheAbiSymbol) {
    Dl_info info{};
    ASSERT_NE(::dladdr(reinterpret_cast<void*>(&curl_easy_init), &info), 0);
    const std::string libcurl = info.dli_fname;
    AdapterRegistry registry;
    PluginLoader loader;
    EXPECT_EQ(loadError(loader, libcurl, registry),
              "adapter plugin " + libcurl +
                  ": does not export gatewayAdapterAbiVersion(); it is not a gateway adapter plugin");
    EXPECT_TRUE(registry.names().empty());
}

TEST_F(PluginLoaderTest, RefusesAnotherAbiVersion) {
    AdapterRegistry registry;
    PluginLoader loader(kAdapterAbiVersion + 1);
    EXPECT_EQ(loadError(loader, examplePath(), registry),
              "adapter plugin " + examplePath() + ": was built for adapter ABI version " +
                  std::to_string(kAdapterAbiVersion) + ", this gateway needs version " +
                  std::to_string(kAdapterAbiVersion + 1));
    EXPECT_TRUE(registry.names().empty());
}

TEST_F(PluginLoaderTest, RefusesANameAlreadyRegistered) {
    AdapterRegistry registry;
    registry.add("static_jsonl", [] { return std::unique_ptr<Adapter>(); });
    PluginLoader loader;
    EXPECT_EQ(loadError(loader, examplePath(), registry),
              "adapter plugin " + examplePath() + ": exports 'static_jsonl', a name already registered");
}

}  // namespace
}  // namespace gateway::adapters
