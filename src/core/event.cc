#include "core/event.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "core/utf8.h"

namespace relance {
namespace {

constexpr const char* kKnownTypes[] = {
    "page_view",      "product_view",       "add_to_cart",
    "remove_from_cart", "checkout_started", "purchase",
    "identify",       "optin",              "offer_shown",
    "offer_dismissed", "offer_converted",   "score_changed",
    "score_threshold_reached", "browse_abandoned", "cart_abandoned",
    "personalization_exposed", "optin_no_cart",
};

bool isLowerOrDigitOrUnderscore(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

// A reference token safe to put in a path: a key built in C++ (not parsed
// from text) may hold invalid UTF-8, and a path must always serialize.
std::string safeToken(const std::string& key) {
  if (findInvalidUtf8(key) == kUtf8Valid) return key;
  std::string out;
  for (unsigned char c : key) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD
    }
  }
  return out;
}

std::string child(const std::string& path, const std::string& key) {
  return pointerAppend(path, safeToken(key));
}

bool isNumber(const Json& v) {
  if (!v.is_number()) return false;
  return !v.is_number_float() || std::isfinite(v.get<double>());
}

double numberOf(const Json& v) {
  if (v.is_number_unsigned()) return static_cast<double>(v.get<std::uint64_t>());
  if (v.is_number_integer()) return static_cast<double>(v.get<std::int64_t>());
  return v.get<double>();
}

bool isPositiveInteger(const Json& v) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>() > 0;
  if (v.is_number_integer()) return v.get<std::int64_t>() > 0;
  return false;
}

bool isCurrency(const Json& v) {
  if (!v.is_string()) return false;
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() != 3) return false;
  for (char c : s) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

// An identifier made by a client: 1..64 bytes, no control characters.
bool isIdentifier(const Json& v) {
  if (!v.is_string()) return false;
  const auto& s = v.get_ref<const std::string&>();
  if (s.empty() || s.size() > kMaxIdBytes) return false;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7F) return false;
  }
  return true;
}

bool isNonEmptyString(const Json& v) {
  return v.is_string() && !v.get_ref<const std::string&>().empty();
}

bool isLocale(const Json& v) { return v.is_string() && isLocaleTag(v.get_ref<const std::string&>()); }

bool isNonNegativeInteger(const Json& v) {
  if (v.is_number_unsigned()) return true;
  return v.is_number_integer() && v.get<std::int64_t>() >= 0;
}

// Collects the errors of one event.
class EventChecker {
 public:
  PathErrors errors;

  void add(std::string path, std::string message) {
    errors.push_back({std::move(path), std::move(message)});
  }

