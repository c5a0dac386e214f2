#include "gateway/linkage/linker.h"

#include "gateway/common/hash.h"
#include "tests/unit/linkage/linkage_fixtures.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace gateway::linkage {
namespace {

using fixtures::citizenId;
using fixtures::Guardian;
using fixtures::Rec;
using fixtures::Records;

/// A household of the scenario tests: one mother, one father, one village, one phone.
struct Family {
    std::string mother_id = citizenId("320499", "19880101", 222);
    std::string father_id = citizenId("320499", "19860303", 111);
    std::string mother_name = "李娜";
    std::string phone = "13911112222";
    std::string village = "320411101201";

    std::vector<Guardian> guardians() const {
        return {{"mother", mother_name, mother_id, phone}, {"father", "张伟", father_id, ""}};
    }

    /// A child's record as the police population base holds it.
    Rec police(const std::string& source_id, const std::string& name, const std::string& sex,
               const std::string& birth_date, const std::string& id) const {
        return Rec{.source = "police",
                   .source_id = source_id,
                   .name = name,
                   .sex = sex,
                   .birth_date = birth_date,
                   .id_number = id,
                   .residence_division = village,
                   .hukou_division = village,
                   .guardians = guardians()};
    }
    /// The school register: the ID only inside the student number, no father.
    Rec school(const std::string& source_id, const std::string& name, const std::string& sex,
               const std::string& birth_date, const std::string& id) const {
        return Rec{.source = "school",
                   .source_id = source_id,
                   .name = name,
                   .sex = sex,
                   .birth_date = birth_date,
                   .residence_division = village,
                   .student_no = "G" + id,
                   .guardians = {{"mother", mother_name, "", phone}}};
    }
    /// A birth record: no name yet, no ID of the child, the mother's ID.
    Rec birth(const std::string& source_id, const std::string& placeholder, const std::string& sex,
              const std::string& birth_date) const {
        return Rec{.source = "health",
                   .source_id = source_id,
                   .name = placeholder,
                   .sex = sex,
                   .birth_date = birth_date,
                   .residence_division = village.substr(0, 9),
                   .birth_cert_no = "Q" + source_id,
                   .guardians = {{"mother", mother_name, mother_id, phone}}};
    }
};

/// A synthetic city of 120 children (about 260 records) as background, so that EM has something to learn from and
/// term frequencies look like a real table; each test adds its own records.
class CityLinkTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::vector<std::string> truth;
        for (const Rec& record : fixtures::cityRecords(fixtures::cityChildren(120), truth)) {
            records_.add(record);
        }
        truth_ = truth;
    }

    std::size_t add(const Rec& record, const std::string& entity = "") {
        truth_.push_back(entity);
        return records_.add(record);
    }

    LinkResult run(LinkOptions options = {}) {
        options.threads = 1;
        return link(records_.table(), options);
    }

    static const ReviewCandidate* review(const LinkResult& result, std::size_t a, std::size_t b) {
        for (const ReviewCandidate& item : result.review) {
            if ((item.a == a && item.b == b) || (item.a == b && item.b == a)) {
                return &item;
            }
        }
        return nullptr;
    }

    Records records_;
    std::vector<std::string> truth_;
    Family family_;
};

const std::string kBorn = "2014-03-05";
const std::string kIdA = citizenId("320499", "20140305", 122);  // even: a girl
const std::string kIdB = citizenId("320499", "20140305", 124);
const std::string kIdBoy = citizenId("320499", "20140305", 133);

TEST_F(CityLinkTest, CityIsLinkedWell) {
    const LinkResult result = run();
    ASSERT_EQ(result.person.size(), records_.table().size());
    const PairwiseScore score = pairwiseScore(result.person, truth_);
    EXPECT_GE(score.precision(), 0.99) << score.line();
    EXPECT_GE(score.recall(), 0.98) << score.line();
    EXPECT_EQ(result.stats.records, records_.table().size());
    EXPECT_GT(result.stats.deterministic_links, 0u);
    EXPECT_EQ(result.stats.review, result.review.size());
    std::set<std::string> persons(result.person.begin(), result.person.end());
    EXPECT_EQ(result.stats.persons, persons.size());
    EXPECT_NEAR(static_cast<double>(persons.size()), 120, 3);
}

TEST_F(CityLinkTest, SameSourceDifferentValidIdsNeverOnePerson) {
    // Everything agrees but the ID numbers, both valid, both from the police: two children.
    const std::size_t a = add(family_.police("XA", "张子涵", "2", kBorn, kIdA));
    const std::size_t b = add(family_.police("XB", "张子涵", "2", kBorn, kIdB));
    const std::size_t school = add(family_.school("XS", "张子涵", "2", kBorn, kIdA));
    const LinkResult result = run();
    EXPECT_NE(result.person[a], result.person[b]);
    EXPECT_EQ(result.person[a], result.person[school]);
    EXPECT_NE(result.person[b], result.person[school]);
    EXPECT_EQ(review(result, a, b), nullptr) << "a link a constraint forbids is not asked about";
}

