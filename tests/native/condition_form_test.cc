// The compiled condition form (core/condition_form.h): what the collector
// writes into GET /v1/config and the browser's tag reads without the
// condition and regex compilers. Read back, a condition answers as compiled;
// a damaged form is refused, never evaluated out of bounds or forever.
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "json_pointers.h"

#include "core/condition.h"
#include "core/condition_form.h"
#include "core/regex.h"

namespace relance {
namespace {

std::shared_ptr<const CompiledCondition> compile(const char* text, const std::string& base = "") {
  auto result = compileCondition(parseJson(text).value, base);
  EXPECT_TRUE(result.errors.empty()) << text;
  return result.condition;
}

// A document holding one condition's form and its tables.
Json formOf(const char* text) {
  ConditionFormWriter writer;
  Json form = writer.write(*compile(text));
  return object({{"conditions", writer.tables()}, {"condition", form}});
}

// Reads `doc` back: null when the tables or the condition are refused.
std::shared_ptr<const CompiledCondition> read(const Json& doc, const std::string& base = "") {
  ConditionFormReader reader;
  std::string fault;
  if (!doc.is_object() || !doc.contains("conditions") || !doc.contains("condition")) return nullptr;
  if (!reader.readTables(doc["conditions"], "/conditions", &fault)) return nullptr;
  return reader.read(doc["condition"], base);
}

const char* const kRich = R"({
  "page.path": {"$regex": "^/(products|p)/[0-9]+$"},
  "page.title": {"$regexi": "[^a-c]sale\\b"},
  "cart.items": {"$elemMatch": {"sku": {"$in": ["A", "B"]}, "qty": {"$gte": 2}}},
  "tags": {"$all": ["x", {"$regex": "y"}], "$size": {"$gt": 1}},
  "visitor.score": {"$gte": 30, "$lt": 90, "$nin": [3, 1, 2, true, null]},
  "utm.source": {"$ini": ["Google", "BING"]},
  "app.version": {"$vgte": "1.2.3"},
  "device": {"$type": "string", "$exists": true, "$ne": "tv"},
  "$or": [{"a": 1}, {"b": "two"}, {"c": true}, {"d": null}, {"e": [1, 2]}, {"f": {"g": 1}}],
  "$nor": [{"h": {"$not": {"$eq": 3}}}],
  "$and": [{"i": {"$inGroup": "vips"}}, {"$not": {"j": {"$notInGroup": "bots"}}}],
  "$savedGroup": {"id": "grp", "attributeKey": "k"}
})";

TEST(ConditionForm, ReadsBackToTheSameConditionAndForm) {
  ConditionFormWriter writer;
  Json form = writer.write(*compile(kRich));
  Json doc = object({{"conditions", writer.tables()}, {"condition", form}});
  auto loaded = read(doc);
  ASSERT_TRUE(loaded);
  ConditionFormWriter again;
  EXPECT_EQ(again.write(*loaded), form);
  EXPECT_EQ(again.tables(), writer.tables());
  EXPECT_TRUE(readsWholeContext(*loaded));  // the $savedGroup
}

TEST(ConditionForm, AnswersAndExplainsAsCompiled) {
  auto compiled = compile(kRich, "/offers/0/condition");
  ConditionFormWriter writer;
  Json form = writer.write(*compiled);
  auto loaded = read(object({{"conditions", writer.tables()}, {"condition", form}}), "/offers/0/condition");
  ASSERT_TRUE(loaded);
  const Json groups = parseJson(R"({"vips": [1], "bots": [5], "grp": {"type": "list", "attributeKey": "k",
                                    "values": ["x"]}})").value;
  Json ctx = parseJson(R"({"page": {"path": "/p/12", "title": "Big SALE now"},
    "cart": {"items": [{"sku": "a", "qty": 5}, {"sku": "B", "qty": 2}]}, "tags": ["x", "yy"],
    "visitor": {"score": 40}, "utm": {"source": "google"}, "app": {"version": "1.10.0"}, "device": "phone",
    "a": 2, "b": "two", "d": 0, "h": 3, "i": 1, "j": 5, "k": "x"})").value;
  EXPECT_TRUE(evaluate(*compiled, ctx, &groups));
  EXPECT_TRUE(evaluate(*loaded, ctx, &groups));
  // Break one clause at a time: both answer false and blame the same place.
  const char* const kBreaks[][2] = {{"/page/path", "\"/p/x\""}, {"/page/title", "\"asale\""},
                                    {"/cart/items/1/qty", "1"},   {"/tags/1", "\"z\""},
                                    {"/visitor/score", "2"},      {"/utm/source", "\"yahoo\""},
                                    {"/app/version", "\"1.2\""},  {"/device", "\"tv\""},
                                    {"/b", "\"one\""},            {"/h", "4"},
                                    {"/i", "2"},                  {"/k", "\"y\""}};
  for (const auto& b : kBreaks) {
    Json broken = ctx;
    broken[Json::json_pointer(b[0])] = parseJson(b[1]).value;
    EXPECT_FALSE(evaluate(*loaded, broken, &groups)) << b[0];
    EXPECT_EQ(explainFailure(*loaded, broken, &groups), explainFailure(*compiled, broken, &groups)) << b[0];
    EXPECT_NE(explainFailure(*loaded, broken, &groups).find("/offers/0/condition/"), std::string::npos);
  }
}

