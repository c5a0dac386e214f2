#pragma once

#include <string>
#include <string_view>

namespace gateway {

/// Lower-case hex SHA-256 of `data`.
std::string sha256Hex(std::string_view data);

}  // namespace gateway
