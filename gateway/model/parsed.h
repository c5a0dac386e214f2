#pragma once

#include <optional>
#include <string>
#include <utility>

namespace gateway::model {

/// Used as the Details parameter of Parsed when a parser has nothing to report beyond the message.
struct NoDetails {};

/// The outcome of parsing untrusted text: a value, or the kind of problem plus a message that quotes the
/// input. Bad data is an ordinary outcome here, so the model's parsers never throw for it.
///
/// `Details` carries what a parser still learnt from input it rejected (for example the normalised form of
/// an ID whose check character is wrong), for callers that keep rejected values as evidence.
template <class T, class E, class Details = NoDetails>
class Parsed {
public:
    static Parsed success(T value, Details details = {}) {
        Parsed result;
        result.value_.emplace(std::move(value));
        result.details_ = std::move(details);
        return result;
    }

    static Parsed failure(E kind, std::string message, Details details = {}) {
        Parsed result;
        result.error_kind_ = kind;
        result.error_ = std::move(message);
        result.details_ = std::move(details);
        return result;
    }

    bool ok() const noexcept { return value_.has_value(); }
    explicit operator bool() const noexcept { return ok(); }

    /// Throws std::bad_optional_access when called on a failure: that is a caller bug, not bad data.
    const T& value() const& { return value_.value(); }
    T&& value() && { return std::move(value_).value(); }
    const T& operator*() const& { return value_.value(); }
    const T* operator->() const { return &value_.value(); }

    /// Meaningful only when !ok().
    E errorKind() const noexcept { return error_kind_; }
    /// The human-readable reason; empty when ok().
    const std::string& error() const noexcept { return error_; }
    const Details& details() const noexcept { return details_; }

private:
    Parsed() = default;

    std::optional<T> value_;
    E error_kind_{};
    std::string error_;
    Details details_{};
};

}  // namespace gateway::model
