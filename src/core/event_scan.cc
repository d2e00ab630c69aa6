#include "core/event_scan.h"

#include <cmath>
#include <cstdlib>
#include <initializer_list>
#include <string>

#include "core/event.h"
#include "core/json.h"
#include "core/json_reader.h"

namespace relance {
namespace {

// Deeper bodies go to parseJson (whose own bound is 64): far above the
// event limit, so no valid event is affected.
constexpr int kMaxScanDepth = 40;

// An upper bound of the length nlohmann's dump() gives one number literal.
// Strings and keys never serialize longer than they were sent (escapes only
// shrink or stay); numbers may ("1e2" dumps as "100.0"), never beyond this.
constexpr std::size_t kMaxNumberDumpBytes = 25;

using json_reader::isDigit;
using json_reader::isSpace;

// True when strtod reads `literal` (a JSON number) as an infinity.
bool overflowsDouble(std::string_view literal) {
  std::string copy(literal);
  return !std::isfinite(std::strtod(copy.c_str(), nullptr));
}

bool isOneOf(std::string_view key, std::initializer_list<std::string_view> names) {
  for (auto name : names) {
    if (key == name) return true;
  }
  return false;
}

// What the scan of one event learned.
struct Facts {
  bool fast = true;         // still provably valid
  std::size_t numbers = 0;  // number literals seen (see kMaxNumberDumpBytes)
};

// A recursive-descent reader over the body. Any syntax it does not accept
// sets ok_ to false and stops the scan (the caller then uses parseJson).
class Scanner {
 public:
  explicit Scanner(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {
    keys_.reserve(32);  // an event's keys at every level, usually fewer: one allocation, not five
  }

  ScannedBatch batch() {
    ScannedBatch out;
    std::string_view key;
    bool escaped = false;
    if (!eat('{') || !peek('"') || !string(key, escaped) || escaped || key != "events" || !eat(':') ||
        !eat('[')) {
      return out;
    }
    if (!eat(']')) {
      for (;;) {
        out.events.push_back(event());
        if (!ok_) return out;
        if (eat(',')) continue;
        if (eat(']')) break;
        return out;
      }
    }
    if (!eat('}')) return out;
    skipSpace();
    out.ok = ok_ && p_ == end_;
    return out;
  }

 private:
  // ---- tokens

  // The hot loops read through a local pointer: p_ is a member, and a char
  // store may alias it, so the compiler would reload it at every byte.
  void skipSpace() {
    const char* p = json_reader::skipSpace(p_, end_);
    spaced_ = spaced_ || p != p_;
    p_ = p;
  }
  bool peek(char c) {
    skipSpace();
    return p_ < end_ && *p_ == c;
  }
  bool eat(char c) {
    if (!peek(c)) return false;
    ++p_;
    return true;
  }
  void fail() {
    ok_ = false;
    p_ = end_;  // every loop stops at the end
  }

  // At '"'. Reads a string (json_reader's rules); `raw` is what lies between
  // the quotes.
  bool string(std::string_view& raw, bool& escaped) {
    const char* after = json_reader::readString(p_, end_, escaped);
    if (!after) return fail(), false;
    raw = std::string_view(p_ + 1, static_cast<std::size_t>(after - 1 - (p_ + 1)));
    p_ = after;
    return true;
  }

  // At '-' or a digit. `integer`: no fraction and no exponent.
  bool number(std::string_view& raw, bool& integer, bool& huge_exponent) {
    json_reader::NumberShape shape;
    const char* after = json_reader::readNumber(p_, end_, shape);
    if (!after) return fail(), false;
    raw = std::string_view(p_, static_cast<std::size_t>(after - p_));
    p_ = after;
    integer = !shape.fraction && shape.exponent_digits == 0;
    // 1e-400 parses to 0 and dumps as 0.0: not the bytes sent.
    huge_exponent = shape.exponent_digits > 2;
    // A literal beyond double's range (1e400, or 400 digits) makes nlohmann
    // refuse the whole body ("number overflow"): the reference path says so.
    if ((huge_exponent || raw.size() > 300) && overflowsDouble(raw)) return fail(), false;
    return true;
  }

  bool literal(std::string_view word) {
    const char* after = json_reader::readLiteral(p_, end_, word);
    if (!after) return fail(), false;
    p_ = after;
    return true;
  }

  // ---- values, with the limits every value of an event obeys
  //
  // `depth` counts like validateEvent's: the event object is at depth 1.

  void value(Facts& f, int depth) {
    skipSpace();
    if (p_ == end_) return fail();
    switch (*p_) {
      case '{':
        members(f, depth, [&](std::string_view, bool) { value(f, depth + 1); });
        return;
      case '[':
        elements(f, depth);
        return;
      case '"': {
        std::string_view raw;
        bool escaped;
        // The value is never longer than the raw text: a raw size within the limit proves it.
        if (string(raw, escaped) && raw.size() > kMaxStringBytes) f.fast = false;
        return;
      }
      case 't': literal("true"); return;
      case 'f': literal("false"); return;
      case 'n': literal("null"); return;
      default: {
        if (*p_ != '-' && !isDigit(*p_)) return fail();
        std::string_view raw;
        bool integer, huge_exponent;
        if (!number(raw, integer, huge_exponent)) return;
        ++f.numbers;
        if (huge_exponent) f.fast = false;
      }
    }
  }

  // At '{': reads an object, calling on_member(key, escaped) with the scanner
  // at each member's value (it must read exactly that value). Duplicate or
  // escaped keys are not provably the value validateEvent sees (the last
  // duplicate wins there). Returns the number of members.
  template <typename OnMember>
  std::size_t members(Facts& f, int depth, OnMember on_member) {
    if (depth > kMaxEventDepth) f.fast = false;
    if (depth > kMaxScanDepth) return fail(), 0;
    ++p_;
    std::size_t first_key = keys_.size();
    std::size_t count = 0;
    // One bit per key of this object, from its length and end bytes: the
    // keys are compared only when a key's bit is already set (rare).
    std::uint64_t key_bits = 0;
    if (!eat('}')) {
      for (;;) {
        std::string_view key;
        bool escaped = false;
        if (!peek('"') || !string(key, escaped)) return fail(), 0;
        if (escaped || key.size() > kMaxStringBytes) f.fast = false;
        std::uint64_t bit = key.empty() ? 1 : std::uint64_t{1} << ((key.size() * 7 + static_cast<unsigned char>(key.front()) +
                                                                    static_cast<unsigned char>(key.back())) & 63);
        if (key_bits & bit) {
          for (std::size_t i = first_key; i < keys_.size(); ++i) {
            if (keys_[i] == key) f.fast = false;
          }
        }
        key_bits |= bit;
        keys_.push_back(key);
        ++count;
        if (!eat(':')) return fail(), 0;
        on_member(key, escaped);
        if (!ok_) return 0;
        if (eat(',')) continue;
        if (eat('}')) break;
        return fail(), 0;
      }
    }
    keys_.resize(first_key);
    return count;
  }

  void elements(Facts& f, int depth) {
    if (depth > kMaxEventDepth) f.fast = false;
    if (depth > kMaxScanDepth) return fail();
    ++p_;
    if (eat(']')) return;
    for (;;) {
      value(f, depth + 1);
      if (!ok_) return;
      if (eat(',')) continue;
      if (eat(']')) return;
      return fail();
    }
  }

  // ---- the fields of an event: each reads one value at `depth` and clears
  // f.fast unless the value is provably what validateEvent accepts.

  // A string without escapes (so `raw` is its value).
  bool plainString(Facts& f, int depth, std::string_view& raw) {
    if (!peek('"')) {
      f.fast = false;
      value(f, depth);
      return false;
    }
    bool escaped;
    if (!string(raw, escaped)) return false;
    if (escaped || raw.size() > kMaxStringBytes) {
      f.fast = false;
      return false;
    }
    return true;
  }

  // 1 to kMaxIdBytes bytes, no control character (none can appear raw in JSON but DEL).
  void identifier(Facts& f, int depth, std::string_view& out) {
    std::string_view raw;
    if (!plainString(f, depth, raw)) return;
    if (raw.empty() || raw.size() > kMaxIdBytes || raw.find('\x7f') != std::string_view::npos) f.fast = false;
    out = raw;
  }

  // A decimal integer without sign, fraction or exponent, at most `max_digits` long.
  bool plainInteger(Facts& f, int depth, std::size_t max_digits, std::int64_t& out) {
    skipSpace();
    if (p_ == end_ || !isDigit(*p_)) {
      f.fast = false;
      value(f, depth);
      return false;
    }
    std::string_view raw;
    bool integer, huge_exponent;
    if (!number(raw, integer, huge_exponent)) return false;
    ++f.numbers;
    if (!integer || raw.size() > max_digits) {
      f.fast = false;
      return false;
    }
    out = 0;
    for (char c : raw) out = out * 10 + (c - '0');
    return true;
  }

  bool boolean(Facts& f, int depth, bool& out) {
    skipSpace();
    if (p_ < end_ && *p_ == 't') return out = true, literal("true");
    if (p_ < end_ && *p_ == 'f') return out = false, literal("false");
    f.fast = false;
    value(f, depth);
    return false;
  }

  // An object whose members are all strings named in `allowed`.
  void stringMembers(Facts& f, int depth, std::initializer_list<std::string_view> allowed) {
    if (!peek('{')) {
      f.fast = false;
      return value(f, depth);
    }
    members(f, depth, [&](std::string_view key, bool) {
      if (!isOneOf(key, allowed) || !peek('"')) f.fast = false;
      value(f, depth + 1);
    });
  }

  void consent(Facts& f, ScannedEvent& out) {
    if (!peek('{')) {
      f.fast = false;
      return value(f, 2);
    }
    members(f, 2, [&](std::string_view key, bool) {
      bool granted = true;
      if (!isOneOf(key, {"analytics", "marketing"})) {
        f.fast = false;
        value(f, 3);
      } else if (boolean(f, 3, granted) && key == "analytics") {
        out.analytics_refused = !granted;
      }
    });
  }

  void device(Facts& f) {
    if (!peek('{')) {
      f.fast = false;
      return value(f, 3);
    }
    members(f, 3, [&](std::string_view key, bool) {
      if (key == "type") {
        if (!peek('"')) f.fast = false;
        value(f, 4);
      } else if (key == "viewport" && peek('{')) {
        members(f, 4, [&](std::string_view size, bool) {
          std::int64_t pixels;
          if (!isOneOf(size, {"w", "h"})) {
            f.fast = false;
            value(f, 5);
          } else {
            plainInteger(f, 5, 18, pixels);  // non-negative: no sign allowed
          }
        });
      } else {
        f.fast = false;
        value(f, 4);
      }
    });
  }

  void context(Facts& f) {
    if (!peek('{')) {
      f.fast = false;
      return value(f, 2);
    }
    members(f, 2, [&](std::string_view key, bool) {
      if (key == "page") {
        stringMembers(f, 3, {"url", "path", "title", "referrer"});
      } else if (key == "utm") {
        stringMembers(f, 3, {"source", "medium", "campaign", "term", "content"});
      } else if (key == "device") {
        device(f);
      } else if (key == "locale") {
        std::string_view locale;
        if (plainString(f, 3, locale) && !isLocaleTag(locale)) f.fast = false;
      } else {
        f.fast = false;
        value(f, 3);
      }
    });
  }

  ScannedEvent event() {
    ScannedEvent out;
    Facts f;
    skipSpace();
    const char* begin = p_;
    spaced_ = false;
    if (!peek('{')) {
      f.fast = false;  // not an object: validateEvent says so
      value(f, 1);
      out.text = std::string_view(begin, static_cast<std::size_t>(p_ - begin));
      return out;
    }
    bool has_id = false, has_anonymous_id = false, has_ts = false, has_type = false, has_user_id = false;
    std::string_view properties;  // the object's text, when present
    members(f, 1, [&](std::string_view key, bool) {
      if (key == "id") {
        has_id = true;
        identifier(f, 2, out.id);
      } else if (key == "anonymous_id") {
        has_anonymous_id = true;
        identifier(f, 2, out.anonymous_id);
      } else if (key == "user_id" || key == "session_id") {
        std::string_view ignored;
        if (peek('n')) {
          literal("null");
        } else {
          has_user_id = has_user_id || key == "user_id";
          identifier(f, 2, ignored);
        }
      } else if (key == "ts") {
        has_ts = true;
        if (plainInteger(f, 2, 13, out.ts) && (out.ts < kMinTimestampMs || out.ts > kMaxTimestampMs)) f.fast = false;
      } else if (key == "type") {
        has_type = true;
        if (plainString(f, 2, out.type) && !isValidEventType(out.type)) f.fast = false;
      } else if (key == "consent") {
        consent(f, out);
      } else if (key == "context") {
        context(f);
      } else if (key == "properties" && peek('{')) {
        const char* start = p_;
        std::size_t count = members(f, 2, [&](std::string_view, bool) { value(f, 3); });
        if (count > kMaxProperties) f.fast = false;
        properties = std::string_view(start, static_cast<std::size_t>(p_ - start));
      } else {
        f.fast = false;  // an unknown field, or properties that are not an object
        value(f, 2);
      }
    });
    out.text = std::string_view(begin, static_cast<std::size_t>(p_ - begin));
    if (!ok_ || !f.fast || !has_id || !has_anonymous_id || !has_ts || !has_type) return out;

    // The rules of the type, over a document of `properties` only (usually
    // small, often absent or "{}").
    static const Json kEmpty = Json::object();
    bool empty = properties.empty() || properties.find_first_not_of(" \t\r\n", 1) == properties.size() - 1;
    PathErrors errors;
    if (empty) {
      errors = validateTypeProperties(std::string(out.type), kEmpty, has_user_id);
    } else {
      ParsedJson parsed = parseJson(properties);
      if (!parsed.ok) return out;
      errors = validateTypeProperties(std::string(out.type), parsed.value, has_user_id);
    }
    if (!errors.empty()) return out;

    // Usually there is no whitespace between the tokens (JSON.stringify's output): a plain copy.
    out.compact = spaced_ ? compact(out.text) : std::string(out.text);
    if (out.compact.size() + f.numbers * kMaxNumberDumpBytes > kMaxEventBytes) return out;
    out.valid = true;
    return out;
  }

  // `text` (well-formed JSON) without the whitespace between tokens.
  static std::string compact(std::string_view text) {
    std::string out(text.size(), '\0');
    char* o = out.data();
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      if (in_string) {
        *o++ = c;
        if (c == '\\') {
          *o++ = text[++i];
        } else if (c == '"') {
          in_string = false;
        }
      } else if (!isSpace(c)) {
        *o++ = c;
        in_string = c == '"';
      }
    }
    out.resize(static_cast<std::size_t>(o - out.data()));
    return out;
  }

  const char* p_;
  const char* end_;
  bool ok_ = true;
  bool spaced_ = false;  // skipSpace() skipped something since the current event began
  std::vector<std::string_view> keys_;  // keys of the objects being read, innermost last
};

}  // namespace

ScannedBatch scanEventBatch(std::string_view body) { return Scanner(body).batch(); }

}  // namespace relance
