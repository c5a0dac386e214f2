#include "ops/sim/drift_applier.h"

#include "ops/sim/json_out.h"
#include "ops/sim/random.h"
#include "ops/sim/renderers.h"
#include "ops/sim/time_format.h"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace deptsim {

namespace {

std::uint64_t sourceKey(Source source) {
    return static_cast<std::uint64_t>(source);
}

/// A mobile number that `shown` does not contain, so that writing it always changes what the row shows.
std::string freshPhone(Random& random, std::string_view shown) {
    while (true) {
        std::string number = "1" + std::to_string(random.between(3, 9));
        for (int i = 0; i < 9; ++i) {
            number += static_cast<char>('0' + random.below(10));
        }
        if (shown.find(number) == std::string_view::npos) {
            return number;
        }
    }
}

/// Whether two guardians are the same person: by ID number where there is one, else by name and relation.
bool samePerson(const GuardianFacts& a, const GuardianFacts& b) {
    return !a.id_number.empty() ? a.id_number == b.id_number : a.name == b.name && a.relation == b.relation;
}

/// A parent's new phone, for every child of the household who has that parent (and as the guardian's phone
/// where that parent is the guardian), as a change's phone change does.
void setParentPhone(FactsBook& book, std::uint32_t entity, bool father, const std::string& number) {
    const std::string id = (father ? book.facts(entity).father : book.facts(entity).mother).id_number;
    for (const std::uint32_t member : book.household(entity)) {
        ChildFacts& child = book.facts(member);
        ParentFacts& parent = father ? child.father : child.mother;
        if (member != entity && parent.id_number != id) {
            continue;
        }
        parent.phone = number;
        if (!id.empty() && child.guardian.id_number == id) {
            child.guardian.phone = number;
        }
        book.markChanged(member);
    }
}

/// The guardian's new phone, for every child of the household with the same guardian, and for the parent who is
/// that guardian.
void setGuardianPhone(FactsBook& book, std::uint32_t entity, const std::string& number) {
    const GuardianFacts guardian = book.facts(entity).guardian;
    for (const std::uint32_t member : book.household(entity)) {
        ChildFacts& child = book.facts(member);
        if (member != entity && !samePerson(child.guardian, guardian)) {
            continue;
        }
        child.guardian.phone = number;
        for (ParentFacts* parent : {&child.father, &child.mother}) {
            if (!guardian.id_number.empty() && parent->id_number == guardian.id_number) {
                parent->phone = number;
            }
        }
        book.markChanged(member);
    }
}

/// The row as served now, so that an edit in place renders it with the same errors and the same timestamp.
RowRef servedRow(const StoredRow& stored) {
    const auto updated = parseIsoUtc(stored.stamp);
    if (!updated) {
        throw std::runtime_error("row " + stored.id + " has an unreadable timestamp '" + stored.stamp + "'");
    }
    return RowRef{stored.id, stored.noise, stored.kind, *updated};
}

/// The silent edits of one drift. A person edited twice in one drift (two siblings' rows, a child's police and
/// civil rows) gets one new phone, and a child one new absence count, so that every edited row shows what
/// children.jsonl ends up holding.
class SilentEditor {
public:
    SilentEditor(FactsBook& book, SimState& state, const RenderContext& context, std::uint64_t drift_seed)
        : book_(book), state_(state), context_(context), drift_seed_(drift_seed) {}

    /// A parent's phone (fq or mq lxdh); false (and nothing changed) when the row's noise leaves both out.
    bool police(const StoredRow& stored) {
        const RowRef row = servedRow(stored);
        const std::string before = state_.body(Source::Police, stored.id);
        Random random = editRandom(Source::Police, stored.id);
        const bool father_first = random.chance(0.5);
        for (const bool father : {father_first, !father_first}) {
            const ChildFacts& child = book_.facts(stored.entity);
            const ParentFacts& parent = father ? child.father : child.mother;
            if (!parent.known) {
                continue;
            }
            const std::string key = personKey(parent.id_number, child.household + (father ? "/father" : "/mother"));
            const std::string number = phoneFor(key, random, before);
            // The row's noise leaves a phone out now and then; the same noise decides whether this one shows.
            ChildFacts probe = child;
            (father ? probe.father : probe.mother).phone = number;
            if (renderPolice(probe, row, context_).find("\"lxdh\":\"" + number + "\"") == std::string::npos) {
                continue;
            }
            phones_[key] = number;
            setParentPhone(book_, stored.entity, father, number);
            state_.updateRow(Source::Police, stored, renderPolice(book_.facts(stored.entity), row, context_));
            return true;
        }
        return false;
    }