TEST_F(CityLinkTest, SameSourceInvalidIdDoesNotBlockALink) {
    // A mistyped ID in a second police record is no proof of a second child.
    const std::size_t a = add(family_.police("XA", "张子涵", "2", kBorn, kIdA));
    const std::size_t typo = add(family_.police("XT", "张子涵", "2", kBorn, fixtures::withWrongCheck(kIdA)));
    const LinkResult result = run();
    EXPECT_EQ(result.person[a], result.person[typo]);
}

TEST_F(CityLinkTest, TwinsAreTwoPersons) {
    const std::size_t a = add(family_.police("XA", "张子涵", "2", kBorn, kIdA));
    const std::size_t b = add(family_.police("XB", "张雨萱", "2", kBorn, kIdB));
    const std::size_t a_school = add(family_.school("SA", "张子涵", "2", kBorn, kIdA));
    const std::size_t b_school = add(family_.school("SB", "张雨萱", "2", kBorn, kIdB));
    const LinkResult result = run();
    EXPECT_EQ(result.person[a], result.person[a_school]);
    EXPECT_EQ(result.person[b], result.person[b_school]);
    EXPECT_NE(result.person[a], result.person[b]);
}

TEST_F(CityLinkTest, TwinsInDifferentSourcesAreTwoPersons) {
    // One twin known to the police, the other only to the school: their valid IDs differ, their names differ.
    const std::size_t a = add(family_.police("XA", "张子涵", "2", kBorn, kIdA));
    const std::size_t b = add(family_.school("SB", "张雨萱", "2", kBorn, kIdB));
    const LinkResult result = run();
    EXPECT_NE(result.person[a], result.person[b]);
}

TEST_F(CityLinkTest, NewbornRecordLinksToTheChildWithItsBirthDateAndSex) {
    const std::size_t girl = add(family_.police("XA", "张子涵", "2", kBorn, kIdA));
    const std::size_t twin_brother = add(family_.police("XD", "张子轩", "1", kBorn, kIdBoy));
    const std::size_t sister =
        add(family_.police("XC", "张欣怡", "2", "2011-09-12", citizenId("320499", "20110912", 242)));
    const std::size_t newborn = add(family_.birth("HN", "张某之女", "2", kBorn));
    const LinkResult result = run();
    EXPECT_EQ(result.person[newborn], result.person[girl]);
    EXPECT_NE(result.person[newborn], result.person[twin_brother]);
    EXPECT_NE(result.person[newborn], result.person[sister]);
    EXPECT_NE(result.person[girl], result.person[sister]);
    EXPECT_NE(result.person[girl], result.person[twin_brother]);
}

TEST_F(CityLinkTest, NewbornRecordMatchingTwoTwinsEquallyGoesToReview) {
    const std::size_t a = add(family_.police("XA", "张子涵", "2", kBorn, kIdA));
    const std::size_t b = add(family_.police("XB", "张雨萱", "2", kBorn, kIdB));
    const std::size_t newborn = add(family_.birth("HN", "张某之女", "2", kBorn));
    const LinkResult result = run();
    EXPECT_NE(result.person[newborn], result.person[a]);
    EXPECT_NE(result.person[newborn], result.person[b]);
    EXPECT_NE(result.person[a], result.person[b]);
    for (std::size_t twin : {a, b}) {
        const ReviewCandidate* item = review(result, newborn, twin);
        ASSERT_NE(item, nullptr) << "no review pair for the newborn and twin " << twin;
        EXPECT_EQ(item->reason, "ambiguous");
    }
}

TEST_F(CityLinkTest, NewbornRecordDoesNotChainTwinsOfTwoSources) {
    // One twin known to the police, the other only to the school (two valid IDs, two names): the birth record
    // matches the first by the mother's ID and the second by the household. It may join one of them, or go to a
    // reviewer, but it must not make the twins one person.
    const std::size_t a = add(family_.police("XA", "张子涵", "2", kBorn, kIdA));
    const std::size_t b = add(family_.school("SB", "张雨萱", "2", kBorn, kIdB));
    const std::size_t newborn = add(family_.birth("HN", "张某之女", "2", kBorn));
    const LinkResult result = run();
    EXPECT_NE(result.person[a], result.person[b]);
    EXPECT_TRUE(review(result, newborn, a) != nullptr || review(result, newborn, b) != nullptr)
        << "the birth record's second candidate is left to a reviewer";
}

