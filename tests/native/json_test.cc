#include "core/json.h"

#include <gtest/gtest.h>

namespace relance {
namespace {

TEST(ParseJson, AcceptsADocument) {
  auto r = parseJson(R"({"a":[1,2,{"b":null}]})");
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.value["a"][2]["b"], Json());
}

TEST(ParseJson, SaysWhereItBroke) {
  auto r = parseJson(R"({"a": 1,})");
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.offset, 8u);
  EXPECT_NE(r.message.find("column"), std::string::npos) << r.message;
}

TEST(ParseJson, RefusesTrailingGarbage) {
  EXPECT_FALSE(parseJson("{} {}").ok);
  EXPECT_FALSE(parseJson("").ok);
}

TEST(ParseJson, BoundsNesting) {
  std::string deep(100, '[');
  deep += std::string(100, ']');
  auto r = parseJson(deep, 64);
  ASSERT_FALSE(r.ok);
  EXPECT_NE(r.message.find("nesting"), std::string::npos);
  EXPECT_TRUE(parseJson(deep, 200).ok);
}

TEST(ParseJson, MessageIsValidUtf8EvenWhenTheInputIsCutMidCharacter) {
  // nlohmann quotes the last token read, which can end in half of "é".
  for (const char* text : {"[\"\xc3", "{\"\xc3\xa9\xc3", "\xe2\x82", "[1, \xf0\x9f\x98"}) {
    auto r = parseJson(text);
    ASSERT_FALSE(r.ok);
    EXPECT_NO_THROW((void)Json(r.message).dump()) << r.message;
  }
}

}  // namespace
}  // namespace relance
