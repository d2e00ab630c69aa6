// js::numberToString for the browser tag's wasm (CMake targets relance_tag
// and the test-only relance_tag_conditions): the browser's own String(d),
// which is the function core/condition_js.cc emulates (Number.prototype.
// toString: the shortest digits that read back to d, the closest of them
// when several are as short, and the same choice of plain or exponent form).
//
// Why: the emulation searches the digits with snprintf("%.*e"), the one
// floating-point format left in the tag; without it the tag's snprintf is
// src/wasm/tag_snprintf.cc (hexadecimal integers only) and musl's formatter
// stays out (docs/design/performance.md, "Browser tag", sessions 5 and 6).
//
// How it is wired: condition_js.cc defines numberToString weak; this strong
// definition wins at link time in the wasm builds that compile this file.
// tests/js/numbers.test.mjs and the condition case tables (through
// relance_tag_conditions) check both against the same expected strings.
#include <emscripten/emscripten.h>  // EM_JS

#include <string>

#include "core/condition_js.h"

// String(d) written as UTF-8 (it is ASCII) into `out`, at most `capacity`
// bytes with the terminating NUL; answers the bytes written without it.
EM_JS(int, relance_number_to_string, (double d, char* out, int capacity), {
  return stringToUTF8(String(d), out, capacity);
});

namespace relance::js {

std::string numberToString(double d) {
  // The longest String(d) of a double is 25 bytes ("-0.0000012345678901234567").
  char buf[32];
  int length = relance_number_to_string(d, buf, sizeof buf);
  return std::string(buf, static_cast<std::size_t>(length));
}

}  // namespace relance::js
