#include "gateway/linkage/blocking.h"

#include <algorithm>
#include <atomic>
#include <numeric>
#include <string_view>
#include <thread>

namespace gateway::linkage {

namespace {

std::uint64_t mix(std::uint64_t h, std::uint64_t value) {
    // splitmix64 over the running hash and the next part: cheap, and keys of different parts rarely collide.
    std::uint64_t z = h ^ (value + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2));
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

std::uint64_t hashText(std::string_view text) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : text) {
        h = (h ^ c) * 1099511628211ULL;
    }
    return h == 0 ? 1 : h;
}

/// Per dictionary entry, the value a key part takes (0 = none).
std::vector<std::uint64_t> partValues(const FieldDictionary& dictionary, const KeyPart& part) {
    std::vector<std::uint64_t> values(dictionary.size(), 0);
    for (std::uint32_t i = 1; i < dictionary.size(); ++i) {
        const FieldDictionary::Entry& entry = dictionary.entry(i);
        switch (part.transform) {
            case KeyTransform::Value:
                values[i] = i;
                break;
            case KeyTransform::Prefix: {
                std::u32string_view chars = entry.chars;
                if (chars.empty()) {
                    values[i] = hashText(std::string_view(entry.text).substr(0, static_cast<std::size_t>(part.n)));
                } else {
                    chars = chars.substr(0, static_cast<std::size_t>(part.n));
                    values[i] = hashText(
                        std::string_view(reinterpret_cast<const char*>(chars.data()), chars.size() * sizeof(char32_t)));
                }
                break;
            }
            case KeyTransform::Year:
                values[i] = static_cast<std::uint64_t>(entry.date.year());
                break;
            case KeyTransform::Pinyin:
                values[i] = entry.pinyin.empty() ? 0 : hashText(entry.pinyin);
                break;
            case KeyTransform::Initial:
                values[i] = entry.initials.empty() ? 0 : hashText(entry.initials);
                break;
        }
    }
    return values;
}

}  // namespace

Blocker::Blocker(const RecordTable& table) : table_(&table) {
    const LinkageConfig& config = table.config();
    for (const DeterministicRule& rule : config.deterministic) {
        BlockingRule derived;
        derived.name = "deterministic:" + rule.name;
        for (std::size_t field : rule.equal) {
            derived.parts.push_back(KeyPart{field, KeyTransform::Value, 0});
        }
        rules_.push_back(std::move(derived));
    }
    rules_.insert(rules_.end(), config.blocking.begin(), config.blocking.end());

    const std::size_t n = table.size();
    for (const BlockingRule& rule : rules_) {
        std::vector<std::uint64_t> keys(n, 0x51ED270B27E3A0C1ULL);
        for (const KeyPart& part : rule.parts) {
            const std::vector<std::uint64_t> values = partValues(table.dictionary(part.field), part);
            for (std::size_t r = 0; r < n; ++r) {
                if (keys[r] == 0) {
                    continue;
                }
                const std::uint64_t value = values[table.value(r, part.field)];
                keys[r] = value == 0 ? 0 : std::max<std::uint64_t>(mix(keys[r], value), 1);
            }
        }
        std::vector<std::uint32_t> order;
        for (std::size_t r = 0; r < n; ++r) {
            if (keys[r] != 0) {
                order.push_back(static_cast<std::uint32_t>(r));
            }
        }
        std::sort(order.begin(), order.end(),
                  [&keys](std::uint32_t a, std::uint32_t b) { return keys[a] != keys[b] ? keys[a] < keys[b] : a < b; });
        std::vector<Block> blocks;
        std::unordered_set<std::uint64_t> skipped;
        for (std::size_t begin = 0; begin < order.size();) {
            std::size_t end = begin + 1;
            while (end < order.size() && keys[order[end]] == keys[order[begin]]) {
                ++end;
            }
            const std::size_t size = end - begin;
            if (size > config.max_block_size) {
                skipped.insert(keys[order[begin]]);
                if (warnings_.size() < 20) {
                    warnings_.push_back("blocking rule " + rule.name + ": a block of " + std::to_string(size) +
                                        " records (first " + table.key(order[begin]) +
                                        ") exceeds max_block_size and was skipped");
                }
            } else if (size >= 2) {
                blocks.push_back(Block{static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end)});
                pair_bound_ += size * (size - 1) / 2;
            }
            begin = end;
        }
        keys_.push_back(std::move(keys));
        order_.push_back(std::move(order));
        blocks_.push_back(std::move(blocks));
        skipped_.push_back(std::move(skipped));
    }
}

bool Blocker::earlierRuleHas(std::size_t rule, std::uint32_t a, std::uint32_t b) const {
    for (std::size_t r = 0; r < rule; ++r) {
        const std::uint64_t key = keys_[r][a];
        if (key != 0 && key == keys_[r][b] && !skipped_[r].contains(key)) {
            return true;
        }
    }
    return false;
}

void Blocker::forEachPair(unsigned threads, const std::vector<bool>* dirty, const Visit& visit, bool every_rule) const {
    const LinkageConfig& config = table_->config();
    threads = std::max(1u, threads);
    for (std::size_t rule = 0; rule < rules_.size(); ++rule) {
        const std::vector<std::uint32_t>& order = order_[rule];
        const std::vector<Block>& blocks = blocks_[rule];
        std::atomic<std::size_t> next{0};
        auto work = [&](unsigned thread) {
            for (;;) {
                const std::size_t first = next.fetch_add(64);
                if (first >= blocks.size()) {
                    return;
                }
                const std::size_t last = std::min(blocks.size(), first + 64);
                for (std::size_t index = first; index < last; ++index) {
                    const Block& block = blocks[index];
                    if (dirty != nullptr) {
                        bool any = false;
                        for (std::uint32_t i = block.begin; i < block.end && !any; ++i) {
                            any = (*dirty)[order[i]];
                        }
                        if (!any) {
                            continue;
                        }
                    }
                    for (std::uint32_t i = block.begin; i < block.end; ++i) {
                        const std::uint32_t a = order[i];
                        for (std::uint32_t j = i + 1; j < block.end; ++j) {
                            const std::uint32_t b = order[j];
                            if (dirty != nullptr && !(*dirty)[a] && !(*dirty)[b]) {
                                continue;
                            }
                            if (config.across_sources_only && table_->source(a) == table_->source(b)) {
                                continue;
                            }
                            if (!every_rule && earlierRuleHas(rule, a, b)) {
                                continue;
                            }
                            visit(thread, rule, std::min(a, b), std::max(a, b));
                        }
                    }
                }
            }
        };
        if (threads == 1) {
            work(0);
        } else {
            std::vector<std::thread> pool;
            for (unsigned t = 0; t < threads; ++t) {
                pool.emplace_back(work, t);
            }
            for (std::thread& thread : pool) {
                thread.join();
            }
        }
    }
}

}  // namespace gateway::linkage
