#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gateway::publish {

/// One platform the gateway pushes profile changes to (`push.subscribers`, a JSON file). Its stream is every
/// profile change inside `scope`, shown through `view`, with a removal notice when a child leaves the scope.
struct Subscriber {
    std::string name;              // letters, digits, '-', '_' and '.'; names the stream in the log and the API
    std::string url;               // http:// or https://
    std::string scope;             // division prefix, "" for everything
    std::string view;              // a view of config/profile/views.json
    std::string secret;            // the HMAC key, read from secret_file or secret_env, never from the file itself
    std::size_t batch_size = 200;  // events per POST
    int max_attempts = 10;         // refused POSTs of one batch before its events become dead letters
    int timeout_ms = 10000;
    std::string ca_file;      // verify the subscriber's certificate against this bundle (default: the system's)
    std::string client_cert;  // mutual TLS: PEM certificate and key the gateway presents
    std::string client_key;
};

/// Reads a subscribers file:
///   {"subscribers": [{"name": "village-320411101201", "url": "https://…/hooks/…", "scope": "320411101201",
///                     "view": "village", "secret_file": "/etc/gateway/hook.secret", "batch_size": 200,
///                     "max_attempts": 10, "timeout_ms": 10000, "tls": {"ca_file": "…", "client_cert": "…",
///                     "client_key": "…"}}]}
/// secret_env names an environment variable instead of secret_file. Relative paths are taken from the file's
/// folder. Throws GatewayError(InvalidConfig) naming the JSON pointer of a mistake, and never quotes a secret.
std::vector<Subscriber> parseSubscribers(std::string_view json, const std::string& origin);
std::vector<Subscriber> loadSubscribers(const std::string& path);

}  // namespace gateway::publish
