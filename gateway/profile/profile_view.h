#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::profile {

/// How a value is shown when a view masks it.
enum class MaskKind {
    IdNumber,  ///< first 6 and last 4 characters kept: 320411********1248
    Phone,     ///< first 3 and last 4 kept: 138****5678
    Hidden,    ///< replaced by "***"
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

/// `value` masked as `kind` says; values too short to keep both ends are hidden whole.
std::string maskValue(std::string_view value, MaskKind kind);

}  // namespace gateway::profile
