#include "ops/sim/gap_planter.h"

#include "ops/sim/facts_book.h"
#include "ops/sim/json_out.h"
#include "ops/sim/random.h"
#include "ops/sim/renderers.h"
#include "ops/sim/row_evidence.h"

#include "gateway/model/citizen_id.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>

namespace deptsim {

namespace {

using gateway::model::CalendarDate;

constexpr std::string_view kOrphanAllowance = "孤儿基本生活费";
constexpr std::string_view kDeFactoAllowance = "事实无人抚养儿童基本生活补贴";

/// What the planter needs to know of a child's mappable rows as they are served now.
struct ServedNow {
    std::vector<RowEvidence> police;
    std::vector<RowEvidence> civil;
    bool attends = false;          // a school row 在读 or 休学
    bool sex_elsewhere = false;    // a row of another source than police carries the sex
    std::string father_elsewhere;  // a valid father's ID a health or civil row carries
    std::string mother_elsewhere;
};

std::map<std::uint32_t, ServedNow> servedNow(const CityPaths& paths, const SchoolDbSettings& school, SimState& state) {
    std::map<std::uint32_t, ServedNow> children;
    eachServedRow(paths, school, state, [&](const RowEvidence& row) {
        if (row.kind == RowKind::Unmappable) {
            return;
        }
        ServedNow& child = children[row.entity];
        switch (row.source) {
            case Source::Police:
                child.police.push_back(row);
                return;
            case Source::School:
                child.attends = child.attends || row.school_status == "在读" || row.school_status == "休学";
                break;
            case Source::Health:
                break;
            case Source::Civil:
                child.civil.push_back(row);
                break;
        }
        child.sex_elsewhere = child.sex_elsewhere || row.sex.has_value();
        if (!row.father_id.empty()) {
            child.father_elsewhere = row.father_id;
        }
        if (!row.mother_id.empty()) {
            child.mother_elsewhere = row.mother_id;
        }
    });
    return children;
}

/// The children in the order a rule considers them, drawn from the seed.
std::vector<std::uint32_t> drawOrder(const std::map<std::uint32_t, ServedNow>& children, std::uint64_t seed,
                                     GapRule rule) {
    std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed;
    for (const auto& [entity, served] : children) {
        keyed.emplace_back(derive(seed, labelHash(gapRuleName(rule)), entity), entity);
    }
    std::sort(keyed.begin(), keyed.end());
    std::vector<std::uint32_t> order;
    for (const auto& [key, entity] : keyed) {
        order.push_back(entity);
    }
    return order;
}

bool awayOrHome(ParentStatus status) {
    return status == ParentStatus::Present || status == ParentStatus::MigrantWorker;
}

bool goneForGood(ParentStatus status) {
    return status == ParentStatus::Deceased || status == ParentStatus::Missing;
}

/// Gone or unable to support the child (child_facts.cpp's lists together).
bool goneOrUnable(ParentStatus status) {
    return !awayOrHome(status) && status != ParentStatus::Unknown;
}

/// A valid ID number one digit off: a sequence digit (not the sex digit) mistyped, with the check digit that
/// happens to fit it.
std::string mistyped(const std::string& id, Random& random) {
    std::string wrong = id;
    const std::size_t at = 14 + random.below(2);
    wrong[at] = static_cast<char>('0' + (wrong[at] - '0' + random.between(1, 9)) % 10);
    wrong.back() = gateway::model::CitizenId::checkCharacter(wrong.substr(0, 17)).value_or('0');
    return wrong;
}

std::string serialised(const rapidjson::Document& document) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    document.Accept(writer);
    return {buffer.GetString(), buffer.GetSize()};
}

void setText(rapidjson::Document& document, rapidjson::Value& object, const char* name, const std::string& value) {
    object[name].SetString(value.c_str(), static_cast<rapidjson::SizeType>(value.size()), document.GetAllocator());
}

/// The highest civil case number ever served (truth.csv keeps deleted rows), so that a new case never reuses one.
std::uint64_t highestCaseSerial(const std::string& truth_csv) {
    std::ifstream in(truth_csv, std::ios::binary);
    const std::string prefix = std::string(sourceName(Source::Civil)) + ",C";
    std::uint64_t high = 0;
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(prefix, 0) == 0) {
            high =
                std::max<std::uint64_t>(high, std::stoull(line.substr(prefix.size(), line.find(',', prefix.size()))));
        }
    }
    return high;
}

