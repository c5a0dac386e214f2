#include "adapters/rest/rest_settings.h"

#include "adapters/common/adapter_settings.h"
#include "gateway/common/net.h"

#include <Poco/File.h>
#include <Poco/URI.h>

#include <rapidjson/pointer.h>

namespace gateway::adapters {
namespace {

using std::chrono::milliseconds;

std::string pointerSetting(AdapterSettings& settings, std::string_view key, std::string_view fallback) {
    std::string pointer = settings.optionalString(key, fallback);
    if (!rapidjson::Pointer(pointer.c_str(), pointer.size()).IsValid()) {
        settings.fail(key, "must be a JSON pointer such as \"/data\"");
    }
    return pointer;
}

std::string readableFile(AdapterSettings& settings, std::string_view key) {
    std::string path = settings.optionalString(key);
    if (!path.empty()) {
        Poco::File file(path);
        if (!file.exists() || !file.isFile() || !file.canRead()) {
            settings.fail(key, "cannot read " + path);
        }
    }
    return path;
}

milliseconds millisecondsSetting(AdapterSettings& settings, std::string_view key, milliseconds fallback,
                                 std::int64_t min, std::int64_t max) {
    return milliseconds(settings.integer(key, fallback.count(), min, max));
}

RestAuth parseAuth(AdapterSettings& settings, const std::string& url) {
    RestAuth auth;
    const std::string type = settings.oneOf("type", {"none", "api_key", "bearer", "oauth2_client_credentials"}, "none");
    if (type == "api_key") {
        auth.type = RestAuthType::ApiKey;
        auth.header = settings.optionalString("header", auth.header);
        if (auth.header.empty() || auth.header.find_first_of(":\r\n ") != std::string::npos) {
            settings.fail("header", "must be an HTTP header name");
        }
        auth.secret = settings.requiredSecret("key", "key_env");
    } else if (type == "bearer") {
        auth.type = RestAuthType::Bearer;
        auth.secret = settings.requiredSecret("token", "token_env");
    } else if (type == "oauth2_client_credentials") {
        auth.type = RestAuthType::OAuth2ClientCredentials;
        auth.token_url = settings.requiredString("token_url");
        if (auth.token_url.front() == '/') {
            auth.token_url = url + auth.token_url;
        } else if (auth.token_url.rfind("https://", 0) != 0 && auth.token_url.rfind("http://", 0) != 0) {
            settings.fail("token_url", "must be an http(s) URL or a path starting with /");
        } else if (isPlainHttpOffMachine(auth.token_url)) {
            // The client secret and the token would travel in the clear: as for the source's own url, only on this
            // machine.
            settings.fail("token_url", "plain http:// is allowed only to a loopback address; use https://");
        }
        auth.client_id = settings.requiredString("client_id");
        auth.secret = settings.requiredSecret("client_secret", "secret_env");
        auth.scope = settings.optionalString("scope");
    }
    return auth;
}

}  // namespace

RestSettings parseRestSettings(const AdapterConfig& config) {
    AdapterSettings settings(config.settings_json, config.origin);
    RestSettings rest;

    rest.url = settings.requiredString("url");
    while (rest.url.size() > 1 && rest.url.back() == '/') {
        rest.url.pop_back();
    }
    try {
        const Poco::URI uri(rest.url);
        if (uri.getScheme() != "https" && uri.getScheme() != "http") {
            settings.fail("url", "must start with https:// (or http:// to a loopback address)");
        }
        if (uri.getHost().empty()) {
            settings.fail("url", "has no host");
        }
        if (!uri.getRawQuery().empty() || !uri.getFragment().empty()) {
            settings.fail("url", "must not carry a query or fragment (use \"query\")");
        }
        // Minors' data travels only over TLS; plain HTTP is for the simulator and tests on this machine.
        if (uri.getScheme() == "http" && !isLoopbackHost(uri.getHost())) {
            settings.fail("url", "plain http:// is allowed only to a loopback address; use https://");
        }
    } catch (const Poco::SyntaxException&) {
        settings.fail("url", "is not a valid URL");
    }
    rest.path = settings.optionalString("path");
    if (!rest.path.empty() && rest.path.front() != '/') {
        settings.fail("path", "must start with /");
    }

    rest.items_pointer = pointerSetting(settings, "items", rest.items_pointer);
    rest.next_cursor_pointer = pointerSetting(settings, "next_cursor", rest.next_cursor_pointer);
    if (rest.next_cursor_pointer.empty()) {
        settings.fail("next_cursor", "must point inside the page, not at the whole of it");
    }
    rest.has_more_pointer = pointerSetting(settings, "has_more", rest.has_more_pointer);

    rest.cursor_param = settings.optionalString("cursor_param", rest.cursor_param);
    if (rest.cursor_param.empty()) {
        settings.fail("cursor_param", "must not be empty: paging needs the cursor");
    }
    rest.limit_param = settings.optionalString("limit_param", rest.limit_param);
    rest.updated_since_param = settings.optionalString("updated_since_param", rest.updated_since_param);
    rest.updated_since = settings.optionalString("updated_since");
    if (!rest.updated_since.empty() && rest.updated_since_param.empty()) {
        settings.fail("updated_since", "needs updated_since_param");
    }
    rest.page_size = static_cast<std::size_t>(settings.integer("page_size", 100, 1, 100000));
    rest.query = settings.stringMap("query");
    rest.headers = settings.stringMap("headers");
    rest.max_body_bytes = static_cast<std::size_t>(settings.integer(
        "max_body_bytes", static_cast<std::int64_t>(rest.max_body_bytes), 1024, std::int64_t{1} << 32));

    AdapterSettings auth = settings.object("auth");
    rest.auth = parseAuth(auth, rest.url);

    AdapterSettings tls = settings.object("tls");
    rest.tls.ca_file = readableFile(tls, "ca_file");
    rest.tls.client_cert = readableFile(tls, "client_cert");
    rest.tls.client_key = readableFile(tls, "client_key");
    rest.tls.verify = tls.boolean("verify", true);
    // Not checking the certificate hands children's data to whoever answers: it takes a second setting that says
    // so, and every open warns (RestAdapter::open).
    const bool skip_verify = tls.boolean("insecure_skip_verify", false);
    if (!rest.tls.verify && !skip_verify) {
        tls.fail("verify",
                 "false sends the data to a server nobody checked; set \"insecure_skip_verify\": true as "
                 "well to really do so (warned at every start), or give the server's CA in ca_file");
    }
    if (rest.tls.client_cert.empty() != rest.tls.client_key.empty()) {
        tls.fail(rest.tls.client_cert.empty() ? "client_cert" : "client_key",
                 "is required when client_cert or client_key is set");
    }

    AdapterSettings timeouts = settings.object("timeouts");
    rest.connect_timeout = millisecondsSetting(timeouts, "connect_ms", rest.connect_timeout, 1, 600000);
    rest.total_timeout = millisecondsSetting(timeouts, "total_ms", rest.total_timeout, 1, 3600000);

    AdapterSettings retry = settings.object("retry");
    rest.retry.max_attempts = static_cast<int>(retry.integer("max_attempts", rest.retry.max_attempts, 1, 100));
    rest.retry.base_delay = millisecondsSetting(retry, "base_delay_ms", rest.retry.base_delay, 0, 3600000);
    rest.retry.max_delay = millisecondsSetting(retry, "max_delay_ms", rest.retry.max_delay, 0, 3600000);
    rest.retry.max_retry_after =
        millisecondsSetting(retry, "max_retry_after_ms", rest.retry.max_retry_after, 0, 3600000);
    if (rest.retry.max_delay < rest.retry.base_delay) {
        retry.fail("max_delay_ms", "must not be less than base_delay_ms");
    }

    AdapterSettings breaker = settings.object("breaker");
    rest.breaker.failure_threshold =
        static_cast<int>(breaker.integer("failure_threshold", rest.breaker.failure_threshold, 1, 1000));
    rest.breaker.cool_down = millisecondsSetting(breaker, "cool_down_ms", rest.breaker.cool_down, 0, 86400000);

    settings.finish();
    return rest;
}

}  // namespace gateway::adapters