    /// The guardian's phone, which a civil record always shows.
    void civil(const StoredRow& stored) {
        const RowRef row = servedRow(stored);
        const std::string before = state_.body(Source::Civil, stored.id);
        Random random = editRandom(Source::Civil, stored.id);
        const std::string number = guardianPhone(stored.entity, random, before);
        const std::string after = renderCivil(book_.facts(stored.entity), row, context_);
        if (after.find("\"phone\":\"" + number + "\"") == std::string::npos) {
            throw std::logic_error("civil record " + stored.id + " does not show its guardian's phone");
        }
        state_.updateRow(Source::Civil, stored, after);
    }

    /// The absence days, or on a transferred-out row (which shows none: the old school has none to report) the
    /// guardian's phone. The row keeps the updated_seq it has.
    SchoolRow school(const StoredRow& stored, const SchoolShown& shown) {
        const RowRef row{stored.id, stored.noise, stored.kind, 0};  // a school row shows no update time
        Random random = editRandom(Source::School, stored.id);
        ChildFacts& child = book_.facts(stored.entity);
        if (stored.kind != RowKind::TransferredOut && child.enrolment) {
            const auto earlier = absences_.find(stored.entity);
            int days = earlier != absences_.end() ? earlier->second : shown.wgqk_ts;
            while (days == shown.wgqk_ts) {
                days = random.chance(0.7) ? random.between(0, 5) : random.between(6, 40);
            }
            absences_[stored.entity] = days;
            child.enrolment->absence_days = days;
            book_.markChanged(stored.entity);
        } else {
            guardianPhone(stored.entity, random, shown.jhrdh);
        }
        SchoolRow after = renderSchool(book_.facts(stored.entity), row, shown.updated_seq, context_);
        if (after.wgqk_ts == shown.wgqk_ts && after.jhrdh == shown.jhrdh) {
            throw std::logic_error("a silent edit of school row " + stored.id + " shows no difference");
        }
        return after;
    }

private:
    Random editRandom(Source source, const std::string& id) const {
        return Random(derive(drift_seed_, labelHash("silent-edit"), sourceKey(source), labelHash(id)));
    }

    /// Who a phone belongs to: the ID number, or where there is none a name within the household.
    static std::string personKey(const std::string& id_number, const std::string& otherwise) {
        return id_number.empty() ? otherwise : id_number;
    }

    /// The person's new phone of this drift, unless the row shows it already; else a fresh one.
    std::string phoneFor(const std::string& key, Random& random, std::string_view shown) const {
        const auto earlier = phones_.find(key);
        if (earlier != phones_.end() && shown.find(earlier->second) == std::string_view::npos) {
            return earlier->second;
        }
        return freshPhone(random, shown);
    }

    std::string guardianPhone(std::uint32_t entity, Random& random, std::string_view shown) {
        const ChildFacts& child = book_.facts(entity);
        const GuardianFacts& guardian = child.guardian;
        const std::string key =
            personKey(guardian.id_number, child.household + "/" + guardian.name + "/" + guardian.relation);
        const std::string number = phoneFor(key, random, shown);
        phones_[key] = number;
        setGuardianPhone(book_, entity, number);
        return number;
    }

    FactsBook& book_;
    SimState& state_;
    const RenderContext& context_;
    std::uint64_t drift_seed_;
    std::map<std::string, std::string> phones_;  // person → the new phone
    std::map<std::uint32_t, int> absences_;      // entity → the new absence days
};

}  // namespace

std::string driftResultJson(const DriftResult& result) {
    JsonOut out;
    out.beginObject().field("drift", result.drift);
    for (const auto& [name, counts] : {std::pair{"deleted", &result.deleted}, std::pair{"silent", &result.silent}}) {
        out.key(name).beginObject();
        for (const Source source : kDriftSources) {
            out.field(sourceName(source), (*counts)[static_cast<std::size_t>(source)]);
        }
        out.endObject();
    }
    out.endObject();
    return out.str();
}

