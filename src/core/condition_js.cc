#include "core/condition_js.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "core/regex.h"
#include "core/utf8.h"

namespace relance {
namespace js {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double numberOf(const Json& v) {
  if (v.is_number_unsigned()) return static_cast<double>(v.get<Json::number_unsigned_t>());
  if (v.is_number_integer()) return static_cast<double>(v.get<Json::number_integer_t>());
  return v.get<Json::number_float_t>();
}

// Decodes one UTF-8 code point at s[i] (valid UTF-8 assumed; bad bytes are
// taken as U+FFFD), advancing i.
uint32_t decode(std::string_view s, std::size_t& i) {
  unsigned char b = static_cast<unsigned char>(s[i]);
  int len = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0;
  if (len == 0 || i + len > s.size()) { ++i; return 0xFFFD; }
  uint32_t cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += len;
  return cp;
}

// JS WhiteSpace and LineTerminator, the set String-to-Number trims.
bool isJsSpace(uint32_t c) {
  return c == 0x09 || c == 0x0A || c == 0x0B || c == 0x0C || c == 0x0D || c == 0x20 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

double parseRadix(std::string_view digits, int radix) {
  if (digits.empty()) return kNaN;
  double v = 0;
  for (char ch : digits) {
    int d = (ch >= '0' && ch <= '9') ? ch - '0' : (ch >= 'a' && ch <= 'z') ? ch - 'a' + 10
          : (ch >= 'A' && ch <= 'Z') ? ch - 'A' + 10 : 99;
    if (d >= radix) return kNaN;
    v = v * radix + d;  // exact up to 2^53; beyond, within an ulp of JS
  }
  return v;
}

// The primitive a value becomes for < and String(): a string (arrays,
// objects and strings), or the value itself (numbers, booleans, null).
bool primitiveIsString(const Json& v) { return v.is_string() || v.is_array() || v.is_object(); }

}  // namespace

double stringToNumber(std::string_view s) {
  // Trim JS whitespace at both ends.
  std::size_t b = 0, e = s.size();
  while (b < e) {
    std::size_t i = b;
    if (!isJsSpace(decode(s, i))) break;
    b = i;
  }
  while (e > b) {
    std::size_t start = e - 1;
    while (start > b && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    std::size_t i = start;
    if (!isJsSpace(decode(s, i))) break;
    e = start;
  }
  std::string_view t = s.substr(b, e - b);
  if (t.empty()) return 0;
  if (t.size() > 2 && t[0] == '0') {
    char p = t[1];
    if (p == 'x' || p == 'X') return parseRadix(t.substr(2), 16);
    if (p == 'o' || p == 'O') return parseRadix(t.substr(2), 8);
    if (p == 'b' || p == 'B') return parseRadix(t.substr(2), 2);
  }
  std::size_t i = 0;
  bool neg = false;
  if (t[i] == '+' || t[i] == '-') { neg = t[i] == '-'; ++i; }
  if (t.substr(i) == "Infinity") return neg ? -HUGE_VAL : HUGE_VAL;
  // StrUnsignedDecimalLiteral: digits [. digits] | . digits, then [eE][+-]digits.
  std::size_t start = i, int_digits = 0, frac_digits = 0;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') { ++i; ++int_digits; }
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') { ++i; ++frac_digits; }
  }
  if (int_digits + frac_digits == 0) return kNaN;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    std::size_t j = i + 1;
    if (j < t.size() && (t[j] == '+' || t[j] == '-')) ++j;
    std::size_t exp_start = j;
    while (j < t.size() && t[j] >= '0' && t[j] <= '9') ++j;
    if (j == exp_start) return kNaN;
    i = j;
  }
  if (i != t.size()) return kNaN;
  std::string text(t.substr(start));
  double v = std::strtod(text.c_str(), nullptr);  // the C locale: '.' is the point
  return neg ? -v : v;
}

double toNumber(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return 0;
    case Json::value_t::boolean: return v.get<bool>() ? 1 : 0;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return numberOf(v);
    case Json::value_t::string: return stringToNumber(v.get_ref<const std::string&>());
    case Json::value_t::array: {
      if (v.empty()) return 0;
      std::string s;
      appendString(v, s);
      return stringToNumber(s);
    }
    default: return kNaN;
  }
}

