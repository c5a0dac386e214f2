#include "gateway/publish/subscribers.h"

#include "gateway/common/error.h"
#include "gateway/common/file.h"
#include "gateway/common/json_config.h"
#include "gateway/common/net.h"
#include "gateway/common/utf8.h"

#include <Poco/Path.h>
#include <rapidjson/document.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace gateway::publish {

namespace {

[[noreturn]] void fail(std::string_view origin, const std::string& where, const std::string& what) {
    throw GatewayError(ErrorCode::InvalidConfig, std::string(origin) + ": at " + where + ": " + what);
}

std::string text(const rapidjson::Value& object, const char* key, std::string_view origin, const std::string& where) {
    const auto it = object.FindMember(key);
    if (it == object.MemberEnd()) {
        return {};
    }
    if (!it->value.IsString()) {
        fail(origin, where + "/" + key, "expected a string");
    }
    return std::string(it->value.GetString(), it->value.GetStringLength());
}

int number(const rapidjson::Value& object, const char* key, int fallback, int min, int max, std::string_view origin,
           const std::string& where) {
    const auto it = object.FindMember(key);
    if (it == object.MemberEnd()) {
        return fallback;
    }
    if (!it->value.IsInt() || it->value.GetInt() < min || it->value.GetInt() > max) {
        fail(origin, where + "/" + key,
             "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    }
    return it->value.GetInt();
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
    rapidjson::Document document = parseConfigJson(json, origin);
    if (!document.IsObject() || !document.HasMember("subscribers") || !document["subscribers"].IsArray()) {
        fail(origin, "/subscribers", "expected an array of subscribers");
    }
    const std::string folder = Poco::Path(origin).parent().toString();
    std::vector<Subscriber> result;
    std::set<std::string> names;
    const auto& list = document["subscribers"];
    for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
        const std::string where = "/subscribers/" + std::to_string(i);
        const auto& item = list[i];
        if (!item.IsObject()) {
            fail(origin, where, "expected an object");
        }
        static const std::set<std::string> known{"name",        "url",        "scope",      "view",
                                                 "secret_file", "secret_env", "batch_size", "max_attempts",
                                                 "timeout_ms",  "tls",        "description"};
        for (auto member = item.MemberBegin(); member != item.MemberEnd(); ++member) {
            if (!known.contains(member->name.GetString())) {
                fail(origin, where + "/" + member->name.GetString(), "unknown member");
            }
        }
        Subscriber subscriber;
        subscriber.name = text(item, "name", origin, where);
        if (!validName(subscriber.name)) {
            fail(origin, where + "/name", "expected 1 to 100 letters, digits, '-', '_' or '.'");
        }
        if (!names.insert(subscriber.name).second) {
            fail(origin, where + "/name", "subscriber " + utf8::quote(subscriber.name) + " is defined twice");
        }
        subscriber.url = text(item, "url", origin, where);
        if (!subscriber.url.starts_with("http://") && !subscriber.url.starts_with("https://")) {
            fail(origin, where + "/url", "expected an http:// or https:// URL");
        }
        if (isPlainHttpOffMachine(subscriber.url)) {
            // Profiles of children would travel in the clear: plain HTTP only to this machine (a test platform).
            fail(origin, where + "/url", "plain http:// is allowed only to a loopback address; use https://");
        }
        subscriber.scope = text(item, "scope", origin, where);
        if (subscriber.scope.size() > 12 || subscriber.scope.find_first_not_of("0123456789") != std::string::npos) {
            fail(origin, where + "/scope", "expected a division prefix of up to 12 digits, e.g. 320411101");
        }
        subscriber.view = text(item, "view", origin, where);
        if (subscriber.view.empty()) {
            fail(origin, where + "/view", "missing: name the view of config/profile/views.json it receives");
        }
        const std::string secret_file = text(item, "secret_file", origin, where);
        const std::string secret_env = text(item, "secret_env", origin, where);
        if (secret_file.empty() == secret_env.empty()) {
            fail(origin, where, "give exactly one of secret_file and secret_env (the HMAC key is never inline)");
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
                fail(origin, where + "/secret_env", "the environment variable " + secret_env + " is not set");
            }
            subscriber.secret = value;
        }
        if (subscriber.secret.size() < 16) {
            fail(origin, where, "the secret of subscriber " + subscriber.name + " is shorter than 16 bytes");
        }
        subscriber.batch_size = static_cast<std::size_t>(number(item, "batch_size", 200, 1, 5000, origin, where));
        subscriber.max_attempts = number(item, "max_attempts", 10, 1, 1000, origin, where);
        subscriber.timeout_ms = number(item, "timeout_ms", 10000, 100, 600000, origin, where);
        if (const auto tls = item.FindMember("tls"); tls != item.MemberEnd()) {
            if (!tls->value.IsObject()) {
                fail(origin, where + "/tls", "expected an object (ca_file, client_cert, client_key)");
            }
            subscriber.ca_file = relativeTo(folder, text(tls->value, "ca_file", origin, where + "/tls"));
            subscriber.client_cert = relativeTo(folder, text(tls->value, "client_cert", origin, where + "/tls"));
            subscriber.client_key = relativeTo(folder, text(tls->value, "client_key", origin, where + "/tls"));
            if (subscriber.client_cert.empty() != subscriber.client_key.empty()) {
                fail(origin, where + "/tls", "client_cert and client_key go together");
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
