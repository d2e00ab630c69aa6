// Strict JSON tokens, read in place: the one token reader of the two
// single-pass scanners that check a JSON text without building a DOM,
// core/event_scan.cc (the collector's validating pass) and
// core/context_paths.cc (the condition sets' extractor), and of the browser
// tag's parser, core/json_dom_reader.cc.
//
// The grammar is RFC 8259's, with the choices nlohmann's lexer makes where the
// RFC leaves room (the scanners must accept exactly what parseJson accepts, or
// hand the text to it): strings are well-formed UTF-8 (RFC 3629) and an
// escaped UTF-16 surrogate is only accepted as a high one directly followed
// by an escaped low one. What a scanner does with a number (its exponent, its
// length) is its own policy: readNumber only says what it saw.
//
// Every reader starts at the first byte of its token (the caller checked that
// byte), never reads at or past `end`, and returns the byte after the token,
// or nullptr when the bytes there are not that token. Inline: both scanners
// call these in their hot loops.
#ifndef RELANCE_CORE_JSON_READER_H_
#define RELANCE_CORE_JSON_READER_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "core/utf8.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "readString's word-at-a-time scan reads bytes little-endian");

namespace relance::json_reader {

// One comparison for the usual byte (anything above a space).
inline bool isSpace(char c) {
  return static_cast<unsigned char>(c) <= ' ' && (c == ' ' || c == '\t' || c == '\n' || c == '\r');
}
inline bool isDigit(char c) { return c >= '0' && c <= '9'; }

// The first byte at or after `p` that is not JSON white space (or `end`).
inline const char* skipSpace(const char* p, const char* end) {
  while (p < end && isSpace(*p)) ++p;
  return p;
}

// The value of four hex digits at `p` (the caller checked 4 bytes are there),
// or -1 when one is not a hex digit.
inline long hex4(const char* p) {
  long v = 0;
  for (int i = 0; i < 4; ++i) {
    char c = p[i];
    int h;
    if (c >= '0' && c <= '9') h = c - '0';
    else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') h = (c | 0x20) - 'a' + 10;
    else return -1;
    v = (v << 4) | h;
  }
  return v;
}

// Eight bytes from `p` as one integer (any alignment; memcpy compiles to
// one load).
inline std::uint64_t load8(const char* p) {
  std::uint64_t word;
  std::memcpy(&word, p, 8);
  return word;
}

constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

// The bytes of `word` that need a look of their own in a string (below 0x20,
// '"' or '\\'), as their high bits; 0 when none does. The classic bit trick
// ("Bit Twiddling Hacks", haszero/hasless): (x - 0x01..) & ~x & 0x80.. is
// non-zero exactly when some byte of x is zero, and its lowest set bit is
// the first such byte (a borrow may also mark bytes after it, never before).
// Bytes of 0x80 and above never trigger it (the ~x term).
inline std::uint64_t bytesToLookAt(std::uint64_t word) {
  std::uint64_t quote = word ^ (kOnes * '"');
  std::uint64_t backslash = word ^ (kOnes * '\\');
  return ((word - kOnes * 0x20) & ~word & kHighBits) | ((quote - kOnes) & ~quote & kHighBits) |
         ((backslash - kOnes) & ~backslash & kHighBits);
}

// At '"'. A string; its raw content (escapes not decoded) is between p + 1
// and the returned pointer - 1. `escaped`: whether it holds a backslash, that
// is whether the raw content differs from the value.
inline const char* readString(const char* p, const char* end, bool& escaped) {
  const char* begin = ++p;
  escaped = false;
  unsigned char seen = 0;  // every byte or'ed: bit 7 set when any is not ASCII
  while (p < end) {
    // Eight bytes at a time up to the first that needs a look of its own (a
    // quote, a backslash, a control character): most strings of an event
    // are plain URLs and ids, and read byte by byte they were a third of
    // the collector's validating pass. Little-endian: the first byte in
    // memory is the lowest of the word (x86, WebAssembly).
    if (end - p >= 8) {
      std::uint64_t word = load8(p);
      std::uint64_t look = bytesToLookAt(word);
      std::size_t plain = look ? static_cast<std::size_t>(__builtin_ctzll(look)) / 8 : 8;
      std::uint64_t plain_bytes = plain == 8 ? word : word & ((std::uint64_t{1} << (8 * plain)) - 1);
      seen |= (plain_bytes & kHighBits) ? 0x80 : 0;
      p += plain;
      if (plain == 8) continue;
    }
    unsigned char c = static_cast<unsigned char>(*p);
    seen |= c;
    if (c == '"') {
      // Escapes are ASCII, so the raw bytes are well-formed exactly when the
      // value is: one check at the end, and none for ASCII-only strings.
      if ((seen & 0x80) &&
          findInvalidUtf8(std::string_view(begin, static_cast<std::size_t>(p - begin))) != kUtf8Valid)
        return nullptr;
      return p + 1;
    }
    if (c < 0x20) return nullptr;
    if (c == '\\') {
      escaped = true;
      if (++p == end) return nullptr;
      switch (*p) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': break;
        case 'u': {
          if (end - p < 5) return nullptr;
          long cp = hex4(p + 1);
          if (cp < 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) return nullptr;  // a lone low surrogate
          p += 4;
          if (cp >= 0xD800 && cp < 0xDC00) {  // a high surrogate: an escaped low one must follow
            if (end - p < 7 || p[1] != '\\' || p[2] != 'u') return nullptr;
            long low = hex4(p + 3);
            if (low < 0xDC00 || low > 0xDFFF) return nullptr;
            p += 6;
          }
          break;
        }
        default: return nullptr;
      }
    }
    ++p;
  }
  return nullptr;
}

