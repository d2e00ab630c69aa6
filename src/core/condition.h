// The condition language: MongoDB-style queries over a context object, with
// the semantics of GrowthBook's targeting conditions (evalCondition in
// @growthbook/growthbook). One language for targeting, offer eligibility,
// scoring rules and segments. See docs/conditions.md.
#ifndef RELANCE_CORE_CONDITION_H_
#define RELANCE_CORE_CONDITION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/context_paths.h"
#include "core/error.h"
#include "core/json.h"

namespace relance {

// Named lists that $inGroup / $notInGroup refer to: {"vip_ids": [1, 2, 3]}.
using SavedGroups = Json;

// A condition checked once and turned into a tree that evaluates fast.
class CompiledCondition;

struct CompileConditionResult {
  std::shared_ptr<const CompiledCondition> condition;  // null when errors is not empty
  PathErrors errors;  // every fault, each with the JSON Pointer into the condition
};

// Compiles `condition` (a JSON object). Refuses unknown operators, operands
// of the wrong type and regular expressions outside the supported ECMAScript
// subset, reporting each with its path ("/$and/1/page.path/$regex").
// `base_path` is prefixed to every error path (a condition inside a config).
CompileConditionResult compileCondition(const Json& condition, const std::string& base_path = "");

// Evaluates a compiled condition against `context`. Never throws; answers
// exactly what GrowthBook's evalCondition answers for the same input.
// `saved_groups` may be null (no groups). The overload without groups is the
// same as passing null; it is the one the engine uses, because a saved group
// of type "condition" is compiled when evaluated, and only the overload
// taking groups links the compiler for it (the tag's wasm does not).
bool evaluate(const CompiledCondition& condition, const Json& context);
bool evaluate(const CompiledCondition& condition, const Json& context, const SavedGroups* saved_groups);

// Why a condition failed: the JSON Pointer of the first sub-condition that
// did not hold, for debug output. Empty when the condition holds.
std::string explainFailure(const CompiledCondition& condition, const Json& context);
std::string explainFailure(const CompiledCondition& condition, const Json& context,
                           const SavedGroups* saved_groups);

// ------------------------------------------------------------------------
// For ConditionSet (condition_set.h): many conditions evaluated against the
// values of their paths, extracted once per context, not against a DOM.

class Regex;

// Filled while the conditions of one set compile: the dot paths they read
// from the context root (each clause remembers its slot), their distinct
// regular expressions, and their distinct field tests (a path with what it
// must hold, like "visitor.score" {"$gte": 30}), numbered so that each is
// answered once per context however many conditions repeat it.
struct ConditionTables {
  PathTable paths;
  std::vector<std::string> regex_keys;  // flag + pattern
  std::vector<std::shared_ptr<const Regex>> regexes;
  std::unordered_map<std::string, int> field_tests;  // slot + JSON of the test -> number
};

// compileCondition that also registers the condition's paths, regexes and
// field tests in `tables` (which must outlive the compiled condition).
CompileConditionResult compileCondition(const Json& condition, const std::string& base_path,
                                        ConditionTables* tables);

// Whether the condition reads the context beyond its own paths ($savedGroup
// resolves a path named by the groups handed in at evaluation time).
bool readsWholeContext(const CompiledCondition& condition);

// Answers already computed within one evaluation of a set: each field test
// once, each regex once per context value. Start each evaluation with next()
// (the values of the previous one may be gone).
class EvaluationMemo {
 public:
  explicit EvaluationMemo(const ConditionTables& tables)
      : regexes_(tables.regexes.size()), tests_(tables.field_tests.size()) {}

  void next() {
    if (++generation_ == 0) {  // wrapped: old entries could look current
      regexes_.assign(regexes_.size(), RegexEntry{});
      tests_.assign(tests_.size(), TestEntry{});
      generation_ = 1;
    }
  }
  // The memoised answer of regex `id` on `subject`, or -1.
  int regex(int id, const Json* subject) const {
    const RegexEntry& e = regexes_[static_cast<std::size_t>(id)];
    return e.generation == generation_ && e.subject == subject ? e.answer : -1;
  }
  void storeRegex(int id, const Json* subject, bool answer) {
    regexes_[static_cast<std::size_t>(id)] = RegexEntry{subject, generation_, answer};
  }
  // The memoised answer of field test `id`, or -1.
  int test(int id) const {
    const TestEntry& e = tests_[static_cast<std::size_t>(id)];
    return e.generation == generation_ ? e.answer : -1;
  }
  void storeTest(int id, bool answer) { tests_[static_cast<std::size_t>(id)] = TestEntry{generation_, answer}; }

 private:
  struct RegexEntry {
    const Json* subject = nullptr;
    unsigned generation = 0;
    bool answer = false;
  };
  struct TestEntry {
    unsigned generation = 0;
    bool answer = false;
  };
  std::vector<RegexEntry> regexes_;
  std::vector<TestEntry> tests_;
  unsigned generation_ = 1;
};

// Evaluates conditions compiled against the same tables, whose path values
// are `values` (ContextExtractor::values()): answers[i] is 1 when
// conditions[i] holds. `context` is the parsed context when one of them
// readsWholeContext, otherwise any value (unread). Same answers as evaluate().
void evaluateValues(const std::vector<std::shared_ptr<const CompiledCondition>>& conditions,
                    const Json* const* values, const Json& context, const SavedGroups* saved_groups,
                    EvaluationMemo* memo, std::vector<uint8_t>* answers);

}  // namespace relance

#endif  // RELANCE_CORE_CONDITION_H_