// Weak: the browser tag's wasm links its own, the browser's String(d)
// (src/wasm/browser_number_string.cc), which computes exactly this; this one
// needs snprintf's floating-point formatter, which the tag then leaves out
// (docs/design/performance.md, "Browser tag", session 5).
__attribute__((weak)) std::string numberToString(double d) {
  if (std::isnan(d)) return "NaN";
  if (d == 0) return "0";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  // Shortest digits that read back to d (Number::toString's k).
  char buf[40];
  int precision = 1;
  for (; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*e", precision - 1, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  // buf is "-d.ddde+XX": collect the digits and the exponent.
  std::string digits;
  const char* p = buf;
  bool neg = false;
  if (*p == '-') { neg = true; ++p; }
  for (; *p && *p != 'e'; ++p) if (*p != '.') digits.push_back(*p);
  int exp10 = std::atoi(p + 1);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  int k = int(digits.size());
  int n = exp10 + 1;  // the decimal point sits after n digits
  std::string out = neg ? "-" : "";
  if (k <= n && n <= 21) {
    out += digits;
    out.append(std::size_t(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, std::size_t(n));
    out += '.';
    out += digits.substr(std::size_t(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(std::size_t(-n), '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) { out += '.'; out += digits.substr(1); }
    out += 'e';
    out += n - 1 >= 0 ? '+' : '-';
    out += decimalText(std::abs(n - 1));
  }
  return out;
}

void appendString(const Json& v, std::string& out) {
  switch (v.type()) {
    case Json::value_t::null: out += "null"; return;
    case Json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: out += numberToString(numberOf(v)); return;
    case Json::value_t::string: out += v.get_ref<const std::string&>(); return;
    case Json::value_t::array: {
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += ',';
        first = false;
        if (!e.is_null()) appendString(e, out);  // join: null and undefined are empty
      }
      return;
    }
    default: out += "[object Object]"; return;
  }
}

bool truthy(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return false;
    case Json::value_t::boolean: return v.get<bool>();
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: {
      double d = numberOf(v);
      return d == d && d != 0;
    }
    case Json::value_t::string: return !v.get_ref<const std::string&>().empty();
    default: return true;
  }
}

int compareUtf16(std::string_view a, std::string_view b) {
  // Byte order equals code point order; it differs from UTF-16 order only
  // when a supplementary character meets one in U+E000..U+FFFF.
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] == b[j]) { ++i; ++j; continue; }
    std::size_t ia = i, jb = j;
    while (ia > 0 && (static_cast<unsigned char>(a[ia]) & 0xC0) == 0x80) --ia;
    while (jb > 0 && (static_cast<unsigned char>(b[jb]) & 0xC0) == 0x80) --jb;
    uint32_t ca = decode(a, ia), cb = decode(b, jb);
    auto unit = [](uint32_t c) { return c >= 0x10000 ? 0xD800 + ((c - 0x10000) >> 10) : c; };
    uint32_t ua = unit(ca), ub = unit(cb);
    if (ua != ub) return ua < ub ? -1 : 1;
    // Same high surrogate: compare the low ones.
    auto low = [](uint32_t c) { return 0xDC00 + ((c - 0x10000) & 0x3FF); };
    return low(ca) < low(cb) ? -1 : 1;
  }
  if (i == a.size() && j == b.size()) return 0;
  return i == a.size() ? -1 : 1;
}

