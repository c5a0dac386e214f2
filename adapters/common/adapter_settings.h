#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace gateway {
class ConfigDocument;
struct ConfigNode;
}  // namespace gateway

namespace gateway::adapters {

/// Reads an adapter's JSON settings object into typed values, at the edge, once.
///
/// Each getter names a key it accepts; `finish()` then rejects every key no getter asked for, in this object and in
/// the nested objects opened with `object()`. Every problem throws GatewayError(InvalidConfig) with the message
/// "ORIGIN: settings.KEY: what is wrong", e.g.
///
///     config/sources/police.json: settings.page_size: must be between 1 and 1000, not 5000
///
/// Usage:
///
///     AdapterSettings settings(config.settings_json, config.origin);
///     parsed.url = settings.requiredString("url");
///     parsed.page_size = settings.integer("page_size", 100, 1, 1000);
///     AdapterSettings auth = settings.object("auth");
///     parsed.auth_type = auth.oneOf("type", {"none", "api_key"}, "none");
///     settings.finish();
///
/// Values never appear in messages (a settings object may hold secrets); only key names, types and limits do.
class AdapterSettings {
public:
    /// Parses `settings_json` strictly (a key repeated within one object is an error); empty or whitespace-only text
    /// is an empty object. Throws InvalidConfig ("ORIGIN: settings: …", "ORIGIN: settings:LINE: …" for a syntax
    /// error or a repeated key) when the text is not a JSON object.
    AdapterSettings(std::string_view settings_json, std::string origin);

    /// True when the key is present (null counts as absent). Does not mark the key as accepted.
    bool has(std::string_view key) const;

    /// A non-empty string. Missing → "is required"; wrong type → "must be a string"; "" → "must not be empty".
    std::string requiredString(std::string_view key);
    /// A string, or `fallback` when absent. An empty string is returned as it is.
    std::string optionalString(std::string_view key, std::string_view fallback = {});
    /// A string, or nullopt when absent or null.
    std::optional<std::string> maybeString(std::string_view key);

    /// An integer in [min, max], or `fallback` when absent. A fractional number is rejected.
    std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t min, std::int64_t max);
    /// A required integer in [min, max].
    std::int64_t requiredInteger(std::string_view key, std::int64_t min, std::int64_t max);
    /// A number (integer or fractional) in [min, max], or `fallback` when absent.
    double number(std::string_view key, double fallback, double min, double max);
    bool boolean(std::string_view key, bool fallback);

    /// One of `allowed`, or `fallback` when absent. An empty `fallback` makes the key required.
    std::string oneOf(std::string_view key, std::initializer_list<std::string_view> allowed,
                      std::string_view fallback = {});

    /// An array of strings; empty when absent.
    std::vector<std::string> stringList(std::string_view key);
    /// An object whose members are all strings (e.g. extra HTTP headers); empty when absent. Its members are not
    /// checked against a list of known keys.
    std::map<std::string, std::string> stringMap(std::string_view key);

    /// A secret given either literally under `key` or as the name of an environment variable under `env_key`.
    /// Both present → error on `key`; the variable unset or empty → error on `env_key` naming the variable.
    /// Neither present → nullopt (the caller decides whether that is allowed; see requiredSecret).
    std::optional<std::string> secret(std::string_view key, std::string_view env_key);
    /// As secret(), but neither present → "settings.KEY: is required (or KEY_ENV)".
    std::string requiredSecret(std::string_view key, std::string_view env_key);

    /// A nested object, read with its own getters; its keys are checked by this object's `finish()`. Absent → an
    /// empty object (its required getters then report "settings.KEY.INNER: is required").
    AdapterSettings object(std::string_view key);

    /// Throws for the first key (in document order) that no getter asked for, here or in nested objects opened
    /// with object(): "settings.KEY: unknown key (known: a, b, c)".
    void finish() const;

    /// Throws InvalidConfig "ORIGIN: settings.KEY: PROBLEM" — for checks that span keys (e.g. "ca_file is required
    /// when client_cert is set").
    [[noreturn]] void fail(std::string_view key, std::string_view problem) const;

    /// "settings.KEY" (or "settings.OUTER.KEY" in a nested object).
    std::string path(std::string_view key) const;

    const std::string& origin() const { return state_->origin; }

private:
    struct State {
        std::shared_ptr<const ConfigDocument> document;
        std::string origin;
        // Full paths ("auth.type") of every key a getter asked for, and of the objects opened with object().
        std::set<std::string, std::less<>> accepted;
        std::set<std::string, std::less<>> opened;
    };

    AdapterSettings(std::shared_ptr<State> state, const ConfigNode* value, std::string prefix);

    /// The member, or nullptr when absent or null; marks the key accepted either way.
    const ConfigNode* find(std::string_view key);
    const ConfigNode* lookup(std::string_view key) const;
    void finishObject(const ConfigNode& value, const std::string& prefix) const;

    std::shared_ptr<State> state_;
    const ConfigNode* value_;  // an object inside state_->document, or nullptr for an absent nested object
    std::string prefix_;       // "" at the top, "auth." inside settings.auth
};

}  // namespace gateway::adapters
