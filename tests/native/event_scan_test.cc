// The collector's fast path (core/event_scan.h) against the reference:
// whatever it proves valid, validateEvent finds valid, and the bytes it keeps
// are the same JSON value. Runs over the shared event case table, compact and
// pretty-printed, plus the shapes the fast path must hand back.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/event.h"
#include "core/event_scan.h"
#include "core/json.h"
#include "case_files.h"

namespace relance {
namespace {

const std::string kDir = std::string(RELANCE_SOURCE_DIR) + "/tests/cases/events";

std::string batchOf(const std::string& event) { return "{\"events\":[" + event + "]}"; }

const std::string kEvent =
    R"({"id":"e-1","type":"page_view","ts":1750000000000,"anonymous_id":"a-1","session_id":"s-1",)"
    R"("consent":{"analytics":true,"marketing":false},)"
    R"("context":{"page":{"url":"https://shop.example/","title":"Shop"},"utm":{"source":"mail"},)"
    R"("device":{"type":"mobile","viewport":{"w":390,"h":844}},"locale":"fr-FR"},"properties":{"x":[1,2.5,{"y":null}]}})";

// Scans `event` alone in a batch held by `body` (the result's views point
// into it); expects the body to be well-formed.
ScannedEvent scanOne(const std::string& event, std::string& body) {
  body = batchOf(event);
  ScannedBatch batch = scanEventBatch(body);
  EXPECT_TRUE(batch.ok) << event;
  EXPECT_EQ(batch.events.size(), 1u) << event;
  return batch.ok && batch.events.size() == 1 ? batch.events[0] : ScannedEvent{};
}

TEST(EventScan, ProvesNoCaseValidThatValidateEventRefuses) {
  std::size_t valid_cases = 0, proven = 0;
  for (const auto& file : testing::jsonFilesIn(kDir)) {
    Json doc = testing::loadJsonFile(kDir + "/" + file);
    for (const auto& c : doc["cases"]) {
      const Json& event = c["event"];
      bool expected_valid = c["errors"].empty();
      valid_cases += expected_valid ? 1 : 0;
      // Compact (keys sorted, as dump() writes them) and pretty-printed.
      for (const std::string& text : {event.dump(), event.dump(2)}) {
        std::string body = batchOf(text);  // the scan's views point into it
        ScannedBatch batch = scanEventBatch(body);
        std::string name = file + ": " + c["name"].get<std::string>();
        if (!batch.ok) {
          // Only hostile nesting (an invalid event) may hand the whole body back.
          EXPECT_FALSE(expected_valid) << name << ": a valid case was not scanned";
          continue;
        }
        ASSERT_EQ(batch.events.size(), 1u) << name;
        const ScannedEvent& scanned = batch.events[0];
        EXPECT_EQ(scanned.text, text) << name;
        if (!scanned.valid) continue;
        EXPECT_TRUE(expected_valid) << name << ": proven valid, but the case expects errors";
        EXPECT_TRUE(validateEvent(event).empty()) << name;
        ParsedJson kept = parseJson(scanned.compact);
        ASSERT_TRUE(kept.ok) << name;
        EXPECT_EQ(kept.value, event) << name << ": the kept bytes are another value";
        EXPECT_EQ(scanned.compact.find('\n'), std::string::npos) << name;
        if (text == event.dump()) proven += 1;
      }
    }
  }
  // The fast path is worth having only if it covers the usual valid events.
  EXPECT_GT(valid_cases, 50u);
  EXPECT_GE(proven * 10, valid_cases * 7) << proven << " of " << valid_cases << " valid cases proven";
}

TEST(EventScan, ReadsTheFieldsOfAUsualEvent) {
  std::string body;
  ScannedEvent e = scanOne(kEvent, body);
  ASSERT_TRUE(e.valid);
  EXPECT_EQ(e.id, "e-1");
  EXPECT_EQ(e.type, "page_view");
  EXPECT_EQ(e.anonymous_id, "a-1");
  EXPECT_EQ(e.ts, 1750000000000);
  EXPECT_FALSE(e.analytics_refused);
  EXPECT_EQ(e.compact, kEvent);
}

TEST(EventScan, KeepsTheValueWithoutWhitespace) {
  std::string body;
  std::string spaced = parseJson(kEvent).value.dump(1, '\t');
  ScannedEvent e = scanOne(spaced, body);
  ASSERT_TRUE(e.valid);
  EXPECT_EQ(parseJson(e.compact).value, parseJson(kEvent).value);
  EXPECT_EQ(e.compact.find_first_of("\n\t"), std::string::npos);
  // Whitespace inside strings is part of the value.
  e = scanOne(R"({"id":"e 1","type":"page_view","ts":1750000000000,"anonymous_id":"a-1","properties":{"q":" a\tb "}})", body);
  ASSERT_TRUE(e.valid);
  EXPECT_NE(e.compact.find(R"("q":" a\tb ")"), std::string::npos);
}

TEST(EventScan, SaysWhenConsentIsRefused) {
  std::string body;
  ScannedEvent e = scanOne(R"({"id":"e","type":"page_view","ts":1750000000000,"anonymous_id":"a","consent":{"analytics":false}})", body);
  ASSERT_TRUE(e.valid);
  EXPECT_TRUE(e.analytics_refused);
}

TEST(EventScan, HandsBackWhatItCannotProve) {
  std::string body;
  const std::string head = R"({"id":"e","type":"page_view","ts":1750000000000,"anonymous_id":"a")";
  for (const std::string& event : std::vector<std::string>{
           head + R"(,"id":"f"})",                               // duplicate key: the last one wins in a document
           head + R"(,"properties":{"k":1,"k":2}})",             // duplicate key, nested
           head + R"(,"properties":{"":1,"":2}})",               // duplicate empty key
           head + R"(,"properties":{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"bb":9,"c":10}})",  // far apart
           R"({"id":"\u0065","type":"page_view","ts":1750000000000,"anonymous_id":"a"})",  // escaped identifier
           head + R"(,"properties":{"\u006b":1}})",              // escaped key
           head + R"(,"properties":{"tiny":1e-400}})",           // reads as 0: not the value sent
           R"({"id":"e","type":"page_view","ts":1750000000000.0,"anonymous_id":"a"})",
           R"({"id":"e","type":"page_view","ts":-1,"anonymous_id":"a"})",
           R"({"id":"e","type":"page_view","ts":1750000000000})",  // no anonymous_id
           head + R"(,"extra":1})",
           head + R"(,"properties":{"a":{"b":{"c":{"d":{"e":{"f":{"g":{}}}}}}}}})",  // 9 levels
           head + R"(,"context":{"locale":"f"}})",
           head + R"(,"consent":{"analytics":1}})",
           R"({"id":"e","type":"add_to_cart","ts":1750000000000,"anonymous_id":"a","properties":{}})",
           R"({"id":"e","type":"identify","ts":1750000000000,"anonymous_id":"a","user_id":null})",
           R"("not an object")",
       }) {
    ScannedEvent e = scanOne(event, body);
    EXPECT_FALSE(e.valid) << event;
    EXPECT_EQ(e.text, event);
  }
  // 8 levels is the limit, not beyond it.
  EXPECT_TRUE(scanOne(head + R"(,"properties":{"a":{"b":{"c":{"d":{"e":{"f":{}}}}}}}})", body).valid);
  // An escaped surrogate pair is one character, as in nlohmann: proven.
  ScannedEvent emoji = scanOne(head + R"(,"properties":{"e":"\ud83d\ude00"}})", body);
  EXPECT_TRUE(emoji.valid);
  EXPECT_EQ(parseJson(emoji.compact).value["properties"]["e"], "\xf0\x9f\x98\x80");
  // Type rules run on the properties: a complete add_to_cart is proven.
  EXPECT_TRUE(scanOne(R"({"id":"e","type":"add_to_cart","ts":1750000000000,"anonymous_id":"a","properties":)"
                      R"({"product":{"id":"p"},"quantity":1,"price":9.5,"currency":"EUR"}})",
                      body)
                  .valid);
}

TEST(EventScan, LeavesOddBodiesToTheParser) {
  for (const std::string& body : {
           std::string(""), std::string("[]"), std::string("{}"), std::string(R"({"events":{}})"),
           std::string(R"({"events":[],"more":1})"), std::string(R"({"events":[{"a":1},]})"),
           std::string(R"({"events":[{"a":01}]})"), std::string(R"({"events":[{"a":"\ud800"}]})"),
           std::string(R"({"events":[{"a":"\x"}]})"), std::string("{\"events\":[{\"a\":\"\xff\"}]}"),
           std::string("{\"events\":[{\"a\":\"\x01\"}]}"), std::string(R"({"events":[]} x)"),
           std::string(R"({"events":[{"a":tru}]})"), std::string("\xEF\xBB\xBF{\"events\":[]}"),
           std::string(60, '[') + std::string(60, ']'),
       }) {
    EXPECT_FALSE(scanEventBatch(body).ok) << body;
  }
  // Beyond double's range, nlohmann refuses the whole body ("number
  // overflow"); the scan must not accept it (found by fuzz_event).
  for (const std::string& body : {
           std::string(R"({"events":[{"ts":1e30000000001}]})"), std::string(R"({"events":[{"big":-1e400}]})"),
           R"({"events":[{"big":)" + std::string(400, '9') + "}]}",
           R"({"events":[{"big":)" + std::string(400, '9') + ".5}]}",
       }) {
    EXPECT_FALSE(parseJson(body).ok) << body;
    EXPECT_FALSE(scanEventBatch(body).ok) << body;
  }
  std::string deep = R"({"events":[)" + std::string(50, '[') + std::string(50, ']') + "]}";
  EXPECT_FALSE(scanEventBatch(deep).ok);
  ScannedBatch empty = scanEventBatch(" {\"events\" : [ ] }\n");
  EXPECT_TRUE(empty.ok);
  EXPECT_TRUE(empty.events.empty());
}

TEST(EventScan, FindsEveryEventOfABatch) {
  std::string body = "{\"events\":[" + kEvent + ", 42 ,\n" + kEvent + "]}";
  ScannedBatch batch = scanEventBatch(body);
  ASSERT_TRUE(batch.ok);
  ASSERT_EQ(batch.events.size(), 3u);
  EXPECT_TRUE(batch.events[0].valid);
  EXPECT_FALSE(batch.events[1].valid);
  EXPECT_EQ(batch.events[1].text, "42");
  EXPECT_TRUE(batch.events[2].valid);
}

}  // namespace
}  // namespace relance
