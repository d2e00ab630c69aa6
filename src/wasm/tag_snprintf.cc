// snprintf and siprintf for the browser tag's wasm (CMake targets relance_tag
// and the test-only relance_tag_conditions): the only formats the tag writes,
// hexadecimal integers, and nothing else.
//
// Why: any printf of the C library links musl's whole formatter
// (printf_core, pop_arg and their helpers: 4.7 KB raw, 2.1 KB brotli of the
// tag's wasm, docs/design/performance.md, "Browser tag", session 6), and the
// snprintf variant also its floating-point one. The tag's calls are few and
// fixed:
//   - nlohmann's serializer: "\\u%04x" (control characters in strings);
//   - core/engine.cc's derivedId: "r-%016llx";
//   - Embind's __getTypeName (bind.cpp, built without RTTI): "%p", via the
//     siprintf that LLVM substitutes for its sprintf; only Embind's error
//     messages for a type no binding registered read it.
// nlohmann's lexer ("<U+%.4X>") is not linked (the tag parses with
// core/json_dom_reader.h), and the tag's only floating-point format,
// js::numberToString's "%.*e", is the browser's String() there
// (src/wasm/browser_number_string.cc).
//
// So this reads plain text, "%%", "%p" and "%x" with an optional '0' flag, a
// width and an "l" or "ll" length. Any other conversion traps (the wasm
// aborts; it never prints something wrong): a new printf-style call reachable
// from the tag must be written without printf, or taught here and tested
// (tests/js/tag_formatting.test.mjs covers the three above).
//
// How it is wired: the tag links with -Wl,--wrap=snprintf and
// -Wl,--wrap=siprintf, so those calls in that wasm come here. The native
// build and the npm package's wasm keep the C library's.
#include <cstdarg>
#include <cstddef>
#include <cstdint>

namespace {

// Appends to a buffer of `capacity` bytes as snprintf does: what does not fit
// is counted but not written, and the text always ends with a NUL.
class Output {
 public:
  Output(char* s, std::size_t capacity) : s_(s), capacity_(capacity) {}

  void put(char c) {
    if (length_ + 1 < capacity_) s_[length_] = c;
    ++length_;
  }

  // Ends the text; returns its full length (without the NUL).
  int finish() {
    if (capacity_ > 0) s_[length_ < capacity_ ? length_ : capacity_ - 1] = '\0';
    return static_cast<int>(length_);
  }

 private:
  char* s_;
  std::size_t capacity_;
  std::size_t length_ = 0;
};

// Lower-case hexadecimal of `value` (zero is "0"), at least `width`
// characters wide: padded on the left with '0' when `zero`, else with spaces,
// as printf's %x.
void putHex(Output& out, std::uint64_t value, int width, bool zero) {
  char digits[16];
  int count = 0;
  do {
    digits[count++] = "0123456789abcdef"[value & 0xF];
    value >>= 4;
  } while (value != 0);
  for (int i = count; i < width; ++i) out.put(zero ? '0' : ' ');
  while (count > 0) out.put(digits[--count]);
}

int format(char* s, std::size_t n, const char* f, va_list args) {
  Output out(s, n);
  while (*f != '\0') {
    if (*f != '%') {
      out.put(*f++);
      continue;
    }
    ++f;
    if (*f == '%') {
      out.put(*f++);
      continue;
    }
    bool zero = *f == '0';
    if (zero) ++f;
    int width = 0;
    while (*f >= '0' && *f <= '9') width = width * 10 + (*f++ - '0');
    int longs = 0;
    while (*f == 'l') ++longs, ++f;
    if (*f == 'x' && longs == 2) {
      putHex(out, va_arg(args, unsigned long long), width, zero);
    } else if (*f == 'x' && longs == 1) {
      putHex(out, va_arg(args, unsigned long), width, zero);
    } else if (*f == 'x' && longs == 0) {
      putHex(out, va_arg(args, unsigned int), width, zero);
    } else if (*f == 'p' && longs == 0 && !zero && width == 0) {
      // musl's %p: "0x" and the hexadecimal address ("0" for null).
      std::uintptr_t p = reinterpret_cast<std::uintptr_t>(va_arg(args, void*));
      if (p != 0) {
        out.put('0');
        out.put('x');
      }
      putHex(out, p, 0, false);
    } else {
      __builtin_trap();  // a conversion the tag never makes (see above)
    }
    ++f;
  }
  return out.finish();
}

}  // namespace

extern "C" {

int __wrap_snprintf(char* s, std::size_t n, const char* format_text, ...) {
  va_list args;
  va_start(args, format_text);
  int written = format(s, n, format_text, args);
  va_end(args);
  return written;
}

// sprintf has no bound: the caller's buffer is large enough by contract
// (Embind's is 80 bytes for a "%p").
int __wrap_siprintf(char* s, const char* format_text, ...) {
  va_list args;
  va_start(args, format_text);
  int written = format(s, SIZE_MAX, format_text, args);
  va_end(args);
  return written;
}

}  // extern "C"