/// A register whose legacy system cut ID numbers to 15 digits (century and check character dropped) and that knows
/// no parents, no village and a homophone of the name.
Rec legacyRegister(const std::string& source_id, const std::string& name, const std::string& sex,
                   const std::string& birth_date, const std::string& id15) {
    return Rec{.source = "disability",
               .source_id = source_id,
               .name = name,
               .sex = sex,
               .birth_date = birth_date,
               .id_number = id15};
}

std::string truncated(const std::string& id18) {
    return id18.substr(0, 6) + id18.substr(8, 9);
}

TEST_F(CityLinkTest, TruncatedIdWithTheCenturyOfItsBirthDateLinksToTheChild) {
    const std::size_t police = add(family_.police("XA", "张子涵", "2", kBorn, kIdA));
    const std::size_t twin = add(family_.police("XB", "张雨萱", "2", kBorn, kIdB));
    const std::size_t legacy = add(legacyRegister("DA", "张梓涵", "2", kBorn, truncated(kIdA)));
    const std::size_t twin_legacy = add(legacyRegister("DB", "张雨轩", "2", kBorn, truncated(kIdB)));
    const LinkResult result = run();
    EXPECT_EQ(result.person[legacy], result.person[police]);
    EXPECT_EQ(result.person[twin_legacy], result.person[twin]);
    EXPECT_NE(result.person[legacy], result.person[twin]);
}

TEST_F(CityLinkTest, TruncatedIdContradictingItsBirthDateIsNoFalseIdentity) {
    // Read alone, 320499140306122 is the valid number of a woman born on 6 March 1914.
    const std::size_t elder = add(Rec{.source = "police",
                                      .source_id = "XE",
                                      .name = "张桂英",
                                      .sex = "2",
                                      .birth_date = "1914-03-06",
                                      .id_number = citizenId("320499", "19140306", 122)});
    const std::size_t legacy = add(legacyRegister("DC", "张子涵", "2", kBorn, "320499140306122"));
    const LinkResult result = run();
    EXPECT_NE(result.person[legacy], result.person[elder]);
}

TEST_F(CityLinkTest, CannotLinkIsObeyedEvenThroughAThirdRecord) {
    const std::size_t police = add(family_.police("XA", "张子涵", "2", kBorn, kIdA));
    const std::size_t school = add(family_.school("SA", "张子涵", "2", kBorn, kIdA));
    Rec civil = family_.police("CA", "张子涵", "2", kBorn, kIdA);
    civil.source = "civil";
    const std::size_t third = add(civil);
    LinkOptions options;
    options.cannot_link = {{static_cast<std::uint32_t>(police), static_cast<std::uint32_t>(school)}};
    const LinkResult result = run(options);
    EXPECT_NE(result.person[police], result.person[school]);
    EXPECT_FALSE(result.person[third] == result.person[police] && result.person[third] == result.person[school]);
    EXPECT_EQ(review(result, police, school), nullptr) << "a pair a reviewer decided is not asked again";
    // The third record is the same child as both by its ID; the two cannot be one: a reviewer chooses.
    EXPECT_TRUE(review(result, third, police) != nullptr || review(result, third, school) != nullptr);
}

TEST_F(CityLinkTest, MustLinkIsObeyedEvenAgainstTheScoreAndConstraints) {
    const std::size_t a = add(family_.police("XA", "张子涵", "2", kBorn, kIdA));
    const std::size_t b =
        add(Rec{.source = "civil", .source_id = "C9", .name = "黄明", .sex = "1", .birth_date = "2009-12-01"});
    const std::size_t c = add(family_.police("XB", "张雨萱", "2", kBorn, kIdB));
    LinkOptions options;
    options.must_link = {{static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(b)},
                         {static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(c)}};
    const LinkResult result = run(options);
    EXPECT_EQ(result.person[a], result.person[b]);
    EXPECT_EQ(result.person[b], result.person[c]);
    EXPECT_EQ(review(result, a, b), nullptr);
}

TEST_F(CityLinkTest, SameInputSameIds) {
    const LinkResult first = run();
    const LinkResult second = run();
    EXPECT_EQ(first.person, second.person);
    LinkOptions two_threads;
    two_threads.threads = 2;
    EXPECT_EQ(link(records_.table(), two_threads).person, first.person);
}

TEST_F(CityLinkTest, IdsDoNotDependOnTheOrderOfTheRecords) {
    const LinkResult forward = run();
    std::vector<std::string> lines;
    std::vector<std::string> truth;
    for (const Rec& record : fixtures::cityRecords(fixtures::cityChildren(120), truth)) {
        lines.push_back(record.json());
    }
    Records reversed;
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        ASSERT_EQ(reversed.table().addJson(*it), "");
    }
    LinkOptions options;
    options.threads = 1;
    const LinkResult backward = link(reversed.table(), options);
    for (std::size_t r = 0; r < records_.table().size(); ++r) {
        const std::size_t other = reversed.table().find(records_.table().sourceName(records_.table().source(r)),
                                                        records_.table().sourceId(r));
        ASSERT_NE(other, std::string::npos);
        EXPECT_EQ(backward.person[other], forward.person[r]) << records_.table().key(r);
    }
}

