// Embind bindings for conditions and events: one JSON string in, one out per
// call (the engine's own binding is engine_bindings.cc). Built with
// -fno-exceptions: nothing here may throw; every failure is an answer.
//
// JavaScript sees (js-bindings/src wraps these in a typed API):
//   version() -> "0.1.0"
//   evaluateCondition(conditionJson, contextJson, groupsJson)
//       -> '{"ok":true,"value":true}' | '{"ok":false,"errors":[{path,message}]}'
//   validateEvent(eventJson) -> '{"ok":true,"errors":[]}'
//   new CompiledCondition(conditionJson): errors() -> "" | "[...]",
//       evaluate(contextJson, groupsJson) -> 1 | 0 | -1 (context unreadable;
//       lastError() says why), delete()
//   new ConditionSet(arrayJson): errors(), size(),
//       evaluateAll(contextJson, groupsJson) -> Uint8Array view (one byte per
//       condition, 1 or 0; copy it before the next call) | '[errors]' (a
//       string) when the context is unreadable, delete()
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <memory>
#include <string>
#include <vector>

#include "core/condition.h"
#include "core/condition_set.h"
#include "core/error.h"
#include "core/event.h"
#include "core/json.h"

namespace relance {
namespace {

// Never fails: invalid UTF-8 in a message becomes U+FFFD.
std::string dumpSafe(const Json& v) { return v.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string errorsText(const PathErrors& errors) { return dumpSafe(toJson(errors)); }

// Parses an input document; on failure returns false and fills `errors`
// with one error naming the input ("context is not valid JSON: ...").
bool parseInput(const std::string& text, const char* what, Json& out, PathErrors& errors) {
  ParsedJson parsed = parseJson(text);
  if (!parsed.ok) {
    errors.push_back({"", std::string(what) + " is not valid JSON: " + parsed.message});
    return false;
  }
  out = std::move(parsed.value);
  return true;
}

// The saved groups of the last call, kept parsed: callers pass the same
// groups text with every context, and parsing it each time would dominate.
class GroupsCache {
 public:
  // Returns the parsed groups (null for ""), or null with `errors` filled.
  const Json* get(const std::string& text, PathErrors& errors) {
    if (text.empty()) return nullptr;
    if (!valid_ || text != text_) {
      valid_ = parseInput(text, "savedGroups", groups_, errors);
      text_ = text;
      if (valid_ && !groups_.is_object()) {
        errors.push_back({"", "savedGroups must be an object of named lists"});
        valid_ = false;
      }
    }
    if (!valid_ && errors.empty()) errors.push_back({"", "savedGroups is not valid"});
    return valid_ ? &groups_ : nullptr;
  }

 private:
  std::string text_;
  Json groups_;
  bool valid_ = false;
};

// The groups of a call, or null with `errors` filled. When the groups are
// refused, an unreadable context is reported first, as it always was.
const Json* groupsFor(GroupsCache& cache, const std::string& context_json, const std::string& groups_json,
                      PathErrors& errors) {
  const Json* groups = cache.get(groups_json, errors);
  if (!errors.empty()) {
    PathErrors context_errors;
    Json unused;
    if (!parseInput(context_json, "context", unused, context_errors)) errors = std::move(context_errors);
  }
  return groups;
}

std::string version() { return "0.1.0"; }

std::string evaluateConditionJson(const std::string& condition_json, const std::string& context_json,
                                  const std::string& groups_json) {
  PathErrors errors;
  Json condition, context, groups;
  if (parseInput(condition_json, "condition", condition, errors) &&
      parseInput(context_json, "context", context, errors) &&
      (groups_json.empty() || parseInput(groups_json, "savedGroups", groups, errors))) {
    auto compiled = compileCondition(condition);
    if (compiled.condition) {
      bool value = evaluate(*compiled.condition, context, groups_json.empty() ? nullptr : &groups);
      return value ? R"({"ok":true,"value":true})" : R"({"ok":true,"value":false})";
    }
    errors = std::move(compiled.errors);
  }
  return dumpSafe(Json{{"ok", false}, {"errors", toJson(errors)}});
}

std::string validateEventJson(const std::string& event_json) {
  PathErrors errors = validateEventText(event_json);
  if (errors.empty()) return R"({"ok":true,"errors":[]})";
  return dumpSafe(Json{{"ok", false}, {"errors", toJson(errors)}});
}

// One compiled condition, evaluated many times: a set of one, so it reads
// the context text the same fast way.
class CompiledConditionHandle {
 public:
  explicit CompiledConditionHandle(const std::string& condition_json) {
    PathErrors errors;
    Json condition;
    if (parseInput(condition_json, "condition", condition, errors)) set_ = ConditionSet::compileOne(condition, &errors);
    if (!set_ && errors.empty()) errors.push_back({"", "condition refused"});
    if (!errors.empty()) errors_ = errorsText(errors);
  }

  std::string errors() const { return errors_; }
  std::string lastError() const { return last_error_; }

  int evaluate(const std::string& context_json, const std::string& groups_json) {
    if (!set_) return -1;
    PathErrors errors;
    const Json* groups = groupsFor(groups_, context_json, groups_json, errors);
    if (!errors.empty()) {
      last_error_ = errorsText(errors);
      return -1;
    }
    std::string error;
    if (!set_->evaluateAll(context_json, groups, &answers_, &error)) {
      last_error_ = errorsText({{"", error}});
      return -1;
    }
    return answers_[0];
  }

 private:
  std::unique_ptr<ConditionSet> set_;
  std::vector<uint8_t> answers_;
  std::string errors_;
  std::string last_error_;
  GroupsCache groups_;
};

// Many compiled conditions answered together: one crossing per context.
class ConditionSetHandle {
 public:
  explicit ConditionSetHandle(const std::string& array_json) {
    PathErrors errors;
    Json array;
    if (parseInput(array_json, "conditions", array, errors)) set_ = ConditionSet::compile(array, &errors);
    if (!set_ && errors.empty()) errors.push_back({"", "conditions refused"});
    if (!errors.empty()) errors_ = errorsText(errors);
  }

  std::string errors() const { return errors_; }
  int size() const { return set_ ? static_cast<int>(set_->size()) : 0; }

  // The answers as a Uint8Array view of wasm memory, one byte per condition
  // (1 when it holds), valid until the next call into the module: the JS
  // wrapper copies it at once. Cheaper than a string: no copy, no decoding.
  // A string (the errors JSON) when the context or the groups are unreadable.
  emscripten::val evaluateAll(const std::string& context_json, const std::string& groups_json) {
    if (!set_) return emscripten::val(errors_);
    PathErrors errors;
    const Json* groups = groupsFor(groups_, context_json, groups_json, errors);
    if (!errors.empty()) return emscripten::val(errorsText(errors));
    std::string error;
    if (!set_->evaluateAll(context_json, groups, &answers_, &error)) return emscripten::val(errorsText({{"", error}}));
    return emscripten::val(emscripten::typed_memory_view(answers_.size(), answers_.data()));
  }

 private:
  std::unique_ptr<ConditionSet> set_;
  std::vector<uint8_t> answers_;
  std::string errors_;
  GroupsCache groups_;
};

}  // namespace
}  // namespace relance

EMSCRIPTEN_BINDINGS(relance_conditions_events) {
  using namespace emscripten;
  using namespace relance;
  function("version", &version);
  function("evaluateCondition", &evaluateConditionJson);
  function("validateEvent", &validateEventJson);
  class_<CompiledConditionHandle>("CompiledCondition")
      .constructor<const std::string&>()
      .function("errors", &CompiledConditionHandle::errors)
      .function("lastError", &CompiledConditionHandle::lastError)
      .function("evaluate", &CompiledConditionHandle::evaluate);
  class_<ConditionSetHandle>("ConditionSet")
      .constructor<const std::string&>()
      .function("errors", &ConditionSetHandle::errors)
      .function("size", &ConditionSetHandle::size)
      .function("evaluateAll", &ConditionSetHandle::evaluateAll);
}
