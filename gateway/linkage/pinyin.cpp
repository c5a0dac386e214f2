#include "gateway/linkage/pinyin.h"

#include "gateway/common/error.h"
#include "gateway/common/utf8.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

namespace gateway::resources {
std::vector<std::pair<std::string_view, std::string_view>> pinyinEntries();
}  // namespace gateway::resources

namespace gateway::linkage {
namespace {

constexpr std::string_view kStandardFile = "kMandarin_8105.txt";
constexpr std::string_view kUnihanFile = "pinyin.txt";
constexpr std::string_view kSurnameFile = "surname_pinyin.csv";
constexpr std::string_view kSurnameHeader = "surname,pinyin";
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
constexpr char32_t kBadCodePoint = 0xFFFFFFFF;

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

/// The lines of a text without their "\n" or "\r\n", numbered from 1.
class Lines {
public:
    explicit Lines(std::string_view text) : rest_(text) {}

    bool next(std::string_view& line) {
        if (rest_.empty()) {
            return false;
        }
        const std::size_t end = rest_.find('\n');
        line = rest_.substr(0, end);
        rest_ = end == std::string_view::npos ? std::string_view() : rest_.substr(end + 1);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        ++number_;
        return true;
    }

    std::size_t number() const { return number_; }

private:
    std::string_view rest_;
    std::size_t number_ = 0;
};

// Tone marks only occur on vowels, on ê, and on the syllabic nasals m, n (ḿ, ń, ň, ǹ); combining marks
// (m̄, ê̄, ê̌) follow their letter.
char toneless(char32_t c) {
    struct Fold {
        std::u32string_view marked;
        char plain;
    };
    static constexpr Fold kFolds[] = {
        {U"āáǎà", 'a'}, {U"ēéěèêếề", 'e'}, {U"īíǐì", 'i'}, {U"ōóǒò", 'o'},
        {U"ūúǔù", 'u'}, {U"üǖǘǚǜ", 'v'},   {U"ḿ", 'm'},    {U"ńňǹ", 'n'},
    };
    for (const Fold& fold : kFolds) {
        if (fold.marked.find(c) != std::u32string_view::npos) {
            return fold.plain;
        }
    }
    return 0;
}

bool isCombiningMark(char32_t c) {
    return c >= 0x0300 && c <= 0x036F;
}

// The readings hold only two- and three-byte letters; anything else is reported as bad.
char32_t decodeLetter(std::string_view text, std::size_t& pos) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(pos);
    if ((lead & 0xE0) == 0xC0 && pos + 1 < text.size() && (byte(pos + 1) & 0xC0) == 0x80) {
        const char32_t c = (static_cast<char32_t>(lead & 0x1F) << 6) | (byte(pos + 1) & 0x3F);
        pos += 2;
        return c >= 0x80 ? c : kBadCodePoint;
    }
    if ((lead & 0xF0) == 0xE0 && pos + 2 < text.size() && (byte(pos + 1) & 0xC0) == 0x80 &&
        (byte(pos + 2) & 0xC0) == 0x80) {
        const char32_t c = (static_cast<char32_t>(lead & 0x0F) << 12) |
                           (static_cast<char32_t>(byte(pos + 1) & 0x3F) << 6) | (byte(pos + 2) & 0x3F);
        pos += 3;
        return c >= 0x800 ? c : kBadCodePoint;
    }
    return kBadCodePoint;
}

/// Writes the toneless ASCII spelling of one reading ("lǘ" → "lv") into `out`; false for anything but pinyin.
bool tonelessSpelling(std::string_view reading, std::string& out) {
    out.clear();
    std::size_t pos = 0;
    while (pos < reading.size()) {
        const char ascii = reading[pos];
        if (ascii >= 'a' && ascii <= 'z') {
            out.push_back(ascii);
            ++pos;
            continue;
        }
        if (ascii >= 'A' && ascii <= 'Z') {
            out.push_back(static_cast<char>(ascii - 'A' + 'a'));
            ++pos;
            continue;
        }
        const char32_t c = decodeLetter(reading, pos);
        if (isCombiningMark(c) && !out.empty()) {
            continue;
        }
        const char letter = toneless(c);
        if (letter == 0) {
            return false;
        }
        out.push_back(letter);
    }
    return !out.empty();
}

}  // namespace

