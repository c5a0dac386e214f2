#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::model {

/// The five levels of the statistical division code, from the top. The product's four levels are City,
/// District, Township and Village; Province only appears as the root of every code.
enum class DivisionLevel { Province, City, District, Township, Village };

/// "province", "city", "district", "township" or "village".
std::string_view divisionLevelName(DivisionLevel level);

/// How many leading digits are significant at `level`: 2, 4, 6, 9 or 12.
std::size_t significantDigits(DivisionLevel level);

class DivisionScope;
struct DivisionCodeResult;
struct DivisionScopeResult;

/// A 12-digit statistical division code (统计用区划代码) PPCCDDTTTVVV, always valid once constructed:
/// the province part is not 00 and no zero part is followed by a non-zero one, except that the townships of
/// the cities NBS publishes without counties (东莞 4419, 中山 4420, 儋州 4604) have a zero county part.
/// Whether the place exists is the DivisionDirectory's business, not this type's.
class DivisionCode {
public:
    /// Accepts untrusted text: trims Unicode spaces, folds full-width digits, and accepts 12 digits or the
    /// significant forms 2, 4, 6 and 9 digits long, which are padded with zeros.
    static DivisionCodeResult parse(std::string_view text);

    /// The 12 digits. The view is valid as long as this object.
    std::string_view text() const { return {digits_.data(), digits_.size()}; }

    /// Derived from the trailing zeros.
    DivisionLevel level() const;

    /// The significant digits: 2, 4, 6, 9 or 12 of them, per level(). A view into this object.
    std::string_view prefix() const;

    /// The division directly above; nullopt for a province. A township of a city without counties has the
    /// city as parent.
    std::optional<DivisionCode> parent() const;

    /// Every division above this one, province first; empty for a province.
    std::vector<DivisionCode> ancestors() const;

    /// The division at `level` that contains this one (this code itself at its own level). nullopt when this
    /// code is above `level`, or when the level is skipped (the county of a city without counties).
    std::optional<DivisionCode> ancestorAt(DivisionLevel level) const;

    bool isWithin(const DivisionScope& scope) const;

    friend auto operator<=>(const DivisionCode&, const DivisionCode&) = default;
    friend bool operator==(const DivisionCode&, const DivisionCode&) = default;

private:
    explicit DivisionCode(const std::array<char, 12>& digits) : digits_(digits) {}

    friend class DivisionScope;

    /// `noun` names the input in messages ("division code", "division scope").
    static DivisionCodeResult parseAs(std::string_view text, std::string_view noun);

    std::array<char, 12> digits_;
};

struct DivisionCodeResult {
    std::optional<DivisionCode> code;
    std::string error;  ///< empty when `code` is set; otherwise says why, quoting the input

    explicit operator bool() const { return code.has_value(); }
};

/// An access scope: every division whose code starts with a given prefix of 2, 4, 6, 9 or 12 digits.
/// A township scope sees exactly the codes that start with its 9 digits.
class DivisionScope {
public:
    /// Accepts "3204", "320411", "320411101", or a padded code such as "320411000000" (the 6-digit scope),
    /// with the same trimming and folding as DivisionCode::parse.
    static DivisionScopeResult parse(std::string_view text);

    /// The scope of `code` and everything below it.
    static DivisionScope of(const DivisionCode& code) { return DivisionScope(code); }

    /// The division the scope is rooted at.
    const DivisionCode& root() const { return root_; }
    std::string_view prefix() const { return root_.prefix(); }
    DivisionLevel level() const { return root_.level(); }

    /// A prefix test on the 12 digits.
    bool contains(const DivisionCode& code) const;
    /// True when every code in `other` is also in this scope.
    bool contains(const DivisionScope& other) const { return contains(other.root_); }

    friend auto operator<=>(const DivisionScope&, const DivisionScope&) = default;
    friend bool operator==(const DivisionScope&, const DivisionScope&) = default;

private:
    explicit DivisionScope(const DivisionCode& root) : root_(root) {}

    DivisionCode root_;
};

struct DivisionScopeResult {
    std::optional<DivisionScope> scope;
    std::string error;  ///< empty when `scope` is set

    explicit operator bool() const { return scope.has_value(); }
};

std::ostream& operator<<(std::ostream& out, const DivisionCode& code);
std::ostream& operator<<(std::ostream& out, const DivisionScope& scope);
std::ostream& operator<<(std::ostream& out, DivisionLevel level);

}  // namespace gateway::model

namespace std {

template <>
struct hash<gateway::model::DivisionCode> {
    size_t operator()(const gateway::model::DivisionCode& code) const noexcept;
};

template <>
struct hash<gateway::model::DivisionScope> {
    size_t operator()(const gateway::model::DivisionScope& scope) const noexcept;
};

}  // namespace std