DriftApplier::DriftApplier(const CityParams& params, const CityPaths& paths, const SchoolDbSettings& school,
                           const Geography& geography, const NamePools& names)
    : params_(params), paths_(paths), school_settings_(school), geography_(geography), names_(names) {}

DriftResult DriftApplier::apply(double delete_fraction, double silent_fraction, std::optional<std::uint64_t> seed,
                                DriftLog& log) {
    if (!(delete_fraction >= 0 && delete_fraction <= 1 && silent_fraction >= 0 && silent_fraction <= 1)) {
        throw std::invalid_argument("the fractions must be from 0 to 1");
    }
    if (delete_fraction == 0 && silent_fraction == 0) {
        throw std::invalid_argument("at least one of the fractions must be above 0");
    }
    SimState state(paths_.state_db);
    FactsBook book(state, paths_.children_jsonl);
    ServedCounts counts = state.counts();
    DriftResult result;
    result.drift = counts.drifts + 1;
    const std::uint64_t drift_seed =
        seed ? *seed : derive(params_.seed, labelHash("drift"), static_cast<std::uint64_t>(result.drift));
    auto picked = [&](const char* kind, Source source, std::string_view id, double fraction) {
        return unitInterval(derive(drift_seed, labelHash(kind), sourceKey(source), labelHash(id))) < fraction;
    };

    SchoolTable school(school_settings_);
    const std::int64_t school_seq_before = school.maxSeq();
    TruthFiles truth(paths_.truth_dir, false);
    std::vector<DriftLine> lines;
    std::vector<SchoolRow> school_rewritten;
    std::vector<std::int64_t> school_removed;
    const RenderContext context{params_, names_, geography_};
    SilentEditor editor(book, state, context, drift_seed);

    state.begin();
    for (const Source source : kDriftSources) {
        const auto index = static_cast<std::size_t>(source);
        const auto rows = state.selectRows(source, [&](std::string_view id) {
            return picked("delete", source, id, delete_fraction) || picked("silent", source, id, silent_fraction);
        });
        std::map<std::int64_t, SchoolShown> shown;
        if (source == Source::School) {
            std::vector<std::int64_t> ids;
            for (const StoredRow& stored : rows) {
                ids.push_back(std::stoll(stored.id));
            }
            shown = school.shown(ids);
        }
        for (const StoredRow& stored : rows) {
            if (stored.kind == RowKind::Unmappable) {
                continue;
            }
            // One kind of drift per row and call: a row deleted now is not also edited.
            if (picked("delete", source, stored.id, delete_fraction)) {
                state.deleteRow(source, stored.id);
                if (source == Source::School) {
                    school_removed.push_back(std::stoll(stored.id));
                }
                SourceCounts& served = counts.of(source);
                --served.rows;
                served.duplicates -= stored.kind == RowKind::Duplicate ? 1 : 0;
                lines.push_back(DriftLine{result.drift, DriftKind::Deleted, source, stored.id});
                ++result.deleted[index];
                continue;
            }
            bool edited = true;
            switch (source) {
                case Source::Police:
                    edited = editor.police(stored);
                    break;
                case Source::Civil:
                    editor.civil(stored);
                    break;
                case Source::School: {
                    const auto it = shown.find(std::stoll(stored.id));
                    if (it == shown.end()) {
                        throw std::runtime_error("school row " + stored.id + " is not in student_register");
                    }
                    school_rewritten.push_back(editor.school(stored, it->second));
                    break;
                }
                case Source::Health:
                    edited = false;
                    break;
            }
            if (edited) {
                lines.push_back(DriftLine{result.drift, DriftKind::Silent, source, stored.id});
                ++result.silent[index];
            }
        }
    }
    book.writeChanged(truth, params_.as_of);
    truth.flush();
    log.append(lines);

    if (!school_removed.empty()) {
        // Watermarks never go back: a later change numbers its rows above every updated_seq ever served, even
        // when the row that held the highest is gone.
        const auto high = state.meta("school_seq_high");
        state.setMeta("school_seq_high",
                      std::to_string(std::max<std::int64_t>(school_seq_before, high ? std::stoll(*high) : 0)));
    }
    school.update(school_rewritten, school_removed);
    counts.drifts = result.drift;
    state.setCounts(counts);
    state.commit();
    writeFileAtomically(paths_.served_json, servedJson(counts) + "\n");
    return result;
}

}  // namespace deptsim
