#pragma once

#include "adapters/adapter.h"
#include "adapters/rest/rest_settings.h"
#include "gateway/common/clock.h"
#include "gateway/net/circuit_breaker.h"
#include "gateway/net/http_client.h"
#include "gateway/net/retry.h"

#include <Poco/Timestamp.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gateway::adapters {

/// What a RestAdapter takes from its surroundings, so that tests control time, waiting and jitter.
struct RestEnvironment {
    const Clock* clock = nullptr;       // null: the system clock; otherwise must outlive the adapter
    net::Sleeper sleeper;               // empty: sleep on the calling thread
    std::optional<std::uint64_t> seed;  // of the backoff jitter; nullopt: from std::random_device
};

/// `rest`: pages through a JSON API with a keyset cursor (settings: RestSettings).
///
/// The watermark is the source's cursor, opaque; each pull resumes from it. A batch holds whole pages only (a
/// cursor cannot point inside a page), each asked for with a limit so that the batch stays within `max_records`;
/// its payload is the pages' bodies, one per line. Rows are the items re-serialised compactly, located as
/// "page cursor=C item N" (N from 1). Transient faults (5xx, 429, timeouts, a truncated or malformed page, a page
/// whose cursor does not move) are retried with backoff behind a circuit breaker; credentials refused, other
/// 4xx and oversized bodies are not.
class RestAdapter : public Adapter {
public:
    RestAdapter();
    explicit RestAdapter(RestEnvironment environment);
    ~RestAdapter() override;

    void open(const AdapterConfig& config) override;
    PullBatch pull(const std::optional<std::string>& since, std::size_t max_records) override;
    bool prefetchable() const override { return true; }
    /// Paging from no cursor lists every item the service holds now.
    ReconcileSupport reconcileSupport() const override { return ReconcileSupport::WholePull; }
    void close() override;

    /// Null before open().
    const net::CircuitBreaker* breaker() const { return breaker_.get(); }

private:
    struct Page {
        std::string body;
        std::vector<RawRow> rows;
        std::optional<std::string> next_cursor;
        bool has_more = false;
    };

    Page fetchPage(const std::string& cursor, std::size_t limit, bool first_pull);
    Page parsePage(std::string body, const std::string& cursor) const;
    net::HttpResponse authorisedGet(const std::string& url);
    const std::string& accessToken();
    void fetchAccessToken();
    std::optional<std::chrono::milliseconds> retryAfter(const net::HttpResponse& response) const;
    std::string pageUrl(const std::string& cursor, std::size_t limit, bool first_pull) const;

    RestEnvironment environment_;
    std::string source_;
    RestSettings settings_;
    std::unique_ptr<net::HttpClient> client_;
    std::unique_ptr<net::CircuitBreaker> breaker_;
    std::unique_ptr<net::Retrier> retrier_;
    std::string access_token_;
    Poco::Timestamp token_refresh_at_;
};

/// Registers "rest".
void registerRestAdapter(AdapterRegistry& registry);

}  // namespace gateway::adapters
