// Runs the shared event case table (tests/cases/events/*.json) against the
// native build, both from a JSON value (validateEvent) and from its text
// (validateEventText). The WebAssembly build runs the same files in
// tests/js/cases.test.mjs. A case lists the exact set of error paths
// expected ([] when valid) and, optionally, a substring of each message.

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/event.h"
#include "core/json.h"
#include "case_files.h"

namespace relance {
namespace {

const std::string kDir = std::string(RELANCE_SOURCE_DIR) + "/tests/cases/events";

std::vector<std::string> caseFiles() { return testing::jsonFilesIn(kDir); }

Json load(const std::string& file) { return testing::loadJsonFile(kDir + "/" + file); }

std::string describe(const PathErrors& errors) {
  std::string out;
  for (const auto& e : errors) out += "\n    " + e.path + ": " + e.message;
  return out.empty() ? " (none)" : out;
}

// Compares what validation found with what the case expects; returns "" or why not.
std::string mismatch(const Json& expected, const PathErrors& got) {
  std::set<std::string> want_paths, got_paths;
  for (const auto& e : expected) want_paths.insert(e["path"].get<std::string>());
  for (const auto& e : got) got_paths.insert(e.path);
  if (want_paths != got_paths) return "paths differ; got" + describe(got);
  for (const auto& e : expected) {
    auto message = e.find("message");
    if (message == e.end()) continue;
    std::string path = e["path"].get<std::string>();
    std::string needle = message->get<std::string>();
    bool found = std::any_of(got.begin(), got.end(), [&](const PathError& g) {
      return g.path == path && g.message.find(needle) != std::string::npos;
    });
    if (!found) return "no message at " + path + " contains \"" + needle + "\"; got" + describe(got);
  }
  return "";
}

TEST(EventCases, TableIsPresentAndLarge) {
  std::size_t total = 0;
  for (const auto& f : caseFiles()) total += load(f)["cases"].size();
  EXPECT_GE(total, 500u);
}

class EventCaseFile : public ::testing::TestWithParam<std::string> {};

TEST_P(EventCaseFile, EveryCaseGivesTheExpectedErrors) {
  Json doc = load(GetParam());
  auto cases = doc.find("cases");
  ASSERT_TRUE(cases != doc.end() && cases->is_array()) << GetParam();
  for (const auto& c : *cases) {
    std::string name = c["name"].get<std::string>();
    const Json& expected = c["errors"];
    std::string why = mismatch(expected, validateEvent(c["event"]));
    EXPECT_EQ(why, "") << GetParam() << ": " << name << " (validateEvent)";
    why = mismatch(expected, validateEventText(c["event"].dump()));
    EXPECT_EQ(why, "") << GetParam() << ": " << name << " (validateEventText)";
  }
}

INSTANTIATE_TEST_SUITE_P(Files, EventCaseFile, ::testing::ValuesIn(caseFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param.substr(0, info.param.size() - 5);
                           for (char& ch : n) if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace relance
