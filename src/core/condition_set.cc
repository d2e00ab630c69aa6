#include "core/condition_set.h"

namespace relance {

std::unique_ptr<ConditionSet> ConditionSet::compile(const Json& conditions, PathErrors* errors) {
  if (!conditions.is_array()) {
    errors->push_back({"", "conditions must be an array"});
    return nullptr;
  }
  std::unique_ptr<ConditionSet> set(new ConditionSet());
  for (std::size_t i = 0; i < conditions.size(); ++i) set->add(conditions[i], pointerAppend("", i), errors);
  return finish(std::move(set), *errors);
}

std::unique_ptr<ConditionSet> ConditionSet::compileOne(const Json& condition, PathErrors* errors) {
  std::unique_ptr<ConditionSet> set(new ConditionSet());
  set->add(condition, "", errors);
  return finish(std::move(set), *errors);
}

void ConditionSet::add(const Json& condition, const std::string& base_path, PathErrors* errors) {
  auto compiled = compileCondition(condition, base_path, &tables_);
  for (auto& e : compiled.errors) errors->push_back(std::move(e));
  if (compiled.condition && readsWholeContext(*compiled.condition)) reads_whole_context_ = true;
  conditions_.push_back(std::move(compiled.condition));
}

std::unique_ptr<ConditionSet> ConditionSet::finish(std::unique_ptr<ConditionSet> set, const PathErrors& errors) {
  if (!errors.empty()) return nullptr;
  set->extractor_ = std::make_unique<ContextExtractor>(set->tables_.paths);
  set->memo_ = std::make_unique<EvaluationMemo>(set->tables_);
  return set;
}

bool ConditionSet::evaluateAll(std::string_view context_json, const SavedGroups* saved_groups,
                               std::vector<uint8_t>* answers, std::string* error) {
  if (!reads_whole_context_ && extractor_->extract(context_json)) {
    static const Json kUnread;
    answer(kUnread, saved_groups, answers);
    return true;
  }
  ParsedJson parsed = parseJson(context_json);
  if (!parsed.ok) {
    *error = "context is not valid JSON: " + parsed.message;
    return false;
  }
  evaluateAll(parsed.value, saved_groups, answers);
  return true;
}

void ConditionSet::evaluateAll(const Json& context, const SavedGroups* saved_groups, std::vector<uint8_t>* answers) {
  extractor_->fromDom(context);
  answer(context, saved_groups, answers);
}

void ConditionSet::answer(const Json& context, const SavedGroups* saved_groups, std::vector<uint8_t>* answers) {
  memo_->next();
  evaluateValues(conditions_, extractor_->values(), context, saved_groups, memo_.get(), answers);
}

}  // namespace relance
