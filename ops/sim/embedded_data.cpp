#include "ops/sim/embedded_data.h"

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace gateway::resources {
std::vector<std::pair<std::string_view, std::string_view>> simdataEntries();
}  // namespace gateway::resources

namespace deptsim {

std::string_view embeddedData(std::string_view file_name) {
    for (const auto& [name, text] : gateway::resources::simdataEntries()) {
        if (name == file_name) {
            return text;
        }
    }
    throw std::runtime_error("data file " + std::string(file_name) + " is not embedded in deptsim");
}

}  // namespace deptsim
