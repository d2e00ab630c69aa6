// explainFailure: the JSON Pointer of the first sub-condition that failed,
// used in debug output ("why was this offer not shown?").
#include <gtest/gtest.h>

#include "core/condition.h"

namespace relance {
namespace {

std::string why(const char* condition, const char* context, const std::string& base = "") {
  auto compiled = compileCondition(parseJson(condition).value, base);
  EXPECT_TRUE(compiled.condition) << condition;
  if (!compiled.condition) return "?";
  Json ctx = parseJson(context).value;
  EXPECT_EQ(evaluate(*compiled.condition, ctx), explainFailure(*compiled.condition, ctx).empty());
  return explainFailure(*compiled.condition, ctx);
}

TEST(ConditionExplain, NamesTheFailingOperator) {
  EXPECT_EQ(why(R"({"visitor.score": {"$gte": 30}})", R"({"visitor": {"score": 10}})", "/offers/0/when"),
            "/offers/0/when/visitor.score/$gte");
  EXPECT_EQ(why(R"({"a": 1, "b": {"$in": [1]}})", R"({"a": 1, "b": 2})"), "/b/$in");
  EXPECT_EQ(why(R"({"a": "x"})", R"({"a": "y"})"), "/a");
}

TEST(ConditionExplain, BlamesTheLogicalClauseNotItsAlternatives) {
  EXPECT_EQ(why(R"({"$or": [{"a": 1}, {"b": 1}]})", R"({})"), "/$or");
  EXPECT_EQ(why(R"({"$and": [{"a": 1}, {"b": {"$gt": 1}}]})", R"({"a": 1, "b": 0})"), "/$and/1/b/$gt");
  EXPECT_EQ(why(R"({"$not": {"a": 1}})", R"({"a": 1})"), "/$not");
}

TEST(ConditionExplain, EmptyWhenItHolds) {
  EXPECT_EQ(why(R"({"a": {"$exists": false}})", R"({})"), "");
}

TEST(ConditionCompile, ReportsEveryError) {
  auto r = compileCondition(parseJson(R"j({"a": {"$in": 1}, "b": {"$regex": "(?=x)"}, "$zz": 1})j").value, "/x");
  EXPECT_FALSE(r.condition);
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].path, "/x/$zz");
  EXPECT_EQ(r.errors[1].path, "/x/a/$in");
  EXPECT_EQ(r.errors[2].path, "/x/b/$regex");
  EXPECT_NE(r.errors[2].message.find("lookahead"), std::string::npos);
}

}  // namespace
}  // namespace relance
