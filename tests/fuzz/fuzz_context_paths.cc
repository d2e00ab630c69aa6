// libFuzzer target for the context reader of condition sets
// (core/context_paths.h): the input is a context text. Whenever the single
// pass accepts it, nlohmann's parser must accept it too and give the same
// value at every path; whenever the parser refuses it, the pass must too.
// A difference traps (a crash for libFuzzer).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/context_paths.h"
#include "core/json.h"

namespace {

const relance::PathTable& table() {
  static const relance::PathTable kTable = [] {
    relance::PathTable t;
    for (const char* p : {"a", "a.b", "a.b.c", "n", "s", "arr.length", "arr.0", "arr.1.x", "o", "deep.x.y.z", "",
                          "page.path", "visitor.score", "visitor.tags", "cart.items"})
      t.intern(relance::splitPath(p));
    return t;
  }();
  return kTable;
}

std::string describe(const relance::Json& v) {
  return std::string(v.type_name()) + ":" + v.dump(-1, ' ', false, relance::Json::error_handler_t::replace);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static relance::ContextExtractor extractor(table());  // reused, as a set reuses it
  std::string_view text(reinterpret_cast<const char*>(data), size);
  bool fast = extractor.extract(text);
  std::vector<std::string> got;
  if (fast)
    for (std::size_t s = 0; s < table().size(); ++s) got.push_back(describe(*extractor.values()[s]));
  relance::ParsedJson parsed = relance::parseJson(text);
  if (!parsed.ok) {
    if (fast) __builtin_trap();  // accepted what the parser refuses
    return 0;
  }
  if (!fast) return 0;  // left to the parser: allowed
  extractor.fromDom(parsed.value);
  for (std::size_t s = 0; s < table().size(); ++s)
    if (got[s] != describe(*extractor.values()[s])) __builtin_trap();
  return 0;
}
