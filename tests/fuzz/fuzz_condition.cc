// libFuzzer target for the condition language. The first byte picks the
// path: odd = the input is a JSON condition (parse, compile, and when it
// compiles evaluate it against fixed contexts and groups, and explain it;
// then write it in the compiled form, read it back, and it must answer and
// explain the same: core/condition_form.h);
// even = the rest is a regular expression pattern, compiled with and without
// the i flag and tested against a few subjects. Crashes, sanitizer reports
// and hangs are the failures; answers are checked by the case tables.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/condition.h"
#include "core/condition_form.h"
#include "core/json.h"
#include "core/regex.h"

namespace {

const relance::Json& contexts() {
  static const relance::Json kContexts = relance::parseJson(R"([
    {"page": {"path": "/products/42", "title": "Shoes"}, "visitor": {"score": 35, "segment": "vip"},
     "tags": ["a", "b", 1, null, {"x": 1}], "n": 5, "s": "abc", "v": "1.2.3-beta.1", "b": true},
    {"page": {"path": ["/x"]}, "tags": [], "n": "5", "s": null, "user": {"x": {"y": [1, 2]}}},
    {}
  ])").value;
  return kContexts;
}

const relance::Json& groups() {
  static const relance::Json kGroups = relance::parseJson(R"({
    "g": [1, "a", true], "l": {"type": "list", "attributeKey": "n", "values": [5]},
    "c": {"type": "condition", "condition": {"n": {"$gt": 1}}},
    "loop": {"type": "condition", "condition": {"$savedGroup": {"id": "loop"}}}, "bad": {"type": "list"}
  })").value;
  return kGroups;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    auto parsed = relance::parseJson(rest);
    if (!parsed.ok) return 0;
    auto compiled = relance::compileCondition(parsed.value, "/c");
    if (!compiled.condition) return 0;
    relance::ConditionFormWriter writer;
    relance::Json form = writer.write(*compiled.condition);
    relance::ConditionFormReader reader;
    std::string fault;
    if (!reader.readTables(writer.tables(), "/conditions", &fault)) __builtin_trap();
    auto loaded = reader.read(form, "/c");
    if (!loaded) __builtin_trap();  // what the compiler made, the reader takes
    for (const auto& ctx : contexts()) {
      bool a = relance::evaluate(*compiled.condition, ctx, &groups());
      bool b = relance::evaluate(*compiled.condition, ctx, nullptr);
      std::string why = relance::explainFailure(*compiled.condition, ctx, &groups());
      if (a != why.empty()) __builtin_trap();  // explain must agree with evaluate
      if (relance::evaluate(*loaded, ctx, &groups()) != a || relance::evaluate(*loaded, ctx) != b ||
          relance::explainFailure(*loaded, ctx, &groups()) != why)
        __builtin_trap();  // the compiled form answers as the compiled condition
    }
    return 0;
  }
  std::string error;
  for (bool ic : {false, true}) {
    auto re = relance::Regex::compile(rest, ic, &error);
    if (!re) continue;
    re->test("");
    re->test("/products/42?q=caf\xC3\xA9 \xF0\x9F\x98\x80 ABC_def\n");
    re->test(rest);
  }
  return 0;
}
