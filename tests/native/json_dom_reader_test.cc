// readJsonDom (core/json_dom_reader.h), the browser tag's parser, against
// nlohmann's (parseJson natively): the same texts accepted, the same values
// built, down to each number's type. tests/fuzz/fuzz_json_dom.cc does the
// same on fuzzed texts; the tag runs the case tables and scenarios through it.
#include "core/json_dom_reader.h"
#include "json_same_value.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/json.h"

namespace relance {
namespace {

// Whether both parsers agree on `text` (at `depth`); the failure says how not.
::testing::AssertionResult agree(const std::string& text, int depth = 64) {
  ParsedJson ours = readJsonDom(text, depth);
  ParsedJson theirs = parseJson(text, depth);
  if (ours.ok != theirs.ok)
    return ::testing::AssertionFailure() << "on " << ::testing::PrintToString(text) << ": nlohmann "
                                         << (theirs.ok ? "accepts" : "refuses (" + theirs.message + ")")
                                         << ", readJsonDom " << (ours.ok ? "accepts" : "refuses (" + ours.message + ")");
  if (ours.ok && !sameValue(ours.value, theirs.value))
    return ::testing::AssertionFailure() << "on " << ::testing::PrintToString(text) << ": nlohmann builds "
                                         << theirs.value.dump() << ", readJsonDom " << ours.value.dump();
  return ::testing::AssertionSuccess();
}

// Texts at every edge of the grammar, accepted and refused.
const char* const kEdges[] = {
    // values and white space
    "null", "true", "false", "0", "-0", "1", "-1", "\"\"", "[]", "{}", " \t\r\n[ 1 , 2 ]\n", "[[],[[]],{}]",
    R"({"a":{"b":[1,{"c":null}]},"d":"e"})", R"({"a":1,"a":2})", R"({"b":1,"a":2,"b":[3]})",
    // refused structure
    "", " ", "[", "]", "{", "}", "[1,]", "[,1]", "[1 2]", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":}", "{1:2}",
    "{\"a\":1 \"b\":2}", "[1]]", "{} {}", "[] x", "nul", "nulll", "tru", "True", "NULL", "falsey", "'a'",
    "\x0b[]", "[]\x0c", "\xa0[]", "/* */[]", "[1]//",
    // byte-order marks: one, first
    "\xEF\xBB\xBF[]", "\xEF\xBB\xBF", "\xEF\xBB[]", "\xEF\xBB\xBF\xEF\xBB\xBF[]", " \xEF\xBB\xBF[]",
    "\xEF\xBB\xBF 1",
    // numbers
    "01", "-01", "00", "1.", ".5", "1.e5", "1e", "1e+", "1E-2", "1e05", "-", "--1", "+1", "1.5e308", "1e309",
    "-1e309", "1e-400", "0.1", "123456789012345678901234567890", "18446744073709551615",
    "18446744073709551616", "-9223372036854775808", "-9223372036854775809", "9223372036854775808",
    "-18446744073709551615", "-0.0", "0e0", "-0e-0", "1.7976931348623157e308", "1.7976931348623159e308",
    "4.9e-324", "2.4703282292062327e-324", "[1e2,1E2,100,100.0]", "Infinity", "NaN", "-Infinity", "0x10",
    "1_000", "\xd9\xa1",  // an Arabic-Indic digit one
    // strings
    R"("a\"b\\c\/d\b\f\n\r\t")", R"("\u0041\u00e9\u20ac")", R"("\ud83d\ude00")", R"("\uD83D\uDE00")",
    R"("\ud83d")", R"("\ude00")", R"("\ud83d\u0041")", R"("\ud83dx")", R"("\u12")", R"("\u12G4")",
    R"("\x41")", R"("\a")", R"("\')", "\"\\", "\"abc", "\"a\tb\"", "\"a\nb\"",
    "\"\x7f\"", "\"\xc3\xa9\"", "\"\xc3\"", "\"\xc3(\"", "\"\xe2\x82\xac\"", "\"\xe2\x82\"", "\"\xf0\x9f\x98\x80\"",
    "\"\xf4\x90\x80\x80\"", "\"\xed\xa0\x80\"", "\"\xc0\xaf\"", "\"\xe0\x80\xaf\"", "\"\xff\"", "\"\x80\"",
    "{\"\xc3\xa9\":1}", "{\"\\u0000\":1}", "\"\\u0000\"", "{\"a\\u0000b\":2,\"a\":3}",
    // strings longer than a word (the reader's eight-byte steps)
    "\"abcdefghijklmnopqrstuvwxyz\"", "\"abcdefgh\\\"ijklmnop\"", "\"abcdefg\xc3\xa9hijklmnop\"",
    "\"abcdefghijklmno\x01\"",
};

TEST(ReadJsonDom, AgreesWithNlohmannOnEveryEdge) {
  for (const char* text : kEdges) EXPECT_TRUE(agree(text));
  EXPECT_TRUE(agree(std::string("\"a\0b\"", 5)));  // a raw NUL in a string
  EXPECT_TRUE(agree(std::string("[1]\0", 4)));      // and after the value
}

TEST(ReadJsonDom, BoundsNestingAsParseJsonDoes) {
  for (int n : {1, 15, 16, 17, 64, 65, 100}) {
    std::string arrays = std::string(n, '[') + std::string(n, ']');
    std::string objects;
    for (int i = 0; i < n; ++i) objects += "{\"a\":";
    objects += "1" + std::string(n, '}');
    for (int depth : {16, 64}) {
      EXPECT_TRUE(agree(arrays, depth)) << n << " at " << depth;
      EXPECT_TRUE(agree(objects, depth)) << n << " at " << depth;
      EXPECT_TRUE(agree(arrays.substr(0, arrays.size() - 1), depth)) << n << " at " << depth;
    }
  }
  ParsedJson deep = readJsonDom(std::string(17, '[') + std::string(17, ']'), 16);
  ASSERT_FALSE(deep.ok);
  EXPECT_EQ(deep.message, "nesting deeper than 16 levels");
  // The first fault wins: a syntax error before the depth is exceeded.
  EXPECT_NE(readJsonDom("[x" + std::string(20, '['), 16).message.find("syntax error"), std::string::npos);
}

TEST(ReadJsonDom, SaysWhereItBrokeAndWhy) {
  ParsedJson r = readJsonDom(R"({"a": 1,})");
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.offset, 8u);
  EXPECT_EQ(r.message, "syntax error at byte 8: expected a string key");
  EXPECT_TRUE(r.value.is_null());
  EXPECT_EQ(readJsonDom("").message, "syntax error at byte 0: unexpected end of input");
  EXPECT_EQ(readJsonDom("[1e999]").message, "syntax error at byte 1: number overflow");
  EXPECT_EQ(readJsonDom("[\"\xc3\"]").message, "syntax error at byte 1: invalid string");
  EXPECT_EQ(readJsonDom("{} x").message, "syntax error at byte 3: unexpected content after the value");
}

