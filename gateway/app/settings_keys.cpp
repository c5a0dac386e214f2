// Every key of the gateway's configuration: its name, what it means, its default and range, and where it goes in
// GatewaySettings. `gateway config example` prints this table; settings.cpp reads files against it.

#include "gateway/app/settings.h"

#include <Poco/String.h>

#include <string>
#include <vector>

namespace gateway::app {
namespace {

int toInt(const std::string& value) {
    return static_cast<int>(std::stoll(value));
}

std::vector<ConfigKey> buildKeys() {
    std::vector<ConfigKey> keys;
    const auto add = [&](ConfigKey key) { keys.push_back(std::move(key)); };

    add({"server.host",
         KeyType::String,
         "127.0.0.1",
         "Address the HTTP API listens on. 127.0.0.1 keeps it on this machine; 0.0.0.0 listens on every interface.",
         0,
         0,
         {},
         [](GatewaySettings& s, const std::string& v) { s.server.host = v; }});
    add({"server.port",
         KeyType::Integer,
         "8080",
         "TCP port of the HTTP API. 0 picks a free port; the one chosen is printed at start-up.",
         0,
         65535,
         {},
         [](GatewaySettings& s, const std::string& v) { s.server.port = toInt(v); }});
    add({"server.threads",
         KeyType::Integer,
         "16",
         "Worker threads that serve requests.",
         1,
         1024,
         {},
         [](GatewaySettings& s, const std::string& v) { s.server.threads = toInt(v); }});
    add({"server.queue",
         KeyType::Integer,
         "100",
         "Accepted connections that may wait for a worker; beyond this, new connections are refused.",
         1,
         100000,
         {},
         [](GatewaySettings& s, const std::string& v) { s.server.queue = toInt(v); }});
    add({"server.max_body_bytes",
         KeyType::Integer,
         "1048576",
         "Largest request body accepted, in bytes; a larger one is answered 413.",
         1024,
         1073741824,
         {},
         [](GatewaySettings& s, const std::string& v) { s.server.max_body_bytes = std::stoull(v); }});
    add({"server.request_timeout_seconds",
         KeyType::Integer,
         "30",
         "How long a connection may stay idle while sending a request or reading a response.",
         1,
         3600,
         {},
         [](GatewaySettings& s, const std::string& v) { s.server.request_timeout_seconds = toInt(v); }});
    add({"server.head_timeout_seconds",
         KeyType::Integer,
         "10",
         "How long a client may take to send a request's line and headers (and its TLS handshake, before the first): "
         "a client that trickles them is cut off then, so that it holds a worker no longer.",
         1,
         3600,
         {},
         [](GatewaySettings& s, const std::string& v) { s.server.head_timeout_seconds = toInt(v); }});
    add({"server.max_connections_per_address",
         KeyType::Integer,
         "8",
         "Connections one client address may hold at once; more are closed as they arrive, so that one address "
         "cannot take every worker. 0 = no limit.",
         0,
         100000,
         {},
         [](GatewaySettings& s, const std::string& v) { s.server.max_connections_per_address = toInt(v); }});
    add({"server.tls.cert_file",
         KeyType::Path,
         "",
         "PEM server certificate (then any intermediates): the API is served over HTTPS, TLS 1.2 or later. Empty = "
         "plain HTTP, allowed on a loopback server.host only. Reloaded on SIGHUP, without dropping connections.",
         0,
         0,
         {},
         [](GatewaySettings& s, const std::string& v) { s.server.tls.cert_file = v; }});
    add({"server.tls.key_file",
         KeyType::Path,
         "",
         "PEM private key of server.tls.cert_file, unencrypted; readable by the gateway only.",
         0,
         0,
         {},
         [](GatewaySettings& s, const std::string& v) { s.server.tls.key_file = v; }});
    add({"server.tls.ca_file",
         KeyType::Path,
         "",
         "PEM CA certificates that client certificates must chain to (server.tls.client_certs optional or "
         "required).",
         0,
         0,
         {},
         [](GatewaySettings& s, const std::string& v) { s.server.tls.ca_file = v; }});
    add({"server.tls.client_certs",
         KeyType::Choice,
         "none",
         "Whether HTTPS clients present a certificate: none; optional (a certificate given must chain to "
         "server.tls.ca_file, and identifies the client whose certificate_subject it is); required (mutual TLS "
         "for every caller).",
         0,
         0,
         {"none", "optional", "required"},
         [](GatewaySettings& s, const std::string& v) {
             s.server.tls.client_certs = v == "required"   ? security::ClientCertMode::Required
                                         : v == "optional" ? security::ClientCertMode::Optional
                                                           : security::ClientCertMode::None;
         }});

    add({"store.kind",
         KeyType::Choice,
         "sqlite",
         "Which database holds the gateway's state: sqlite (one file, the embedded default) or postgresql "
         "(the production store, which several gateway nodes may share).",
         0,
         0,
         {"sqlite", "postgresql"},
         [](GatewaySettings& s, const std::string& v) {
             s.store.kind = v == "postgresql" ? store::StoreKind::Postgresql : store::StoreKind::Sqlite;
         }});
    add({"store.sqlite.path",
         KeyType::Path,
         "var/gateway.db",
         "SQLite database file (store.kind = sqlite). Created with its schema if missing; its folder must exist "
         "and be writable. A relative path is taken from the working directory at start-up.",
         0,
         0,
         {},
         [](GatewaySettings& s, const std::string& v) { s.store.sqlite_path = v; }});
    add({"store.sqlite.busy_timeout_ms",
         KeyType::Integer,
         "5000",
         "How long a statement waits for a lock held by another connection before failing, in milliseconds.",
         0,
         600000,
         {},
         [](GatewaySettings& s, const std::string& v) { s.store.busy_timeout_ms = toInt(v); }});
    add({"store.postgresql.connection",
         KeyType::String,
         "",
         "libpq connection string (store.kind = postgresql), e.g. host=127.0.0.1 port=5432 dbname=gateway "
         "user=gateway. Keep the password in ~/.pgpass or PGPASSWORD, not here.",
         0,
         0,
         {},
         [](GatewaySettings& s, const std::string& v) { s.store.postgresql_connection = v; }});
    add({"store.pool_size",
         KeyType::Integer,
         "4",
         "Database connections kept open.",
         1,
         256,
         {},
         [](GatewaySettings& s, const std::string& v) { s.store.pool_size = toInt(v); }});

    add({"logging.level",
         KeyType::Choice,
         "information",
         "Least severe log level written: fatal, critical, error, warning, notice, information, debug or trace.",
         0,
         0,
         {"fatal", "critical", "error", "warning", "notice", "information", "debug", "trace"},
         [](GatewaySettings& s, const std::string& v) { s.logging.level = v; }});

    add({"sources.dir",
         KeyType::Path,
         "config/sources",
         "Folder of source configurations: one JSON file per department system (adapter, mapping, schedule, "
         "settings). See config/sources/README.md.",
         0,
         0,
         {},
         [](GatewaySettings& s, const std::string& v) { s.intake.sources_dir = v; }});
    add({"sources.state_dir",
         KeyType::Path,
         "var/state",
         "Folder where adapters keep their own files, e.g. the archive of a drop folder; one subfolder per source.",
         0,
         0,
         {},
         [](GatewaySettings& s, const std::string& v) { s.intake.state_dir = v; }});
    add({"sources.schedule",
         KeyType::Choice,
         "on",
         "Whether gateway serve runs each source's sync on its schedule_seconds (on) or only on demand (off).",
         0,
         0,
         {"on", "off"},
         [](GatewaySettings& s, const std::string& v) { s.intake.schedule = v == "on"; }});
    add({"mappings.codes_dir",
         KeyType::Path,
         "mappings/codes",
         "Folder of the code tables that mappings look up.",
         0,
         0,
         {},
         [](GatewaySettings& s, const std::string& v) { s.intake.codes_dir = v; }});
    add({"adapters.plugins",
         KeyType::PathList,
         "",
         "Comma-separated shared libraries of third-party adapters, loaded at start. A plugin that fails to load "
         "stops start-up.",
         0,
         0,
         {},
         [](GatewaySettings& s, const std::string& v) {
             s.intake.plugin_paths.clear();
             std::size_t pos = 0;
             while (pos <= v.size() && !v.empty()) {
                 const std::size_t end = std::min(v.find(',', pos), v.size());
                 if (end > pos) {
                     s.intake.plugin_paths.push_back(v.substr(pos, end - pos));
                 }
                 pos = end + 1;
             }
         }});

    add({"linkage.config",
         KeyType::Path,
         "",
         "Linkage configuration (fields, comparisons, blocking, thresholds; config/linkage/README.md). Empty = "
         "the child configuration built into the executable.",
         0,
         0,
         {},
         [](GatewaySettings& s, const std::string& v) { s.linkage.config_file = v; }});
    add({"linkage.schedule_seconds",
         KeyType::Integer,
         "60",
         "How often gateway serve links new and changed records into persons; 0 = only by gateway link.",
         0,
         86400,
         {},
         [](GatewaySettings& s, const std::string& v) { s.linkage.schedule_seconds = std::stoi(v); }});
    add({"linkage.threads",
         KeyType::Integer,
         "2",
         "Threads for blocking and scoring.",
         1,
         64,
         {},
         [](GatewaySettings& s, const std::string& v) { s.linkage.threads = std::stoi(v); }});

    add({"profile.config_dir",
         KeyType::Path,
         "",
         "Folder with survivorship.json, classification.json, alerts.json and views.json, and assembly.json if the "
         "profile's parts differ from the built-in ones (config/profile/README.md), to use instead of the built-in "
         "ones. Empty = built-in.",
         0,
         0,
         {},
         [](GatewaySettings& s, const std::string& v) { s.profile.config_dir = v; }});
    add({"profile.as_of",
         KeyType::String,
         "",
         "The date (YYYY-MM-DD) ages and classifications are computed on; empty = today (UTC).",
         0,
         0,
         {},
         [](GatewaySettings& s, const std::string& v) { s.profile.as_of = v; }});
    add({"profile.purge_after_days",
         KeyType::Integer,
         "90",
         "Days after a child's profile leaves every view at 18 until what the store holds about the child is erased "
         "(earlier versions' content, staged records, review explanations), each purge an exchange-log entry; "
         "gateway serve looks for due purges every hour, gateway profiles purge on demand. 0 = the day the child comes "
         "of age.",
         0,
         36500,
         {},
         [](GatewaySettings& s, const std::string& v) { s.profile.purge_after_days = toInt(v); }});

    add({"reconcile.rules",
         KeyType::Path,
         "",
         "JSON file of the rules that find the children who fall between departments (config/reconcile/README.md), "
         "to use instead of the built-in config/reconcile/gaps.json. Empty = built-in.",
         0,
         0,
         {},
         [](GatewaySettings& s, const std::string& v) { s.reconcile.rules = v; }});
    add({"reconcile.schedule",
         KeyType::TimeOfDay,
         "",
         "The local time (HH:MM) gateway serve reconciles every enabled source and the departments against each "
         "other each day; one node of those sharing a store runs it, and a node started later that day catches up. "
         "Empty = only by gateway reconcile.",
         0,
         0,
         {},
         [](GatewaySettings& s, const std::string& v) { s.reconcile.schedule = v; }});
    add({"reconcile.repair",
         KeyType::Choice,
         "on",
         "Whether the scheduled reconciliation repairs what it finds (restages, retires what a source deleted).",
         0,
         0,
         {"on", "off"},
         [](GatewaySettings& s, const std::string& v) { s.reconcile.repair = v == "on"; }});
    add({"reconcile.max_retire_percent",
         KeyType::Integer,
         "10",
         "A repair fails a source, retiring nothing, rather than retire more than this percentage of its staged "
         "records: a source that suddenly lists almost nothing is more likely broken than emptied.",
         0,
         100,
         {},
         [](GatewaySettings& s, const std::string& v) { s.reconcile.max_retire_percent = std::stoi(v); }});
    add({"reconcile.check_seconds",
         KeyType::Integer,
         "60",
         "How often gateway serve asks whether the day's scheduled reconciliation is due (one read of the latest "
         "runs).",
         1,
         3600,
         {},
         [](GatewaySettings& s, const std::string& v) { s.reconcile.check_seconds = std::stoi(v); }});

    add({"api.clients",
         KeyType::Path,
         "",
         "JSON file of the API's clients: id, roles, division scope, view and the SHA-256 of each API key "
         "(gateway clients new-key). Empty = no keys: every caller acts as the local administrator, allowed only "
         "when server.host is a loopback address.",
         0,
         0,
         {},
         [](GatewaySettings& s, const std::string& v) { s.api.clients_file = v; }});
    add({"api.jwt",
         KeyType::Path,
         "",
         "JSON file describing the one issuer whose bearer tokens (JWT) are accepted: issuer, audience, algorithm "
         "(HS256, RS256 or ES256), public_key_file, or secret_file / secret_env for HS256. Claims: sub, roles, "
         "scope, view, exp. Empty = API keys and client certificates only.",
         0,
         0,
         {},
         [](GatewaySettings& s, const std::string& v) { s.api.jwt_file = v; }});
    add({"api.purposes",
         KeyType::String,
         "case_assessment,mandatory_report,dropout_control,assistance,statistics,audit",
         "The purpose codes a read of personal data declares in its X-Purpose header (comma-separated); a read "
         "without one of them is refused with 400. The purpose, and X-Case-Reference if given, go into the "
         "exchange log with the persons the read returned.",
         0,
         0,
         {},
         [](GatewaySettings& s, const std::string& v) {
             s.api.purposes.clear();
             std::size_t start = 0;
             while (start <= v.size()) {
                 const std::size_t comma = std::min(v.find(',', start), v.size());
                 std::string code = Poco::trim(v.substr(start, comma - start));
                 if (!code.empty()) {
                     s.api.purposes.push_back(std::move(code));
                 }
                 start = comma + 1;
             }
         }});
    add({"api.rate_limit.per_second",
         KeyType::Integer,
         "50",
         "Requests a client may make per second on average; a client over it gets 429 with Retry-After. Failed "
         "logins count against the caller's address. 0 = unlimited.",
         0,
         1000000,
         {},
         [](GatewaySettings& s, const std::string& v) { s.api.rate_per_second = std::stoi(v); }});
    add({"api.rate_limit.burst",
         KeyType::Integer,
         "200",
         "Requests a client may make at once before api.rate_limit.per_second applies.",
         1,
         1000000,
         {},
         [](GatewaySettings& s, const std::string& v) { s.api.rate_burst = std::stoi(v); }});

    add({"push.subscribers",
         KeyType::Path,
         "",
         "JSON file of the platforms profile changes are pushed to (name, url, scope, view, secret_file or "
         "secret_env, batch_size, max_attempts, tls). Empty = no push.",
         0,
         0,
         {},
         [](GatewaySettings& s, const std::string& v) { s.push.subscribers_file = v; }});
    add({"push.interval_ms",
         KeyType::Integer,
         "1000",
         "How often gateway serve looks for changes to push.",
         50,
         3600000,
         {},
         [](GatewaySettings& s, const std::string& v) { s.push.interval_ms = std::stoi(v); }});
    add({"push.threads",
         KeyType::Integer,
         "4",
         "Subscribers delivered to at once.",
         1,
         64,
         {},
         [](GatewaySettings& s, const std::string& v) { s.push.threads = std::stoi(v); }});
    add({"push.backoff_initial_ms",
         KeyType::Integer,
         "1000",
         "Wait after a failed POST; doubles with each failure in a row, up to push.backoff_max_ms.",
         10,
         3600000,
         {},
         [](GatewaySettings& s, const std::string& v) { s.push.backoff_initial_ms = std::stoi(v); }});
    add({"push.backoff_max_ms",
         KeyType::Integer,
         "300000",
         "The longest wait between attempts.",
         10,
         86400000,
         {},
         [](GatewaySettings& s, const std::string& v) { s.push.backoff_max_ms = std::stoi(v); }});

    add({"audit.hash",
         KeyType::Choice,
         "sha256",
         "The hash a new exchange log is chained with: sha256, or sm3 (GB/T 32905). Fixed by the log's first "
         "entry; changing it later has no effect on an existing log.",
         0,
         0,
         {"sha256", "sm3"},
         [](GatewaySettings& s, const std::string& v) { s.store.log_hash = v; }});
    add({"audit.signing_key",
         KeyType::Path,
         "",
         "PEM file with the private key (Ed25519 or SM2) that checkpoints of the exchange log are "
         "signed with; readable by the gateway only. `gateway audit keygen --output FILE` makes one and prints the "
         "public key auditors check with. Empty = gateway serve signs no checkpoints.",
         0,
         0,
         {},
         [](GatewaySettings& s, const std::string& v) { s.audit.signing_key = v; }});
    add({"audit.checkpoint_interval_seconds",
         KeyType::Integer,
         "60",
         "How often gateway serve signs a checkpoint over the entries appended since the last one (with "
         "audit.signing_key set).",
         1,
         86400,
         {},
         [](GatewaySettings& s, const std::string& v) { s.audit.checkpoint_interval_seconds = toInt(v); }});
    add({"audit.index_interval_seconds",
         KeyType::Integer,
         "5",
         "How often gateway serve adds the entries appended since to the exchange log's index of actors, actions "
         "and persons. Appends never wait for it, and searches read entries it has not reached row by row.",
         1,
         3600,
         {},
         [](GatewaySettings& s, const std::string& v) { s.audit.index_interval_seconds = toInt(v); }});

    add({"security.keyring",
         KeyType::Path,
         "",
         "Keyring JSON file (mode 0600) whose keys seal citizen and guardian ID numbers, phone numbers and raw "
         "payloads in the store (AES-256-GCM, blind index for lookups by ID number); `gateway keys generate --output "
         "FILE` makes one. Never kept in the database. Empty = the keyring JSON in the GATEWAY_KEYRING environment "
         "variable, or, without it, plaintext (the gateway warns at start-up).",
         0,
         0,
         {},
         [](GatewaySettings& s, const std::string& v) { s.security.keyring_file = v; }});

    add({"reference.divisions_file",
         KeyType::Path,
         "",
         "CSV of division codes (code,name,level,parent_code) to use instead of the edition built into the "
         "executable, e.g. a newer NBS edition. Empty = built-in.",
         0,
         0,
         {},
         [](GatewaySettings& s, const std::string& v) { s.reference.divisions_file = v; }});
    return keys;
}

}  // namespace

const std::vector<ConfigKey>& configKeys() {
    static const std::vector<ConfigKey> keys = buildKeys();
    return keys;
}

}  // namespace gateway::app
