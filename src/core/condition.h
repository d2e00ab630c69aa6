// The condition language: MongoDB-style queries over a context object, with
// the semantics of GrowthBook's targeting conditions (evalCondition in
// @growthbook/growthbook). One language for targeting, offer eligibility,
// scoring rules and segments. See docs/conditions.md.
#ifndef RELANCE_CORE_CONDITION_H_
#define RELANCE_CORE_CONDITION_H_

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
// `saved_groups` may be null (no groups).
bool evaluate(const CompiledCondition& condition, const Json& context,
              const SavedGroups* saved_groups = nullptr);

// Why a condition failed: the JSON Pointer of the first sub-condition that
// did not hold, for debug output. Empty when the condition holds.
std::string explainFailure(const CompiledCondition& condition, const Json& context,
                           const SavedGroups* saved_groups = nullptr);

// ------------------------------------------------------------------------
// For ConditionSet (condition_set.h): many conditions evaluated against the
// values of their paths, extracted once per context, not against a DOM.

class Regex;

// Filled while the conditions of one set compile: the dot paths they read
// from the context root (each clause remembers its slot) and their distinct
// regular expressions (each numbered, so answers can be memoised).
struct ConditionTables {
  PathTable paths;
  std::vector<std::string> regex_keys;  // flag + pattern
  std::vector<std::shared_ptr<const Regex>> regexes;
};

// compileCondition that also registers the condition's paths and regexes in
// `tables` (which must outlive the compiled condition's evaluations).
CompileConditionResult compileCondition(const Json& condition, const std::string& base_path,
                                        ConditionTables* tables);

// Whether the condition reads the context beyond its own paths ($savedGroup
// resolves a path named by the groups handed in at evaluation time).
bool readsWholeContext(const CompiledCondition& condition);

// Regex answers within one evaluation of a set: the same pattern tested on
// the same context value is answered once. Start a new evaluation with
// next() (values from the previous one may be gone).
class RegexMemo {
 public:
  explicit RegexMemo(std::size_t regexes = 0) : entries_(regexes) {}
  void next() {
    if (++generation_ == 0) {  // wrapped: old entries could look current
      entries_.assign(entries_.size(), Entry{});
      generation_ = 1;
    }
  }
  // The memoised answer of regex `id` on `subject`, or -1.
  int find(int id, const Json* subject) const {
    const Entry& e = entries_[static_cast<std::size_t>(id)];
    return e.generation == generation_ && e.subject == subject ? e.answer : -1;
  }
  void store(int id, const Json* subject, bool answer) {
    entries_[static_cast<std::size_t>(id)] = Entry{subject, generation_, answer};
  }

 private:
  struct Entry {
    const Json* subject = nullptr;
    unsigned generation = 0;
    bool answer = false;
  };
  std::vector<Entry> entries_;
  unsigned generation_ = 1;
};

// Evaluates a condition compiled against tables whose path values are
// `values` (ContextExtractor::values()); `context` is the parsed context when
// readsWholeContext, otherwise any value (unread). Same answers as evaluate().
bool evaluateValues(const CompiledCondition& condition, const Json* const* values, const Json& context,
                    const SavedGroups* saved_groups, RegexMemo* memo);

}  // namespace relance

#endif  // RELANCE_CORE_CONDITION_H_
