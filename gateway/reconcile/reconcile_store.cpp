#include "gateway/reconcile/reconcile_store.h"

#include "gateway/common/error.h"

namespace gateway::reconcile {

StagedKeyStream::StagedKeyStream(ReconcileStore& store, std::string source, std::size_t page_rows)
    : store_(store), source_(std::move(source)), page_rows_(page_rows) {
    if (page_rows_ == 0) {
        throw GatewayError(ErrorCode::InvalidArgument, "a page of staged keys must hold at least one row");
    }
}

bool StagedKeyStream::next(KeyHash& row) {
    if (at_ == page_.size()) {
        if (last_page_) {
            return false;
        }
        page_ = store_.stagedKeys(source_, after_, page_rows_);
        at_ = 0;
        last_page_ = page_.size() < page_rows_;
        if (page_.empty()) {
            return false;
        }
        after_ = page_.back().key;
    }
    row = std::move(page_[at_++]);
    return true;
}

}  // namespace gateway::reconcile
