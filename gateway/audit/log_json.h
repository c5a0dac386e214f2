#pragma once

// The exchange log's JSON forms: an entry (the API's and the JSON Lines export's), a checkpoint, a proof, and the
// time bounds a query compares entries with.

#include "gateway/audit/checkpoint.h"
#include "gateway/audit/log_store.h"
#include "gateway/audit/log_verify.h"
#include "gateway/audit/proof.h"
#include "gateway/audit/verifier.h"

#include <optional>
#include <string>
#include <string_view>

namespace gateway::audit {

/// JSON for a proof (GET /v1/audit/{seq}/proof, `gateway audit prove`) and back (`gateway audit check-proof`).
std::string renderProof(const InclusionProof& proof);
InclusionProof parseProof(std::string_view json);

/// A checkpoint as a JSON object (its frontier left out): in proofs, `gateway audit status|checkpoint --json`.
std::string renderCheckpoint(const audit::Checkpoint& checkpoint);

/// A checkpoint as renderCheckpoint() prints it, bare or inside the output of `gateway audit checkpoint --json` or
/// `gateway audit status --json`. Throws GatewayError(InvalidArgument) naming what is missing.
audit::Checkpoint parseCheckpoint(std::string_view json);

/// Where the log stands, as GET /v1/audit/status and `gateway audit status --json` print it: entries, head_hash,
/// algorithm (null while the log is empty), latest_checkpoint (whole and signed, so that an auditor can keep it for
/// `audit verify --trusted-checkpoint`), unsigned_entries (the signing backlog), unindexed_entries,
/// persons_hashed_from, and signing_key_id: the configured signer's, null when there is none or the caller does not
/// hold it (the API).
std::string renderStatus(const CheckpointStatus& status, const std::optional<std::string>& signing_key_id);

/// A verification's report as `gateway audit verify --json` prints it; `index_checked` says whether the log index
/// was compared (null otherwise), `key_id` the key signatures were checked with (none: not checked).
std::string renderVerifyReport(const VerifyReport& report, bool index_checked,
                               const std::optional<std::string>& key_id);

/// One entry as a JSON object (the API's and the JSON Lines export's form).
std::string renderEntry(const audit::ExchangeLogEntry& entry);

/// A time filter as ExchangeLogQuery compares it: an ISO-8601 UTC time or any prefix of one ("2026", "2026-11-01T08"),
/// with a trailing Z dropped so that "…T08:00:00Z" still takes in "…T08:00:00.000Z"; nullopt for anything else (a
/// zone other than Z cannot be compared as text).
std::optional<std::string> logTimeBound(const std::string& text);

}  // namespace gateway::audit
