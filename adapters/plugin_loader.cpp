#include "adapters/plugin_loader.h"

#include "gateway/common/error.h"

#include <Poco/ClassLoader.h>
#include <Poco/File.h>
#include <Poco/SharedLibrary.h>

namespace gateway::adapters {
namespace {

using Loader = Poco::ClassLoader<Adapter>;
using Meta = Poco::AbstractMetaObject<Adapter>;

constexpr const char* kAbiSymbol = "gatewayAdapterAbiVersion";

/// Holds the class loader (and so the library) alive for as long as an adapter made from it exists; the adapter
/// is destroyed first, while its code is still mapped.
class PluginAdapter : public Adapter {
public:
    PluginAdapter(std::shared_ptr<Loader> loader, std::unique_ptr<Adapter> adapter)
        : loader_(std::move(loader)), adapter_(std::move(adapter)) {}

    void open(const AdapterConfig& config) override { adapter_->open(config); }
    PullBatch pull(const std::optional<std::string>& since, std::size_t max_records) override {
        return adapter_->pull(since, max_records);
    }
    void committed(const PullBatch& batch) override { adapter_->committed(batch); }
    void close() override { adapter_->close(); }

private:
    std::shared_ptr<Loader> loader_;
    std::unique_ptr<Adapter> adapter_;
};

[[noreturn]] void refuse(const std::string& path, const std::string& problem) {
    throw GatewayError(ErrorCode::InvalidConfig, "adapter plugin " + path + ": " + problem);
}

/// Reads the ABI version through a separate handle before the class loader calls into the library's manifest.
void checkAbiVersion(const std::string& path, int expected) {
    Poco::SharedLibrary library;
    try {
        library.load(path);
    } catch (const Poco::Exception& e) {
        refuse(path, "cannot be loaded: " + e.displayText());
    }
    if (!library.hasSymbol(kAbiSymbol)) {
        library.unload();
        refuse(path, std::string("does not export ") + kAbiSymbol + "(); it is not a gateway adapter plugin");
    }
    const auto abi_version = reinterpret_cast<int (*)()>(library.getSymbol(kAbiSymbol));
    const int actual = abi_version();
    library.unload();
    if (actual != expected) {
        refuse(path, "was built for adapter ABI version " + std::to_string(actual) + ", this gateway needs version " +
                         std::to_string(expected));
    }
}

}  // namespace

PluginLoader::PluginLoader(int abi_version) : abi_version_(abi_version), loader_(std::make_shared<Loader>()) {}

PluginLoader::~PluginLoader() = default;

std::vector<std::string> PluginLoader::load(const std::string& path, AdapterRegistry& registry) {
    if (path.empty()) {
        refuse(path, "the path is empty");
    }
    try {
        const Poco::File file(path);
        if (!file.exists() || !file.isFile()) {
            refuse(path, "no such file");
        }
    } catch (const Poco::FileException& e) {
        refuse(path, "cannot be read: " + e.displayText());
    }
    checkAbiVersion(path, abi_version_);

    try {
        loader_->loadLibrary(path);
    } catch (const Poco::Exception& e) {
        refuse(path, "cannot be loaded: " + e.displayText());
    }
    const auto* manifest = loader_->findManifest(path);
    std::vector<std::pair<std::string, const Meta*>> classes;
    std::string problem;
    for (auto it = manifest->begin(); it != manifest->end(); ++it) {
        const Meta* meta = *it;
        if (!meta->canCreate()) {
            problem = "exports '" + std::string(meta->name()) + "' as a singleton; adapters must be creatable";
        } else if (registry.contains(meta->name())) {
            problem = "exports '" + std::string(meta->name()) + "', a name already registered";
        }
        classes.emplace_back(meta->name(), meta);
    }
    if (classes.empty()) {
        problem = "its manifest exports no adapter";
    }
    if (!problem.empty()) {
        loader_->unloadLibrary(path);
        refuse(path, problem);
    }

    std::vector<std::string> names;
    for (const auto& [name, meta] : classes) {
        registry.add(name, [loader = loader_, meta = meta]() -> std::unique_ptr<Adapter> {
            return std::make_unique<PluginAdapter>(loader, std::unique_ptr<Adapter>(meta->create()));
        });
        names.push_back(name);
    }
    return names;
}

}  // namespace gateway::adapters
