// Contact validation shared by offers (browser) and POST /v1/optin (collector).
#include "core/contact.h"

#include "core/event.h"

namespace relance {
namespace {

const char kEmailMessage[] = "enter an e-mail address like name@example.com";
const char kPhoneMessage[] = "enter a phone number with its country code, like +33 6 12 34 56 78";

bool isControlOrSpace(unsigned char c) { return c <= 0x20 || c == 0x7F; }

bool isDomainLabelChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c >= 0x80;
}

bool isString(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string();
}

}  // namespace

std::string checkEmail(std::string_view email) {
  if (email.empty() || email.size() > 254 || !isValidUtf8(email)) return kEmailMessage;
  std::size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos)
    return kEmailMessage;
  std::string_view local = email.substr(0, at);
  std::string_view domain = email.substr(at + 1);
  if (local.size() > 64) return kEmailMessage;
  for (unsigned char c : email) {
    if (isControlOrSpace(c) || c == '<' || c == '>' || c == '"' || c == ',' || c == ';' || c == '\\' ||
        c == '(' || c == ')' || c == '[' || c == ']')
      return kEmailMessage;
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
    return kEmailMessage;
  // The domain: dotted labels of letters, digits and hyphens (or non-ASCII),
  // none empty, none starting or ending with '-', a final label of 2+ chars.
  if (domain.find('.') == std::string_view::npos) return kEmailMessage;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = domain.find('.', start);
    std::string_view label = domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return kEmailMessage;
    for (unsigned char c : label)
      if (!isDomainLabelChar(c)) return kEmailMessage;
    if (dot == std::string_view::npos) {
      if (label.size() < 2) return kEmailMessage;
      break;
    }
    start = dot + 1;
  }
  return "";
}

std::string checkPhone(std::string_view phone) {
  if (phone.size() > 32) return kPhoneMessage;
  std::string digits;
  bool plus = false;
  for (std::size_t i = 0; i < phone.size(); ++i) {
    char c = phone[i];
    if (c == ' ' || c == '.' || c == '-' || c == '(' || c == ')') continue;
    if (c == '+' && digits.empty() && !plus) {
      plus = true;
      continue;
    }
    if (c < '0' || c > '9') return kPhoneMessage;
    digits.push_back(c);
  }
  // E.164: '+', a country code not starting with 0, at most 15 digits in all.
  if (!plus || digits.size() < 8 || digits.size() > 15 || digits[0] == '0') return kPhoneMessage;
  return "";
}

PathErrors validateOptin(const Json& optin) {
  PathErrors errors;
  if (!optin.is_object()) {
    errors.push_back({"", "must be an object"});
    return errors;
  }
  static const char* const kKnown[] = {"id", "ts", "anonymous_id", "user_id", "offer_id", "variant",
                                       "email", "phone", "first_name", "consent"};
  for (auto it = optin.begin(); it != optin.end(); ++it) {
    bool known = false;
    for (const char* k : kKnown) known = known || it.key() == k;
    if (!known) errors.push_back({pointerAppend("", it.key()), "unknown field"});
  }
  for (const char* key : {"id", "anonymous_id", "offer_id"}) {
    if (!isString(optin, key) || optin.find(key)->get<std::string>().empty()) {
      errors.push_back({pointerAppend("", key), "is required (a non-empty string)"});
    } else if (optin.find(key)->get<std::string>().size() > kMaxIdBytes) {
      errors.push_back({pointerAppend("", key), "must be at most 64 bytes"});
    }
  }
  auto ts = optin.find("ts");
  if (ts == optin.end() || !ts->is_number_integer() || ts->get<long long>() < kMinTimestampMs ||
      ts->get<long long>() > kMaxTimestampMs) {
    errors.push_back({"/ts", "must be a time in milliseconds since 1970 (between 2020 and 2100)"});
  }
  for (const char* key : {"user_id", "variant"}) {
    auto it = optin.find(key);
    if (it != optin.end() && !it->is_null() && (!it->is_string() || it->get<std::string>().size() > kMaxIdBytes))
      errors.push_back({pointerAppend("", key), "must be a string of at most 64 bytes or null"});
  }
  bool has_contact = false;
  auto email = optin.find("email");
  if (email != optin.end() && !email->is_null()) {
    std::string message = email->is_string() ? checkEmail(email->get<std::string>()) : kEmailMessage;
    if (!message.empty()) errors.push_back({"/email", message});
    has_contact = true;
  }
  auto phone = optin.find("phone");
  if (phone != optin.end() && !phone->is_null()) {
    std::string message = phone->is_string() ? checkPhone(phone->get<std::string>()) : kPhoneMessage;
    if (!message.empty()) errors.push_back({"/phone", message});
    has_contact = true;
  }
  if (!has_contact) errors.push_back({"/email", "an e-mail address or a phone number is required"});
  auto name = optin.find("first_name");
  if (name != optin.end() && !name->is_null()) {
    if (!name->is_string() || name->get<std::string>().size() > 100 || !isValidUtf8(name->get<std::string>()))
      errors.push_back({"/first_name", "must be a text of at most 100 bytes"});
  }
  auto consent = optin.find("consent");
  if (consent == optin.end() || !consent->is_object()) {
    errors.push_back({"/consent", "is required: {text, checked, ts, page}"});
  } else {
    auto text = consent->find("text");
    if (text == consent->end() || !text->is_string() || text->get<std::string>().size() > kMaxStringBytes)
      errors.push_back({"/consent/text", "must be the exact text shown (a string of at most 2048 bytes, may be empty)"});
    auto checked = consent->find("checked");
    if (checked == consent->end() || !checked->is_boolean())
      errors.push_back({"/consent/checked", "must be true or false"});
    auto cts = consent->find("ts");
    if (cts == consent->end() || !cts->is_number_integer() || cts->get<long long>() < kMinTimestampMs ||
        cts->get<long long>() > kMaxTimestampMs)
      errors.push_back({"/consent/ts", "must be a time in milliseconds since 1970 (between 2020 and 2100)"});
    auto page = consent->find("page");
    if (page == consent->end() || !page->is_string() || page->get<std::string>().size() > kMaxStringBytes)
      errors.push_back({"/consent/page", "must be the page URL (a string of at most 2048 bytes)"});
  }
  return errors;
}

}  // namespace relance