TEST_F(CityLinkTest, ClustersKeepTheirPriorIds) {
    const LinkResult first = run();
    std::vector<std::string> prior(first.person.size());
    std::map<std::string, std::string> renamed;
    for (std::size_t r = 0; r < prior.size(); ++r) {
        auto [it, inserted] = renamed.try_emplace(first.person[r], "OLD" + std::to_string(renamed.size()));
        prior[r] = it->second;
    }
    LinkOptions options;
    options.prior_person = prior;
    const LinkResult second = run(options);
    EXPECT_EQ(second.person, prior);
}

TEST_F(CityLinkTest, NewRecordJoiningAClusterKeepsItsId) {
    const std::size_t a = add(family_.police("XA", "张子涵", "2", kBorn, kIdA));
    const LinkResult first = run();
    const std::size_t school = add(family_.school("SA", "张紫涵", "2", kBorn, kIdA));
    std::vector<std::string> prior = first.person;
    prior.push_back("");
    LinkOptions options;
    options.prior_person = prior;
    const LinkResult second = run(options);
    EXPECT_EQ(second.person[school], first.person[a]);
    for (std::size_t r = 0; r < first.person.size(); ++r) {
        EXPECT_EQ(second.person[r], first.person[r]) << records_.table().key(r);
    }
}

TEST_F(CityLinkTest, IncrementalRunComparesOnlyDirtyPairsAndKeepsTheRest) {
    const std::size_t a = add(family_.police("XA", "张子涵", "2", kBorn, kIdA));
    const LinkResult first = run();
    const std::size_t before = records_.table().size();
    const std::size_t school = add(family_.school("SA", "张子涵", "2", kBorn, kIdA));
    LinkOptions options;
    options.model = first.model;
    options.dirty.assign(records_.table().size(), false);
    options.dirty[school] = true;
    options.prior_person = first.person;
    options.prior_person.push_back("");
    const LinkResult second = run(options);
    EXPECT_GT(second.stats.pairs_compared, 0u);
    EXPECT_LT(second.stats.pairs_compared, before) << "only pairs with the one dirty record are compared";
    EXPECT_EQ(second.stats.em_pairs, 0u) << "the given model is reused";
    EXPECT_EQ(second.person[school], first.person[a]);
    for (std::size_t r = 0; r < before; ++r) {
        EXPECT_EQ(second.person[r], first.person[r]) << records_.table().key(r);
    }
}

TEST_F(CityLinkTest, IncrementalRunLeavesCleanRecordsInTheirPriorPersons) {
    // Two records the previous run kept apart (say a reviewer's split of old) stay apart while neither changes,
    // and two it put together stay together, whatever a fresh comparison would say.
    const std::size_t a = add(family_.police("XA", "张子涵", "2", kBorn, kIdA));
    const std::size_t a_school = add(family_.school("SA", "张子涵", "2", kBorn, kIdA));
    const std::size_t stranger =
        add(Rec{.source = "civil", .source_id = "C9", .name = "黄明", .sex = "1", .birth_date = "2009-12-01"});
    const LinkResult first = run();
    ASSERT_EQ(first.person[a], first.person[a_school]);
    std::vector<std::string> prior = first.person;
    prior[a_school] = "KEPT_APART";
    prior[stranger] = prior[a];
    LinkOptions options;
    options.model = first.model;
    options.dirty.assign(records_.table().size(), false);
    options.prior_person = prior;
    const LinkResult second = run(options);
    EXPECT_EQ(second.stats.pairs_compared, 0u);
    EXPECT_NE(second.person[a], second.person[a_school]);
    EXPECT_EQ(second.person[a], second.person[stranger]);
    EXPECT_EQ(second.person[a_school], "KEPT_APART");
}

// --- Clustering with a small configuration whose weights are fixed -------------------------------------------------

/// Three comparisons with fixed m and u, so every weight is known: a and b exact +6.49, different -3.31; c exact
/// +9.96, different -9.96.
std::string smallConfig(const std::string& constraints = "",
                        const std::string& thresholds = R"({"link": 5, "review": 2, "non_link": -2})") {
    return R"({"fields": {"a": {"type": "text", "from": "/a"}, "b": {"type": "text", "from": "/b"},
                          "c": {"type": "text", "from": "/c"}},
        "comparisons": [{"field": "a", "levels": ["exact"], "m": [0.9, 0.1], "u": [0.01, 0.99]},
                        {"field": "b", "levels": ["exact"], "m": [0.9, 0.1], "u": [0.01, 0.99]},
                        {"field": "c", "levels": ["exact"], "m": [0.999, 0.001], "u": [0.001, 0.999]}],
        "blocking": [["a"], ["b"]],
        "thresholds": )" +
           thresholds + (constraints.empty() ? "" : ", \"constraints\": " + constraints) + "}";
}

