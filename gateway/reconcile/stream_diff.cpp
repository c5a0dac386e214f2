#include "gateway/reconcile/stream_diff.h"

#include "gateway/common/error.h"
#include "gateway/common/utf8.h"

namespace gateway::reconcile {
namespace {

/// One side of the merge: its current row, and the check that each key comes after the one before.
class Cursor {
public:
    Cursor(KeyHashStream& stream, std::string_view side) : stream_(stream), side_(side) { advance(); }

    bool done() const { return done_; }
    const KeyHash& row() const { return row_; }
    std::int64_t rows() const { return rows_; }

    void advance() {
        previous_.swap(row_.key);
        if (!stream_.next(row_)) {
            done_ = true;
            return;
        }
        if (rows_ > 0 && !(previous_ < row_.key)) {
            throw GatewayError(ErrorCode::SourceError, std::string(side_) + ": key " + utf8::quote(row_.key) +
                                                           " comes after " + utf8::quote(previous_) +
                                                           "; rows must come once each in increasing key order");
        }
        ++rows_;
    }

private:
    KeyHashStream& stream_;
    std::string_view side_;
    KeyHash row_;
    std::string previous_;
    std::int64_t rows_ = 0;
    bool done_ = false;
};

}  // namespace

std::string_view discrepancyName(Discrepancy discrepancy) {
    switch (discrepancy) {
        case Discrepancy::MissingInGateway:
            return "missing_in_gateway";
        case Discrepancy::DeletedAtSource:
            return "deleted_at_source";
        case Discrepancy::Changed:
            return "changed";
    }
    return "unknown";
}

DiffCounts& DiffCounts::operator+=(const DiffCounts& other) {
    source_rows += other.source_rows;
    gateway_rows += other.gateway_rows;
    missing_in_gateway += other.missing_in_gateway;
    deleted_at_source += other.deleted_at_source;
    changed += other.changed;
    return *this;
}

DiffCounts diffStreams(KeyHashStream& source, KeyHashStream& gateway, const DiscrepancyHandler& on_discrepancy) {
    Cursor at_source(source, "the source");
    Cursor in_gateway(gateway, "the gateway");
    DiffCounts counts;
    const std::string none;
    while (!at_source.done() || !in_gateway.done()) {
        if (in_gateway.done() || (!at_source.done() && at_source.row().key < in_gateway.row().key)) {
            ++counts.missing_in_gateway;
            on_discrepancy(Discrepancy::MissingInGateway, at_source.row().key, at_source.row().hash, none);
            at_source.advance();
        } else if (at_source.done() || in_gateway.row().key < at_source.row().key) {
            ++counts.deleted_at_source;
            on_discrepancy(Discrepancy::DeletedAtSource, in_gateway.row().key, none, in_gateway.row().hash);
            in_gateway.advance();
        } else {
            if (at_source.row().hash != in_gateway.row().hash) {
                ++counts.changed;
                on_discrepancy(Discrepancy::Changed, at_source.row().key, at_source.row().hash, in_gateway.row().hash);
            }
            at_source.advance();
            in_gateway.advance();
        }
    }
    counts.source_rows = at_source.rows();
    counts.gateway_rows = in_gateway.rows();
    return counts;
}

}  // namespace gateway::reconcile
