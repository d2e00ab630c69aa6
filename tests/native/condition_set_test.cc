// ConditionSet reads context texts without a DOM (context_paths.h): these
// tests hold it to the DOM's answers. The case tables run through sets, every
// condition of a batch against every context of the batch, compared with
// evaluate() on the parsed context; and the extractor is compared with
// parseJson on tricky and randomly damaged texts.

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "case_files.h"
#include "core/condition.h"
#include "core/condition_set.h"
#include "core/context_paths.h"
#include "core/json.h"

namespace relance {
namespace {

const std::string kDir = std::string(RELANCE_SOURCE_DIR) + "/tests/cases/conditions";

struct Case {
  Json condition, context, groups;
  bool has_groups = false;
  bool expected = false;
};

std::vector<Case> validCases(const std::string& file) {
  std::vector<Case> out;
  Json doc = testing::loadJsonFile(kDir + "/" + file);
  for (const auto& c : doc["cases"]) {
    if (c.contains("error")) continue;
    Case k;
    k.condition = c["condition"];
    k.context = c["context"];
    k.expected = c["expected"].get<bool>();
    if (c.contains("savedGroups")) { k.groups = c["savedGroups"]; k.has_groups = true; }
    out.push_back(std::move(k));
  }
  return out;
}

class ConditionSetCaseFile : public ::testing::TestWithParam<std::string> {};

// Batches of conditions, each batch answered for each of its cases' contexts
// (as text, plain and with \u escapes): every answer equals evaluate() on the
// DOM, and the case's own answer equals GrowthBook's.
TEST_P(ConditionSetCaseFile, SetsAnswerAsTheDomEvaluator) {
  std::vector<Case> cases = validCases(GetParam());
  const std::size_t kBatch = 150;
  int failures = 0;
  for (std::size_t from = 0; from < cases.size() && failures < 20; from += kBatch) {
    std::size_t to = std::min(cases.size(), from + kBatch);
    Json array = Json::array();
    std::vector<std::shared_ptr<const CompiledCondition>> single;
    for (std::size_t i = from; i < to; ++i) {
      array.push_back(cases[i].condition);
      single.push_back(compileCondition(cases[i].condition).condition);
      ASSERT_TRUE(single.back());
    }
    PathErrors errors;
    auto set = ConditionSet::compile(array, &errors);
    ASSERT_TRUE(set) << (errors.empty() ? "" : errors[0].path + ": " + errors[0].message);
    std::vector<uint8_t> answers;
    for (std::size_t k = from; k < to && failures < 20; ++k) {
      const Case& c = cases[k];
      const Json* groups = c.has_groups ? &c.groups : nullptr;
      for (bool ascii : {false, true}) {
        std::string text = c.context.dump(-1, ' ', ascii);
        std::string error;
        ASSERT_TRUE(set->evaluateAll(text, groups, &answers, &error)) << error;
        ASSERT_EQ(answers.size(), to - from);
        if (answers[k - from] != c.expected) {
          ADD_FAILURE() << GetParam() << ": case " << k << " answered " << int(answers[k - from]) << "\n  condition "
                        << c.condition.dump() << "\n  context " << text;
          ++failures;
        }
        for (std::size_t i = from; i < to; ++i) {
          bool dom = evaluate(*single[i - from], c.context, groups);
          if (answers[i - from] != dom) {
            ADD_FAILURE() << GetParam() << ": condition " << i << " on context " << k << ": set " << int(answers[i - from])
                          << ", DOM " << dom << "\n  condition " << cases[i].condition.dump() << "\n  context " << text;
            if (++failures > 20) break;
          }
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllFiles, ConditionSetCaseFile, ::testing::ValuesIn(testing::jsonFilesIn(kDir)),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param.substr(0, info.param.size() - 5);
                           for (char& ch : n)
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

TEST(ConditionSet, ReportsTheIndexOfARefusedCondition) {
  PathErrors errors;
  auto set = ConditionSet::compile(Json::parse(R"([{"a": 1}, {"b": {"$regex": "("}}])"), &errors);
  EXPECT_FALSE(set);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "/1/b/$regex");
  errors.clear();
  EXPECT_FALSE(ConditionSet::compileOne(Json::parse(R"({"b": {"$bad": 1}})"), &errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "/b/$bad");
}

// A native caller may hand in strings that are not UTF-8 (JSON text never
// has them): such a field test is evaluated, just not shared.
TEST(ConditionSet, AcceptsAnOperandThatIsNotUtf8) {
  Json conditions = Json::array({Json{{"s", std::string("\xFF")}}, Json{{"s", std::string("\xFE")}}});
  PathErrors errors;
  auto set = ConditionSet::compile(conditions, &errors);
  ASSERT_TRUE(set);
  std::vector<uint8_t> answers;
  std::string error;
  ASSERT_TRUE(set->evaluateAll(R"({"s": "x"})", nullptr, &answers, &error));
  EXPECT_EQ(answers, (std::vector<uint8_t>{0, 0}));
}

TEST(ConditionSet, RefusesAnUnreadableContextWithTheParsersMessage) {
  PathErrors errors;
  auto set = ConditionSet::compile(Json::parse(R"([{"a": 1}])"), &errors);
  ASSERT_TRUE(set);
  std::vector<uint8_t> answers;
  std::string error;
  EXPECT_FALSE(set->evaluateAll(R"({"a": 1,})", nullptr, &answers, &error));
  EXPECT_EQ(error, "context is not valid JSON: " + parseJson(R"({"a": 1,})").message);
  EXPECT_TRUE(set->evaluateAll(R"({"a": 1})", nullptr, &answers, &error));
  EXPECT_EQ(answers, std::vector<uint8_t>{1});
  EXPECT_TRUE(set->evaluateAll(R"([1])", nullptr, &answers, &error));  // not an object: the DOM answers
  EXPECT_EQ(answers, std::vector<uint8_t>{0});
}

// ------------------------------------------------------------------ extractor

// The paths the extractor tests read: leaves, prefixes of other paths,
// indexes, "length", keys that need escapes.
PathTable tricky() {
  PathTable t;
  for (const char* p : {"a", "a.b", "a.b.c", "n", "s", "arr.length", "arr.0", "arr.1.x", "o", "deep.x.y.z", "e\"q",
                        "u\xC3\xA9", "", "x.", "f", "i", "neg", "big", "t"})
    t.intern(splitPath(p));
  return t;
}

std::string describe(const Json& v) { return std::string(v.type_name()) + ":" + v.dump(); }

// When extract() accepts a text, parseJson accepts it and every value is the
// DOM's (same type, same dump); when parseJson refuses it, extract() does too.
void expectSameAsDom(ContextExtractor& x, const PathTable& t, const std::string& text) {
  bool fast = x.extract(text);
  std::vector<std::string> got;
  if (fast)
    for (std::size_t s = 0; s < t.size(); ++s) got.push_back(describe(*x.values()[s]));
  ParsedJson parsed = parseJson(text);
  if (!parsed.ok) {
    EXPECT_FALSE(fast) << "accepted what nlohmann refuses: " << text;
    return;
  }
  if (!fast) return;  // left to nlohmann: allowed
  x.fromDom(parsed.value);
  for (std::size_t s = 0; s < t.size(); ++s)
    EXPECT_EQ(got[s], describe(*x.values()[s])) << "slot " << s << " in " << text;
}

TEST(ContextExtractor, ReadsValuesAsTheDomHasThem) {
  PathTable t = tricky();
  ContextExtractor x(t);
  const char* texts[] = {
      R"({})",
      R"({"a": {"b": {"c": 1, "d": 2}}, "n": null, "s": "text", "arr": [1, {"x": true}], "o": {"k": [1, 2]}})",
      R"({"a": 5, "arr": "str", "deep": {"x": {"y": {"z": [[], {}]}}}})",
      R"({"a": {"b": 1}, "a": {"c": 2}})",
      R"({"a": {"b": {"c": 1}}, "a": 3})",
      R"({"s": "1", "s": "2", "o": {}, "o": null})",
      R"({"e\"q": 1, "u\u00e9": "\ud83d\ude00 \u0000 \n\t\\\/\"", "": "empty", "x": {"": 4}})",
      R"({"f": 0.5, "i": 12345678901234567, "neg": -0, "big": 123456789012345678901234567890, "t": -12.250})",
      R"({"f": -0.0, "i": 18446744073709551615, "neg": -9223372036854775808, "big": 99999999999999999999})",
      " \n\t{ \"a\" :{ \"b\" : [ 1 , 2 ] } }\r\n",
      R"({"arr": [], "a": {"b": {"c": {"d": {"e": [{"f": [1]}]}}}}})",
      R"({"f": 1e5, "s": "x"})",
      R"({"f": 1E400})",
      "\xEF\xBB\xBF{\"a\": 1}",
      R"({"s": "caf\u00E9 \uD834\uDD1E"})",
      "{\"s\": \"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"}",
      R"([1, 2])", R"("text")", R"(3)", R"(null)",
      // malformed: nlohmann refuses every one
      "", "{", "}", R"({"a" 1})", R"({"a": 1,})", R"({"a": [1,]})", R"({"a": 01})", R"({"a": 1.})", R"({"a": -})",
      R"({"a": .5})", R"({"a": tru})", R"({"a": nul})", R"({"a": "x)", R"({"a": "\x"})", R"({"a": "\u12"})",
      R"({"a": "\ud800"})", R"({"a": "\udc00"})", R"({"a": "\ud800\u0041"})", "{\"a\": \"\x01\"}",
      "{\"a\": \"\xC0\x80\"}", "{\"a\": \"\xED\xA0\x80\"}", "{\"a\": \"\xF4\x90\x80\x80\"}", "{\"a\": \"\xE2\x82\"}",
      "{\"a\": 1} x", "{\"a\": 1}{}", R"({'a': 1})", R"({a: 1})", "{\"a\":\v1}", R"({"a": [1 2]})",
      R"({"a": {"b": 1} "c": 2})", R"({"a": +1})", R"({"a": Infinity})", R"({"a": NaN})",
  };
  for (const char* text : texts) expectSameAsDom(x, t, text);
  // Beyond double's range, with or without an exponent: "number overflow".
  for (const std::string& big : {std::string(400, '9') + ".5", "-" + std::string(400, '9') + ".0", std::string(400, '9')})
    expectSameAsDom(x, t, R"({"f": )" + big + "}");
}

// Captured values reuse what the previous context left: every shape change
// must still give exactly the new value.
TEST(ContextExtractor, ReusesValuesAcrossContextsOfChangingShape) {
  PathTable t = tricky();
  ContextExtractor x(t);
  const char* texts[] = {
      R"({"o": {"a": 1, "b": [1, 2, 3], "c": {"d": "x"}}})",
      R"({"o": {"a": 2, "b": [4], "c": {"d": "y"}}})",
      R"({"o": {"b": [], "z": null}})",
      R"({"o": {"a": {"k": 1}, "a": 3}})",
      R"({"o": {"a": 1, "b": 2, "a": 4}})",
      R"({"o": {"a": [1, {"x": 1}], "b": 2}})",
      R"({"o": {"a": [{"x": 1, "y": 2}], "b": 2}})",
      R"({"o": {"a": [{"y": 3}, "s"], "b": "long string beyond the small buffer"}})",
      R"({"o": [1, 2, 3]})",
      R"({"o": [1]})",
      R"({"o": "text"})",
      R"({"o": {"a": 1, "b": [1, 2, 3], "c": {"d": "x"}}})",
      R"({})",
      R"({"o": {"a": 1, "b": [1, 2, 3], "c": {"d": "x"}}})",
  };
  for (const char* text : texts) {
    ASSERT_TRUE(x.extract(text)) << text;
    expectSameAsDom(x, t, text);
  }
}

TEST(ContextExtractor, LeavesDeepNestingToTheParser) {
  PathTable t = tricky();
  ContextExtractor x(t);
  for (int depth : {63, 64, 65, 200}) {
    std::string text = "{\"o\": ";
    for (int i = 1; i < depth; ++i) text += "[";
    for (int i = 1; i < depth; ++i) text += "]";
    text += "}";
    expectSameAsDom(x, t, text);
    EXPECT_EQ(x.extract(text), depth <= 64) << depth;
  }
}

// Deterministic damage to valid texts: every variant either reads as the
// DOM does or is left to nlohmann.
TEST(ContextExtractor, DamagedTextsReadAsTheDomOrNotAtAll) {
  PathTable t = tricky();
  ContextExtractor x(t);
  const std::string base[] = {
      R"({"a": {"b": {"c": [1, -2.5, "x"]}}, "n": null, "s": "t\u00e9xt\n", "arr": [1, {"x": true}], "o": {"k": false}})",
      R"({"deep": {"x": {"y": {"z": 0}}}, "e\"q": "q", "f": 10.75, "i": 42, "t": [[], {}]})",
  };
  const char alphabet[] = "{}[]\":,\\u0123456789.-eE tfnrl\x80\xC3\xA9\xFF";
  uint32_t state = 12345;
  auto next = [&] { state = state * 1103515245u + 12345u; return (state >> 8) & 0xFFFFFF; };
  int accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text = base[round % 2];
    int edits = 1 + next() % 3;
    for (int e = 0; e < edits; ++e) {
      std::size_t at = next() % text.size();
      char c = alphabet[next() % (sizeof(alphabet) - 1)];
      switch (next() % 3) {
        case 0: text[at] = c; break;
        case 1: text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c); break;
        default: text.erase(at, 1); break;
      }
    }
    if (x.extract(text)) ++accepted;
    expectSameAsDom(x, t, text);
    if (HasFailure()) break;
  }
  EXPECT_GT(accepted, 1000);  // the damage leaves many valid texts to compare
}

TEST(ContextExtractor, ResolvesArrayLengthAndIndexesLikeGetPath) {
  PathTable t;
  int length = t.intern(splitPath("cart.items.length"));
  int first = t.intern(splitPath("cart.items.0.id"));
  int missing = t.intern(splitPath("cart.items.9"));
  ContextExtractor x(t);
  ASSERT_TRUE(x.extract(R"({"cart": {"items": [{"id": "a"}, {"id": "b"}]}})"));
  EXPECT_EQ(*x.values()[length], Json(2.0));
  EXPECT_EQ(*x.values()[first], Json("a"));
  EXPECT_TRUE(x.values()[missing]->is_null());
}

}  // namespace
}  // namespace relance