TEST(ConditionForm, NumbersPathsAndRegexesOnceForAllConditions) {
  ConditionFormWriter writer;
  writer.write(*compile(R"({"page.path": {"$regex": "^/a"}, "visitor.score": 1})"));
  writer.write(*compile(R"({"page.path": {"$regex": "^/a", "$ne": "/ab"}})"));
  writer.write(*compile(R"({"page.path": {"$regexi": "^/a"}})"));
  Json tables = writer.tables();
  EXPECT_EQ(tables["paths"], Json::array({"page.path", "visitor.score"}));
  EXPECT_EQ(tables["regexes"].size(), 2u);  // "^/a" and "^/a" ignoring case
}

// A regex document whose program and classes the tests alter.
Json regexDoc(Json program, Json classes = Json::array()) {
  Json doc = formOf(R"({"p": {"$regex": "a"}})");
  doc["conditions"]["regexes"][0]["program"] = std::move(program);
  doc["conditions"]["regexes"][0]["classes"] = std::move(classes);
  return doc;
}

TEST(ConditionForm, RefusesADamagedRegexProgram) {
  // What "a" compiles to, as a control.
  EXPECT_TRUE(read(regexDoc(parseJson("[[0, 97], [9]]").value)));
  const char* const kDamaged[] = {
      "[[4, 99], [9]]",          // jump target past the end
      "[[3, 0, -1], [9]]",       // split target negative
      "[[3, 1, 2], [9]]",        // split target past the end
      "[[1, 0], [9]]",           // class index with no class
      "[[0, 97]]",               // truncated: no final match (pc + 1 would run off)
      "[[0, 97], [9], [0]]",     // truncated instruction, and no final match
      "[]",                      // empty
      "[[10], [9]]",             // no such instruction
      "[[0, 65536], [9]]",       // not a UTF-16 code unit
      "[[0], [9]]",              // a char without its operand
      "[[0, 97, 1], [9]]",       // an operand too many
      "[[0, 1.5], [9]]",         // not an integer
      "[[0, \"a\"], [9]]",       // not a number
      "[\"x\", [9]]",            // not an instruction
  };
  for (const char* program : kDamaged) EXPECT_FALSE(read(regexDoc(parseJson(program).value))) << program;
  // Classes: ranges in order and apart, as the compiler makes them.
  Json one = parseJson("[[1, 0], [9]]").value;
  EXPECT_TRUE(read(regexDoc(one, parseJson(R"([{"negate": false, "ranges": [48, 57, 65, 70]}])").value)));
  for (const char* classes : {R"([{"negate": false, "ranges": [57, 48]}])",
                              R"([{"negate": false, "ranges": [65, 70, 48, 57]}])",
                              R"([{"negate": false, "ranges": [48, 57, 58, 60]}])",
                              R"([{"negate": false, "ranges": [48]}])", R"([{"ranges": []}])",
                              R"([{"negate": false, "ranges": [0, 70000]}])"})
    EXPECT_FALSE(read(regexDoc(one, parseJson(classes).value))) << classes;
}

// Found by fuzz_config_loader: after tables with a damaged regex, a
// condition naming that regex must be refused, not read with a null program.
TEST(ConditionForm, DamagedTablesRefuseEveryCondition) {
  Json doc = regexDoc(parseJson("[[4, 99], [9]]").value);
  ConditionFormReader reader;
  std::string fault;
  EXPECT_FALSE(reader.readTables(doc["conditions"], "/conditions", &fault));
  EXPECT_EQ(fault, "/conditions/regexes/0");
  EXPECT_FALSE(reader.read(doc["condition"], ""));
  EXPECT_FALSE(reader.read(Json::array(), ""));  // even one that names nothing
}