/// Builds a table from the three files; each read* call throws GatewayError(Internal) at the first bad line,
/// since the files are compiled in and a bad one is a build defect.
class PinyinTable::Loader {
public:
    explicit Loader(PinyinTable& table) : table_(table) { table_.lists_.emplace_back(); }

    /// kMandarin_8105.txt: every reading of each character, in file order.
    void readStandard(std::string_view text) { readCodePointTable(kStandardFile, text, true, standard_); }

    /// pinyin.txt: the first reading of each character.
    void readUnihan(std::string_view text) { readCodePointTable(kUnihanFile, text, false, unihan_); }

    /// Fills the code-point index: pinyin.txt's first reading, replaced by kMandarin_8105.txt's readings.
    void buildIndex() {
        if (standard_.empty() && unihan_.empty()) {
            return;
        }
        char32_t first = std::numeric_limits<char32_t>::max();
        char32_t last = 0;
        for (const auto* entries : {&standard_, &unihan_}) {
            for (const auto& [code_point, syllable] : *entries) {
                first = std::min(first, code_point);
                last = std::max(last, code_point);
            }
        }
        table_.first_code_point_ = first;
        table_.list_by_code_point_.assign(static_cast<std::size_t>(last - first) + 1, 0);
        for (const auto& [code_point, syllable] : unihan_) {
            table_.list_by_code_point_[code_point - first] = singleList(syllable);
        }
        std::stable_sort(standard_.begin(), standard_.end(),
                         [](const auto& x, const auto& y) { return x.first < y.first; });
        std::vector<Syllable> group;
        for (std::size_t i = 0; i < standard_.size();) {
            const char32_t code_point = standard_[i].first;
            group.clear();
            for (; i < standard_.size() && standard_[i].first == code_point; ++i) {
                addUnique(group, standard_[i].second);
            }
            table_.list_by_code_point_[code_point - first] = listIndex(group);
        }
    }

    /// surname_pinyin.csv; needs buildIndex() first, for characters read as usual as well as in a compound surname.
    void readSurnames(std::string_view text) {
        if (text.starts_with(kByteOrderMark)) {
            text.remove_prefix(kByteOrderMark.size());
        }
        Lines lines(text);
        std::string_view line;
        if (!lines.next(line) || trim(line) != kSurnameHeader) {
            fail(kSurnameFile, 1, "the header is not \"" + std::string(kSurnameHeader) + "\"");
        }
        std::unordered_map<char32_t, std::vector<Syllable>> single;
        std::unordered_map<char32_t, std::vector<Syllable>> in_compound;
        std::vector<Syllable> syllables;
        while (lines.next(line)) {
            if (trim(line).empty()) {
                continue;
            }
            const std::size_t comma = line.find(',');
            if (comma == std::string_view::npos) {
                fail(kSurnameFile, lines.number(), "expected surname,pinyin");
            }
            const std::optional<std::u32string> surname = utf8::decode(trim(line.substr(0, comma)));
            if (!surname || surname->empty() || surname->size() > 2) {
                fail(kSurnameFile, lines.number(), "the surname is not one or two characters of UTF-8");
            }
            syllables.clear();
            std::string_view words = trim(line.substr(comma + 1));
            while (!words.empty()) {
                const std::size_t space = words.find(' ');
                syllables.push_back(intern(words.substr(0, space), kSurnameFile, lines.number()));
                words = space == std::string_view::npos ? std::string_view() : trim(words.substr(space + 1));
            }
            if (syllables.size() != surname->size()) {
                fail(kSurnameFile, lines.number(), "expected one syllable per character");
            }
            if (surname->size() == 1) {
                addUnique(single[(*surname)[0]], syllables[0]);
            } else {
                table_.compound_surnames_.emplace(pairKey((*surname)[0], (*surname)[1]),
                                                  CompoundSurname{syllables[0], syllables[1]});
                addUnique(in_compound[(*surname)[0]], syllables[0]);
                addUnique(in_compound[(*surname)[1]], syllables[1]);
            }
        }
        for (const auto& [character, readings] : single) {
            std::vector<Syllable> list = readings;
            if (const auto found = in_compound.find(character); found != in_compound.end()) {
                for (const Syllable syllable : found->second) {
                    addUnique(list, syllable);
                }
            }
            table_.surname_lists_.emplace(character, listIndex(list));
        }
        for (const auto& [character, readings] : in_compound) {
            if (single.contains(character)) {
                continue;
            }
            std::vector<Syllable> list = table_.readings(character);
            for (const Syllable syllable : readings) {
                addUnique(list, syllable);
            }
            table_.surname_lists_.emplace(character, listIndex(list));
        }
    }

private:
    [[noreturn]] static void fail(std::string_view file, std::size_t line, const std::string& what) {
        throw GatewayError(ErrorCode::Internal, "the built-in pinyin tables do not load: " + std::string(file) +
                                                    " line " + std::to_string(line) + ": " + what);
    }

