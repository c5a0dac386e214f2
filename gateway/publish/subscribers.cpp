#include "gateway/publish/subscribers.h"

#include "gateway/common/config_tree.h"
#include "gateway/common/error.h"
#include "gateway/common/file.h"
#include "gateway/common/net.h"
#include "gateway/common/utf8.h"

#include <Poco/Path.h>

#include <cstdlib>
#include <set>

namespace gateway::publish {

namespace {

std::string text(const ConfigCursor& object, std::string_view key) {
    const auto found = object.find(key);
    return found ? found->asString() : std::string();
}

int number(const ObjectReader& object, std::string_view key, int fallback, int min, int max) {
    const auto found = object.get(key);
    return found ? static_cast<int>(found->asInteger(min, max)) : fallback;
}

std::string relativeTo(const std::string& folder, const std::string& path) {
    if (path.empty() || Poco::Path(path).isAbsolute()) {
        return path;
    }
    return Poco::Path(Poco::Path(folder).makeDirectory(), path).toString();
}

bool validName(std::string_view name) {
    return !name.empty() && name.size() <= 100 &&
           name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") ==
               std::string_view::npos;
}

}  // namespace

std::vector<Subscriber> parseSubscribers(std::string_view json, const std::string& origin) {
    const auto document = ConfigDocument::parse(std::string(json), origin);
    const ConfigCursor root = ConfigCursor::root(*document);
    const ObjectReader known(root, {"description", "subscribers"});  // a mistyped key is an error, not ignored
    const auto list = root.find("subscribers");
    if (!list || !list->node().isArray()) {
        document->fail((list ? *list : root).offset(), "/subscribers", "expected an array of subscribers");
    }
    const std::string folder = Poco::Path(origin).parent().toString();
    std::vector<Subscriber> result;
    std::set<std::string> names;
    for (std::size_t i = 0; i < list->node().elements.size(); ++i) {
        const ConfigCursor at = list->element(i);
        const ObjectReader item(at, {"name", "url", "scope", "view", "secret_file", "secret_env", "batch_size",
                                     "max_attempts", "timeout_ms", "tls", "description"});
        Subscriber subscriber;
        subscriber.name = text(at, "name");
        if (!validName(subscriber.name)) {
            at.failAt("name", "expected 1 to 100 letters, digits, '-', '_' or '.'");
        }
        if (!names.insert(subscriber.name).second) {
            at.failAt("name", "subscriber " + utf8::quote(subscriber.name) + " is defined twice");
        }
        subscriber.url = text(at, "url");
        if (!subscriber.url.starts_with("http://") && !subscriber.url.starts_with("https://")) {
            at.failAt("url", "expected an http:// or https:// URL");
        }
        if (isPlainHttpOffMachine(subscriber.url)) {
            // Profiles of children would travel in the clear: plain HTTP only to this machine (a test platform).
            at.failAt("url", "plain http:// is allowed only to a loopback address; use https://");
        }
        subscriber.scope = text(at, "scope");
        if (subscriber.scope.size() > 12 || subscriber.scope.find_first_not_of("0123456789") != std::string::npos) {
            at.failAt("scope", "expected a division prefix of up to 12 digits, e.g. 320411101");
        }
        subscriber.view = text(at, "view");
        if (subscriber.view.empty()) {
            at.failAt("view", "missing: name the view of config/profile/views.json it receives");
        }
        const std::string secret_file = text(at, "secret_file");
        const std::string secret_env = text(at, "secret_env");
        if (secret_file.empty() == secret_env.empty()) {
            at.fail("give exactly one of secret_file and secret_env (the HMAC key is never inline)");
        }
        if (!secret_file.empty()) {
            subscriber.secret =
                readFileContent(relativeTo(folder, secret_file), "secret of subscriber " + subscriber.name);
            while (!subscriber.secret.empty() &&
                   (subscriber.secret.back() == '\n' || subscriber.secret.back() == '\r')) {
                subscriber.secret.pop_back();
            }
        } else {
            const char* value = std::getenv(secret_env.c_str());
            if (value == nullptr) {
                at.failAt("secret_env", "the environment variable " + secret_env + " is not set");
            }
            subscriber.secret = value;
        }
        if (subscriber.secret.size() < 16) {
            at.fail("the secret of subscriber " + subscriber.name + " is shorter than 16 bytes");
        }
        subscriber.batch_size = static_cast<std::size_t>(number(item, "batch_size", 200, 1, 5000));
        subscriber.max_attempts = number(item, "max_attempts", 10, 1, 1000);
        subscriber.timeout_ms = number(item, "timeout_ms", 10000, 100, 600000);
        if (const auto tls_at = item.get("tls")) {
            if (!tls_at->node().isObject()) {
                tls_at->fail("expected an object (ca_file, client_cert, client_key)");
            }
            const ObjectReader known(*tls_at, {"ca_file", "client_cert", "client_key"});  // a mistyped key is an error
            const ConfigCursor& tls = *tls_at;
            subscriber.ca_file = relativeTo(folder, text(tls, "ca_file"));
            subscriber.client_cert = relativeTo(folder, text(tls, "client_cert"));
            subscriber.client_key = relativeTo(folder, text(tls, "client_key"));
            if (subscriber.client_cert.empty() != subscriber.client_key.empty()) {
                tls_at->fail("client_cert and client_key go together");
            }
        }
        result.push_back(std::move(subscriber));
    }
    return result;
}

std::vector<Subscriber> loadSubscribers(const std::string& path) {
    return parseSubscribers(readFileContent(path, "subscribers file"), path);
}

}  // namespace gateway::publish
