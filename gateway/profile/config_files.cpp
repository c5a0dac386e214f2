#include "gateway/profile/config_files.h"

#include "gateway/common/error.h"
#include "gateway/common/file.h"

#include <utility>
#include <vector>

namespace gateway::resources {
std::vector<std::pair<std::string_view, std::string_view>> profileEntries();
}

namespace gateway::profile {

std::string readConfigFile(const std::string& path) {
    return readFileContent(path, "profile configuration");
}

std::string_view builtinConfigFile(std::string_view name) {
    for (const auto& [file, text] : resources::profileEntries()) {
        if (file == name) {
            return text;
        }
    }
    throw GatewayError(ErrorCode::Internal, "built-in config/profile/" + std::string(name) + " is missing");
}

}  // namespace gateway::profile
