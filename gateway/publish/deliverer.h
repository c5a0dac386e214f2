#pragma once

#include "gateway/common/clock.h"
#include "gateway/profile/profile_view.h"
#include "gateway/publish/change_stream.h"
#include "gateway/publish/outbox_store.h"
#include "gateway/publish/subscribers.h"
#include "gateway/store/lease_store.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gateway::net {
class HttpClient;
}

namespace gateway::publish {

struct PushSettings {
    int backoff_initial_ms = 1000;  // wait after the first failed POST; doubles with each further failure
    int backoff_max_ms = 300000;
    int lease_seconds = 60;  // how long one node holds a subscriber; renewed between batches
    std::string node;        // this process, as lease holder (host:pid)
    std::string actor = "push";
};

/// What one deliver() call did for one subscriber.
struct DeliveryReport {
    std::string subscriber;
    std::int64_t delivered = 0;      // events accepted by the subscriber
    std::int64_t redelivered = 0;    // of which dead letters sent again
    std::int64_t dead_lettered = 0;  // events whose batch ran out of attempts
    bool caught_up = false;          // nothing left to send
    bool waiting = false;            // backing off after a failure, or another node holds the subscriber
    std::string error;               // the last failure, "" if none
};

/// Sends each subscriber its change stream by HTTPS POST (libcurl): batches of events in outbox order, signed with
/// HMAC-SHA256 over the body (X-Gateway-Signature: sha256=<hex>), each event carrying its idempotency key
/// (person ID + version). The cursor moves only after a 2xx, in the same transaction as the "push.delivery" log
/// entry, so a crash at any point resends the batch rather than losing it. A POST the subscriber answers with an
/// error counts an attempt; after max_attempts the batch's events become dead letters (an operator can ask for
/// them again) and the stream goes on. A subscriber that cannot be reached, or answers 408, 429, 502, 503 or 504,
/// refuses nothing: it is retried with backoff until it is back, and no event goes dead. Thread-safe across
/// subscribers.
class Deliverer {
public:
    /// Throws GatewayError(InvalidConfig) when a subscriber names an unknown view or a statistics-only one.
    /// `store`, `leases` (one node delivers to a subscriber at a time), `views` and `clock` must outlive the
    /// deliverer.
    Deliverer(OutboxStore& store, store::LeaseStore& leases, const profile::ProfileViews& views,
              std::vector<Subscriber> subscribers, PushSettings settings, const Clock& clock);
    ~Deliverer();

    /// Delivers to the subscriber until it is caught up, a POST fails, or it must wait.
    DeliveryReport deliver(const Subscriber& subscriber);
    /// deliver() for every subscriber, on up to `threads` threads.
    std::vector<DeliveryReport> deliverAll(int threads);

    const std::vector<Subscriber>& subscribers() const { return subscribers_; }
    const Subscriber* find(std::string_view name) const;
    /// The subscriber's stream.
    ChangeStream stream(const Subscriber& subscriber) const;

private:
    struct Attempt;
    Attempt post(const Subscriber& subscriber, const std::vector<StreamEvent>& events, net::HttpClient& client);

    OutboxStore& store_;
    store::LeaseStore& leases_;
    const profile::ProfileViews& views_;
    std::vector<Subscriber> subscribers_;
    PushSettings settings_;
    const Clock& clock_;
};

/// The body of one POST: {"subscriber": "…", "events": [...]}.
std::string batchBody(const std::string& subscriber, const std::vector<StreamEvent>& events);

}  // namespace gateway::publish
