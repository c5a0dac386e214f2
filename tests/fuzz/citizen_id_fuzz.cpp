// Citizen ID parsing (GB 11643, both forms, full-width digits, spaces) and the masking every log line relies on.
//
// Input: the text of an ID number.
#include "gateway/common/utf8.h"
#include "gateway/model/citizen_id.h"
#include "tests/fuzz/fuzz_check.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

using gateway::fuzz::check;
using gateway::model::CitizenId;
using gateway::model::CitizenIdError;

void checkParsed(const CitizenId& id) {
    const std::string& value = id.value();
    check(value.size() == 18, "an ID has 18 characters");
    check(CitizenId::checkCharacter(std::string_view(value).substr(0, 17)) == value[17], "the check character holds");
    check(id.birthDate().isValid(), "the birth date exists");
    const auto again = gateway::model::parseCitizenId(value);
    check(again.ok() && again->value() == value && !again->wasUpgraded(), "the normalised form reads back");
    const std::string masked = id.masked();
    check(masked.size() == 18 && masked.substr(0, 6) == value.substr(0, 6) && masked.substr(14) == value.substr(14),
          "masking keeps the region and the last four");
    check(masked.substr(6, 8) == "********", "masking hides the birth date");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto result = gateway::model::parseCitizenId(text);
    if (result.ok()) {
        checkParsed(*result);
        check(result->original() == text, "the original is kept as given");
    } else {
        check(!result.error().empty(), "a failure says why");
        const std::string& normalised = result.details().normalised;
        const bool shaped = result.errorKind() == CitizenIdError::BadRegion ||
                            result.errorKind() == CitizenIdError::BadBirthDate ||
                            result.errorKind() == CitizenIdError::BadCheckDigit;
        check(normalised.empty() != shaped, "the normalised form is kept exactly for ID-shaped input");
        if (shaped) {
            check(normalised.size() == 18, "a kept normalised form has 18 characters");
        }
    }
    const std::string masked = gateway::model::maskCitizenId(text);
    if (gateway::utf8::isValid(text)) {
        check(gateway::utf8::isValid(masked) && gateway::utf8::length(masked) == gateway::utf8::length(text),
              "masking keeps the number of characters");
    } else {
        check(masked == std::string(text.size(), '*'), "invalid UTF-8 is masked byte by byte");
    }
    CitizenId::checkCharacter(text);
    return 0;
}
