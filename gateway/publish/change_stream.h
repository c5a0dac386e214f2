#pragma once

#include "gateway/profile/profile_view.h"
#include "gateway/publish/outbox_store.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gateway::publish {

/// One change as a subscriber receives it: a JSON object
///   {"seq": 812, "type": "profile" | "moved_out" | "retracted", "person_id": "…", "version": 3,
///    "idempotency_key": "<person_id>:<version>", "at": "…", "correction": {…}, "profile": {…}}
/// "profile" carries the version through the stream's view; "moved_out" says the child now lives outside the scope
/// (its data should leave the platform); "retracted" says the person no longer exists, its records having gone to
/// other persons (a merge), or that its profile has left the views (the child came of age): every entry of a person
/// whose current profile is such a removal is rendered "retracted", so that what left is never sent again. "correction"
/// is present when records moved between persons: {"kind": "merge" | "split", "into": [...]} on the person that gave
/// records, {"kind": …, "from": [...]} on the one that took them.
struct StreamEvent {
    std::int64_t seq = 0;
    std::string idempotency_key;
    std::string json;
    std::string person_id{};
};

/// The profile changes inside one division scope, shown through one view, in outbox (commit) order: what a push
/// subscriber receives and what the changes feed returns, the same for both.
class ChangeStream {
public:
    /// `view` must outlive the stream.
    ChangeStream(std::string scope, const profile::ProfileView& view);

    /// Events after outbox seq `after_seq`, at most `limit`.
    std::vector<StreamEvent> read(OutboxStore& store, std::int64_t after_seq, std::size_t limit) const;

    /// The events of these entries (each must lie in the scope, as Store::outbox returns them).
    std::vector<StreamEvent> render(const std::vector<publish::OutboxEntry>& entries) const;

    const std::string& scope() const { return scope_; }

    /// An opaque cursor for the position after `seq`, bound to this stream's scope and view, so that a cursor from
    /// another stream or endpoint is refused rather than misread.
    std::string cursor(std::int64_t seq) const;
    /// The seq a cursor stands for ("" is the start); nullopt for a cursor this stream did not issue.
    std::optional<std::int64_t> parseCursor(const std::string& cursor) const;

private:
    std::string scope_;
    const profile::ProfileView* view_;
};

}  // namespace gateway::publish