/// One plant: the rows it rewrites or adds are numbered as one change, its deletions as one drift.
class Plant {
public:
    Plant(const CityParams& params, const CityPaths& paths, SimState& state, FactsBook& book, TruthFiles& truth,
          const RenderContext& context, ServedCounts& counts, std::uint64_t seed)
        : params_(params),
          paths_(paths),
          state_(state),
          book_(book),
          truth_(truth),
          context_(context),
          counts_(counts),
          seed_(seed),
          change_(counts.changes + 1),
          drift_(counts.drifts + 1),
          base_(cityNow(params) + 3600 * change_) {}

    /// The child's police rows deleted at the source.
    bool unregister(const ServedNow& served) {
        if (!served.attends || served.police.empty()) {
            return false;
        }
        for (const RowEvidence& row : served.police) {
            state_.deleteRow(Source::Police, row.id);
            SourceCounts& police = counts_.of(Source::Police);
            --police.rows;
            police.duplicates -= row.kind == RowKind::Duplicate ? 1 : 0;
            deleted_.push_back(DriftLine{drift_, DriftKind::Deleted, Source::Police, row.id});
        }
        return true;
    }

    /// An orphan's or de-facto unsupported child's allowance for a child who no longer is one.
    bool allowance(std::uint32_t entity, const ServedNow& served) {
        ChildFacts& child = book_.facts(entity);
        if (!child.father.known || !child.mother.known || child.birth_date.ageOn(params_.as_of) < 1 ||
            (child.civil_case && (child.civil_case->case_type == "临时救助" || !hasCaseRow(served)))) {
            return false;
        }
        for (const auto& assistance : child.assistance) {
            if ((assistance.type == kOrphanAllowance || assistance.type == kDeFactoAllowance) && !assistance.end) {
                return false;
            }
        }
        const bool father_back = awayOrHome(child.father.status) && goneOrUnable(child.mother.status);
        const bool mother_back = awayOrHome(child.mother.status) && goneOrUnable(child.father.status);
        if (father_back == mother_back) {
            return false;
        }
        const ParentFacts& back = father_back ? child.father : child.mother;
        const ParentFacts& other = father_back ? child.mother : child.father;
        if (back.previous_status != back.status) {
            return false;  // its recent change is a story of its own
        }
        Random random(derive(seed_, labelHash("allowance"), entity));
        const bool orphan = goneForGood(other.status) && random.chance(0.5);
        const ParentStatus before = orphan ? ParentStatus::Missing : ParentStatus::Imprisoned;
        const std::string back_id = back.id_number;
        for (const std::uint32_t member : book_.household(entity)) {
            ParentFacts& parent = father_back ? book_.facts(member).father : book_.facts(member).mother;
            if (member == entity || (parent.known && parent.id_number == back_id)) {
                parent.previous_status = before;
                book_.markChanged(member);
            }
        }
        const CalendarDate start =
            std::max(params_.as_of.addDays(-random.between(200, 1500)), child.birth_date.addDays(30));
        child.assistance.push_back({std::string(orphan ? kOrphanAllowance : kDeFactoAllowance), start, std::nullopt,
                                    1800 + 10 * random.between(0, 30)});
        book_.markChanged(entity);
        if (child.civil_case) {
            for (const RowEvidence& row : served.civil) {
                if (row.kind != RowKind::TemporaryAid) {
                    rewrite(Source::Civil, row,
                            renderCivil(child, RowRef{row.id, row.noise, row.kind, next()}, context_));
                }
            }
            return true;
        }
        child.civil_case = CaseFacts{orphan ? "孤儿" : "困境儿童", orphan ? "社会散居孤儿" : "事实无人抚养儿童", start,
                                     std::nullopt, ""};
        openCase(child);
        return true;
    }