    static void addUnique(std::vector<Syllable>& list, Syllable syllable) {
        if (std::find(list.begin(), list.end(), syllable) == list.end()) {
            list.push_back(syllable);
        }
    }

    // "U+4E2D: zhōng,zhòng  # 中": everything after '#' is a comment (kMandarin_8105.txt flags doubts there).
    void readCodePointTable(std::string_view file, std::string_view text, bool every_reading,
                            std::vector<std::pair<char32_t, Syllable>>& out) {
        Lines lines(text);
        std::string_view line;
        while (lines.next(line)) {
            const std::string_view content = trim(line.substr(0, line.find('#')));
            if (content.empty()) {
                continue;
            }
            const std::size_t colon = content.find(':');
            if (!content.starts_with("U+") || colon == std::string_view::npos || colon == 2) {
                fail(file, lines.number(), "expected \"U+XXXX: reading,…\"");
            }
            std::uint32_t code_point = 0;
            const char* hex_end = content.data() + colon;
            const auto [hex_stop, hex_error] = std::from_chars(content.data() + 2, hex_end, code_point, 16);
            if (hex_error != std::errc() || hex_stop != hex_end || code_point > 0x10FFFF) {
                fail(file, lines.number(), "bad code point \"" + std::string(content.substr(0, colon)) + "\"");
            }
            std::string_view readings = trim(content.substr(colon + 1));
            if (readings.empty()) {
                fail(file, lines.number(), "no reading");
            }
            while (!readings.empty()) {
                const std::size_t comma = readings.find(',');
                out.emplace_back(code_point, intern(trim(readings.substr(0, comma)), file, lines.number()));
                if (!every_reading || comma == std::string_view::npos) {
                    break;
                }
                readings = readings.substr(comma + 1);
            }
        }
    }

    Syllable intern(std::string_view reading, std::string_view file, std::size_t line) {
        if (!tonelessSpelling(reading, spelling_)) {
            fail(file, line, "\"" + std::string(reading) + "\" is not a pinyin syllable");
        }
        const auto found = ids_.find(spelling_);
        if (found != ids_.end()) {
            return found->second;
        }
        if (table_.spellings_.size() > std::numeric_limits<Syllable>::max()) {
            fail(file, line, "more syllables than a Syllable holds");
        }
        const auto id = static_cast<Syllable>(table_.spellings_.size());
        table_.spellings_.push_back(spelling_);
        ids_.emplace(spelling_, id);
        return id;
    }

    ListIndex newList(std::vector<Syllable> list) {
        if (table_.lists_.size() > std::numeric_limits<ListIndex>::max()) {
            throw GatewayError(ErrorCode::Internal, "the built-in pinyin tables hold too many distinct readings");
        }
        table_.lists_.push_back(std::move(list));
        return static_cast<ListIndex>(table_.lists_.size() - 1);
    }

    ListIndex singleList(Syllable syllable) {
        if (syllable >= single_lists_.size()) {
            single_lists_.resize(static_cast<std::size_t>(syllable) + 1, 0);
        }
        if (single_lists_[syllable] == 0) {
            single_lists_[syllable] = newList({syllable});
        }
        return single_lists_[syllable];
    }