class SmallLinkTest : public ::testing::Test {
protected:
    void use(const std::string& config) { records_ = std::make_unique<Records>(LinkageConfig::parse(config, "s")); }
    std::size_t add(const std::string& source, const std::string& members) {
        const std::string json = R"({"source":")" + source + R"(","source_id":"r)" +
                                 std::to_string(records_->table().size()) + "\"" +
                                 (members.empty() ? "" : "," + members) + "}";
        EXPECT_EQ(records_->table().addJson(json), "") << json;
        return records_->table().size() - 1;
    }
    LinkResult run(LinkOptions options = {}) {
        options.threads = 1;
        return link(records_->table(), options);
    }

    std::unique_ptr<Records> records_;
};

TEST_F(SmallLinkTest, ChainingGuardKeepsApartRecordsThatStronglyDisagree) {
    use(smallConfig());
    // A~B: a agrees (+6.49). B~C: a agrees (+6.49). A~C: a agrees but c disagrees (+6.49 - 9.96 = -3.47 < -2).
    const std::size_t a = add("s1", R"("a":"x","c":"1")");
    const std::size_t b = add("s2", R"("a":"x")");
    const std::size_t c = add("s3", R"("a":"x","c":"2")");
    const LinkResult result = run();
    const bool all_three = result.person[a] == result.person[b] && result.person[b] == result.person[c];
    EXPECT_FALSE(all_three);
    EXPECT_NE(result.person[a], result.person[c]);
    EXPECT_GT(result.stats.rejected_links, 0u);
    // Each of A and C could be B: which one B joins is for a reviewer.
    EXPECT_TRUE(result.person[b] != result.person[a] || result.person[b] != result.person[c]);
    bool reviewed = false;
    for (const ReviewCandidate& item : result.review) {
        reviewed = reviewed || item.a == b || item.b == b;
    }
    EXPECT_TRUE(reviewed);
}

TEST_F(SmallLinkTest, ChainOfAgreeingRecordsIsOnePerson) {
    use(smallConfig());
    const std::size_t a = add("s1", R"("a":"x","b":"1")");
    const std::size_t b = add("s2", R"("a":"x","b":"1","c":"5")");
    const std::size_t c = add("s3", R"("b":"1","c":"5")");
    const LinkResult result = run();
    EXPECT_EQ(result.person[a], result.person[b]);
    EXPECT_EQ(result.person[b], result.person[c]);
    EXPECT_EQ(result.stats.persons, 1u);
    EXPECT_EQ(result.stats.probabilistic_links, 2u);
}

TEST_F(SmallLinkTest, ReviewBandPairsGoToReviewUnlinked) {
    use(smallConfig("", R"({"link": 12, "review": 5, "non_link": -2})"));
    const std::size_t a = add("s1", R"("a":"x")");
    const std::size_t b = add("s2", R"("a":"x")");
    const std::size_t c = add("s3", R"("a":"y")");
    const LinkResult result = run();
    EXPECT_NE(result.person[a], result.person[b]);
    ASSERT_EQ(result.review.size(), 1u);
    EXPECT_EQ(result.review[0].reason, "review_band");
    EXPECT_EQ(std::min(result.review[0].a, result.review[0].b), a);
    EXPECT_EQ(std::max(result.review[0].a, result.review[0].b), b);
    EXPECT_NEAR(result.review[0].weight, std::log2(0.9 / 0.01), 1e-4);
    EXPECT_NE(result.person[c], result.person[a]);
}

TEST_F(SmallLinkTest, OnePerSourceKeepsTwoRecordsOfASourceApart) {
    use(smallConfig(R"({"one_per_source": true})"));
    const std::size_t a = add("s1", R"("a":"x","b":"1","c":"5")");
    const std::size_t b = add("s1", R"("a":"x","b":"1","c":"5")");
    const std::size_t d = add("s1", R"("a":"y","b":"2","c":"6")");
    const std::size_t e = add("s2", R"("a":"y","b":"2","c":"6")");
    const LinkResult result = run();
    EXPECT_NE(result.person[a], result.person[b]);
    EXPECT_EQ(result.person[d], result.person[e]) << "records of two sources still link";
}

