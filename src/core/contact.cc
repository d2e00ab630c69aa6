// Stub: replaced by the decisions work (issue 5).
#include "core/contact.h"

namespace relance {

std::string checkEmail(std::string_view email) {
  return email.find('@') == std::string_view::npos ? "enter an e-mail address like name@example.com" : "";
}

std::string checkPhone(std::string_view phone) {
  return phone.empty() ? "enter a phone number like +33 6 12 34 56 78" : "";
}

PathErrors validateOptin(const Json& optin) {
  PathErrors errors;
  if (!optin.is_object()) errors.push_back({"", "must be an object"});
  return errors;
}

}  // namespace relance