TEST(ConditionForm, ALoopingProgramStillAnswers) {
  // A jump to itself and a split between two jumps: the simulation visits
  // each pc once per step, so it ends (and finds no match).
  auto loaded = read(regexDoc(parseJson("[[4, 0], [9]]").value));
  ASSERT_TRUE(loaded);
  EXPECT_FALSE(evaluate(*loaded, parseJson(R"({"p": "aaaa"})").value));
  loaded = read(regexDoc(parseJson("[[3, 1, 2], [4, 0], [4, 0], [9]]").value));
  ASSERT_TRUE(loaded);
  EXPECT_FALSE(evaluate(*loaded, parseJson(R"({"p": "aaaa"})").value));
}

TEST(ConditionForm, RefusesBadIndexesAndOperands) {
  Json doc = formOf(R"({"visitor.score": {"$gte": 30}, "page.path": {"$regex": "^/p"}, "n": {"$in": [1, 2]}})");
  ASSERT_TRUE(read(doc));
  auto refused = [&](const char* pointer, const char* value) {
    Json d = doc;
    d[Json::json_pointer(pointer)] = parseJson(value).value;
    return read(d) == nullptr;
  };
  // Clauses come in key order: n, page.path, visitor.score.
  EXPECT_EQ(doc["conditions"]["paths"], Json::array({"n", "page.path", "visitor.score"}));
  EXPECT_TRUE(refused("/condition/0/path", "3"));       // no such path
  EXPECT_TRUE(refused("/condition/0/path", "-1"));
  EXPECT_TRUE(refused("/condition/0/path", "\"0\""));
  EXPECT_TRUE(refused("/condition/1/test/ops/0/regex", "1"));  // no such regex
  EXPECT_TRUE(refused("/condition/1/test/ops/0/op", "\"$regexi\""));  // the program is case-sensitive
  EXPECT_TRUE(refused("/condition/0/test/ops/0/values", "[2, 1]"));  // numbers must come sorted
  EXPECT_TRUE(refused("/condition/0/test/ops/0/values", R"(["b", "a"])"));  // and strings, distinct
  EXPECT_TRUE(refused("/condition/0/test/ops/0/values", R"(["a", "a"])"));
  EXPECT_FALSE(refused("/condition/0/test/ops/0/values", R"(["A", "a", "b", 1, true, null])"));
  EXPECT_TRUE(refused("/condition/0/test/ops/0/values", "[[1]]"));
  EXPECT_TRUE(refused("/condition/2/test/ops/0/op", "\"$where\""));
  EXPECT_TRUE(refused("/condition/2/test/ops/0/value", "[30]"));
  EXPECT_TRUE(refused("/condition/2/test", R"({"ops": [], "string": "x"})"));
  EXPECT_TRUE(refused("/condition/2", R"({"when": 1})"));
  EXPECT_TRUE(refused("/condition", "{}"));
  EXPECT_TRUE(refused("/conditions/paths", "[\"n\", 1, \"visitor.score\"]"));
  EXPECT_FALSE(refused("/condition/2/test/ops/0/value", "\"30\""));  // a string bound is valid
}

// Every value of a rich form replaced by one of another kind, and every key
// or element removed: the reader answers (a condition or null), and what it
// answers evaluates without a crash (the fuzz build runs this under ASan).
TEST(ConditionForm, SurvivesEveryAlteration) {
  const Json doc = formOf(kRich);
  const std::vector<Json::json_pointer> pointers = everyPointer(doc);
  const Json replacements[] = {Json(), Json(true), Json(-1), Json(0), Json(7), Json(1e300), Json("x"),
                               Json::array(), Json::object()};
  const Json ctx = parseJson(R"({"page": {"path": "/p/1", "title": "sale"}, "tags": ["x", "y"]})").value;
  int refused = 0;
  auto attempt = [&](const Json& altered) {
    auto loaded = read(altered);
    if (!loaded) { ++refused; return; }
    evaluate(*loaded, ctx);
    explainFailure(*loaded, ctx);
  };
  for (const auto& at : pointers) {
    for (const Json& r : replacements) {
      Json altered = doc;
      altered[at] = r;
      attempt(altered);
    }
    if (at.empty()) continue;
    Json removed = doc;
    removed[at.parent_pointer()].is_object() ? (void)removed[at.parent_pointer()].erase(at.back())
                                             : (void)removed[at.parent_pointer()].erase(std::stoul(at.back()));
    attempt(removed);
  }
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace relance