  // Limits that hold for every value: nesting, string sizes, UTF-8.
  void checkLimits(const Json& v, const std::string& path, int depth) {
    if (v.is_string()) {
      checkString(v.get_ref<const std::string&>(), path, "string");
      return;
    }
    if (!v.is_object() && !v.is_array()) return;
    if (depth > kMaxEventDepth) {
      add(path, "nesting deeper than " + decimalText(kMaxEventDepth) + " levels");
      return;
    }
    if (v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it) {
        std::string p = child(path, it.key());
        checkString(it.key(), p, "key");
        checkLimits(it.value(), p, depth + 1);
      }
    } else {
      for (std::size_t i = 0; i < v.size(); ++i) {
        checkLimits(v[i], pointerAppend(path, i), depth + 1);
      }
    }
  }

  void checkTopLevel(const Json& e) {
    static const char* const kFields[] = {"id", "type", "ts", "anonymous_id", "user_id",
                                          "session_id", "consent", "context", "properties"};
    for (auto it = e.begin(); it != e.end(); ++it) {
      bool known = false;
      for (const char* f : kFields) known = known || it.key() == f;
      if (!known) add(child("", it.key()), "unknown field (allowed: id, type, ts, anonymous_id, user_id, session_id, consent, context, properties)");
    }
    identifier(e, "id", /*required=*/true, /*nullable=*/false);
    identifier(e, "anonymous_id", true, false);
    identifier(e, "user_id", false, true);
    identifier(e, "session_id", false, true);

    auto ts = e.find("ts");
    if (ts == e.end()) {
      add("/ts", "is required (milliseconds since the epoch)");
    } else if (!ts->is_number_integer()) {
      add("/ts", "must be an integer (milliseconds since the epoch)");
    } else {
      bool in_range = ts->is_number_unsigned()
                          ? ts->get<std::uint64_t>() <= static_cast<std::uint64_t>(kMaxTimestampMs) &&
                                ts->get<std::uint64_t>() >= static_cast<std::uint64_t>(kMinTimestampMs)
                          : ts->get<std::int64_t>() >= kMinTimestampMs && ts->get<std::int64_t>() <= kMaxTimestampMs;
      if (!in_range) add("/ts", "must be between 2020-01-01 and 2100-01-01 in milliseconds since the epoch");
    }

    auto consent = e.find("consent");
    if (consent != e.end()) checkConsent(*consent);
    auto context = e.find("context");
    if (context != e.end()) checkContext(*context);

    auto type = e.find("type");
    std::string type_name;
    if (type == e.end()) {
      add("/type", "is required");
    } else if (!type->is_string() || !isValidEventType(type->get_ref<const std::string&>())) {
      add("/type", "must be a known event type or custom.<name> with <name> matching [a-z][a-z0-9_]{0,63}");
    } else {
      type_name = type->get<std::string>();
    }

    auto props = e.find("properties");
    const Json* p = nullptr;
    if (props != e.end()) {
      if (!props->is_object()) {
        add("/properties", "must be an object");
        return;
      }
      if (props->size() > kMaxProperties) {
        add("/properties", "at most " + decimalText(kMaxProperties) + " properties (has " +
                               decimalText(props->size()) + ")");
      }
      p = &*props;
    }
    static const Json kEmpty = Json::object();
    if (!type_name.empty()) {
      auto user = e.find("user_id");
      checkTypeProperties(type_name, p ? *p : kEmpty, user != e.end() && !user->is_null());
    }
  }

 private:
  void checkString(const std::string& s, const std::string& path, const char* what) {
    std::size_t bad = findInvalidUtf8(s);
    if (bad != kUtf8Valid) {
      add(path, std::string(what) + " is not valid UTF-8 (byte " + decimalText(bad) + ")");
    } else if (s.size() > kMaxStringBytes) {
      add(path, std::string(what) + " longer than " + decimalText(kMaxStringBytes) + " bytes");
    }
  }

  void identifier(const Json& obj, const char* key, bool required, bool nullable) {
    std::string path = std::string("/") + key;
    auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) add(path, "is required");
      return;
    }
    if (nullable && it->is_null()) return;
    if (!isIdentifier(*it)) add(path, "must be a string of 1 to 64 bytes without control characters");
  }

  void checkConsent(const Json& c) {
    if (!c.is_object()) {
      add("/consent", "must be an object {analytics, marketing}");
      return;
    }
    for (auto it = c.begin(); it != c.end(); ++it) {
      std::string p = child("/consent", it.key());
      if (it.key() != "analytics" && it.key() != "marketing") {
        add(p, "unknown field (allowed: analytics, marketing)");
      } else if (!it->is_boolean()) {
        add(p, "must be a boolean");
      }
    }
  }

  // Every member of `obj` is a string and one of `allowed`.
  void stringMembers(const Json& obj, const std::string& path,
                     std::initializer_list<const char*> allowed, const char* list) {
    if (!obj.is_object()) {
      add(path, "must be an object");
      return;
    }
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      std::string p = child(path, it.key());
      bool known = false;
      for (const char* a : allowed) known = known || it.key() == a;
      if (!known) {
        add(p, std::string("unknown field (allowed: ") + list + ")");
      } else if (!it->is_string()) {
        add(p, "must be a string");
      }
    }
  }

  void checkContext(const Json& c) {
    if (!c.is_object()) {
      add("/context", "must be an object {page, utm, device, locale}");
      return;
    }
    for (auto it = c.begin(); it != c.end(); ++it) {
      const std::string& k = it.key();
      std::string p = child("/context", k);
      if (k == "page") {
        stringMembers(*it, p, {"url", "path", "title", "referrer"}, "url, path, title, referrer");
      } else if (k == "utm") {
        stringMembers(*it, p, {"source", "medium", "campaign", "term", "content"},
                      "source, medium, campaign, term, content");
      } else if (k == "device") {
        checkDevice(*it, p);
      } else if (k == "locale") {
        if (!isLocale(*it)) add(p, "must be a language tag such as \"en\" or \"fr-FR\"");
      } else {
        add(p, "unknown field (allowed: page, utm, device, locale)");
      }
    }
  }

  void checkDevice(const Json& d, const std::string& path) {
    if (!d.is_object()) {
      add(path, "must be an object {type, viewport}");
      return;
    }
    for (auto it = d.begin(); it != d.end(); ++it) {
      std::string p = child(path, it.key());
      if (it.key() == "type") {
        if (!it->is_string()) add(p, "must be a string");
      } else if (it.key() == "viewport") {
        if (!it->is_object()) {
          add(p, "must be an object {w, h}");
          continue;
        }
        for (auto v = it->begin(); v != it->end(); ++v) {
          std::string vp = child(p, v.key());
          if (v.key() != "w" && v.key() != "h") {
            add(vp, "unknown field (allowed: w, h)");
          } else if (!isNonNegativeInteger(*v)) {
            add(vp, "must be a non-negative integer (CSS pixels)");
          }
        }
      } else {
        add(p, "unknown field (allowed: type, viewport)");
      }
    }
  }

  // ---- type-specific properties

  enum class Kind { kNonEmptyString, kPositiveInteger, kNonNegativeNumber, kNumber, kCurrency };

  bool holds(Kind kind, const Json& v) {
    switch (kind) {
      case Kind::kNonEmptyString: return isNonEmptyString(v);
      case Kind::kPositiveInteger: return isPositiveInteger(v);
      case Kind::kNonNegativeNumber: return isNumber(v) && numberOf(v) >= 0;
      case Kind::kNumber: return isNumber(v);
      case Kind::kCurrency: return isCurrency(v);
    }
    return false;
  }

  static const char* describe(Kind kind) {
    switch (kind) {
      case Kind::kNonEmptyString: return "must be a non-empty string";
      case Kind::kPositiveInteger: return "must be a positive integer";
      case Kind::kNonNegativeNumber: return "must be a number >= 0";
      case Kind::kNumber: return "must be a number";
      case Kind::kCurrency: return "must be an ISO 4217 currency code (3 uppercase letters)";
    }
    return "";
  }

  // Checks obj[key] against `kind`; a missing key is an error only when required.
  void member(const Json& obj, const std::string& path, const char* key, Kind kind,
              bool required, const std::string& type) {
    std::string p = pointerAppend(path, key);
    auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) add(p, "is required for " + type);
      return;
    }
    if (!holds(kind, *it)) add(p, describe(kind));
  }

  // A required object member; returns it, or null after reporting.
  const Json* objectMember(const Json& obj, const std::string& path, const char* key,
                           const std::string& type) {
    std::string p = pointerAppend(path, key);
    auto it = obj.find(key);
    if (it == obj.end()) {
      add(p, "is required for " + type);
      return nullptr;
    }
    if (!it->is_object()) {
      add(p, "must be an object");
      return nullptr;
    }
    return &*it;
  }

  void product(const Json& props, const std::string& type) {
    const Json* product = objectMember(props, "/properties", "product", type);
    if (product) member(*product, "/properties/product", "id", Kind::kNonEmptyString, true, type);
  }

  // A non-empty array of line items {id, quantity, price}.
  void lineItems(const Json& props, const char* key, const std::string& type) {
    std::string p = pointerAppend("/properties", key);
    auto it = props.find(key);
    if (it == props.end()) {
      add(p, "is required for " + type);
      return;
    }
    if (!it->is_array() || it->empty()) {
      add(p, "must be a non-empty array of {id, quantity, price}");
      return;
    }
    for (std::size_t i = 0; i < it->size(); ++i) {
      const Json& item = (*it)[i];
      std::string ip = pointerAppend(p, i);
      if (!item.is_object()) {
        add(ip, "must be an object {id, quantity, price}");
        continue;
      }
      member(item, ip, "id", Kind::kNonEmptyString, true, type);
      member(item, ip, "quantity", Kind::kPositiveInteger, true, type);
      member(item, ip, "price", Kind::kNonNegativeNumber, true, type);
    }
  }

 public:
  // The checks that depend on the type, over `properties` (an empty object
  // when the event has none).
  void checkTypeProperties(const std::string& type, const Json& props, bool has_user_id) {
    const std::string P = "/properties";
    // Compared as a view: against a literal its length is known, so most
    // comparisons end at the size (std::string == const char* calls strlen).
    const std::string_view t = type;
    if (t == "product_view") {
      product(props, type);
      member(props, P, "price", Kind::kNonNegativeNumber, false, type);
      member(props, P, "currency", Kind::kCurrency, false, type);
    } else if (t == "add_to_cart") {
      product(props, type);
      member(props, P, "quantity", Kind::kPositiveInteger, true, type);
      member(props, P, "price", Kind::kNonNegativeNumber, true, type);
      member(props, P, "currency", Kind::kCurrency, true, type);
    } else if (t == "remove_from_cart") {
      product(props, type);
      member(props, P, "quantity", Kind::kPositiveInteger, true, type);
      member(props, P, "price", Kind::kNonNegativeNumber, false, type);
      member(props, P, "currency", Kind::kCurrency, false, type);
    } else if (t == "checkout_started") {
      member(props, P, "value", Kind::kNonNegativeNumber, false, type);
      member(props, P, "currency", Kind::kCurrency, false, type);
      if (props.contains("items")) lineItems(props, "items", type);
    } else if (t == "purchase") {
      member(props, P, "order_id", Kind::kNonEmptyString, true, type);
      member(props, P, "revenue", Kind::kNonNegativeNumber, true, type);
      member(props, P, "currency", Kind::kCurrency, true, type);
      lineItems(props, "items", type);
    } else if (t == "identify") {
      // The identified user is the event's own user_id (top level).
      if (!has_user_id) add("/user_id", "is required for identify");
      if (props.contains("traits") && !props["traits"].is_object()) add("/properties/traits", "must be an object");
    } else if (t == "optin" || t == "offer_shown" || t == "offer_dismissed" ||
               t == "offer_converted") {
      member(props, P, "offer_id", Kind::kNonEmptyString, true, type);
      member(props, P, "variant", Kind::kNonEmptyString, false, type);
    } else if (t == "optin_no_cart") {
      member(props, P, "offer_id", Kind::kNonEmptyString, false, type);
    } else if (t == "score_changed") {
      member(props, P, "score", Kind::kNumber, true, type);
      member(props, P, "delta", Kind::kNumber, true, type);
    } else if (t == "score_threshold_reached") {
      member(props, P, "threshold", Kind::kNumber, true, type);
      member(props, P, "score", Kind::kNumber, true, type);
    } else if (t == "browse_abandoned") {
      auto it = props.find("products");
      if (it == props.end()) {
        add("/properties/products", "is required for browse_abandoned");
      } else if (!it->is_array() || it->empty()) {
        add("/properties/products", "must be a non-empty array of {id}");
      } else {
        for (std::size_t i = 0; i < it->size(); ++i) {
          std::string ip = pointerAppend("/properties/products", i);
          if (!(*it)[i].is_object()) {
            add(ip, "must be an object {id}");
          } else {
            member((*it)[i], ip, "id", Kind::kNonEmptyString, true, type);
          }
        }
      }
    } else if (t == "cart_abandoned") {
      lineItems(props, "items", type);
      member(props, P, "value", Kind::kNonNegativeNumber, true, type);
      member(props, P, "currency", Kind::kCurrency, true, type);
    } else if (t == "personalization_exposed") {
      member(props, P, "rule_id", Kind::kNonEmptyString, true, type);
      member(props, P, "variant", Kind::kNonEmptyString, true, type);
    }
    // page_view and custom.* types have no required properties.
  }
};

