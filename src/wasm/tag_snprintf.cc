// snprintf for the browser tag's wasm (CMake targets relance_tag and the
// test-only relance_tag_conditions): integer conversions only.
//
// Why: musl's snprintf always links its floating-point formatter (fmt_fp,
// pop_arg_long_double: about 3.8 KB of the tag's wasm) even when no call
// formats a float. Emscripten's libc has an integer-only variant,
// vsniprintf (the one LLVM substitutes for sprintf and printf calls without
// floats; it has none for snprintf). Every snprintf left in the tag formats
// integers: nlohmann's serializer ("\\u%04x", control characters in
// strings) and core/engine.cc's derivedId ("r-%016llx"); nlohmann's lexer
// ("<U+%.4X>") is no longer linked (the tag parses with
// core/json_dom_reader.h). The tag's only floating-point
// format, js::numberToString's "%.*e", is the browser's String() there
// (src/wasm/browser_number_string.cc).
//
// A floating-point conversion (%e %f %g %a) would reach a null formatter
// and trap (the wasm aborts, it prints nothing wrong): a new snprintf of a
// double in core/ must not be reachable from the tag, or must be written
// without printf.
//
// How it is wired: the tag links with -Wl,--wrap=snprintf, so every
// snprintf call in that wasm comes here. The native build and the npm
// package's wasm keep the C library's.
#include <cstdarg>
#include <cstddef>

extern "C" {

// Emscripten's libc (musl's vsnprintf without the floating-point formatter);
// not declared in its headers.
int vsniprintf(char* s, std::size_t n, const char* format, va_list args);

int __wrap_snprintf(char* s, std::size_t n, const char* format, ...) {
  va_list args;
  va_start(args, format);
  int written = vsniprintf(s, n, format, args);
  va_end(args);
  return written;
}

}  // extern "C"
