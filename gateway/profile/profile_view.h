#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::profile {

/// How a value is shown when a view masks it. There is no partial mask: the eight middle digits of an ID number are
/// the birth date, which views show, and the region digits are the registered division, so an ID kept at both ends
/// reads back whole; a phone kept at both ends leaves ten thousand guesses. A level either needs a value (the view
/// shows it, and every read is logged) or learns only that there is one.
enum class MaskKind {
    Withheld,  ///< a value there is shown as "***", none of its characters; an empty one stays empty
    Redact,    ///< citizen ID and mobile numbers inside the text become "[redacted]", the rest stays (names, dates)
};

/// The fields one kind of client may see of a profile (config/profile/views.json): the members it includes, then
/// what is masked and what is dropped inside them. Paths are JSON pointers whose segments may be `*` (any one
/// member or element) and `**` (any number of levels).
struct ProfileView {
    std::string name;
    std::string description;
    bool profiles = true;  ///< false: statistics only, no profile is readable through this view
    std::vector<std::string> include;
    std::map<std::string, MaskKind> mask;
    std::vector<std::string> drop;

    /// The profile as this view shows it. `profile_json` is a whole profile (ProfileVersion::profile_json); the
    /// result is compact JSON holding only the included members, masked and dropped as configured.
    std::string apply(std::string_view profile_json) const;
};

/// The views by name.
class ProfileViews {
public:
    /// Throws GatewayError(InvalidConfig) naming the JSON pointer of a mistake.
    static ProfileViews parse(std::string_view json, std::string_view origin);
    /// config/profile/views.json as compiled in.
    static ProfileViews builtin();
    /// `dir`/views.json.
    static ProfileViews load(const std::string& dir);

    /// nullptr for an unknown name.
    const ProfileView* find(std::string_view name) const;
    std::vector<std::string> names() const;

private:
    std::map<std::string, ProfileView, std::less<>> views_;
};

/// `value` masked as `kind` says.
std::string maskValue(std::string_view value, MaskKind kind);

}  // namespace gateway::profile
