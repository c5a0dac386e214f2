#pragma once

#include "adapters/adapter.h"

#include <memory>
#include <string>
#include <vector>

namespace Poco {
template <class Base>
class ClassLoader;
}

namespace gateway::adapters {

/// Loads adapter plugins: shared libraries that export `extern "C" int gatewayAdapterAbiVersion()` and a Poco
/// manifest of Adapter classes (POCO_BEGIN_MANIFEST(gateway::adapters::Adapter)). See adapters/example/README.md.
///
/// Each exported class is registered under its manifest name: the class name for POCO_EXPORT_CLASS(cls), or the
/// chosen name for POCO_EXPORT_INTERFACE(cls, "name"). A library stays loaded while the registry holds its factories
/// or any adapter created from them lives, so the loader itself may go away after loading.
class PluginLoader {
public:
    /// `abi_version` is what plugins must report; only tests pass anything but the default.
    explicit PluginLoader(int abi_version = kAdapterAbiVersion);
    ~PluginLoader();
    PluginLoader(const PluginLoader&) = delete;
    PluginLoader& operator=(const PluginLoader&) = delete;

    /// Loads the library at `path` and registers its adapters; returns their names. Any problem (no such file, not
    /// a library, no or another ABI version, no manifest, a name already registered) throws
    /// GatewayError(InvalidConfig) "adapter plugin PATH: …" and registers nothing.
    std::vector<std::string> load(const std::string& path, AdapterRegistry& registry);

private:
    int abi_version_;
    std::shared_ptr<Poco::ClassLoader<Adapter>> loader_;
};

}  // namespace gateway::adapters