TEST_F(SmallLinkTest, RecordMatchingTwoPersonsThatCannotBeOneGoesToReview) {
    use(smallConfig(R"({"one_per_source": true})"));
    const std::size_t a = add("s1", R"("a":"x","b":"1","c":"5")");
    const std::size_t b = add("s1", R"("a":"x","b":"1","c":"5")");
    const std::size_t c = add("s2", R"("a":"x","b":"1","c":"5")");
    const LinkResult result = run();
    EXPECT_NE(result.person[a], result.person[b]);
    EXPECT_NE(result.person[c], result.person[a]);
    EXPECT_NE(result.person[c], result.person[b]);
    std::set<std::pair<std::uint32_t, std::uint32_t>> ambiguous;
    for (const ReviewCandidate& item : result.review) {
        if (item.reason == "ambiguous") {
            ambiguous.emplace(std::min(item.a, item.b), std::max(item.a, item.b));
        }
    }
    EXPECT_TRUE(ambiguous.contains({a, c}));
    EXPECT_TRUE(ambiguous.contains({b, c}));
}

TEST_F(SmallLinkTest, ForbiddenNeighbourDoesNotMakeALinkAmbiguous) {
    // A links strongly to B (same source: forbidden) and to S. S has no other candidate, and S and B could be one:
    // nothing is ambiguous about A~S, so A and S are one person.
    use(smallConfig(R"({"one_per_source": true})"));
    const std::size_t a = add("s1", R"("a":"x","b":"1")");
    const std::size_t b = add("s1", R"("a":"x","c":"5")");
    const std::size_t s = add("s2", R"("b":"1")");
    const LinkResult result = run();
    EXPECT_NE(result.person[a], result.person[b]);
    EXPECT_EQ(result.person[a], result.person[s]);
    for (const ReviewCandidate& item : result.review) {
        EXPECT_NE(item.reason, "ambiguous") << records_->table().key(item.a) << " ~ " << records_->table().key(item.b);
    }
}

TEST_F(SmallLinkTest, AmbiguityMarginLetsAMuchStrongerLinkWin) {
    // C agrees with A on a, b and c (+22.9) but with B on a and b only (+13.0): with a margin of 5 bits the
    // weaker candidate does not make the stronger link ambiguous.
    use(smallConfig(R"({"one_per_source": true, "ambiguity_margin": 5})"));
    const std::size_t a = add("s1", R"("a":"x","b":"1","c":"5")");
    const std::size_t b = add("s1", R"("a":"x","b":"1")");
    const std::size_t c = add("s2", R"("a":"x","b":"1","c":"5")");
    const LinkResult result = run();
    EXPECT_EQ(result.person[c], result.person[a]);
    EXPECT_NE(result.person[b], result.person[a]);
}

TEST_F(SmallLinkTest, AcrossSourcesOnlyNeverPairsOneSource) {
    use(smallConfig(R"({"across_sources_only": true})"));
    const std::size_t a = add("s1", R"("a":"x","b":"1","c":"5")");
    const std::size_t b = add("s1", R"("a":"x","b":"1","c":"5")");
    const LinkResult result = run();
    EXPECT_NE(result.person[a], result.person[b]);
    EXPECT_EQ(result.stats.pairs_compared, 0u);
}

TEST_F(SmallLinkTest, ModelOfTheConfigurationIsUsedWhenMAndUAreFixed) {
    use(smallConfig());
    add("s1", R"("a":"x")");
    add("s2", R"("a":"x")");
    const LinkResult result = run();
    ASSERT_EQ(result.model.comparisons.size(), 3u);
    EXPECT_NEAR(result.model.comparisons[2].m[0], 0.999, 1e-9);
    EXPECT_NEAR(result.model.comparisons[0].u[0], 0.01, 1e-9);
}

TEST_F(SmallLinkTest, EmptyTableLinksToNothing) {
    use(smallConfig());
    const LinkResult result = run();
    EXPECT_TRUE(result.person.empty());
    EXPECT_TRUE(result.review.empty());
    EXPECT_EQ(result.stats.persons, 0u);
}

TEST_F(SmallLinkTest, ProgressIsReported) {
    use(smallConfig());
    add("s1", R"("a":"x")");
    add("s2", R"("a":"x")");
    std::vector<std::string> lines;
    LinkOptions options;
    options.progress = [&lines](const std::string& line) { lines.push_back(line); };
    run(options);
    ASSERT_GE(lines.size(), 3u);
    EXPECT_EQ(lines.front().rfind("blocking: ", 0), 0u) << lines.front();
    EXPECT_EQ(lines.back().rfind("clustering: 1 persons", 0), 0u) << lines.back();
}

// --- Person IDs
// -------------------------------------------------------------------------------------------------------

