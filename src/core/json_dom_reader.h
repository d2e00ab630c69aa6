// A small strict JSON parser that builds the same nlohmann::json DOM as
// parseJson's nlohmann parser, from core/json_reader.h's token readers.
//
// Why: nlohmann's lexer, parser and their messages are about 14 KB of the
// browser tag's wasm (a third of its brotli bytes after Embind); this is a
// few KB (docs/design/performance.md, "Browser tag", session 5). The tag's
// parseJson is this one (core/json.cc, RELANCE_JSON_DOM_READER); the native
// build and the npm package keep nlohmann's.
//
// Accepts exactly what nlohmann's strict parser accepts, and builds the same
// value: RFC 8259 with nlohmann's choices (an optional UTF-8 byte-order mark
// first; strings well-formed UTF-8, escaped surrogates only as a high-low
// pair; a NUL byte after the value ends the text; of duplicate keys the
// last wins; integers as number_unsigned, or
// number_integer when negative, and as number_float when they do not fit 64
// bits; a number that overflows a double is refused). tests/native/
// json_dom_reader_test.cc and tests/fuzz/fuzz_json_dom.cc check it against
// nlohmann's, value and type. Only its messages differ: "syntax error at
// byte 8: expected a value" instead of nlohmann's line and column.
#ifndef RELANCE_CORE_JSON_DOM_READER_H_
#define RELANCE_CORE_JSON_DOM_READER_H_

#include <string_view>

#include "core/json.h"

namespace relance {

// parseJson's contract (core/json.h), nlohmann's parser not involved.
ParsedJson readJsonDom(std::string_view text, int max_depth = 64);

}  // namespace relance

#endif  // RELANCE_CORE_JSON_DOM_READER_H_
