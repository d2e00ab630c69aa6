#include "core/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

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

// Number texts that are hard to read right: correctly rounded (ties to even),
// overflow, underflow, subnormals, -0. The same texts go through both wasm
// builds in tests/js/numbers.test.mjs (the tag's strtod is the browser's,
// src/wasm/browser_strtod.cc); the expected doubles here come from the
// compiler, not from any strtod.
TEST(ParseJson, ReadsTrickyNumbersToTheNearestDouble) {
  const double kMin = std::numeric_limits<double>::denorm_min();
  const struct {
    const char* text;
    double expected;
  } cases[] = {
      {"0.1", 0x1.999999999999ap-4},
      {"1e21", 1e21},
      {"1E+2", 100.0},
      {"12.5e-1", 1.25},
      {"5e-324", kMin},
      {"1.7976931348623157e308", std::numeric_limits<double>::max()},
      {"-0.0", -0.0},
      {"9007199254740993.0", 9007199254740992.0},  // 2^53 + 1: a tie, to even
      {"9007199254740995.0", 9007199254740996.0},  // a tie, to even (up)
      {"2.2250738585072011e-308", 0x0.fffffffffffffp-1022},
      {"2.4703282292062327e-324", 0.0},   // just under half the smallest subnormal
      {"2.4703282292062328e-324", kMin},  // just over
      {"1e-400", 0.0},
      {"-1e-400", -0.0},
      // 55 digits: exactly halfway between 1 and the next double, then just past it.
      {"1.00000000000000011102230246251565404236316680908203125", 1.0},
      {"1.00000000000000011102230246251565404236316680908203126", 0x1.0000000000001p0},
      {"0.1000000000000000055511151231257827021181583404541015625", 0x1.999999999999ap-4},
  };
  for (const auto& c : cases) {
    auto r = parseJson(std::string("[") + c.text + "]");
    ASSERT_TRUE(r.ok) << c.text << ": " << r.message;
    ASSERT_TRUE(r.value[0].is_number_float()) << c.text;
    double got = r.value[0].get<double>();
    EXPECT_EQ(std::memcmp(&got, &c.expected, sizeof got), 0) << c.text << " read as " << got;
    // And nlohmann's dump writes digits that read back to the same double.
    auto again = parseJson(r.value.dump());
    ASSERT_TRUE(again.ok) << r.value.dump();
    double back = again.value[0].get<double>();
    EXPECT_EQ(std::memcmp(&back, &c.expected, sizeof back), 0) << c.text << " dumped as " << r.value.dump();
  }
}

TEST(ParseJson, ReadsIntegersAsIntegersAndRefusesNumbersBeyondDouble) {
  auto big = parseJson("[123456789012345678, 9007199254740993, -0]");
  ASSERT_TRUE(big.ok) << big.message;
  EXPECT_EQ(big.value.dump(), "[123456789012345678,9007199254740993,0]");  // "-0" is the integer 0
  auto overflow = parseJson("[1e400]");
  ASSERT_FALSE(overflow.ok);
  EXPECT_NE(overflow.message.find("number overflow"), std::string::npos) << overflow.message;
}

}  // namespace
}  // namespace relance

TEST(DecimalText, WritesWhatStdToStringWrites) {
  const std::int64_t values[] = {0,         1,          -1,         9,          10,         -10,
                                 99,        100,        12345,      -98765,     4294967295, 4294967296,
                                 1700000000000, -1700000000000, std::numeric_limits<std::int64_t>::max(),
                                 std::numeric_limits<std::int64_t>::min()};
  for (std::int64_t v : values) EXPECT_EQ(relance::decimalText(v), std::to_string(v)) << v;
  for (std::int64_t v = 1; v > 0 && v < std::numeric_limits<std::int64_t>::max() / 10; v *= 10) {
    EXPECT_EQ(relance::decimalText(v - 1), std::to_string(v - 1));
    EXPECT_EQ(relance::decimalText(-v), std::to_string(-v));
  }
}
