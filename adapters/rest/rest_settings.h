#pragma once

#include "adapters/adapter.h"
#include "gateway/net/circuit_breaker.h"
#include "gateway/net/http_client.h"
#include "gateway/net/retry.h"

#include <chrono>
#include <cstddef>
#include <map>
#include <string>

namespace gateway::adapters {

enum class RestAuthType { None, ApiKey, Bearer, OAuth2ClientCredentials };

/// How the adapter authenticates. `secret` holds the API key, the bearer token or the OAuth2 client secret,
/// read from the settings or from the environment variable they name; it never appears in a message or a log.
struct RestAuth {
    RestAuthType type = RestAuthType::None;
    std::string header = "X-API-Key";  // api_key: the header that carries the key
    std::string secret;
    std::string token_url;  // oauth2: absolute, or a path on `url`
    std::string client_id;
    std::string scope;  // oauth2: sent only when set
};

/// The `rest` adapter's settings, parsed from AdapterConfig::settings_json by parseRestSettings().
struct RestSettings {
    std::string url;   // scheme://host[:port][/base], no trailing slash
    std::string path;  // appended to url
    // JSON pointers into a page: the array of items, the next cursor (string or number), the has-more flag.
    // An empty has_more pointer means "more while a page has items and the cursor moves".
    std::string items_pointer = "/data";
    std::string next_cursor_pointer = "/next_cursor";
    std::string has_more_pointer = "/has_more";
    // Query parameter names; an empty name is not sent.
    std::string cursor_param = "cursor";
    std::string limit_param = "limit";
    std::string updated_since_param = "updated_since";
    /// Sent as `updated_since_param` on the very first pull (no watermark yet), to skip history.
    std::string updated_since;
    std::size_t page_size = 100;
    std::map<std::string, std::string> query;    // constant extra query parameters
    std::map<std::string, std::string> headers;  // constant extra request headers
    RestAuth auth;
    net::ClientTls tls;
    std::chrono::milliseconds connect_timeout{10000};
    std::chrono::milliseconds total_timeout{60000};
    net::RetryPolicy retry;
    net::CircuitBreaker::Settings breaker;
    std::size_t max_body_bytes = std::size_t{64} << 20;
};

/// Throws GatewayError(InvalidConfig) "ORIGIN: settings.KEY: …" on a missing, unknown or bad key, a secret's
/// environment variable that is not set, or a TLS file that cannot be read.
RestSettings parseRestSettings(const AdapterConfig& config);

}  // namespace gateway::adapters
