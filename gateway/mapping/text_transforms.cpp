#include "gateway/common/utf8.h"
#include "gateway/mapping/field_source.h"
#include "gateway/mapping/pattern.h"
#include "gateway/mapping/text_util.h"
#include "gateway/mapping/transform_factories.h"

namespace gateway::mapping {
namespace {

class Trim final : public Transform {
public:
    bool apply(Value& value, StepContext&) const override {
        text::trimSpaces(value.text);
        return true;
    }
};

class HalfWidth final : public Transform {
public:
    bool apply(Value& value, StepContext&) const override {
        // Full-width forms are all three bytes starting 0xEF (U+FF01–U+FF5E) or 0xE3 (U+3000); most values
        // have neither and are left untouched without decoding.
        if (value.text.find_first_of("\xEF\xE3") == std::string::npos) {
            return true;
        }
        value.text = text::foldWidth(value.text, false);
        return true;
    }
};

/// ASCII letters only: case has no meaning for Han characters, and other scripts are left as written.
class ChangeCase final : public Transform {
public:
    explicit ChangeCase(bool upper) : upper_(upper) {}
    bool apply(Value& value, StepContext&) const override {
        for (char& c : value.text) {
            if (upper_ && c >= 'a' && c <= 'z') {
                c = static_cast<char>(c - 'a' + 'A');
            } else if (!upper_ && c >= 'A' && c <= 'Z') {
                c = static_cast<char>(c - 'A' + 'a');
            }
        }
        return true;
    }

private:
    bool upper_;
};

class RemoveSpaces final : public Transform {
public:
    bool apply(Value& value, StepContext&) const override {
        std::string out;
        out.reserve(value.text.size());
        std::size_t pos = 0;
        while (pos < value.text.size()) {
            const std::size_t start = pos;
            if (!utf8::isSpace(text::next(value.text, pos))) {
                out.append(value.text, start, pos - start);
            }
        }
        value.text = std::move(out);
        return true;
    }
};

enum class Otherwise { Keep, Empty, Error };

class StripPrefix final : public Transform {
public:
    StripPrefix(std::string prefix, Otherwise otherwise) : prefix_(std::move(prefix)), otherwise_(otherwise) {}
    bool apply(Value& value, StepContext& step) const override {
        if (value.empty()) {
            return true;
        }
        if (value.text.starts_with(prefix_)) {
            value.text.erase(0, prefix_.size());
            return true;
        }
        switch (otherwise_) {
            case Otherwise::Keep:
                return true;
            case Otherwise::Empty:
                value.clear();
                return true;
            case Otherwise::Error:
                step.problem = utf8::quote(value.text) + " does not start with " + utf8::quote(prefix_);
                return false;
        }
        return true;
    }

private:
    std::string prefix_;
    Otherwise otherwise_;
};

class Default final : public Transform {
public:
    explicit Default(std::string fallback) : fallback_(std::move(fallback)) {}
    bool apply(Value& value, StepContext&) const override {
        if (value.empty()) {
            value.text = fallback_;
            value.kind = ValueKind::Text;
        }
        return true;
    }

private:
    std::string fallback_;
};

class Concat final : public Transform {
public:
    Concat(std::vector<FieldSource> parts, std::string separator)
        : parts_(std::move(parts)), separator_(std::move(separator)) {}
    bool apply(Value& value, StepContext& step) const override {
        Value part;
        for (const FieldSource& source : parts_) {
            std::string problem;
            if (!source.read(step.scope, part, problem)) {
                step.problem = "concat part " + std::string(source.describe()) + " " + problem;
                return false;
            }
            if (part.empty()) {
                continue;
            }
            if (!value.empty()) {
                value.text += separator_;
            }
            value.text += part.text;
        }
        value.kind = ValueKind::Text;
        return true;
    }

private:
    std::vector<FieldSource> parts_;
    std::string separator_;
};

enum class NoMatch { Empty, Keep, Error };

class RegexExtract final : public Transform {
public:
    RegexExtract(Pattern pattern, std::size_t group, NoMatch no_match)
        : pattern_(std::move(pattern)), group_(group), no_match_(no_match) {}
    bool apply(Value& value, StepContext& step) const override {
        if (value.empty()) {
            return true;
        }
        std::string captured;
        switch (pattern_.search(value.text, group_, &captured)) {
            case Pattern::Result::TooLong:
                step.problem = Pattern::tooLongMessage(value.text);
                return false;
            case Pattern::Result::Match:
                value.text = std::move(captured);
                value.kind = ValueKind::Text;
                return true;
            case Pattern::Result::NoMatch:
                break;
        }
        switch (no_match_) {
            case NoMatch::Empty:
                value.clear();
                return true;
            case NoMatch::Keep:
                return true;
            case NoMatch::Error:
                step.problem = utf8::quote(value.text) + " does not match " + utf8::quote(pattern_.text());
                return false;
        }
        return true;
    }

private:
    Pattern pattern_;
    std::size_t group_;
    NoMatch no_match_;
};

class BlankIfMatch final : public Transform {
public:
    BlankIfMatch(Pattern pattern, std::string warning) : pattern_(std::move(pattern)), warning_(std::move(warning)) {}
    bool apply(Value& value, StepContext& step) const override {
        if (value.empty()) {
            return true;
        }
        switch (pattern_.search(value.text, 0, nullptr)) {
            case Pattern::Result::TooLong:
                step.problem = Pattern::tooLongMessage(value.text);
                return false;
            case Pattern::Result::NoMatch:
                return true;
            case Pattern::Result::Match:
                break;
        }
        if (!warning_.empty()) {
            step.notes.push_back(utf8::quote(value.text) + " dropped: " + warning_);
        }
        value.clear();
        return true;
    }

private:
    Pattern pattern_;
    std::string warning_;
};

}  // namespace

std::unique_ptr<Transform> compileTrim(const TransformOptions&, CompileContext&) {
    return std::make_unique<Trim>();
}

std::unique_ptr<Transform> compileHalfWidth(const TransformOptions&, CompileContext&) {
    return std::make_unique<HalfWidth>();
}

std::unique_ptr<Transform> compileUpper(const TransformOptions&, CompileContext&) {
    return std::make_unique<ChangeCase>(true);
}

std::unique_ptr<Transform> compileLower(const TransformOptions&, CompileContext&) {
    return std::make_unique<ChangeCase>(false);
}

std::unique_ptr<Transform> compileRemoveSpaces(const TransformOptions&, CompileContext&) {
    return std::make_unique<RemoveSpaces>();
}

std::unique_ptr<Transform> compileStripPrefix(const TransformOptions& options, CompileContext&) {
    const ConfigCursor prefix = options.require("prefix");
    if (prefix.asString().empty()) {
        prefix.fail("the prefix cannot be empty");
    }
    const std::string otherwise = options.choice("otherwise", {"keep", "empty", "error"}, "keep");
    return std::make_unique<StripPrefix>(prefix.asString(), otherwise == "keep"    ? Otherwise::Keep
                                                            : otherwise == "empty" ? Otherwise::Empty
                                                                                   : Otherwise::Error);
}

std::unique_ptr<Transform> compileDefault(const TransformOptions& options, CompileContext&) {
    const ConfigCursor value = options.require("value");
    if (value.asString().empty()) {
        value.fail("a default cannot be empty");
    }
    return std::make_unique<Default>(value.asString());
}

std::unique_ptr<Transform> compileConcat(const TransformOptions& options, CompileContext&) {
    const ConfigCursor parts = options.require("parts");
    parts.expectArray();
    if (parts.node().elements.empty()) {
        parts.fail("concat needs at least one part");
    }
    std::vector<FieldSource> sources;
    for (std::size_t i = 0; i < parts.node().elements.size(); ++i) {
        const ObjectReader part(parts.element(i), {kFromKey, kColumnKey, kConstKey});
        auto source = compileSource(part);
        if (!source) {
            part.cursor().fail("a part needs 'from', 'column' or 'const'");
        }
        sources.push_back(std::move(*source));
    }
    std::string separator;
    if (const auto given = options.get("separator")) {
        separator = given->asString();
    }
    return std::make_unique<Concat>(std::move(sources), std::move(separator));
}

std::unique_ptr<Transform> compileRegexExtract(const TransformOptions& options, CompileContext&) {
    Pattern pattern = Pattern::compile(options.require("pattern"));
    std::size_t group = pattern.groups() > 0 ? 1 : 0;
    if (const auto given = options.get("group")) {
        group = static_cast<std::size_t>(given->asInteger(0, static_cast<long long>(pattern.groups())));
    }
    const std::string no_match = options.choice("on_no_match", {"error", "empty", "keep"}, "error");
    return std::make_unique<RegexExtract>(std::move(pattern), group,
                                          no_match == "empty"  ? NoMatch::Empty
                                          : no_match == "keep" ? NoMatch::Keep
                                                               : NoMatch::Error);
}

std::unique_ptr<Transform> compileBlankIfMatch(const TransformOptions& options, CompileContext&) {
    Pattern pattern = Pattern::compile(options.require("pattern"));
    std::string warning;
    if (const auto given = options.get("warning")) {
        warning = given->asString();
    }
    return std::make_unique<BlankIfMatch>(std::move(pattern), std::move(warning));
}

}  // namespace gateway::mapping
