// Helpers the decision modules (personalization, offers, scoring,
// abandonment) share to read their configuration sections and, at run time,
// the signal, the state and the context. Compile-time readers report every
// fault with its JSON Pointer; run-time readers never throw and answer a
// default for anything missing or of the wrong type.
#ifndef RELANCE_CORE_SECTION_READER_H_
#define RELANCE_CORE_SECTION_READER_H_

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "core/condition.h"
#include "core/decision_step.h"
#include "core/error.h"
#include "core/json.h"

namespace relance {

// ---- compile time

// Reports each key of `object` that is not in `allowed` ("unknown field").
void checkKnownKeys(const Json& object, std::initializer_list<const char*> allowed, const std::string& path,
                    PathErrors& errors);

// Reads object[key] as a string. Missing: `out` unchanged, an error when `required`.
void readString(const Json& object, const char* key, const std::string& path, PathErrors& errors,
                std::string& out, bool required = false);

// Reads object[key] as a number in [min, max]. Missing: `out` unchanged, an error when `required`.
void readNumber(const Json& object, const char* key, const std::string& path, PathErrors& errors, double& out,
                double min, double max, bool required = false);

// Reads object[key] as a boolean.
void readBool(const Json& object, const char* key, const std::string& path, PathErrors& errors, bool& out);

// Compiles object["condition"] when present (an object); null when absent
// (always true) or faulty (errors added with their paths).
std::shared_ptr<const CompiledCondition> readCondition(const Json& object, const std::string& path,
                                                       PathErrors& errors);

// An id: 1 to 64 characters among [A-Za-z0-9_.-].
bool isValidId(const std::string& id);

// Reads the required object["id"] of a rule or an offer into `id`: reports
// a malformed id, and a duplicate of one already in `seen` (which it extends).
void readUniqueId(const Json& object, const std::string& path, PathErrors& errors,
                  std::vector<std::string>& seen, std::string& id);

// ---- run time

// object[key] when object is an object that has it, else null.
const Json* member(const Json& object, const char* key);
// (Two overloads rather than a `const std::string& fallback = ""`: that
// default builds and destroys a string at every call site, about 40 of them.)
std::string stringMember(const Json& object, const char* key, const char* fallback = "");
std::string stringMember(const Json& object, const char* key, const std::string& fallback);
double numberMember(const Json& object, const char* key, double fallback = 0);
std::int64_t integerMember(const Json& object, const char* key, std::int64_t fallback = 0);
bool boolMember(const Json& object, const char* key, bool fallback = false);

// The signal's props (an object, possibly empty).
const Json& signalProps(const DecisionStep& step);
std::string signalType(const DecisionStep& step);

// state[key] as an object, created (or reset, if it held something else) on first use.
Json& stateObject(Json& state, const char* key);

// True when `condition` is null or holds for the step's context; when it does
// not and `why` is given, *why is the failing sub-condition's path.
bool conditionHolds(const CompiledCondition* condition, const DecisionStep& step, std::string* why);

// Appends {"kind", "id", "matched", "why"} to actions["debug"] when step.debug.
void addDebug(DecisionStep& step, const char* kind, const std::string& id, bool matched, const std::string& why);

constexpr std::int64_t kDayMs = 86400000;

}  // namespace relance

#endif  // RELANCE_CORE_SECTION_READER_H_
