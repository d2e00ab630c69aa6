// UTF-8 well-formedness, as RFC 3629 defines it.
#ifndef RELANCE_CORE_UTF8_H_
#define RELANCE_CORE_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace relance {

// Returned by findInvalidUtf8 when the text is well-formed.
constexpr std::size_t kUtf8Valid = static_cast<std::size_t>(-1);

// Returns the byte offset of the first byte that does not belong to a
// well-formed UTF-8 sequence (truncated sequences, overlong forms, UTF-16
// surrogates and code points above U+10FFFF are all refused), or kUtf8Valid.
std::size_t findInvalidUtf8(std::string_view text);

// The length (2 to 4) of the well-formed sequence that starts `text`, whose
// first byte is not ASCII; 0 when the sequence is ill-formed or cut short.
// RFC 3629's table, which nlohmann's lexer applies too.
std::size_t utf8SequenceLength(std::string_view text);

// `text` with every byte that is not part of a well-formed sequence replaced
// by U+FFFD: safe to put in JSON output (nlohmann's dump() refuses invalid
// UTF-8; parser messages quote raw input and may cut a character in half).
std::string toValidUtf8(std::string_view text);

// Appends code point `cp` to `out` in UTF-8 (1 to 4 bytes). The caller
// passes a Unicode scalar value (at most U+10FFFF, not a surrogate).
void appendUtf8(char32_t cp, std::string& out);

}  // namespace relance

#endif  // RELANCE_CORE_UTF8_H_
