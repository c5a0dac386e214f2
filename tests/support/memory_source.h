#pragma once

// A source held in memory for the tests of what pulls from sources (the sync job, reconciliation's re-pull): rows
// {id, name, birth} of "test_source", the mapping that makes them canonical records, and an adapter over them.

#include "adapters/adapter.h"
#include "gateway/common/error.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gateway::testing {

inline constexpr const char* kTestSourceMapping = R"({
    "source": "test_source",
    "version": "1",
    "description": "rows {id, name, birth} as the canonical record",
    "fields": {
        "source_id": {"from": "/id", "transforms": ["trim"]},
        "name": {"from": "/name", "transforms": ["name"], "required": true},
        "birth_date": {"from": "/birth", "transforms": ["date"], "required": true}
    }
})";

/// One row of the test source as an adapter returns it.
inline adapters::RawRow sourceRow(const std::string& id, const std::string& name,
                                  const std::string& birth = "2014-03-05") {
    return {"row " + id, R"({"id":")" + id + R"(","name":")" + name + R"(","birth":")" + birth + R"("})", "", ""};
}

/// What the in-memory source serves, shared with the test so that it can change the data between runs.
struct MemoryFeed {
    std::vector<adapters::RawRow> rows;
    int fail_after_pulls = -1;  // throw SourceUnavailable on this pull (0-based), -1 never
    int pulls = 0;
    bool stuck = false;                  // claim more rows without ever moving on
    std::vector<std::string> committed;  // watermarks the caller acknowledged
};

/// An adapter over a feed: the watermark is the index of the next row.
class MemoryAdapter : public adapters::Adapter {
public:
    explicit MemoryAdapter(std::shared_ptr<MemoryFeed> feed) : feed_(std::move(feed)) {}

    void open(const adapters::AdapterConfig&) override {}

    adapters::PullBatch pull(const std::optional<std::string>& since, std::size_t max_records) override {
        if (feed_->fail_after_pulls >= 0 && feed_->pulls++ >= feed_->fail_after_pulls) {
            throw GatewayError(ErrorCode::SourceUnavailable, "test_source: connection refused after 4 attempts");
        }
        std::size_t next = since ? std::stoul(*since) : 0;
        adapters::PullBatch batch;
        while (!feed_->stuck && next < feed_->rows.size() && batch.rows.size() < max_records) {
            batch.rows.push_back(feed_->rows[next]);
            batch.payload += feed_->rows[next].json + "\n";
            ++next;
        }
        batch.watermark = std::to_string(next);
        batch.more = feed_->stuck || next < feed_->rows.size();
        batch.remaining = static_cast<std::int64_t>(feed_->rows.size() - next);
        return batch;
    }

    void committed(const adapters::PullBatch& batch) override { feed_->committed.push_back(batch.watermark); }

private:
    std::shared_ptr<MemoryFeed> feed_;
};

}  // namespace gateway::testing