    /// A parent's ID number mistyped (where a health or civil row has it right), or else the child's sex entered
    /// wrong, in the child's police record.
    bool contradict(const ServedNow& served, bool parent_id) {
        const auto primary = std::find_if(served.police.begin(), served.police.end(),
                                          [](const RowEvidence& row) { return row.kind == RowKind::Primary; });
        if (primary == served.police.end()) {
            return false;
        }
        rapidjson::Document item;
        const std::string body = state_.body(Source::Police, primary->id);
        item.Parse(body.data(), body.size());
        Random random(derive(seed_, labelHash("contradict"), primary->entity));
        bool done = false;
        if (parent_id) {
            for (const auto& [key, shown, elsewhere] :
                 {std::tuple{"fq", primary->father_id, served.father_elsewhere},
                  std::tuple{"mq", primary->mother_id, served.mother_elsewhere}}) {
                if (!done && !elsewhere.empty() && shown == elsewhere) {
                    setText(item, item[key], "gmsfhm", mistyped(shown, random));
                    done = true;
                }
            }
        } else if (served.sex_elsewhere && primary->sex) {
            const std::string xb = item["xb"].GetString();
            const std::string wrong = xb == "1" ? "2" : xb == "2" ? "1" : xb == "男" ? "女" : "男";
            setText(item, item, "xb", wrong);
            done = true;
        }
        if (!done) {
            return false;
        }
        setText(item, item, "updated_at", isoUtc(next()));
        rewrite(Source::Police, *primary, serialised(item));
        return true;
    }

    /// Appends the drift lines; returns {change, drift}, each 0 when nothing of that kind happened.
    std::pair<std::int64_t, std::int64_t> finish(DriftLog& log) {
        book_.writeChanged(truth_, params_.as_of);
        truth_.flush();
        log.append(deleted_);
        const std::int64_t change = rank_ > 0 ? change_ : 0;
        const std::int64_t drift = deleted_.empty() ? 0 : drift_;
        counts_.changes = std::max(counts_.changes, change);
        counts_.drifts = std::max(counts_.drifts, drift);
        return {change, drift};
    }

private:
    static bool hasCaseRow(const ServedNow& served) {
        return std::any_of(served.civil.begin(), served.civil.end(),
                           [](const RowEvidence& row) { return row.kind != RowKind::TemporaryAid; });
    }

    /// The next stamp of this plant's change: an hour after the change before it, as a change's stamps are.
    EpochSeconds next() { return base_ + rank_++ % 3600; }

    void rewrite(Source source, const RowEvidence& row, const std::string& body) {
        const rapidjson::Document parsed = [&] {
            rapidjson::Document document;
            document.Parse(body.c_str());
            return document;
        }();
        const char* stamp_key = source == Source::Police ? "updated_at" : "modified";
        StoredRow stored{row.id, row.entity, row.noise, row.kind, parsed[stamp_key].GetString()};
        state_.updateRow(source, stored, body);
        truth_.addChange(change_, source, row.id, row.entity);
    }

    void openCase(const ChildFacts& child) {
        if (case_serial_ == 0) {
            case_serial_ = highestCaseSerial(paths_.truth_dir + "/truth.csv");
        }
        ++case_serial_;
        char id[24];
        std::snprintf(id, sizeof id, "C%07llu", static_cast<unsigned long long>(case_serial_));
        const RowRef row{
            id, derive(params_.seed, labelHash("noise"), static_cast<std::uint64_t>(Source::Civil), case_serial_),
            RowKind::Primary, next()};
        state_.addRow(Source::Civil, StoredRow{row.id, child.entity, row.noise, row.kind, isoUtc(row.updated)},
                      renderCivil(child, row, context_));
        truth_.addRow(Source::Civil, row.id, child.entity);
        truth_.addChange(change_, Source::Civil, row.id, child.entity);
        ++counts_.of(Source::Civil).rows;
    }

