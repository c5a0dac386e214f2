#pragma once

#include <cstdint>
#include <string>

namespace gateway {

/// "1,234,567": counts as progress lines and reports print them.
std::string withThousands(std::int64_t value);

}  // namespace gateway
