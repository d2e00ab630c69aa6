// Unit tests of the regular expression engine (src/core/regex.h). The
// expected answers in kCases were produced by Node's RegExp.prototype.test
// for the same pattern, flags and subject.
#include "core/regex.h"

#include <string>

#include <gtest/gtest.h>

namespace relance {
namespace {

struct Case {
  const char* pattern;
  bool ignore_case;
  const char* subject;
  bool expected;
};

// Strings are UTF-8 bytes.
const Case kCases[] = {
    {"abc", false, "xxabcxx", true},
    {"abc", false, "ab", false},
    {"^abc", false, "xabc", false},
    {"abc$", false, "abcx", false},
    {"^$", false, "", true},
    {"a.c", false, "a\x0a""c", false},
    {"a.c", false, "a-c", true},
    {"\x5c""d{3}", false, "ab12", false},
    {"\x5c""d{3}", false, "ab123", true},
    {"\x5c""D+", false, "123", false},
    {"\x5c""w+", false, "!!", false},
    {"\x5c""W", false, "abc_", false},
    {"\x5c""s", false, "a\xc2""\xa0""b", true},
    {"\x5c""S", false, " \x09""", false},
    {"\x5c""bfoo\x5c""b", false, "a foo b", true},
    {"\x5c""bfoo\x5c""b", false, "afoo", false},
    {"\x5c""Bfoo", false, "afoo", true},
    {"[a-c]+x", false, "zzbcx", true},
    {"[^a-c]", false, "abc", false},
    {"[^a-c]", false, "abcd", true},
    {"colou?r", false, "color", true},
    {"colou?r", false, "colouur", false},
    {"a{2,3}", false, "a", false},
    {"a{2,3}", false, "aa", true},
    {"^a{2}$", false, "aaa", false},
    {"^a{2,}$", false, "aaaa", true},
    {"(ab|cd)+e", false, "abcde", true},
    {"(?:ab)*?c", false, "c", true},
    {"x|y|z", false, "z", true},
    {"\x5c"".", false, "a", false},
    {"\x5c""/p", false, "/p", true},
    {"/p", false, "/p", true},
    {"\x5c""u00e9", false, "caf\xc3""\xa9""", true},
    {"\x5c""x41", false, "A", true},
    {"\x5c""t", false, "a\x09""b", true},
    {"caf\xc3""\xa9""", true, "CAF\xc3""\x89""", true},
    {"ABC", true, "xabcx", true},
    {"[a-z]+$", true, "ABC", true},
    {"[^a-z]", true, "ABC", false},
    {"\xc3""\xbf""", true, "\xc5""\xb8""", true},
    {"\xcf""\x83""", true, "\xce""\xa3""", true},
    {"\xcf""\x82""", true, "\xcf""\x83""", true},
    {"\xc4""\xb1""", true, "I", false},
    {"\xc5""\xbf""", true, "s", false},
    {"k", true, "\xe2""\x84""\xaa""", false},
    {"^.$", false, "\xf0""\x9f""\x98""\x80""", false},
    {"^..$", false, "\xf0""\x9f""\x98""\x80""", true},
    {"\xf0""\x9f""\x98""\x80""", false, "x\xf0""\x9f""\x98""\x80""", true},
    {"]", false, "a]", true},
    {"a{", false, "a{", true},
    {"a{1", false, "a{1", true},
    {"a{,2}", false, "a{,2}", true},
    {"}", false, "}", true},
    {"[]", false, "a", false},
    {"[^]", false, "\x0a""", true},
    {"", false, "", true},
    {"a|", false, "b", true},
    {"[\x5c""d-z]", false, "-", true},
    {"[\x5c""w.]+@", false, "a.b@", true},
    {"\x5c""cJ", false, "\x0a""", true},
    {"[\x5c""b]", false, "\x08""", true},
    {"\x5c""-", false, "-", true},
    {"^\x5c""s*$", false, " \xe2""\x80""\xa8""\xef""\xbb""\xbf""", true},
    {"a$", false, "a\x0a""", false},
    {"^b", false, "a\x0a""b", false},
    {"[A-Z]", true, "q", true},
    {"\x5c""W", true, "k", false},
    {"[\xc3""\xa0""-\xc3""\xbf""]", true, "\xc3""\x89""", true},
};

TEST(ConditionRegex, AnswersAsJavaScript) {
  for (const Case& c : kCases) {
    std::string error;
    auto re = Regex::compile(c.pattern, c.ignore_case, &error);
    ASSERT_TRUE(re) << c.pattern << ": " << error;
    EXPECT_EQ(re->test(c.subject), c.expected) << "/" << c.pattern << "/" << (c.ignore_case ? "i" : "") << " on \"" << c.subject << "\"";
  }
}

// Lone surrogates cannot be written as UTF-8: check code units directly.
TEST(ConditionRegex, MatchesUtf16CodeUnits) {
  std::string error;
  auto re = Regex::compile("^.$", false, &error);
  ASSERT_TRUE(re) << error;
  const char16_t lone[] = {0xD83D};
  EXPECT_TRUE(re->test16(lone, 1));
  EXPECT_FALSE(re->test("\xF0\x9F\x98\x80"));  // one emoji is two code units
}

TEST(ConditionRegex, NulEscape) {
  std::string error;
  auto re = Regex::compile("a\\0b", false, &error);
  ASSERT_TRUE(re) << error;
  EXPECT_TRUE(re->test(std::string("a\0b", 3)));
  EXPECT_FALSE(re->test("a0b"));
}

// Patterns that make a backtracking engine explode answer at once here.
TEST(ConditionRegex, NestedQuantifiersStayLinear) {
  std::string error;
  auto nested = Regex::compile("(x+x+)+y", false, &error);
  ASSERT_TRUE(nested) << error;
  std::string subject(5000, 'x');
  EXPECT_FALSE(nested->test(subject));
  EXPECT_TRUE(nested->test(subject + "y"));
  auto star = Regex::compile("(a*)*b", false, &error);
  ASSERT_TRUE(star) << error;
  EXPECT_FALSE(star->test(std::string(5000, 'a') + "c"));
  EXPECT_TRUE(star->test(std::string(5000, 'a') + "b"));
}

TEST(ConditionRegex, RefusesWhatItCannotHonour) {
  struct Refused { const char* pattern; const char* says; };
  const Refused kRefused[] = {
      {"a(?=b)", "lookahead"}, {"a(?!b)", "lookahead"}, {"(?<=a)b", "lookbehind"}, {"(?<!a)b", "lookbehind"},
      {"(a)\\1", "backreference"}, {"(?<x>a)", "named groups"}, {"\\k<x>", "named backreference"},
      {"\\p{L}", "unicode property"}, {"\\P{L}", "unicode property"}, {"(?i)a", "inline flags"},
      {"\\01", "octal"}, {"\\q", "unknown escape"}, {"\\u{1F600}", "\\u"}, {"\\x4", "\\x"},
      {"a{2000}", "1000"}, {"(a{1000}){1000}", "too large"},
      // Invalid in JavaScript too.
      {"(", "unterminated group"}, {")", "unmatched"}, {"[a", "unterminated"}, {"*", "nothing to repeat"},
      {"a**", "nothing to repeat"}, {"^*", "nothing to repeat"}, {"a{2}{3}", "nothing to repeat"}, {"{1}", "nothing to repeat"},
      {"[z-a]", "out of order"}, {"a{3,2}", "out of order"}, {"\\", "end of pattern"},
  };
  for (const Refused& r : kRefused) {
    std::string error;
    EXPECT_FALSE(Regex::compile(r.pattern, false, &error)) << r.pattern;
    EXPECT_NE(error.find(r.says), std::string::npos) << r.pattern << ": " << error;
  }
}

TEST(ConditionRegex, CaseFoldingTables) {
  EXPECT_EQ(regexCanonicalize(u'a'), u'A');
  EXPECT_EQ(regexCanonicalize(u'\u00e9'), u'\u00c9');
  EXPECT_EQ(regexCanonicalize(u'\u0131'), u'\u0131');  // dotless i: upper case is ASCII, kept
  EXPECT_EQ(simpleToLower(u'\u0178'), u'\u00ff');
  EXPECT_EQ(simpleToLower(u'\u0416'), u'\u0436');
}

}  // namespace
}  // namespace relance
