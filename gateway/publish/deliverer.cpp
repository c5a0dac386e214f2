#include "gateway/publish/deliverer.h"

#include "gateway/common/error.h"
#include "gateway/common/hash.h"
#include "gateway/common/json_writer.h"
#include "gateway/common/redact.h"
#include "gateway/common/utf8.h"
#include "gateway/net/http_client.h"
#include "gateway/net/retry.h"
#include "gateway/store/lease.h"

#include <Poco/Timespan.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <atomic>
#include <thread>

namespace gateway::publish {

namespace {

std::string isoAfter(const Poco::Timestamp& now, std::int64_t milliseconds) {
    return formatIso(now + Poco::Timespan(milliseconds * 1000));
}

std::string outcomeDetail(const std::vector<StreamEvent>& events, long status, bool redelivery,
                          const std::string& error) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("events");
    writer.Uint64(events.size());
    writer.Key("first_seq");
    writer.Int64(events.front().seq);
    writer.Key("last_seq");
    writer.Int64(events.back().seq);
    writer.Key("status");
    writer.Int64(status);
    if (redelivery) {
        writer.Key("redelivery");
        writer.Bool(true);
    }
    if (!error.empty()) {
        writer.Key("error");
        json::string(writer, error);
    }
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

struct Deliverer::Attempt {
    bool accepted = false;
    bool unreachable = false;
    long status = 0;
    std::string error;
};

std::string batchBody(const std::string& subscriber, const std::vector<StreamEvent>& events) {
    std::string body = "{\"subscriber\":\"" + subscriber + "\",\"events\":[";
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (i > 0) {
            body += ',';
        }
        body += events[i].json;
    }
    return body + "]}";
}

Deliverer::Deliverer(OutboxStore& store, store::LeaseStore& leases, const profile::ProfileViews& views,
                     std::vector<Subscriber> subscribers, PushSettings settings, const Clock& clock)
    : store_(store),
      leases_(leases),
      views_(views),
      subscribers_(std::move(subscribers)),
      settings_(std::move(settings)),
      clock_(clock) {
    for (const Subscriber& subscriber : subscribers_) {
        const profile::ProfileView* view = views_.find(subscriber.view);
        if (view == nullptr) {
            throw GatewayError(ErrorCode::InvalidConfig,
                               "subscriber " + subscriber.name + ": unknown view " + utf8::quote(subscriber.view));
        }
        if (!view->profiles) {
            throw GatewayError(ErrorCode::InvalidConfig, "subscriber " + subscriber.name + ": view " + subscriber.view +
                                                             " shows no profiles, so there is nothing to push");
        }
    }
}

Deliverer::~Deliverer() = default;

const Subscriber* Deliverer::find(std::string_view name) const {
    for (const Subscriber& subscriber : subscribers_) {
        if (subscriber.name == name) {
            return &subscriber;
        }
    }
    return nullptr;
}

ChangeStream Deliverer::stream(const Subscriber& subscriber) const {
    return ChangeStream(subscriber.scope, *views_.find(subscriber.view));
}

Deliverer::Attempt Deliverer::post(const Subscriber& subscriber, const std::vector<StreamEvent>& events,
                                   net::HttpClient& client) {
    const std::string body = batchBody(subscriber.name, events);
    const net::HttpClient::Headers headers{
        {"X-Gateway-Signature", "sha256=" + hmacSha256Hex(subscriber.secret, body)},
        {"Idempotency-Key",
         subscriber.name + ":" + std::to_string(events.front().seq) + "-" + std::to_string(events.back().seq)},
        {"X-Gateway-Subscriber", subscriber.name},
        {"User-Agent", "childgateway-push"},
    };
    Attempt attempt;
    try {
        const net::HttpResponse response = client.post(subscriber.url, headers, body, "application/json");
        attempt.status = response.status;
        attempt.accepted = response.status >= 200 && response.status < 300;
        // "Not now" answers refuse nothing about the batch: the platform is overloaded, restarting or behind a
        // proxy that cannot reach it.
        const long status = response.status;
        attempt.unreachable = status == 408 || status == 429 || status == 502 || status == 503 || status == 504;
        if (!attempt.accepted) {
            attempt.error = "HTTP " + std::to_string(response.status) + " from " + subscriber.url + ": " +
                            redactPersonalNumbers(utf8::toValidUtf8(response.body.substr(0, 200)));
        }
    } catch (const net::TransientFailure& e) {
        attempt.unreachable = true;
        attempt.error = subscriber.url + ": " + e.what();
    } catch (const GatewayError& e) {
        // A certificate that does not verify: the subscriber refused nothing, the connection never carried the batch.
        attempt.unreachable = true;
        attempt.error = e.message();
    }
    return attempt;
}

DeliveryReport Deliverer::deliver(const Subscriber& subscriber) {
    DeliveryReport report;
    report.subscriber = subscriber.name;
    const std::string job = "push:" + subscriber.name;
    auto claim = [&] {
        return store::acquireLease(leases_, job, settings_.node, clock_.now(), settings_.lease_seconds).held;
    };
    if (!claim()) {
        report.waiting = true;
        return report;
    }
    const store::HeldLease held(leases_, job, settings_.node);

    net::HttpClient::Options options;
    options.tls.ca_file = subscriber.ca_file;
    options.tls.client_cert = subscriber.client_cert;
    options.tls.client_key = subscriber.client_key;
    options.connect_timeout = std::chrono::milliseconds(std::min(subscriber.timeout_ms, 5000));
    options.total_timeout = std::chrono::milliseconds(subscriber.timeout_ms);
    options.max_body_bytes = 1 << 20;
    net::HttpClient client(options);
    const ChangeStream stream = this->stream(subscriber);

    for (bool first = true;; first = false) {
        if (!first && !claim()) {
            report.waiting = true;
            break;
        }
        const publish::PushState state = store_.pushState(subscriber.name);
        const Poco::Timestamp now = clock_.now();
        if (!state.next_attempt_at.empty() && state.next_attempt_at > formatIso(now)) {
            report.waiting = true;
            report.error = state.last_error;
            break;
        }
        // Dead letters an operator asked for go first: they are the oldest events.
        const auto letters = store_.deadLetters(subscriber.name, "redeliver", 0, subscriber.batch_size);
        const bool redelivery = !letters.empty();
        std::vector<publish::OutboxEntry> entries;
        if (redelivery) {
            std::vector<std::int64_t> seqs;
            for (const publish::DeadLetter& letter : letters) {
                seqs.push_back(letter.outbox_seq);
            }
            entries = store_.outboxEntries(seqs);
        } else {
            entries = store_.outbox(state.delivered_through, subscriber.scope, subscriber.batch_size);
        }
        if (entries.empty()) {
            report.caught_up = true;
            break;
        }
        const std::vector<StreamEvent> events = stream.render(entries);
        std::vector<std::int64_t> seqs;
        for (const StreamEvent& event : events) {
            seqs.push_back(event.seq);
        }
        const Attempt attempt = post(subscriber, events, client);

        publish::PushOutcome outcome;
        outcome.subscriber = subscriber.name;
        outcome.at = formatIso(clock_.now());
        outcome.delivered_through = state.delivered_through;
        outcome.log = {0,  outcome.at,      settings_.actor,
                       "", subscriber.name, outcomeDetail(events, attempt.status, redelivery, attempt.error)};
        if (attempt.accepted) {
            if (!redelivery) {
                outcome.delivered_through = seqs.back();
            } else {
                outcome.redelivered = seqs;
            }
            outcome.delivered = static_cast<std::int64_t>(events.size());
            outcome.log.action = "push.delivery";
            store_.commitPushOutcome(outcome);
            report.delivered += outcome.delivered;
            report.redelivered += redelivery ? outcome.delivered : 0;
            continue;
        }
        report.error = attempt.error;
        outcome.error = attempt.error;
        // An unreachable subscriber refused nothing, so no attempt at the batch is spent; the wait still grows.
        outcome.attempts = state.attempts + 1;
        outcome.refusals = state.refusals + (attempt.unreachable ? 0 : 1);
        if (outcome.refusals >= subscriber.max_attempts) {
            outcome.dead = seqs;
            if (!redelivery) {
                outcome.delivered_through = seqs.back();
            }
            outcome.attempts = 0;
            outcome.refusals = 0;
            outcome.log.action = "push.dead_letter";
            store_.commitPushOutcome(outcome);
            report.dead_lettered += static_cast<std::int64_t>(seqs.size());
            continue;
        }
        const int exponent = std::min(outcome.attempts - 1, 20);
        const std::int64_t wait =
            std::min<std::int64_t>(settings_.backoff_max_ms, std::int64_t{settings_.backoff_initial_ms} << exponent);
        outcome.next_attempt_at = isoAfter(clock_.now(), wait);
        outcome.log.action = "push.failure";
        store_.commitPushOutcome(outcome);
        break;
    }
    return report;
}

std::vector<DeliveryReport> Deliverer::deliverAll(int threads) {
    std::vector<DeliveryReport> reports(subscribers_.size());
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t i = next++; i < subscribers_.size(); i = next++) {
            try {
                reports[i] = deliver(subscribers_[i]);
            } catch (const GatewayError& e) {
                reports[i].subscriber = subscribers_[i].name;
                reports[i].error = e.message();
            }
        }
    };
    const std::size_t count =
        std::min<std::size_t>(static_cast<std::size_t>(std::max(threads, 1)), subscribers_.size());
    std::vector<std::thread> workers;
    for (std::size_t t = 1; t < count; ++t) {
        workers.emplace_back(work);
    }
    work();
    for (std::thread& worker : workers) {
        worker.join();
    }
    return reports;
}

}  // namespace gateway::publish