class PersonIdTest : public ::testing::Test {
protected:
    void SetUp() override {
        for (int i = 0; i < 6; ++i) {
            records_.add({.source = "police", .source_id = "P" + std::to_string(i)});
        }
    }
    std::vector<std::string> assign(const std::vector<std::uint32_t>& clusters, const std::vector<std::string>& prior) {
        return assignPersonIds(records_.table(), clusters, prior, "P");
    }
    /// The ID a new cluster gets: the prefix and 12 hex digits of the SHA-256 of its smallest record key.
    static std::string fresh(const std::string& source, const std::string& id) {
        return "P" + sha256Hex(source + '\x1f' + id).substr(0, 12);
    }

    Records records_;
};

TEST_F(PersonIdTest, NewClustersAreNamedAfterTheirSmallestRecordKey) {
    const auto person = assign({0, 0, 2, 3, 3, 3}, {});
    EXPECT_EQ(person[0], fresh("police", "P0"));
    EXPECT_EQ(person[1], person[0]);
    EXPECT_EQ(person[2], fresh("police", "P2"));
    EXPECT_EQ(person[3], fresh("police", "P3"));
    EXPECT_EQ(person[4], person[3]);
    EXPECT_EQ(person[5], person[3]);
    EXPECT_EQ(person[0].size(), 13u);
    // The cluster's representative index does not matter, only its members.
    EXPECT_EQ(assign({5, 5, 1, 4, 4, 4}, {}), person);
}

TEST_F(PersonIdTest, ClusterKeepsItsPriorId) {
    const auto person = assign({0, 0, 2, 3, 3, 3}, {"A", "A", "B", "C", "C", "C"});
    EXPECT_EQ(person, (std::vector<std::string>{"A", "A", "B", "C", "C", "C"}));
}

TEST_F(PersonIdTest, NewRecordJoiningAClusterDoesNotChangeItsId) {
    const auto person = assign({0, 0, 0, 3, 3, 3}, {"A", "A", "", "C", "C", ""});
    EXPECT_EQ(person, (std::vector<std::string>{"A", "A", "A", "C", "C", "C"}));
}

TEST_F(PersonIdTest, LargerPartOfASplitKeepsTheIdAndTheOtherGetsANewOne) {
    const auto person = assign({0, 0, 2, 2, 2, 5}, {"A", "A", "A", "A", "A", "Z"});
    EXPECT_EQ(person[2], "A");
    EXPECT_EQ(person[3], "A");
    EXPECT_EQ(person[4], "A");
    EXPECT_NE(person[0], "A");
    EXPECT_EQ(person[0], person[1]);
    EXPECT_NE(person[0], "Z");
    EXPECT_EQ(person[5], "Z");
}

TEST_F(PersonIdTest, MergedPersonsTakeTheMajorityId) {
    const auto person = assign({0, 0, 0, 0, 4, 5}, {"B", "A", "A", "", "C", "D"});
    EXPECT_EQ(person[0], "A");
    EXPECT_EQ(person[3], "A");
    // A tie is broken by the ID, not by hashing order.
    const auto tie = assign({0, 0, 2, 3, 4, 5}, {"B", "A", "", "", "", ""});
    EXPECT_EQ(tie[0], "A");
    EXPECT_EQ(tie[1], "A");
}

TEST_F(PersonIdTest, NewIdIsNeverOneUsedBefore) {
    // Record P5 once belonged to the person whose ID P0's cluster would be named after: P0's new cluster must get
    // another ID, and P5 keeps its own.
    const std::string taken = fresh("police", "P0");
    const auto person = assign({0, 1, 2, 3, 4, 5}, {"", "", "", "", "", taken});
    EXPECT_EQ(person[5], taken);
    EXPECT_NE(person[0], taken);
    EXPECT_EQ(person[0].size(), taken.size());
    EXPECT_EQ(person[0].front(), 'P');
    std::set<std::string> distinct(person.begin(), person.end());
    EXPECT_EQ(distinct.size(), 6u);
}

TEST_F(PersonIdTest, IdOfARetiredPersonIsNotReissued) {
    // P0 and P1 were persons A and B, where B happens to be the ID P2's new cluster would be named after. They merge
    // into A: B is retired, and P2's cluster gets another ID.
    const std::string retired = fresh("police", "P2");
    const auto person = assign({0, 0, 2, 3, 4, 5}, {"A", retired, "", "", "", ""});
    EXPECT_EQ(person[0], "A");
    EXPECT_EQ(person[1], "A");
    for (std::size_t r = 2; r < 6; ++r) {
        EXPECT_NE(person[r], retired);
        EXPECT_NE(person[r], "A");
    }
    EXPECT_EQ(person[3], fresh("police", "P3"));
}

