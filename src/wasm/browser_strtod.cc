// strtod for the browser tag's wasm (CMake target relance_tag only): decimal
// text to double by the browser's own number reader, JavaScript's Number(),
// instead of the C library's.
//
// Why: musl's strtod computes in 128-bit long double, which WebAssembly has
// only in software (__multf3, __divtf3, __addtf3, fmodl, scalbnl...): 13.9 KB
// raw, 5.6 KB brotli of the tag's wasm for a conversion every browser already
// ships (docs/design/performance.md, "libc and JSON").
//
// Same results as the C library: both round correctly (to the nearest double,
// ties to even). ECMAScript requires it of Number() up to 20 significant
// digits and lets longer inputs be rounded after the 20th; V8, SpiderMonkey
// and JavaScriptCore all round every length correctly (tests/js/numbers.test.mjs
// checks it in V8, Chromium's engine, on 55-digit inputs that sit exactly on,
// or just past, a halfway point). Measured in Node, a call is also about 5x
// faster than musl's.
//
// How it is wired: the tag links with -Wl,--wrap=strtod, so every call to
// strtod in that wasm (nlohmann's lexer, js::stringToNumber and
// js::numberToString in condition_js.cc) comes here, and musl's strtod is not
// linked. The native build and the npm package's wasm keep the C library's.
#include <emscripten/emscripten.h>  // EM_JS

#include <cerrno>
#include <cmath>

// Number() of the `length` ASCII bytes at `text` (a decimal number without
// its sign: digits, '.', exponent; checked by the caller).
EM_JS(double, relance_decimal_to_double, (const char* text, int length), {
  return Number(UTF8ToString(text, length));
});

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Whether `p` starts with `word` (lowercase), ignoring ASCII case.
bool startsWithWord(const char* p, const char* word) {
  for (; *word; ++p, ++word)
    if ((*p | 0x20) != *word) return false;
  return true;
}

}  // namespace

// C's strtod, in the C locale, for what the C standard calls the decimal
// subject sequence: leading white space, an optional sign, digits with an
// optional '.', an optional exponent ('e' or 'E', optional sign, digits); or
// "inf", "infinity", "nan", "nan(chars)" in any case. *end (when end is not
// null) is set after the last character read, or to `text` when there is no
// number (then errno is EINVAL and the result 0, as musl does). errno is set
// to ERANGE when a number overflows to infinity or a nonzero number
// underflows to zero (musl also sets it for some subnormal results; C leaves
// underflow to the implementation).
// Not read, unlike C99: hexadecimal floats ("0x1p3" reads as 0, stopping at
// 'x'). No caller in the tag passes one: nlohmann hands over a JSON number
// token, and condition_js a decimal it checked or printed itself.
extern "C" double __wrap_strtod(const char* text, char** end) {
  const char* p = text;
  while (*p == ' ' || (*p >= '\t' && *p <= '\r')) ++p;
  const bool negative = *p == '-';
  if (*p == '+' || *p == '-') ++p;

  const char* number = p;
  bool any_digit = false, nonzero_digit = false;
  for (; isDigit(*p); ++p) any_digit = true, nonzero_digit |= *p != '0';
  if (*p == '.' && (any_digit || isDigit(p[1]))) {
    for (++p; isDigit(*p); ++p) any_digit = true, nonzero_digit |= *p != '0';
  }

  double value;
  if (any_digit) {
    if ((*p | 0x20) == 'e') {  // an exponent only counts with its digits
      const char* q = p + 1;
      if (*q == '+' || *q == '-') ++q;
      if (isDigit(*q)) {
        while (isDigit(*q)) ++q;
        p = q;
      }
    }
    value = relance_decimal_to_double(number, static_cast<int>(p - number));
    if (std::isinf(value) || (value == 0 && nonzero_digit)) errno = ERANGE;
  } else if (startsWithWord(p, "inf")) {
    p += startsWithWord(p, "infinity") ? 8 : 3;
    value = HUGE_VAL;
  } else if (startsWithWord(p, "nan")) {
    p += 3;
    if (*p == '(') {  // "nan(chars)": the payload is read and ignored
      const char* q = p + 1;
      while (isDigit(*q) || ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z') || *q == '_') ++q;
      if (*q == ')') p = q + 1;
    }
    value = NAN;
  } else {  // no number at all
    if (end) *end = const_cast<char*>(text);
    errno = EINVAL;
    return 0;
  }
  if (end) *end = const_cast<char*>(p);
  return negative ? -value : value;
}