PathErrors validate(const Json& event, bool check_size) {
  EventChecker checker;
  if (!event.is_object()) {
    checker.add("", "an event must be a JSON object");
    return checker.errors;
  }
  if (check_size) {
    // The replace handler keeps dump() from failing on invalid UTF-8 (that
    // is reported below with its path).
    std::size_t size = event.dump(-1, ' ', false, Json::error_handler_t::replace).size();
    if (size > kMaxEventBytes) {
      checker.add("", "event is " + decimalText(size) + " bytes serialized, more than " +
                          decimalText(kMaxEventBytes));
    }
  }
  checker.checkLimits(event, "", 1);
  checker.checkTopLevel(event);
  return checker.errors;
}

}  // namespace

bool isValidEventType(std::string_view type) {
  for (const char* known : kKnownTypes) {
    if (type == known) return true;
  }
  constexpr std::string_view kCustom = "custom.";
  if (type.size() <= kCustom.size() || type.substr(0, kCustom.size()) != kCustom) return false;
  std::string_view name = type.substr(kCustom.size());
  if (name.size() > 64 || name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name) {
    if (!isLowerOrDigitOrUnderscore(c)) return false;
  }
  return true;
}

bool isEngineEventType(std::string_view type) {
  static const char* const kTypes[] = {"page_view",        "identify",          "offer_shown",
                                       "offer_dismissed",  "offer_converted",   "optin",
                                       "score_changed",    "score_threshold_reached",
                                       "browse_abandoned", "cart_abandoned",    "optin_no_cart",
                                       "personalization_exposed"};
  for (const char* t : kTypes)
    if (type == t) return true;
  return false;
}