Order compare(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) {
    double x = numberOf(a), y = numberOf(b);
    if (x != x || y != y) return Order::kUndefined;
    return x < y ? Order::kLess : x > y ? Order::kGreater : Order::kEqual;
  }
  if (primitiveIsString(a) && primitiveIsString(b)) {
    int c;
    if (a.is_string() && b.is_string()) {
      c = compareUtf16(a.get_ref<const std::string&>(), b.get_ref<const std::string&>());
    } else {
      std::string sa, sb;
      appendString(a, sa);
      appendString(b, sb);
      c = compareUtf16(sa, sb);
    }
    return c < 0 ? Order::kLess : c > 0 ? Order::kGreater : Order::kEqual;
  }
  double x = toNumber(a), y = toNumber(b);
  if (x != x || y != y) return Order::kUndefined;
  return x < y ? Order::kLess : x > y ? Order::kGreater : Order::kEqual;
}

bool strictEqual(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) return numberOf(a) == numberOf(b);
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Json::value_t::null: return true;
    case Json::value_t::boolean: return a.get<bool>() == b.get<bool>();
    case Json::value_t::string: return a.get_ref<const std::string&>() == b.get_ref<const std::string&>();
    default: return false;
  }
}

bool stringifyEqual(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) return numberOf(a) == numberOf(b);
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Json::value_t::array: {
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i)
        if (!stringifyEqual(a[i], b[i])) return false;
      return true;
    }
    case Json::value_t::object: {
      if (a.size() != b.size()) return false;
      for (auto it = a.begin(), jt = b.begin(); it != a.end(); ++it, ++jt)
        if (it.key() != jt.key() || !stringifyEqual(it.value(), jt.value())) return false;
      return true;
    }
    default: return strictEqual(a, b);
  }
}

std::string paddedVersionString(const Json& v) {
  std::string input;
  if (v.is_number()) input = numberToString(numberOf(v));
  else if (v.is_string()) input = v.get_ref<const std::string&>();
  if (input.empty()) input = "0";  // !input or not a string
  // replace(/(^v|\+.*$)/g, ""): a leading v, and from the first '+' that
  // has no line terminator after it to the end.
  std::size_t from = 0;
  if (input[0] == 'v') from = 1;
  std::size_t cut = std::string::npos;
  for (std::size_t i = from; i < input.size(); ++i) {
    if (input[i] != '+') continue;
    bool terminator = false;
    for (std::size_t j = i + 1; j < input.size() && !terminator; ++j) {
      unsigned char c = static_cast<unsigned char>(input[j]);
      terminator = c == '\n' || c == '\r' ||
                   (c == 0xE2 && j + 2 < input.size() && static_cast<unsigned char>(input[j + 1]) == 0x80 &&
                    (static_cast<unsigned char>(input[j + 2]) == 0xA8 || static_cast<unsigned char>(input[j + 2]) == 0xA9));
    }
    if (!terminator) { cut = i; break; }
  }
  std::string body = input.substr(from, cut == std::string::npos ? std::string::npos : cut - from);
  // split(/[-.]/), "~" after a plain x.y.z, numeric parts padded to 5.
  std::vector<std::string> parts(1);
  for (char c : body) {
    if (c == '-' || c == '.') parts.emplace_back();
    else parts.back().push_back(c);
  }
  if (parts.size() == 3) parts.push_back("~");
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += '-';
    const std::string& p = parts[i];
    bool numeric = !p.empty();
    for (char c : p) numeric = numeric && c >= '0' && c <= '9';
    if (numeric && p.size() < 5) out.append(5 - p.size(), ' ');
    out += p;
  }
  return out;
}

void appendLower(std::string_view s, std::string& out) {
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      out.push_back(b >= 'A' && b <= 'Z' ? char(b + 32) : char(b));
      ++i;
      continue;
    }
    uint32_t cp = decode(s, i);
    if (cp < 0x10000) cp = simpleToLower(char16_t(cp));
    appendUtf8(cp, out);
  }
}

const char* typeName(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::array: return "array";
    case Json::value_t::object: return "object";
    case Json::value_t::string: return "string";
    case Json::value_t::boolean: return "boolean";
    default: return "number";
  }
}

}  // namespace js
}  // namespace relance
