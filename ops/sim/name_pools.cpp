#include "ops/sim/name_pools.h"

#include "ops/sim/embedded_data.h"

#include "gateway/common/utf8.h"

#include <charconv>
#include <stdexcept>

namespace deptsim {

namespace {

/// The data files are plain comma-separated tables without quoting; the first line is the header.
std::vector<std::vector<std::string_view>> readTable(std::string_view file_name) {
    std::string_view text = embeddedData(file_name);
    std::vector<std::vector<std::string_view>> rows;
    bool header = true;
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (header || line.empty()) {
            header = false;
            continue;
        }
        std::vector<std::string_view> fields;
        while (true) {
            const std::size_t comma = line.find(',');
            fields.push_back(line.substr(0, comma));
            if (comma == std::string_view::npos) {
                break;
            }
            line.remove_prefix(comma + 1);
        }
        rows.push_back(std::move(fields));
    }
    return rows;
}

std::u32string decoded(std::string_view text) {
    auto code_points = gateway::utf8::decode(text);
    if (!code_points) {
        throw std::runtime_error("embedded name data is not UTF-8");
    }
    return *code_points;
}

const std::vector<std::string>& pickList(const std::vector<std::string>& preferred,
                                         const std::vector<std::string>& fallback) {
    return preferred.empty() ? fallback : preferred;
}

}  // namespace

const NamePools& NamePools::builtin() {
    static const NamePools pools = [] {
        NamePools p;
        std::vector<double> weights;
        for (const auto& row : readTable("surnames.csv")) {
            p.surnames_.emplace_back(row.at(0));
            double weight = 0;
            std::from_chars(row.at(1).data(), row.at(1).data() + row.at(1).size(), weight);
            weights.push_back(weight);
            const std::u32string surname = decoded(row.at(0));
            if (surname.size() > 1) {
                p.compound_surnames_.insert(surname);
            }
        }
        p.surname_picker_ = WeightedPicker(weights);

        auto add = [](BySex& target, std::string_view gender, std::string_view value) {
            if (gender == "male") {
                target.male.emplace_back(value);
            } else if (gender == "female") {
                target.female.emplace_back(value);
            } else {
                target.either.emplace_back(value);
            }
        };
        for (const auto& row : readTable("given_names.csv")) {
            add(p.given_names_, row.at(1), row.at(0));
        }
        for (const auto& row : readTable("given_chars.csv")) {
            const std::string_view position = row.at(2);
            BySex& target = position == "single"         ? p.single_chars_
                            : position == "first_of_two" ? p.first_chars_
                                                         : p.second_chars_;
            add(target, row.at(1), row.at(0));
        }
        for (const auto& row : readTable("parent_given_names.csv")) {
            add(p.adult_names_, row.at(1), row.at(0));
        }
        for (const auto& row : readTable("rare_chars.csv")) {
            add(p.rare_chars_, row.at(1), row.at(0));
        }
        for (const auto& row : readTable("homophones.csv")) {
            const std::u32string character = decoded(row.at(0));
            if (character.size() == 1) {
                p.homophones_.emplace(character[0], decoded(row.at(1)));
            }
        }
        if (p.surnames_.empty() || p.given_names_.male.empty() || p.first_chars_.female.empty() ||
            p.adult_names_.male.empty() || p.rare_chars_.either.empty()) {
            throw std::runtime_error("embedded name data is incomplete");
        }
        return p;
    }();
    return pools;
}

std::string NamePools::surname(Random& random) const {
    return surnames_[surname_picker_.pick(random)];
}

std::string NamePools::childGivenName(Random& random, int sex) const {
    const double style = random.uniform();
    if (style < 0.5) {
        // Whole modern names; the unisex ones (子涵, 梓萱) are common for both sexes.
        const auto& own = given_names_.forSex(sex);
        const std::size_t pick = random.below(own.size() + given_names_.either.size());
        return pick < own.size() ? own[pick] : given_names_.either[pick - own.size()];
    }
    if (style < 0.9) {
        return random.pick(pickList(first_chars_.forSex(sex), first_chars_.either)) +
               random.pick(pickList(second_chars_.forSex(sex), second_chars_.either));
    }
    return random.pick(pickList(single_chars_.forSex(sex), single_chars_.either));
}

std::string NamePools::adultGivenName(Random& random, int sex) const {
    if (random.chance(0.75)) {
        return random.pick(adult_names_.forSex(sex));
    }
    return random.pick(pickList(first_chars_.forSex(sex), first_chars_.either)) +
           random.pick(pickList(second_chars_.forSex(sex), second_chars_.either));
}

std::string NamePools::givenCharacter(Random& random, int sex) const {
    return random.pick(pickList(second_chars_.forSex(sex), second_chars_.either));
}

std::string NamePools::rareCharacter(Random& random, int sex) const {
    const auto& own = rare_chars_.forSex(sex);
    const std::size_t pick = random.below(own.size() + rare_chars_.either.size());
    return pick < own.size() ? own[pick] : rare_chars_.either[pick - own.size()];
}

std::optional<char32_t> NamePools::homophone(char32_t character, Random& random) const {
    const auto it = homophones_.find(character);
    if (it == homophones_.end() || it->second.empty()) {
        return std::nullopt;
    }
    // The first alternatives are the commonest name characters, so they are drawn more often.
    const std::size_t count = it->second.size();
    const std::size_t index = random.chance(0.6) ? 0 : random.below(count);
    return it->second[index];
}

std::size_t NamePools::surnameLength(std::u32string_view name) const {
    if (name.size() > 2 && compound_surnames_.contains(std::u32string(name.substr(0, 2)))) {
        return 2;
    }
    return name.empty() ? 0 : 1;
}

}  // namespace deptsim
