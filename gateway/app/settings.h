#pragma once

#include "gateway/api/api_server.h"
#include "gateway/model/division_directory.h"
#include "gateway/store/store.h"

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::app {

struct LoggingSettings {
    std::string level = "information";
};

struct ReferenceSettings {
    std::string divisions_file;  // empty = the division codes built into the executable
};

/// Where the intake finds its sources, mappings and adapters.
struct IntakeSettings {
    std::string sources_dir;                // one JSON file per source
    std::string state_dir;                  // adapters' own files (archives of drop folders, …)
    std::string codes_dir;                  // mapping code tables
    std::vector<std::string> plugin_paths;  // adapter plugins (shared libraries) to load at start
    bool schedule = true;                   // run the sources' schedules inside `gateway serve`
};

/// How staged records become persons.
struct LinkageSettings {
    std::string config_file;    // empty = the child configuration built into the executable
    int schedule_seconds = 60;  // gateway serve links new and changed records this often; 0 = only on demand
    int threads = 2;
};

/// How profiles are built.
struct ProfileSettings {
    std::string config_dir;     // survivorship.json, classification.json, alerts.json, views.json; empty = built-in
    std::string as_of;          // YYYY-MM-DD ages are taken on; empty = today
    int purge_after_days = 90;  // a child removed as adult has its personal data purged this many days later
};

struct ReconcileSettings {
    std::string rules;            // JSON rules of the cross-department checks; empty = built-in
    std::string schedule;         // HH:MM local time of the daily run in gateway serve; empty = none
    bool repair = true;           // whether the scheduled run repairs what it finds
    int max_retire_percent = 10;  // a repair retires at most this share of a source's records
    int check_seconds = 60;       // how often gateway serve asks whether the daily run is due
};

/// Who may call the API, how often, and why.
struct ApiSettings {
    std::string clients_file;  // JSON (gateway/security/clients.h); empty = no keys, every caller is the local admin
    std::string jwt_file;      // JSON (gateway/security/jwt.h); empty = bearer tokens are not accepted
    std::vector<std::string> purposes;  // the X-Purpose codes a personal-data read may declare
    int rate_per_second = 0;            // per client; 0 = unlimited
    int rate_burst = 0;
};

/// Where profile changes are pushed.
struct PushSettings {
    std::string subscribers_file;  // JSON (gateway/publish/subscribers.h); empty = no push
    int interval_ms = 1000;        // gateway serve looks for new changes this often
    int threads = 4;               // subscribers delivered to at once
    int backoff_initial_ms = 1000;
    int backoff_max_ms = 300000;
};

/// How the exchange log is signed (its hash is store.log_hash).
struct AuditSettings {
    std::string signing_key;               // PEM private key (Ed25519 or SM2) checkpoints are signed with; empty = none
    int checkpoint_interval_seconds = 60;  // gateway serve signs a checkpoint this often when a key is set
    int index_interval_seconds = 5;        // gateway serve brings the log index up to date this often
};

/// Where the keys that seal personal data at rest come from (see gateway/vault/keyring.h).
struct SecuritySettings {
    std::string keyring_file;  // keyring JSON; empty = the GATEWAY_KEYRING environment variable, or no sealing
};

/// Everything the gateway reads from its configuration, typed and validated.
struct GatewaySettings {
    api::ServerSettings server;
    store::StoreSettings store;
    LoggingSettings logging;
    ReferenceSettings reference;
    IntakeSettings intake;
    LinkageSettings linkage;
    ProfileSettings profile;
    ReconcileSettings reconcile;
    ApiSettings api;
    PushSettings push;
    AuditSettings audit;
    SecuritySettings security;
    std::string start_dir;  // what relative paths were resolved against
};

enum class KeyType { String, Path, PathList, Integer, Choice, TimeOfDay };

/// One configuration key, declared once: the loader, the validator and the documented example all read this.
struct ConfigKey {
    std::string_view name;
    KeyType type;
    std::string_view default_value;
    std::string_view description;
    long long min = 0;                                                 // Integer only
    long long max = 0;                                                 // Integer only
    std::vector<std::string_view> choices;                             // Choice only
    std::function<void(GatewaySettings&, const std::string&)> assign;  // value already validated
};

/// The table of every key, in the order the example file documents them.
const std::vector<ConfigKey>& configKeys();

/// Flat key → value pairs, as read from a file or from --set options.
using ConfigValues = std::map<std::string, std::string>;

/// Reads a Java-properties style file (the format of Poco's PropertyFileConfiguration).
/// Throws GatewayError(InvalidConfig) naming the file if it cannot be read.
ConfigValues readConfigFile(const std::string& path);

/// Validates `values` against the key table and builds the settings. `origin` names where the values came
/// from (a file path or "--set") and appears in every message. Unknown keys, bad values and cross-key
/// inconsistencies throw GatewayError(InvalidConfig) with one line naming the key and the origin.
/// Relative paths are resolved against `base_dir` (the working directory at start-up), so a daemon that
/// changes directory keeps its files.
GatewaySettings loadSettings(const ConfigValues& file_values, const std::string& origin,
                             const ConfigValues& overrides = {}, const std::string& base_dir = "");

/// The division codes the settings name: the built-in edition, or reference.divisions_file.
/// Throws GatewayError(InvalidConfig) naming the key and file when the file is unreadable or malformed.
model::DivisionDirectory loadDivisions(const ReferenceSettings& settings);

/// The documented example configuration: every key with its description and default.
std::string exampleConfig();

}  // namespace gateway::app