// Decodes the raw content of a string readString accepted (between the
// quotes, escapes included) into `out`, replacing what it held.
inline void decodeString(const char* p, const char* end, std::string& out) {
  out.clear();
  while (p < end) {
    if (*p != '\\') { out.push_back(*p++); continue; }
    ++p;
    switch (*p++) {
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        unsigned long cp = static_cast<unsigned long>(hex4(p));
        p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {  // validated: a low surrogate follows
          unsigned long lo = static_cast<unsigned long>(hex4(p + 2));
          p += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        appendUtf8(static_cast<char32_t>(cp), out);
        break;
      }
      default: out.push_back(p[-1]); break;  // " \ /
    }
  }
}

// What readNumber saw.
struct NumberShape {
  bool fraction = false;            // a '.' and digits
  std::size_t exponent_digits = 0;  // digits after 'e' or 'E' (0: no exponent)
};

// At '-' or a digit. A number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
// ("01" is the number 0 followed by something else, as in nlohmann).
inline const char* readNumber(const char* p, const char* end, NumberShape& shape) {
  shape = NumberShape();
  if (*p == '-') ++p;
  if (p == end || !isDigit(*p)) return nullptr;
  if (*p == '0') {
    ++p;
  } else {
    while (p < end && isDigit(*p)) ++p;
  }
  if (p < end && *p == '.') {
    shape.fraction = true;
    if (++p == end || !isDigit(*p)) return nullptr;
    while (p < end && isDigit(*p)) ++p;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    if (p < end && (*p == '+' || *p == '-')) ++p;
    const char* digits = p;
    while (p < end && isDigit(*p)) ++p;
    if (p == digits) return nullptr;
    shape.exponent_digits = static_cast<std::size_t>(p - digits);
  }
  return p;
}

// At the first letter of `word` ("true", "false" or "null"): that word.
inline const char* readLiteral(const char* p, const char* end, std::string_view word) {
  if (static_cast<std::size_t>(end - p) < word.size() || std::memcmp(p, word.data(), word.size()) != 0)
    return nullptr;
  return p + word.size();
}

}  // namespace relance::json_reader

#endif  // RELANCE_CORE_JSON_READER_H_
