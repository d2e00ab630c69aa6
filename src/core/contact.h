// Contact details a visitor gives in an opt-in offer, and the opt-in record
// the collector stores (POST /v1/optin). Validated the same way in the
// browser and in the collector.
#ifndef RELANCE_CORE_CONTACT_H_
#define RELANCE_CORE_CONTACT_H_

#include <string>
#include <string_view>

#include "core/error.h"
#include "core/json.h"

namespace relance {

// Returns "" when `email` is a plausible address (one '@', a dotted domain,
// no spaces or control characters, at most 254 bytes), else a message for the
// visitor: "enter an e-mail address like name@example.com".
std::string checkEmail(std::string_view email);

// Returns "" when `phone` is an E.164 number once spaces, dots, dashes and
// parentheses are removed ("+33 6 12 34 56 78"), else a message.
std::string checkPhone(std::string_view phone);

// Checks an opt-in body (docs/design/engine-contract.md, "Opt-in body").
PathErrors validateOptin(const Json& optin);

}  // namespace relance

#endif  // RELANCE_CORE_CONTACT_H_
