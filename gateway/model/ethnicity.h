#pragma once

#include "gateway/model/parsed.h"

#include <optional>
#include <span>
#include <string_view>

namespace gateway::model {

/// One row of the ethnic-group table: the 56 groups of GB/T 3304-1991 and the extension codes 97 (其他) and
/// 98 (外国血统中国籍人士) that real systems use. The extensions have no letter code or romanization.
struct EthnicityRow {
    int number;
    std::string_view code;          // "01"
    std::string_view letter_code;   // "HA"; empty for 97 and 98
    std::string_view name;          // "汉族"
    std::string_view romanization;  // "Han"; empty for 97 and 98
};

/// An ethnic group. Always one of the table's rows, so every accessor has a value.
class Ethnicity {
public:
    inline static constexpr int kOther = 97;
    inline static constexpr int kForeignOrigin = 98;

    /// Looks up a numeric code: 1–56, 97 or 98.
    static std::optional<Ethnicity> fromCode(int code) noexcept;

    /// All 58 groups, ordered by code.
    static std::span<const EthnicityRow> table() noexcept;

    int number() const noexcept { return row_->number; }
    /// Two digits, "01".
    std::string_view code() const noexcept { return row_->code; }
    std::string_view letterCode() const noexcept { return row_->letter_code; }
    /// The standard name with 族, "汉族"; 其他 and 外国血统中国籍人士 for the extensions.
    std::string_view name() const noexcept { return row_->name; }
    std::string_view romanization() const noexcept { return row_->romanization; }
    /// False for the extension codes 97 and 98.
    bool isStandard() const noexcept { return row_->number <= 56; }

    friend bool operator==(const Ethnicity& a, const Ethnicity& b) noexcept { return a.row_ == b.row_; }

private:
    explicit Ethnicity(const EthnicityRow* row) noexcept : row_(row) {}

    const EthnicityRow* row_;
};

enum class EthnicityError {
    Empty,    // nothing but spaces
    Unknown,  // not a code, letter code, name, old name or romanization of any group
};

using EthnicityResult = Parsed<Ethnicity, EthnicityError>;

/// Accepts the numeric code ("01" or "1"), the letter code ("HA", any case), the Chinese name with or without
/// 族 and a trailing 人 ("汉", "汉族", "汉族人"), the old names 毛难族 and 崩龙族, and the romanization (any case,
/// also Korean and Tibetan, which the standard names for foreign audiences). Surrounding spaces and full-width
/// forms are accepted.
EthnicityResult parseEthnicity(std::string_view text);

}  // namespace gateway::model
