#include "ops/sim/change_applier.h"

#include "ops/sim/health_drop.h"
#include "ops/sim/json_out.h"
#include "ops/sim/random.h"
#include "ops/sim/renderers.h"
#include "ops/sim/time_format.h"
#include "ops/sim/truth_files.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace deptsim {

namespace {

using gateway::model::CalendarDate;

std::string readWhole(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

}  // namespace

std::string changeResultJson(const ChangeResult& result) {
    JsonOut out;
    out.beginObject().field("change", result.change).key("changed").beginObject();
    for (const Source source : kSources) {
        out.field(sourceName(source), result.changed[static_cast<std::size_t>(source)]);
    }
    out.endObject()
        .field("since", result.since)
        .field("school_seq_after", result.school_seq_after)
        .fieldOrNull("drop", result.drop)
        .key("drop_half_written")
        .boolean(result.drop_half_written)
        .fieldOrNull("completed_drop", result.completed_drop)
        .endObject();
    return out.str();
}

ChangeApplier::ChangeApplier(const CityParams& params, const CityPaths& paths, const SchoolDbSettings& school,
                             const Geography& geography, const NamePools& names)
    : params_(params), paths_(paths), school_settings_(school), geography_(geography), names_(names) {}

bool ChangeApplier::mutate(FactsBook& book, Source source, std::uint32_t entity, std::uint64_t change_seed,
                           const CalendarDate& on) {
    Random random(derive(change_seed, labelHash("mutate"), static_cast<std::uint64_t>(source), entity));
    if (!random.chance(0.5)) {
        return false;  // the row is only re-entered: same facts, errors drawn afresh
    }
    ChildFacts& child = book.facts(entity);
    auto touch_household = [&](auto&& change) {
        for (const std::uint32_t member : book.household(entity)) {
            change(book.facts(member));
            book.markChanged(member);
        }
    };
    const double draw = random.uniform();
    switch (source) {
        case Source::Police: {
            const bool father = random.chance(0.6) && child.father.known;
            ParentFacts& parent = father ? child.father : child.mother;
            if (draw < 0.5 &&
                (parent.status == ParentStatus::Present || parent.status == ParentStatus::MigrantWorker)) {
                // Left home for work, or came back.
                const ParentStatus before = parent.status;
                const ParentStatus after =
                    before == ParentStatus::Present ? ParentStatus::MigrantWorker : ParentStatus::Present;
                touch_household([&](ChildFacts& c) {
                    ParentFacts& p = father ? c.father : c.mother;
                    p.previous_status = before;
                    p.status = after;
                    if (c.guardian.id_number == p.id_number && after != ParentStatus::Present) {
                        const ParentFacts& other = father ? c.mother : c.father;
                        if (other.known && other.status == ParentStatus::Present) {
                            c.guardian = GuardianFacts{other.name, father ? "母亲" : "父亲", other.id_number,
                                                       other.phone, other.status};
                        }
                    }
                });
                return true;
            }
            if (draw < 0.8) {
                Random phone(derive(change_seed, labelHash("phone"), entity));
                std::string number = "1" + std::to_string(phone.between(3, 9));
                for (int i = 0; i < 9; ++i) {
                    number += static_cast<char>('0' + phone.below(10));
                }
                const std::string old_id = parent.id_number;
                touch_household([&](ChildFacts& c) {
                    ParentFacts& p = father ? c.father : c.mother;
                    p.phone = number;
                    if (c.guardian.id_number == old_id) {
                        c.guardian.phone = number;
                    }
                });
                return true;
            }
            // The household moved within the district.
            const std::size_t village = geography_.pickVillage(random);
            const std::string division = geography_.villages()[village].code;
            if (division == child.residence_division) {
                return false;
            }
            const std::string address = geography_.address(village, random);
            touch_household([&](ChildFacts& c) {
                c.previous_residence_division = c.residence_division;
                c.previous_address = c.address;
                c.residence_division = division;
                c.address = address;
            });
            return true;
        }
        case Source::School: {
            if (!child.enrolment) {
                return false;
            }
            EnrolmentFacts& e = *child.enrolment;
            if (draw < 0.6) {
                e.absence_days = random.chance(0.7) ? random.between(0, 3) : random.between(4, 30);
            } else if (draw < 0.8 && e.status == EnrolmentStatus::Enrolled) {
                e.status = random.chance(0.7) ? EnrolmentStatus::Suspended : EnrolmentStatus::DroppedOut;
                e.absence_days = std::max(e.absence_days, random.between(10, 40));
            } else if (e.status == EnrolmentStatus::Suspended || e.status == EnrolmentStatus::DroppedOut) {
                e.status = EnrolmentStatus::Enrolled;  // back at school
            } else {
                e.absence_days += random.between(1, 5);
            }
            book.markChanged(entity);
            return true;
        }
        case Source::Health: {
            if (!child.disability.empty() || !child.serious_illness.empty() || draw < 0.6) {
                return false;
            }
            if (draw < 0.8) {
                child.disability = random.chance(0.5) ? "听力残疾二级" : "视力残疾三级";
            } else {
                child.serious_illness = random.chance(0.5) ? "先天性心脏病" : "苯丙酮尿症";
            }
            book.markChanged(entity);
            return true;
        }
        case Source::Civil: {
            if (draw < 0.5) {
                for (auto& assistance : child.assistance) {
                    if (!assistance.end && assistance.type == "低保") {
                        assistance.end = on;  // no longer eligible
                        book.markChanged(entity);
                        return true;
                    }
                }
            }
            bool has_dibao = false;
            for (const auto& assistance : child.assistance) {
                has_dibao = has_dibao || (assistance.type == "低保" && !assistance.end);
            }
            if (!has_dibao && child.civil_case && child.civil_case->case_type != "临时救助") {
                child.assistance.push_back({"低保", on, std::nullopt, 800 + 10 * random.between(0, 30)});
                book.markChanged(entity);
                return true;
            }
            return false;
        }
    }
    return false;
}

ChangeResult ChangeApplier::apply(double fraction, std::optional<std::uint64_t> seed, bool half_csv) {
    if (!(fraction > 0 && fraction <= 1)) {
        throw std::invalid_argument("the fraction must be above 0 and at most 1");
    }
    SimState state(paths_.state_db);
    FactsBook book(state, paths_.children_jsonl);
    ServedCounts counts = state.counts();
    ChangeResult result;
    result.change = counts.changes + 1;
    const std::uint64_t change_seed =
        seed ? *seed : derive(params_.seed, labelHash("change"), static_cast<std::uint64_t>(result.change));
    // Every change is stamped an hour after the one before, all after the generated rows (at most "now").
    const EpochSeconds base = cityNow(params_) + 3600 * result.change;
    const CalendarDate on = dateOf(base);
    result.since = isoUtc(base);

    // A drop the half_csv fault left half-written is completed by the next change, before its own drop.
    if (const auto pending = state.meta("pending_drop"); pending && !pending->empty()) {
        writeCompleteDrop(paths_.health_drop, *pending, readWhole(paths_.pending_drop));
        std::filesystem::remove(paths_.pending_drop);
        state.setMeta("pending_drop", "");
        result.completed_drop = *pending;
    }

    SchoolTable school(school_settings_);
    // A drift may have deleted the row with the highest updated_seq; numbers already served are not reused.
    const auto school_seq_high = state.meta("school_seq_high");
    result.school_seq_after =
        std::max<std::int64_t>(school.maxSeq(), school_seq_high ? std::stoll(*school_seq_high) : 0);
    TruthFiles truth(paths_.truth_dir, false);
    const RenderContext context{params_, names_, geography_};
    std::vector<SchoolRow> school_rows;
    std::ostringstream drop_bytes;
    const DropEncoding encoding = result.change % 3 == 2 ? DropEncoding::Utf8WithBom : DropEncoding::Gb18030;
    DropWriter drop(drop_bytes, encoding);

    state.begin();
    for (const Source source : kSources) {
        const auto index = static_cast<std::size_t>(source);
        const auto rows = state.selectRows(source, [&](std::string_view id) {
            return unitInterval(derive(change_seed, labelHash("pick"), index, labelHash(id))) < fraction;
        });
        std::int64_t rank = 0;
        for (const StoredRow& stored : rows) {
            if (stored.kind == RowKind::Primary) {
                mutate(book, source, stored.entity, change_seed, on);
            }
            const ChildFacts& child = book.facts(stored.entity);
            RowRef row{stored.id, derive(stored.noise, change_seed), stored.kind, base + rank % 3600};
            StoredRow updated = stored;
            updated.noise = row.noise;
            switch (source) {
                case Source::Police:
                    updated.stamp = isoUtc(row.updated);
                    state.updateRow(source, updated, renderPolice(child, row, context));
                    break;
                case Source::Civil:
                    updated.stamp = isoUtc(row.updated);
                    state.updateRow(source, updated, renderCivil(child, row, context));
                    break;
                case Source::School:
                    school_rows.push_back(renderSchool(child, row, result.school_seq_after + rank + 1, context));
                    state.updateRow(source, updated, "");
                    break;
                case Source::Health:
                    updated.stamp = spacedTimestamp(row.updated);
                    drop.add(renderHealth(child, row, context));
                    state.updateRow(source, updated, "");
                    break;
            }
            truth.addChange(result.change, source, stored.id, stored.entity);
            ++rank;
        }
        result.changed[index] = rank;
    }
    book.writeChanged(truth, params_.as_of);
    truth.flush();

    if (drop.rows() > 0) {
        result.drop = dropFileName(base);
        if (half_csv) {
            writeHalfDrop(paths_.health_drop, result.drop, drop_bytes.str());
            std::ofstream pending(paths_.pending_drop, std::ios::binary | std::ios::trunc);
            pending << drop_bytes.str();
            state.setMeta("pending_drop", result.drop);
            result.drop_half_written = true;
        } else {
            writeCompleteDrop(paths_.health_drop, result.drop, drop_bytes.str());
        }
        counts.of(Source::Health).file_rows += static_cast<std::int64_t>(drop.rows());
    }
    school.update(school_rows);
    counts.changes = result.change;
    state.setCounts(counts);
    state.commit();
    writeFileAtomically(paths_.served_json, servedJson(counts) + "\n");
    return result;
}

}  // namespace deptsim
