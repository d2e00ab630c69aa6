// JavaScript value semantics over JSON values, as GrowthBook's evalCondition
// relies on them: ToNumber, ToString, truthiness, the abstract relational
// comparison (<, <=, >, >=), strict equality and JSON.stringify equality.
// Kept apart from the condition compiler so each rule is written once and
// can be tested alone. A missing field is JSON null (GrowthBook's getPath
// answers null for a missing path).
#ifndef RELANCE_CORE_CONDITION_JS_H_
#define RELANCE_CORE_CONDITION_JS_H_

#include <string>
#include <string_view>

#include "core/json.h"

namespace relance {
namespace js {

// Number(v): null 0, booleans 0/1, strings parsed as JS does (trimmed,
// "" 0, hex/octal/binary prefixes, Infinity, otherwise NaN), arrays through
// their joined string, objects NaN.
double toNumber(const Json& v);
// Number(s) for a string.
double stringToNumber(std::string_view s);

// String(v) appended to `out`: numbers as Number.prototype.toString,
// arrays joined with "," (null elements empty), objects "[object Object]".
void appendString(const Json& v, std::string& out);
// Number.prototype.toString(d): the shortest digits that read back to d.
// The browser tag's wasm replaces it with the browser's own String(d)
// (src/wasm/browser_number_string.cc); the native build and the npm
// package's wasm search the digits with snprintf and strtod.
std::string numberToString(double d);

// !!v
bool truthy(const Json& v);

// The result of the abstract relational comparison a ? b.
enum class Order { kLess, kEqual, kGreater, kUndefined };
// Compares as JavaScript's < does: both to primitives (arrays join, objects
// "[object Object]"), strings by UTF-16 code units, otherwise as numbers
// (NaN gives kUndefined, and then every one of < <= > >= is false).
Order compare(const Json& a, const Json& b);

// a < b over UTF-16 code units for two UTF-8 strings (-1, 0, 1).
int compareUtf16(std::string_view a, std::string_view b);

// a === b for primitives; objects and arrays are never === to another value
// (a condition's operand and a context value are distinct objects).
bool strictEqual(const Json& a, const Json& b);

// JSON.stringify(a) === JSON.stringify(b), numbers compared as doubles.
// Object key order is not compared (nlohmann keeps keys sorted): documented.
bool stringifyEqual(const Json& a, const Json& b);

// GrowthBook's paddedVersionString(v).
std::string paddedVersionString(const Json& v);

// s.toLowerCase() for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic
// (other characters unchanged), appended to `out`.
void appendLower(std::string_view s, std::string& out);

// The type name GrowthBook's getType answers.
const char* typeName(const Json& v);

}  // namespace js
}  // namespace relance

#endif  // RELANCE_CORE_CONDITION_JS_H_
