// A test-only wasm (CMake target relance_tag_conditions, never shipped):
// the browser tag's core library, built with the tag's flags, plus one
// binding that runs a condition the way the tag gets it from the collector:
// compiled, written in the compiled form (core/condition_form.h), sent as
// text, read back and evaluated. tests/js/cases.test.mjs and
// tests/js/conditions_differential.test.mjs run the condition case tables
// and GrowthBook's differential test through it, so the tag's evaluator and
// form reader (-Oz, no RTTI, the browser's strtod) answer as the others.
//
//   throughForm(conditionJson, contextJson, groupsJson) -> string
//     '{"answer": bool, "why": string}', or '{"refused": "compile" | "form"}';
//     groupsJson "" means no saved groups.
#include <emscripten/bind.h>

#include <string>

#include "core/condition.h"
#include "core/condition_form.h"
#include "core/json.h"

namespace relance {
namespace {

std::string throughForm(const std::string& condition_json, const std::string& context_json,
                        const std::string& groups_json) {
  ParsedJson condition = parseJson(condition_json);
  ParsedJson context = parseJson(context_json);
  ParsedJson groups = parseJson(groups_json.empty() ? "null" : groups_json);
  if (!condition.ok || !context.ok || !groups.ok) return R"({"refused": "json"})";
  CompileConditionResult compiled = compileCondition(condition.value);
  if (!compiled.condition) return R"({"refused": "compile"})";
  ConditionFormWriter writer;
  Json form = writer.write(*compiled.condition);
  std::string sent = object({{"conditions", writer.tables()}, {"condition", form}})
                         .dump(-1, ' ', false, Json::error_handler_t::replace);
  ParsedJson received = parseJson(sent);
  ConditionFormReader reader;
  std::string fault;
  if (!received.ok || !reader.readTables(received.value["conditions"], "/conditions", &fault))
    return R"({"refused": "form"})";
  auto loaded = reader.read(received.value["condition"], "");
  if (!loaded) return R"({"refused": "form"})";
  const SavedGroups* saved = groups_json.empty() ? nullptr : &groups.value;
  return object({{"answer", evaluate(*loaded, context.value, saved)},
                 {"why", explainFailure(*loaded, context.value, saved)}})
      .dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace
}  // namespace relance

EMSCRIPTEN_BINDINGS(relance_tag_conditions) { emscripten::function("throughForm", &relance::throughForm); }