bool isLocaleTag(std::string_view s) {
  if (s.size() > 35) return false;
  std::size_t i = 0, n = 0;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  while (i < s.size() && alpha(s[i])) ++i, ++n;
  if (n < 2 || n > 3) return false;
  while (i < s.size()) {
    if (s[i] != '-' && s[i] != '_') return false;
    ++i;
    std::size_t len = 0;
    while (i < s.size() && (alpha(s[i]) || (s[i] >= '0' && s[i] <= '9'))) ++i, ++len;
    if (len < 1 || len > 8) return false;
  }
  return true;
}

PathErrors validateEvent(const Json& event) { return validate(event, /*check_size=*/true); }

PathErrors validateTypeProperties(const std::string& type, const Json& properties, bool has_user_id) {
  EventChecker checker;
  checker.checkTypeProperties(type, properties, has_user_id);
  return checker.errors;
}

PathErrors validateEventText(std::string_view text) {
  if (text.size() > kMaxEventBytes) {
    return {{"", "event is " + decimalText(text.size()) + " bytes, more than " +
                     decimalText(kMaxEventBytes)}};
  }
  std::size_t bad = findInvalidUtf8(text);
  if (bad != kUtf8Valid) {
    return {{"", "text is not valid UTF-8 (byte " + decimalText(bad) + ")"}};
  }
  // Deeper than the limit is reported with its path by validate(); the
  // parser's own bound only keeps hostile input off the stack.
  ParsedJson parsed = parseJson(text, 64);
  if (!parsed.ok) {
    if (parsed.message.rfind("nesting", 0) == 0) {
      return {{"", "nesting deeper than " + decimalText(kMaxEventDepth) + " levels"}};
    }
    // The parser quotes the input it stopped at, possibly half a character.
    return {{"", "invalid JSON: " + toValidUtf8(parsed.message)}};
  }
  // The text is at most kMaxEventBytes and its compact form is no longer.
  return validate(parsed.value, /*check_size=*/false);
}

bool isValidUtf8(std::string_view text) { return findInvalidUtf8(text) == kUtf8Valid; }

}  // namespace relance
