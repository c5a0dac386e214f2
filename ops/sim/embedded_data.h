#pragma once

#include <string_view>

namespace deptsim {

/// A data file of ops/sim/data/, compiled into the executable so the simulator runs from any directory.
/// Throws std::runtime_error when no such file was embedded (a build defect).
std::string_view embeddedData(std::string_view file_name);

}  // namespace deptsim
