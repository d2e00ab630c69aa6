// The strict JSON token reader (core/json_reader.h) against nlohmann's lexer:
// a token it reads, parseJson accepts, and the other way round.

#include "core/json_reader.h"

#include <string>

#include <gtest/gtest.h>

#include "core/json.h"

namespace relance {
namespace {

// What readString makes of `text` (from its opening quote): the length read,
// or -1 when refused.
long stringLength(const std::string& text, bool* escaped = nullptr) {
  bool e = false;
  const char* after = json_reader::readString(text.data(), text.data() + text.size(), e);
  if (escaped) *escaped = e;
  return after ? static_cast<long>(after - text.data()) : -1;
}

long numberLength(const std::string& text, json_reader::NumberShape* shape = nullptr) {
  json_reader::NumberShape s;
  const char* after = json_reader::readNumber(text.data(), text.data() + text.size(), s);
  if (shape) *shape = s;
  return after ? static_cast<long>(after - text.data()) : -1;
}

TEST(JsonReader, ReadsStringsAsNlohmannDoes) {
  for (const std::string& good : {
           std::string(R"("")"), std::string(R"("plain")"), std::string("\"caf\xc3\xa9\""),
           std::string(R"("\" \\ \/ \b \f \n \r \t")"), std::string(R"("\u00e9\u0000")"),
           std::string(R"("\ud83d\ude00")"), std::string(R"("\uD83D\uDE00 after")"),
           std::string("\"\xf0\x9f\x98\x80\""),
           // escapes above the surrogates (U+E000..U+FFFF) stand alone
           std::string(R"("\uf00e")"), std::string(R"("\uE000\uFFFF")"),
       }) {
    EXPECT_EQ(stringLength(good), static_cast<long>(good.size())) << good;
    EXPECT_TRUE(parseJson(good).ok) << good;
  }
  for (const std::string& bad : {
           std::string(R"(")"), std::string(R"("open)"), std::string(R"("\)"), std::string(R"("\x")"),
           std::string(R"("\u12")"), std::string(R"("\u12g4")"), std::string(R"("\ud800")"),
           std::string(R"("\ud800\u0041")"), std::string(R"("\ude00")"), std::string(R"("\ud800\")"),
           std::string("\"\x01\""), std::string("\"\xff\""), std::string("\"\xc3\""),
           std::string("\"\xed\xa0\x80\""),  // a surrogate written in UTF-8
           std::string("\"\xc0\xaf\""),      // an overlong form
       }) {
    EXPECT_EQ(stringLength(bad), -1) << bad;
    EXPECT_FALSE(parseJson(bad).ok) << bad;
  }
  bool escaped = true;
  EXPECT_EQ(stringLength(R"("ab" tail)", &escaped), 4);
  EXPECT_FALSE(escaped);
  EXPECT_EQ(stringLength(R"("a\nb")", &escaped), 6);
  EXPECT_TRUE(escaped);
}

// readString reads eight bytes at a time up to the first byte that needs a
// look: each special byte (quote, backslash escape, control character,
// non-ASCII, a bad UTF-8 byte) at every offset of a word, in strings of every
// length around the word size, with bytes after the token in the buffer, must
// give what nlohmann's lexer gives.
TEST(JsonReader, ReadsStringsTheSameAtEveryOffsetOfAWord) {
  const std::string specials[] = {"\\\"", "\\n", "\\u00e9", "\xc3\xa9", "\x01", "\xff", "\xe2\x82", "\x7f", "~"};
  for (std::size_t length = 0; length <= 20; ++length) {
    for (std::size_t at = 0; at <= length; ++at) {
      for (const std::string& special : specials) {
        std::string inner = std::string(at, 'a') + special + std::string(length - at, 'b');
        std::string token = "\"" + inner + "\"";
        bool escaped = false;
        std::string buffer = token + ",\"next\":\"x\"}";  // what follows a string in a body
        const char* after = json_reader::readString(buffer.data(), buffer.data() + buffer.size(), escaped);
        ParsedJson parsed = parseJson(token);
        ASSERT_EQ(after != nullptr, parsed.ok) << token;
        if (after) {
          EXPECT_EQ(after - buffer.data(), static_cast<long>(token.size())) << token;
          EXPECT_EQ(escaped, inner.find('\\') != std::string::npos) << token;
        }
        // Unterminated, ending at every length: never read past the end.
        EXPECT_EQ(stringLength(token.substr(0, token.size() - 1)), -1) << token;
      }
    }
  }
}

TEST(JsonReader, ReadsNumbersAndSaysTheirShape) {
  json_reader::NumberShape shape;
  EXPECT_EQ(numberLength("0", &shape), 1);
  EXPECT_FALSE(shape.fraction);
  EXPECT_EQ(shape.exponent_digits, 0u);
  EXPECT_EQ(numberLength("-12.50,", &shape), 6);
  EXPECT_TRUE(shape.fraction);
  EXPECT_EQ(numberLength("1E+400]", &shape), 6);
  EXPECT_EQ(shape.exponent_digits, 3u);
  EXPECT_EQ(numberLength("2.5e-3", &shape), 6);
  EXPECT_TRUE(shape.fraction);
  EXPECT_EQ(shape.exponent_digits, 1u);
  EXPECT_EQ(numberLength("01"), 1);  // the number 0, then something else
  for (const std::string& bad : {"-", "-a", "1.", "1.e5", "1e", "1e+", ".5"}) EXPECT_EQ(numberLength(bad), -1) << bad;
}

TEST(JsonReader, ReadsLiteralsAndSpace) {
  const std::string text = " \t\r\ntrue";
  const char* end = text.data() + text.size();
  const char* p = json_reader::skipSpace(text.data(), end);
  EXPECT_EQ(p, text.data() + 4);
  EXPECT_EQ(json_reader::readLiteral(p, end, "true"), end);
  EXPECT_EQ(json_reader::readLiteral(p, end - 1, "true"), nullptr);  // cut short
  EXPECT_EQ(json_reader::readLiteral(p, end, "null"), nullptr);
}

}  // namespace
}  // namespace relance