// Random edits of valid documents (deterministic seed): texts near the
// grammar's edges that no table lists. The fuzz target goes further.
TEST(ReadJsonDom, AgreesWithNlohmannOnEditedDocuments) {
  const std::string seeds[] = {
      R"({"type":"page_view","id":"p1","ts":1767225600000,"props":{"depth":40.5,"tags":["a","b"],"ok":true,"none":null}})",
      R"([0,-1,2.5e-3,18446744073709551615,-9223372036854775808,"\u00e9\ud83d\ude00\n","caf)" "\xc3\xa9" R"("])",
      R"({"visitor":{"traits":{"x":1e21,"y":-0.0}},"cart":{"items":[{"id":"sku","price":9.99,"quantity":2}]}})",
  };
  const std::string alphabet = std::string("{}[]:,\"\\/-+.0123456789eEtrufalsn \t\n\rabu") + "\x00\x01\x7f\x80\xc3\xa9\xed\xef\xbb\xbf\xff";
  std::mt19937 rng(20261130);
  int accepted = 0;
  for (int i = 0; i < 30000; ++i) {
    std::string text = seeds[i % 3];
    int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      std::size_t at = rng() % text.size();
      char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0: text[at] = c; break;
        case 1: text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c); break;
        default: text.erase(at, 1 + rng() % 4); break;
      }
    }
    ASSERT_TRUE(agree(text));
    accepted += parseJson(text).ok;
  }
  EXPECT_GT(accepted, 1000);  // the edits leave many documents valid: both paths are exercised
}

}  // namespace
}  // namespace relance
