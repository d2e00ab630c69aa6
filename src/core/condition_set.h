// Many conditions answered together against one context text: the form the
// browser uses (one crossing per context, js-bindings compileConditions).
//
// The set compiles its conditions against shared tables (condition.h): the
// distinct dot paths they read and their distinct regexes. Evaluating a
// context then costs one pass over its JSON text that keeps only the values
// at those paths (context_paths.h), no DOM; each regex is tested at most once
// per (pattern, value). The answers are exactly evaluate()'s on the parsed
// context. A set with $savedGroup clauses, and any text the extractor leaves
// to nlohmann, go through parseJson and the DOM instead.
#ifndef RELANCE_CORE_CONDITION_SET_H_
#define RELANCE_CORE_CONDITION_SET_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/condition.h"
#include "core/context_paths.h"
#include "core/error.h"
#include "core/json.h"

namespace relance {

class ConditionSet {
 public:
  // Compiles every element of `conditions` (a JSON array of conditions).
  // Errors carry the element's index as the first path part ("/3/page.path/$regex").
  // Returns null with `errors` filled when any condition is refused.
  static std::unique_ptr<ConditionSet> compile(const Json& conditions, PathErrors* errors);
  // A set of one condition, its errors at paths from the condition itself
  // ("/page.path/$regex"), as compileCondition reports them.
  static std::unique_ptr<ConditionSet> compileOne(const Json& condition, PathErrors* errors);

  ConditionSet(const ConditionSet&) = delete;  // the extractor points into the tables
  ConditionSet& operator=(const ConditionSet&) = delete;

  std::size_t size() const { return conditions_.size(); }

  // Answers every condition for the context given as JSON text: answers[i]
  // is 1 when condition i holds, else 0 (resized to size()). Returns false
  // with `error` set ("context is not valid JSON: ...") when the text does
  // not parse. `saved_groups` may be null. Not thread-safe: the set reuses
  // its buffers, so the hot path does not allocate once warmed up.
  bool evaluateAll(std::string_view context_json, const SavedGroups* saved_groups,
                   std::vector<uint8_t>* answers, std::string* error);

  // The same for an already parsed context.
  void evaluateAll(const Json& context, const SavedGroups* saved_groups, std::vector<uint8_t>* answers);

 private:
  ConditionSet() = default;
  // Compiles `condition` as the next member, errors under `base_path`.
  void add(const Json& condition, const std::string& base_path, PathErrors* errors);
  // After the last add: null when anything was refused.
  static std::unique_ptr<ConditionSet> finish(std::unique_ptr<ConditionSet> set, const PathErrors& errors);
  void answer(const Json& context, const SavedGroups* saved_groups, std::vector<uint8_t>* answers);

  ConditionTables tables_;
  std::vector<std::shared_ptr<const CompiledCondition>> conditions_;
  std::unique_ptr<ContextExtractor> extractor_;  // reads tables_.paths
  std::unique_ptr<EvaluationMemo> memo_;
  bool reads_whole_context_ = false;
};

}  // namespace relance

#endif  // RELANCE_CORE_CONDITION_SET_H_
