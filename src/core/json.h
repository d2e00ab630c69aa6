// JSON in the engine: one alias and one non-throwing parser.
//
// The core is built twice: natively (exceptions on) and to WebAssembly with
// -fno-exceptions and JSON_NOEXCEPTION (an nlohmann exception there aborts).
// So core code never relies on nlohmann throwing: it uses find(), is_*()
// checks and parseJson() below, never at() or get<>() on unchecked values.
#ifndef RELANCE_CORE_JSON_H_
#define RELANCE_CORE_JSON_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

namespace relance {

using Json = nlohmann::json;

// The outcome of parsing a JSON text.
struct ParsedJson {
  bool ok = false;
  Json value;               // the document when ok
  std::size_t offset = 0;   // byte offset of the fault when !ok
  std::string message;      // "syntax error at byte 17: unexpected '}'" when !ok
};

// Parses `text` as one strict JSON document (RFC 8259; no comments, no
// trailing commas). Never throws. Nesting deeper than `max_depth` is refused
// (protects both hosts' stacks from hostile input). nlohmann's parser,
// except in the browser tag's wasm, which reads the same documents into the
// same values with core/json_dom_reader.h (its messages differ).
ParsedJson parseJson(std::string_view text, int max_depth = 64);

// Builds a JSON object from key/value pairs: object({{"id", id}, {"count", 0}}).
// Reads like nlohmann's initializer list, but that one decides at run time,
// at every call site, whether the list is an object or an array of arrays,
// and costs about 50 bytes of WebAssembly per member; this is one function
// (docs/design/performance.md, "Browser tag"). Of duplicate keys the first
// wins, as in nlohmann's list.
Json object(std::initializer_list<std::pair<const char*, Json>> members);

// object[key] = value (object must be an object or null, as for operator[]).
// One call where the assignment inlines a key lookup, a swap and a
// destruction at every call site (docs/design/performance.md, "Browser tag",
// session 6).
void setMember(Json& object, const char* key, Json value);

// The decimal digits of n, as std::to_string writes them ("-42"). The core's
// own, so that the browser tag links neither libc++'s to_string nor its
// digit tables beside nlohmann's (docs/design/performance.md, "Browser tag",
// session 7). For messages and ids, not for a hot path.
std::string decimalText(std::int64_t n);

}  // namespace relance

#endif  // RELANCE_CORE_JSON_H_
