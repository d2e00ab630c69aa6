// Reading the shared case tables (tests/cases/*, tests/scenarios) from the
// native test suite. RELANCE_SOURCE_DIR is set by CMakeLists.txt.
#ifndef RELANCE_TESTS_NATIVE_CASE_FILES_H_
#define RELANCE_TESTS_NATIVE_CASE_FILES_H_

#include <dirent.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/json.h"

namespace relance {
namespace testing {

// The names of the *.json files in `dir` (not recursive), sorted.
inline std::vector<std::string> jsonFilesIn(const std::string& dir) {
  std::vector<std::string> files;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0) files.push_back(name);
    }
    closedir(d);
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The JSON document in `path`; a test failure (and null) when it does not parse.
inline Json loadJsonFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = parseJson(text.str());
  EXPECT_TRUE(parsed.ok) << path << ": " << parsed.message;
  return parsed.value;
}

}  // namespace testing
}  // namespace relance

#endif  // RELANCE_TESTS_NATIVE_CASE_FILES_H_
