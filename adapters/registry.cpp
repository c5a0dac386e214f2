#include "adapters/adapter.h"

#include "gateway/common/error.h"

namespace gateway::adapters {

void AdapterRegistry::add(const std::string& name, AdapterFactory factory) {
    if (!factory || !factories_.emplace(name, std::move(factory)).second) {
        throw GatewayError(ErrorCode::Internal, "adapter '" + name + "' is registered twice or has no factory");
    }
}

std::unique_ptr<Adapter> AdapterRegistry::create(const std::string& name) const {
    const auto it = factories_.find(name);
    if (it == factories_.end()) {
        std::string known;
        for (const auto& [known_name, factory] : factories_) {
            known += known.empty() ? known_name : ", " + known_name;
        }
        throw GatewayError(ErrorCode::InvalidConfig, "unknown adapter '" + name + "' (known: " + known + ")");
    }
    return it->second();
}

std::vector<std::string> AdapterRegistry::names() const {
    std::vector<std::string> names;
    for (const auto& [name, factory] : factories_) {
        names.push_back(name);
    }
    return names;
}

}  // namespace gateway::adapters