    const CityParams& params_;
    const CityPaths& paths_;
    SimState& state_;
    FactsBook& book_;
    TruthFiles& truth_;
    const RenderContext& context_;
    ServedCounts& counts_;
    std::uint64_t seed_;
    std::int64_t change_;
    std::int64_t drift_;
    EpochSeconds base_;
    std::int64_t rank_ = 0;
    std::uint64_t case_serial_ = 0;
    std::vector<DriftLine> deleted_;
};

}  // namespace

std::string plantResultJson(const PlantResult& result) {
    JsonOut out;
    out.beginObject().field("change", result.change).field("drift", result.drift).key("planted").beginObject();
    for (const GapRule rule : kGapRules) {
        out.key(gapRuleName(rule)).beginArray();
        for (const std::uint32_t entity : result.planted[static_cast<std::size_t>(rule)]) {
            out.text(entityId(entity));
        }
        out.endArray();
    }
    out.endObject().endObject();
    return out.str();
}

GapPlanter::GapPlanter(const CityParams& params, const CityPaths& paths, const SchoolDbSettings& school,
                       const Geography& geography, const NamePools& names)
    : params_(params), paths_(paths), school_settings_(school), geography_(geography), names_(names) {}

PlantResult GapPlanter::apply(int count, std::optional<std::uint64_t> seed, DriftLog& log) {
    if (count < 1) {
        throw std::invalid_argument("the count must be at least 1");
    }
    SimState state(paths_.state_db);
    FactsBook book(state, paths_.children_jsonl);
    ServedCounts counts = state.counts();
    const std::uint64_t plant_seed =
        seed ? *seed : derive(params_.seed, labelHash("gaps"), static_cast<std::uint64_t>(counts.changes + 1));
    const std::map<std::uint32_t, ServedNow> children = servedNow(paths_, school_settings_, state);
    TruthFiles truth(paths_.truth_dir, false);
    const RenderContext context{params_, names_, geography_};
    Plant plant(params_, paths_, state, book, truth, context, counts, plant_seed);

    PlantResult result;
    std::set<std::uint32_t> used;
    // Half of the contradictions a parent's number, for which a child needs a health or civil row with it, so that
    // both kinds are there to find; the sex for the rest.
    struct Step {
        GapRule rule;
        int quota;
        bool parent_id;
    };
    const std::array<Step, 4> steps{{{GapRule::EnrolledNotInPopulationRegister, count, false},
                                     {GapRule::AssistanceNoLongerMet, count, false},
                                     {GapRule::IdentityContradiction, (count + 1) / 2, true},
                                     {GapRule::IdentityContradiction, count, false}}};
    state.begin();
    for (const Step& step : steps) {
        std::vector<std::uint32_t>& planted = result.planted[static_cast<std::size_t>(step.rule)];
        for (const std::uint32_t entity : drawOrder(children, plant_seed, step.rule)) {
            if (static_cast<int>(planted.size()) >= step.quota) {
                break;
            }
            if (used.count(entity) > 0) {
                continue;
            }
            const ServedNow& served = children.at(entity);
            bool done = false;
            switch (step.rule) {
                case GapRule::EnrolledNotInPopulationRegister:
                    done = plant.unregister(served);
                    break;
                case GapRule::AssistanceNoLongerMet:
                    done = plant.allowance(entity, served);
                    break;
                default:
                    done = plant.contradict(served, step.parent_id);
                    break;
            }
            if (done) {
                planted.push_back(entity);
                used.insert(entity);
            }
        }
    }
    std::tie(result.change, result.drift) = plant.finish(log);
    state.setCounts(counts);
    state.commit();
    writeFileAtomically(paths_.served_json, servedJson(counts) + "\n");
    return result;
}

}  // namespace deptsim