TEST_F(PersonIdTest, EveryClusterGetsADistinctIdEvenWhenPriorIdsCollide) {
    // Two clusters both claim A (a split where both halves are the same size): one keeps it, the other does not.
    const auto person = assign({0, 0, 2, 2, 4, 5}, {"A", "A", "A", "A", "", ""});
    std::set<std::string> distinct(person.begin(), person.end());
    EXPECT_EQ(distinct.size(), 4u);
    EXPECT_EQ(person[0], "A") << "equal halves: the one with the smaller record keeps the ID";
    EXPECT_NE(person[2], "A");
}

TEST_F(PersonIdTest, NewIdAvoidsIdsInUseElsewhere) {
    // Re-linking part of the population: IDs other persons hold outside this table are not given out again.
    const std::string elsewhere = fresh("police", "P1");
    const auto person = assignPersonIds(records_.table(), {0, 1, 2, 3, 4, 5}, {}, "P",
                                        [&elsewhere](const std::string& id) { return id == elsewhere; });
    EXPECT_NE(person[1], elsewhere);
    EXPECT_EQ(person[0], fresh("police", "P0"));
    std::set<std::string> distinct(person.begin(), person.end());
    EXPECT_EQ(distinct.size(), 6u);
}

TEST_F(SmallLinkTest, LinkPassesIdsInUseElsewhereOn) {
    use(smallConfig());
    add("s1", R"("a":"x")");
    add("s2", R"("a":"x")");
    const LinkResult plain = run();
    ASSERT_EQ(plain.person[0], plain.person[1]);
    LinkOptions options;
    const std::string taken = plain.person[0];
    options.person_id_taken = [&taken](const std::string& id) { return id == taken; };
    const LinkResult avoiding = run(options);
    EXPECT_EQ(avoiding.person[0], avoiding.person[1]);
    EXPECT_NE(avoiding.person[0], taken);
}

// --- Pairwise score -------------------------------------------------------------------------------------------------

TEST(PairwiseScoreTest, HandComputedExample) {
    //            records:   0    1    2    3    4    5    6    7
    const std::vector<std::string> person = {"a", "a", "a", "a", "b", "b", "c", "z"};
    const std::vector<std::string> truth = {"x", "x", "x", "y", "y", "z", "z", ""};
    const PairwiseScore score = pairwiseScore(person, truth);
    // Predicted pairs among records with truth: a has 4 records (6 pairs), b 2 (1 pair), c 1: 7.
    EXPECT_EQ(score.predicted_pairs, 7u);
    // True pairs: x 3 records (3 pairs), y 2 (1), z 2 (1): 5.
    EXPECT_EQ(score.true_pairs, 5u);
    // Correct: (a,x) 3 records (3 pairs); (a,y), (b,y), (b,z), (c,z) one record each: 3.
    EXPECT_EQ(score.correct_pairs, 3u);
    EXPECT_EQ(score.records_without_truth, 1u);
    EXPECT_NEAR(score.precision(), 3.0 / 7.0, 1e-12);
    EXPECT_NEAR(score.recall(), 3.0 / 5.0, 1e-12);
    EXPECT_NEAR(score.f1(), 2 * (3.0 / 7.0) * (3.0 / 5.0) / (3.0 / 7.0 + 3.0 / 5.0), 1e-12);
    EXPECT_EQ(score.line(), "precision=0.4286 recall=0.6000 f1=0.5000");
}

TEST(PairwiseScoreTest, RecordsBeyondTheTruthCountAsWithoutTruth) {
    const PairwiseScore score = pairwiseScore({"a", "a", "a"}, {"x", "x"});
    EXPECT_EQ(score.records_without_truth, 1u);
    EXPECT_EQ(score.predicted_pairs, 1u);
    EXPECT_EQ(score.correct_pairs, 1u);
    EXPECT_EQ(score.line(), "precision=1.0000 recall=1.0000 f1=1.0000");
}

TEST(PairwiseScoreTest, NothingLinkedAndNothingToLink) {
    const PairwiseScore nothing = pairwiseScore({"a", "b"}, {"x", "y"});
    EXPECT_EQ(nothing.line(), "precision=1.0000 recall=1.0000 f1=1.0000");
    const PairwiseScore missed = pairwiseScore({"a", "b"}, {"x", "x"});
    EXPECT_EQ(missed.true_pairs, 1u);
    EXPECT_EQ(missed.line(), "precision=1.0000 recall=0.0000 f1=0.0000");
    const PairwiseScore wrong = pairwiseScore({"a", "a"}, {"x", "y"});
    EXPECT_EQ(wrong.line(), "precision=0.0000 recall=1.0000 f1=0.0000");
    const PairwiseScore empty = pairwiseScore({}, {});
    EXPECT_EQ(empty.records_without_truth, 0u);
    EXPECT_EQ(empty.line(), "precision=1.0000 recall=1.0000 f1=1.0000");
}

}  // namespace
}  // namespace gateway::linkage