    ListIndex listIndex(const std::vector<Syllable>& list) {
        if (list.empty()) {
            return 0;
        }
        if (list.size() == 1) {
            return singleList(list[0]);
        }
        const auto [found, inserted] = multi_lists_.emplace(list, 0);
        if (inserted) {
            found->second = newList(list);
        }
        return found->second;
    }

    PinyinTable& table_;
    std::unordered_map<std::string, Syllable> ids_;
    std::string spelling_;                 // reused, so that looking up a known syllable allocates nothing
    std::vector<ListIndex> single_lists_;  // by Syllable; 0 until its list exists
    std::map<std::vector<Syllable>, ListIndex> multi_lists_;
    std::vector<std::pair<char32_t, Syllable>> standard_;  // one entry per reading
    std::vector<std::pair<char32_t, Syllable>> unihan_;    // one entry per character
};

const PinyinTable& PinyinTable::builtin() {
    static const PinyinTable table = [] {
        const auto entries = resources::pinyinEntries();
        const auto file = [&entries](std::string_view name) {
            for (const auto& [entry_name, text] : entries) {
                if (entry_name == name) {
                    return text;
                }
            }
            throw GatewayError(ErrorCode::Internal, "the built-in pinyin tables lack " + std::string(name));
        };
        PinyinTable loaded;
        Loader loader(loaded);
        loader.readStandard(file(kStandardFile));
        loader.readUnihan(file(kUnihanFile));
        loader.buildIndex();
        loader.readSurnames(file(kSurnameFile));
        return loaded;
    }();
    return table;
}

const std::vector<PinyinTable::Syllable>& PinyinTable::readings(char32_t character) const {
    const std::size_t offset = static_cast<std::size_t>(character) - first_code_point_;
    if (character < first_code_point_ || offset >= list_by_code_point_.size()) {
        return lists_[0];
    }
    return lists_[list_by_code_point_[offset]];
}

const std::vector<PinyinTable::Syllable>& PinyinTable::surnameReadings(char32_t character) const {
    const auto found = surname_lists_.find(character);
    return found == surname_lists_.end() ? readings(character) : lists_[found->second];
}

const PinyinTable::CompoundSurname* PinyinTable::findCompoundSurname(char32_t first, char32_t second) const {
    const auto found = compound_surnames_.find(pairKey(first, second));
    return found == compound_surnames_.end() ? nullptr : &found->second;
}

bool PinyinTable::isCompoundSurname(std::u32string_view two_characters) const {
    return two_characters.size() == 2 && findCompoundSurname(two_characters[0], two_characters[1]) != nullptr;
}

std::string PinyinTable::spelling(Syllable syllable) const {
    if (syllable >= spellings_.size()) {
        throw GatewayError(ErrorCode::Internal, "no pinyin syllable has id " + std::to_string(syllable));
    }
    return spellings_[syllable];
}

std::string PinyinTable::romanise(std::u32string_view name) const {
    std::string out;
    bool in_word = false;  // the last character written had no reading and continues a word of such characters
    const auto syllable = [&](Syllable id) {
        if (!out.empty()) {
            out.push_back(' ');
        }
        out += spellings_[id];
        in_word = false;
    };
    std::size_t i = 0;
    while (i < name.size() && utf8::isSpace(name[i])) {
        ++i;
    }
    if (i + 1 < name.size()) {
        if (const CompoundSurname* compound = findCompoundSurname(name[i], name[i + 1])) {
            syllable(compound->first);
            syllable(compound->second);
            i += 2;
        }
    }
    if (i < name.size() && out.empty()) {
        if (const auto& surname = surnameReadings(name[i]); !surname.empty()) {
            syllable(surname[0]);
            ++i;
        }
    }
    for (; i < name.size(); ++i) {
        const char32_t c = name[i];
        if (utf8::isSpace(c)) {
            in_word = false;
            continue;
        }
        if (const auto& read = readings(c); !read.empty()) {
            syllable(read[0]);
            continue;
        }
        if (!in_word && !out.empty()) {
            out.push_back(' ');
        }
        utf8::append(out, c);
        in_word = true;
    }
    return out;
}

}  // namespace gateway::linkage
