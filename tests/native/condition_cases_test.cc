// Runs the shared condition case table (tests/cases/conditions/*.json, the
// answers written from GrowthBook's evalCondition) against the native build.
// The WebAssembly build runs the same files in tests/js/cases.test.mjs.
// Every case also runs through the compiled form (core/condition_form.h):
// compiled, written as the collector serves it, read back as the browser's
// tag reads it; the answers and the failing pointer must not change.

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/condition.h"
#include "core/condition_form.h"
#include "core/json.h"
#include "case_files.h"

namespace relance {
namespace {

const std::string kDir = std::string(RELANCE_SOURCE_DIR) + "/tests/cases/conditions";

std::vector<std::string> caseFiles() { return testing::jsonFilesIn(kDir); }

Json load(const std::string& file) { return testing::loadJsonFile(kDir + "/" + file); }

// `condition` written in the compiled form, sent as text, read back.
std::shared_ptr<const CompiledCondition> throughForm(const CompiledCondition& condition) {
  ConditionFormWriter writer;
  Json form = writer.write(condition);
  Json sent = parseJson(object({{"conditions", writer.tables()}, {"condition", form}}).dump()).value;
  ConditionFormReader reader;
  std::string fault;
  if (!reader.readTables(sent["conditions"], "/conditions", &fault)) return nullptr;
  return reader.read(sent["condition"], "");
}

TEST(ConditionCases, TableIsPresentAndLarge) {
  auto files = caseFiles();
  std::size_t total = 0;
  for (const auto& f : files) total += load(f)["cases"].size();
  EXPECT_GE(files.size(), 8u);
  EXPECT_GE(total, 1000u);
}

class ConditionCaseFile : public ::testing::TestWithParam<std::string> {};

TEST_P(ConditionCaseFile, EveryCaseAnswersAsGrowthBook) {
  Json doc = load(GetParam());
  auto cases = doc.find("cases");
  ASSERT_TRUE(cases != doc.end() && cases->is_array()) << GetParam();
  int failures = 0;
  for (const auto& c : *cases) {
    std::string name = c.contains("name") ? c["name"].get<std::string>() : "?";
    auto result = compileCondition(c["condition"]);
    auto error = c.find("error");
    if (error != c.end()) {
      EXPECT_FALSE(result.condition) << GetParam() << ": " << name << " compiled but should not";
      if (result.errors.empty()) { ++failures; continue; }
      EXPECT_EQ(result.errors[0].path, (*error)["path"].get<std::string>())
          << GetParam() << ": " << name << " (" << result.errors[0].message << ")";
      if (error->contains("message"))
        EXPECT_NE(result.errors[0].message.find((*error)["message"].get<std::string>()), std::string::npos)
            << name << ": " << result.errors[0].message;
      continue;
    }
    if (!result.condition) {
      ADD_FAILURE() << GetParam() << ": " << name << " refused at " << result.errors[0].path << ": "
                    << result.errors[0].message << "\n  " << c["condition"].dump();
      if (++failures > 20) break;
      continue;
    }
    auto groups = c.find("savedGroups");
    bool got = evaluate(*result.condition, c["context"], groups != c.end() ? &*groups : nullptr);
    bool want = c["expected"].get<bool>();
    if (got != want) {
      ADD_FAILURE() << GetParam() << ": " << name << " answered " << got << ", GrowthBook " << want
                    << "\n  condition " << c["condition"].dump() << "\n  context " << c["context"].dump();
      if (++failures > 20) break;
    }
    const SavedGroups* saved = groups != c.end() ? &*groups : nullptr;
    auto loaded = throughForm(*result.condition);
    if (!loaded) {
      ADD_FAILURE() << GetParam() << ": " << name << " did not load from its compiled form";
      if (++failures > 20) break;
      continue;
    }
    if (evaluate(*loaded, c["context"], saved) != want ||
        explainFailure(*loaded, c["context"], saved) != explainFailure(*result.condition, c["context"], saved)) {
      ADD_FAILURE() << GetParam() << ": " << name << " answers otherwise through the compiled form"
                    << "\n  condition " << c["condition"].dump();
      if (++failures > 20) break;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllFiles, ConditionCaseFile, ::testing::ValuesIn(caseFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param.substr(0, info.param.size() - 5);
                           for (char& ch : n)
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace relance
