// What the case table cannot hold: raw text (invalid UTF-8, broken JSON,
// oversize input) and events built in C++ with invalid UTF-8 inside.
#include <string>

#include <gtest/gtest.h>

#include "core/event.h"
#include "core/utf8.h"

namespace relance {
namespace {

const std::string kValid =
    R"({"id":"e1","type":"page_view","ts":1700000000000,"anonymous_id":"a1"})";

TEST(EventText, AcceptsAValidEvent) { EXPECT_TRUE(validateEventText(kValid).empty()); }

TEST(EventText, ReportsInvalidUtf8WithItsOffset) {
  std::string text = R"({"id":"e1","type":"page_view","ts":1700000000000,"anonymous_id":"a)";
  std::size_t offset = text.size();
  text += "\xC3\x28\"}";
  auto errors = validateEventText(text);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "");
  EXPECT_NE(errors[0].message.find("UTF-8"), std::string::npos) << errors[0].message;
  EXPECT_NE(errors[0].message.find(std::to_string(offset)), std::string::npos) << errors[0].message;
}

TEST(EventText, ReportsBrokenJson) {
  auto errors = validateEventText(R"({"id":"e1",})");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("invalid JSON"), std::string::npos) << errors[0].message;
  EXPECT_EQ(validateEventText("").size(), 1u);
}

TEST(EventText, RefusesOversizeTextBeforeParsing) {
  std::string text(kMaxEventBytes + 1, ' ');
  auto errors = validateEventText(text);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("32768"), std::string::npos) << errors[0].message;
}

TEST(EventText, RefusesHostileNestingWithoutRecursingDeep) {
  std::string text(100000 / 4, '[');
  auto errors = validateEventText(text);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("nesting"), std::string::npos) << errors[0].message;
}

TEST(EventText, RefusesEscapedLoneSurrogate) {
  auto errors = validateEventText(
      R"({"id":"e1","type":"page_view","ts":1700000000000,"anonymous_id":"\ud800"})");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "");
}

TEST(EventValue, ReportsInvalidUtf8InsideAValueWithItsPath) {
  auto event = parseJson(kValid).value;
  event["properties"] = Json::object();
  event["properties"]["name"] = std::string("caf\xE9");  // Latin-1, not UTF-8
  event["properties"][std::string("k\xFF")] = 1;
  auto errors = validateEvent(event);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].path, "/properties/k\xEF\xBF\xBD");  // the bad byte shown as U+FFFD
  EXPECT_NE(errors[0].message.find("UTF-8"), std::string::npos);
  EXPECT_EQ(errors[1].path, "/properties/name");
  // Every error must serialize (a host sends them back as JSON).
  EXPECT_FALSE(toJson(errors).dump().empty());
}

TEST(Utf8, FindsTheFirstBadByte) {
  EXPECT_EQ(findInvalidUtf8("plain"), kUtf8Valid);
  EXPECT_EQ(findInvalidUtf8("\xC3\xA9t\xC3\xA9"), kUtf8Valid);
  EXPECT_EQ(findInvalidUtf8("\xF0\x9F\x98\x80"), kUtf8Valid);
  EXPECT_EQ(findInvalidUtf8("\xF4\x8F\xBF\xBF"), kUtf8Valid);   // U+10FFFF
  EXPECT_EQ(findInvalidUtf8("ab\x80"), 2u);                      // lone continuation
  EXPECT_EQ(findInvalidUtf8("\xC0\xAF"), 0u);                    // overlong '/'
  EXPECT_EQ(findInvalidUtf8("\xE0\x80\xAF"), 0u);                // overlong
  EXPECT_EQ(findInvalidUtf8("x\xED\xA0\x80"), 1u);               // surrogate U+D800
  EXPECT_EQ(findInvalidUtf8("\xF4\x90\x80\x80"), 0u);            // above U+10FFFF
  EXPECT_EQ(findInvalidUtf8("\xE2\x82"), 0u);                    // truncated
  EXPECT_EQ(findInvalidUtf8("\xFF"), 0u);
  EXPECT_TRUE(isValidUtf8("ok"));
  EXPECT_FALSE(isValidUtf8("\xC3"));
}

TEST(EventType, KnowsItsTypes) {
  EXPECT_TRUE(isValidEventType("optin_no_cart"));
  EXPECT_TRUE(isValidEventType("custom.a"));
  EXPECT_FALSE(isValidEventType("custom."));
  EXPECT_FALSE(isValidEventType(std::string_view("page_view\0", 10)));
}

}  // namespace
}  // namespace relance

namespace relance {
namespace {

// Found by fuzz_event: the parser's message quoted half of a 2-byte
// character, and dumping the errors as JSON then threw (aborted in wasm).
TEST(EventText, ParseErrorMessagesAreValidUtf8) {
  std::string text = "{\"id\":\"\",\"properties\"\xC6\x84\xDD\xA1\":{}}";
  auto errors = validateEventText(text);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(isValidUtf8(errors[0].message)) << errors[0].message;
  EXPECT_FALSE(toJson(errors).dump().empty());
}

TEST(Utf8, ReplacesBadBytes) {
  EXPECT_EQ(toValidUtf8("ok"), "ok");
  EXPECT_EQ(toValidUtf8("a\xC6"), "a\xEF\xBF\xBD");
  EXPECT_EQ(toValidUtf8("\xFF\xC3\xA9\x80"), "\xEF\xBF\xBD\xC3\xA9\xEF\xBF\xBD");
}

}  // namespace
}  // namespace relance
