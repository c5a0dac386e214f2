#include "ops/sim/row_planner.h"

#include <cstdio>

namespace deptsim {

namespace {

constexpr EpochSeconds kThreeYears = 3 * 365 * kSecondsPerDay;

}  // namespace

void RowPlanner::plan(const ChildFacts& child) {
    Random plan(derive(params_.seed, labelHash("rows"), child.entity));
    if (child.registered) {
        emitWithExtras(Source::Police, child, plan, {}, !child.previous_residence_division.empty() && plan.chance(0.3));
    }
    if (child.enrolment) {
        std::vector<RowKind> extra;
        if (!child.enrolment->previous_school_code.empty()) {
            extra.push_back(RowKind::TransferredOut);
        }
        emitWithExtras(Source::School, child, plan, extra, false);
    }
    if (child.birth) {
        emitWithExtras(Source::Health, child, plan, {}, false);
    }
    if (child.civil_case) {
        std::vector<RowKind> extra;
        for (const auto& assistance : child.assistance) {
            if (assistance.type == "临时救助" && child.civil_case->case_type != "临时救助") {
                extra.push_back(RowKind::TemporaryAid);
            }
        }
        emitWithExtras(Source::Civil, child, plan, extra, false);
    }
}

void RowPlanner::finish() {
    school_.insert(school_batch_);
    school_batch_.clear();
}

void RowPlanner::emitWithExtras(Source source, const ChildFacts& child, Random& plan, const std::vector<RowKind>& extra,
                                bool likely_duplicate) {
    const auto index = static_cast<std::size_t>(source);
    emit(source, RowKind::Primary, child);
    for (const RowKind kind : extra) {
        emit(source, kind, child);
    }
    ++primaries_[index];
    const ErrorRates& rates = params_.errors;
    // At the configured rates, and at least once per source so a small test city has every kind of row.
    const bool force_duplicate = rates.duplicate > 0 && !had_duplicate_[index] && primaries_[index] == 3;
    if (force_duplicate || likely_duplicate || plan.chance(rates.duplicate)) {
        emit(source, RowKind::Duplicate, child);
        had_duplicate_[index] = true;
    }
    const bool force_unmappable = rates.unmappable > 0 && !had_unmappable_[index] && primaries_[index] == 5;
    if (force_unmappable || plan.chance(rates.unmappable)) {
        emit(source, RowKind::Unmappable, child);
        had_unmappable_[index] = true;
    }
}

EpochSeconds RowPlanner::updatedAt(Source source, const ChildFacts& child, std::uint64_t serial) {
    Random random(derive(params_.seed, labelHash("updated"), static_cast<std::uint64_t>(source), serial));
    const EpochSeconds latest = now_ - 3600;
    const EpochSeconds born = epochSeconds(child.birth_date);
    EpochSeconds earliest = std::max(born + 20 * kSecondsPerDay, now_ - kThreeYears);
    if (source == Source::Civil && child.civil_case) {
        earliest = std::max(epochSeconds(child.civil_case->opened), now_ - kThreeYears);
    }
    if (source == Source::Health) {
        // Reported within days of the birth; a quarter of the records updated again later.
        earliest = born + random.between(1, 10) * kSecondsPerDay + random.between(8 * 3600, 18 * 3600);
        if (!random.chance(0.25)) {
            return std::min(earliest, latest);
        }
    }
    if (earliest >= latest) {
        return latest;
    }
    return earliest + static_cast<EpochSeconds>(random.below(static_cast<std::size_t>(latest - earliest)));
}

void RowPlanner::emit(Source source, RowKind kind, const ChildFacts& child) {
    const auto index = static_cast<std::size_t>(source);
    const std::uint64_t serial = ++serials_[index];
    RowRef row;
    row.kind = kind;
    row.noise = derive(params_.seed, labelHash("noise"), index, serial);
    row.updated = updatedAt(source, child, serial);
    char id[24];
    switch (source) {
        case Source::Police:
            std::snprintf(id, sizeof id, "P%07llu", static_cast<unsigned long long>(serial));
            row.id = id;
            break;
        case Source::Civil:
            std::snprintf(id, sizeof id, "C%07llu", static_cast<unsigned long long>(serial));
            row.id = id;
            break;
        case Source::School:
            row.id = std::to_string(serial);
            break;
        case Source::Health:
            // A duplicate is a reissued certificate, which has a number of its own.
            row.id = kind == RowKind::Primary ? child.birth->cert_no : generator_.issueCertNo(child.birth_date.year());
            break;
    }
    StoredRow stored{row.id, child.entity, row.noise, kind, ""};
    switch (source) {
        case Source::Police:
            stored.stamp = isoUtc(row.updated);
            state_.addRow(source, stored, renderPolice(child, row, context_));
            break;
        case Source::Civil:
            stored.stamp = isoUtc(row.updated);
            state_.addRow(source, stored, renderCivil(child, row, context_));
            break;
        case Source::School:
            school_batch_.push_back(renderSchool(child, row, static_cast<std::int64_t>(serial), context_));
            state_.addRow(source, stored, "");
            if (school_batch_.size() >= 2000) {
                finish();
            }
            break;
        case Source::Health:
            stored.stamp = spacedTimestamp(row.updated);
            drops_.add(row.updated, renderHealth(child, row, context_));
            state_.addRow(source, stored, "");
            ++counts_.of(source).file_rows;
            break;
    }
    truth_.addRow(source, row.id, child.entity);
    SourceCounts& counts = counts_.of(source);
    ++counts.rows;
    counts.unmappable += kind == RowKind::Unmappable ? 1 : 0;
    counts.duplicates += kind == RowKind::Duplicate ? 1 : 0;
}

}  // namespace deptsim
