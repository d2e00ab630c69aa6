#include "core/json_dom_reader.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/json_reader.h"

namespace relance {
namespace {

using json_reader::skipSpace;

// Recursive descent over one text; the depth is bounded by max_depth, so the
// recursion is too.
class DomReader {
 public:
  DomReader(std::string_view text, int max_depth)
      : begin_(text.data()), end_(text.data() + text.size()), max_depth_(max_depth) {}

  ParsedJson read() {
    ParsedJson out;
    const char* p = begin_;
    // nlohmann skips one UTF-8 byte-order mark before anything else.
    if (end_ - p >= 3 && std::string_view(p, 3) == "\xEF\xBB\xBF") p += 3;
    p = value(skipSpace(p, end_), out.value, 0);
    // nlohmann's lexer takes a NUL byte outside a string for the end of the
    // input: what follows one is not read.
    if (p && (p = skipSpace(p, end_)) != end_ && *p != '\0') p = fail(p, "unexpected content after the value");
    if (p) {
      out.ok = true;
    } else {
      out.value = Json();
      out.offset = static_cast<std::size_t>(fault_ - begin_);
      out.message = depth_exceeded_ ? "nesting deeper than " + decimalText(max_depth_) + " levels"
                                    : "syntax error at byte " + decimalText(out.offset) + ": " + what_;
    }
    return out;
  }

 private:
  // Records the first fault (the one the caller sees) and answers nullptr.
  const char* fail(const char* at, const char* what) {
    fault_ = at;
    what_ = what;
    return nullptr;
  }

  // The value at `p` (white space skipped) into `out`; the byte after it, or
  // nullptr. `depth`: the containers `p` is in.
  const char* value(const char* p, Json& out, int depth) {
    if (p == end_) return fail(p, "unexpected end of input");
    switch (*p) {
      case '{': return object(p, out, depth + 1);
      case '[': return array(p, out, depth + 1);
      case '"': return string(p, out);
      case 't': return literal(p, "true", Json(true), out);
      case 'f': return literal(p, "false", Json(false), out);
      case 'n': return literal(p, "null", Json(), out);
      default:
        if (*p == '-' || json_reader::isDigit(*p)) return number(p, out);
        return fail(p, "expected a value");
    }
  }

  const char* enter(const char* p, int depth) {
    if (depth <= max_depth_) return p + 1;
    depth_exceeded_ = true;
    return fail(p, "");
  }

  const char* object(const char* p, Json& out, int depth) {
    if (!(p = enter(p, depth))) return nullptr;
    out = Json::object();
    p = skipSpace(p, end_);
    if (p < end_ && *p == '}') return p + 1;
    for (;;) {
      if (p == end_ || *p != '"') return fail(p, "expected a string key");
      std::string key;
      if (!(p = text(p, key))) return nullptr;
      p = skipSpace(p, end_);
      if (p == end_ || *p != ':') return fail(p, "expected ':'");
      // Of duplicate keys the last wins, as in nlohmann's DOM.
      if (!(p = value(skipSpace(p + 1, end_), out[key], depth))) return nullptr;
      p = skipSpace(p, end_);
      if (p < end_ && *p == '}') return p + 1;
      if (p == end_ || *p != ',') return fail(p, "expected ',' or '}'");
      p = skipSpace(p + 1, end_);
    }
  }

  const char* array(const char* p, Json& out, int depth) {
    if (!(p = enter(p, depth))) return nullptr;
    out = Json::array();
    auto& items = out.get_ref<Json::array_t&>();
    p = skipSpace(p, end_);
    if (p < end_ && *p == ']') return p + 1;
    for (;;) {
      items.emplace_back();
      if (!(p = value(p, items.back(), depth))) return nullptr;
      p = skipSpace(p, end_);
      if (p < end_ && *p == ']') return p + 1;
      if (p == end_ || *p != ',') return fail(p, "expected ',' or ']'");
      p = skipSpace(p + 1, end_);
    }
  }

  const char* string(const char* p, Json& out) {
    std::string v;
    if (!(p = text(p, v))) return nullptr;
    out = std::move(v);
    return p;
  }

  // The string at `p` (at its '"'), decoded into `out`.
  const char* text(const char* p, std::string& out) {
    bool escaped = false;
    const char* after = json_reader::readString(p, end_, escaped);
    if (!after) return fail(p, "invalid string");
    if (escaped) json_reader::decodeString(p + 1, after - 1, out);
    else out.assign(p + 1, after - 1);
    return after;
  }

  const char* literal(const char* p, std::string_view word, Json v, Json& out) {
    const char* after = json_reader::readLiteral(p, end_, word);
    if (!after) return fail(p, "expected a value");
    out = std::move(v);
    return after;
  }

  // As nlohmann's lexer: an integer token is read as an unsigned 64-bit
  // number (signed when it starts with '-'); one that does not fit, and
  // every token with a fraction or an exponent, as a double (strtod: the
  // browser's Number() in the tag, src/wasm/browser_strtod.cc).
  const char* number(const char* p, Json& out) {
    json_reader::NumberShape shape;
    const char* after = json_reader::readNumber(p, end_, shape);
    if (!after) return fail(p, "invalid number");
    if (!shape.fraction && shape.exponent_digits == 0 && integer(p, after, out)) return after;
    std::string token(p, after);
    double v = std::strtod(token.c_str(), nullptr);
    if (!std::isfinite(v)) return fail(p, "number overflow");
    out = v;
    return after;
  }

  // The integer token [p, end) into `out` when it fits its 64-bit type.
  static bool integer(const char* p, const char* end, Json& out) {
    const bool negative = *p == '-';
    if (negative) ++p;
    std::uint64_t magnitude = 0;
    for (; p < end; ++p) {
      const unsigned digit = static_cast<unsigned>(*p - '0');
      if (magnitude > (UINT64_MAX - digit) / 10) return false;
      magnitude = magnitude * 10 + digit;
    }
    if (!negative) {
      out = static_cast<Json::number_unsigned_t>(magnitude);
    } else {
      if (magnitude > std::uint64_t{1} << 63) return false;
      out = static_cast<Json::number_integer_t>(0 - magnitude);  // two's complement: -2^63 included
    }
    return true;
  }

  const char* begin_;
  const char* end_;
  int max_depth_;
  bool depth_exceeded_ = false;
  const char* fault_ = nullptr;
  const char* what_ = "";
};

}  // namespace

ParsedJson readJsonDom(std::string_view text, int max_depth) { return DomReader(text, max_depth).read(); }

}  // namespace relance
