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

}  // namespace relance

#endif  // RELANCE_CORE_CONDITION_H_
