#pragma once

#include "gateway/app/settings.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace gateway::vault {
class FieldCipher;
}

namespace gateway::app {

/// The environment variable that holds the keyring's JSON when security.keyring names no file.
inline constexpr const char* kKeyringVariable = "GATEWAY_KEYRING";

/// The cipher that seals personal data at rest: the keyring file security.keyring, else the keyring in
/// GATEWAY_KEYRING, else nullptr (the store keeps plaintext). `warn` receives advice that does not stop the gateway
/// (a keyring file others may read). Throws GatewayError(InvalidConfig) for a keyring that cannot be used.
std::shared_ptr<const vault::FieldCipher> loadFieldCipher(const GatewaySettings& settings,
                                                          const std::function<void(const std::string&)>& warn);

/// `gateway keys generate --output FILE | rotate [--new-key] | status`: make a keyring, add a key and re-seal the
/// stored personal data under it, and count the stored values per key.
int runKeys(const std::vector<std::string>& args);

}  // namespace gateway::app
