#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// The intake's transport layer. An adapter knows a transport (HTTP, a database, a drop folder) and nothing about
/// children: it returns rows as JSON objects for the mapping stage, and the exact bytes it received.
namespace gateway::adapters {

/// The ABI version a plugin exports as `gatewayAdapterAbiVersion()`; a plugin built against another is refused.
/// 2: Adapter::reconcileSupport().
inline constexpr int kAdapterAbiVersion = 2;

/// How reconciliation can read a source whole, to compare it with what the gateway staged from it.
enum class ReconcileSupport {
    None,       // it cannot: the source is skipped, and its run says why
    WholePull,  // pull(nullopt, …) to the end returns every row the source holds now, and only reads
};

/// One row as the source sent it.
struct RawRow {
    /// Where the row came from, precise enough to find it again: "page 3 item 17", "row id=1234",
    /// "birth_20261101.csv line 42".
    std::string locator;
    /// The row as one compact JSON object in UTF-8: a REST item as received; an SQL row or a CSV line as
    /// {"column": "value", …} with every value a string (SQL NULL and empty CSV cells are JSON null).
    /// Empty when `error` is set.
    std::string json;
    /// Set when the transport could not turn the bytes into a row (undecodable characters, a truncated line, a
    /// wrong column count): the row goes straight to quarantine with this reason and `raw` as its payload.
    std::string error;
    /// The row's own bytes when they differ from `json` (a CSV line before decoding); may be empty.
    std::string raw;
};

/// What one pull returns: the rows that the watermark covers, exactly.
struct PullBatch {
    std::vector<RawRow> rows;
    /// The bytes received for this batch (response bodies, file chunk, or the rows serialised), stored with their
    /// hash so that any staged record can be traced back to them.
    std::string payload;
    /// The watermark to store once these rows are staged; resuming from it continues right after the last row.
    /// Opaque to the caller. Equal to `since` when nothing new arrived.
    std::string watermark;
    /// True when the source has more rows right now; the caller pulls again after committing this batch.
    bool more = false;
    /// How many rows the source still holds after this batch, when the adapter can tell cheaply (for the
    /// progress line's ETA); -1 when unknown.
    std::int64_t remaining = -1;
};

/// Settings every adapter receives: its source's name and its own settings object (JSON text), which it parses
/// at the edge into a typed struct, rejecting unknown keys with GatewayError(InvalidConfig) naming the key.
struct AdapterConfig {
    std::string source;         // e.g. "police_population"
    std::string settings_json;  // the "settings" object of the source's configuration
    std::string origin;         // where the settings came from, for messages, e.g. "config/sources/police.json"
    std::string state_dir;      // a folder the adapter may keep files in (archive of a drop folder, etc.)
};

/// A transport. Default-constructible, so a plugin can be created by Poco::ClassLoader. Not thread-safe: one sync
/// of one source uses one adapter instance at a time.
///
/// Errors: a source that cannot be reached after the adapter's retries throws GatewayError(SourceUnavailable);
/// a source that answers with something unusable as a whole (wrong credentials, a page that is not JSON)
/// throws GatewayError(SourceError). A bad row is not an error: it is a RawRow with `error` set.
class Adapter {
public:
    virtual ~Adapter() = default;

    /// Parses and validates the settings; may connect. Throws GatewayError(InvalidConfig) on bad settings.
    virtual void open(const AdapterConfig& config) = 0;

    /// Up to `max_records` rows after `since` (nullopt: from the beginning).
    virtual PullBatch pull(const std::optional<std::string>& since, std::size_t max_records) = 0;

    /// Called after a batch has been committed with its watermark, so the adapter may release what it covered
    /// (e.g. archive a fully staged file). Never called for a batch that was not committed.
    virtual void committed(const PullBatch& batch) { (void)batch; }

    /// True when pull() only reads, so the next batch may be pulled (from the uncommitted watermark of the one
    /// before) while that one is still being committed. False for an adapter whose pull() acts on what it takes
    /// to be committed, as a drop folder archiving finished files does.
    virtual bool prefetchable() const { return false; }

    /// What reconciliation may do with this adapter once it is open.
    virtual ReconcileSupport reconcileSupport() const { return ReconcileSupport::None; }

    virtual void close() {}
};

using AdapterFactory = std::function<std::unique_ptr<Adapter>()>;

/// Adapters by name. An object passed down, never a singleton, so a test can register its own.
class AdapterRegistry {
public:
    /// Throws GatewayError(Internal) if the name is taken.
    void add(const std::string& name, AdapterFactory factory);

    /// Throws GatewayError(InvalidConfig) listing the known names when `name` is unknown.
    std::unique_ptr<Adapter> create(const std::string& name) const;

    bool contains(const std::string& name) const { return factories_.count(name) > 0; }
    std::vector<std::string> names() const;

private:
    std::map<std::string, AdapterFactory> factories_;
};

/// Registers rest, sql and file.
void registerBuiltinAdapters(AdapterRegistry& registry);

}  // namespace gateway::adapters
