// libFuzzer target for the browser tag's JSON parser (core/json_dom_reader.h):
// the input is a JSON text. readJsonDom must accept exactly what nlohmann's
// parser (parseJson natively) accepts, at both depths the engine uses, and
// build the same value, type for type (nlohmann's == says 1 == 1.0). A
// difference traps (a crash for libFuzzer).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/json.h"
#include "core/json_dom_reader.h"

namespace {

bool sameValue(const relance::Json& a, const relance::Json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib)
      if (ia.key() != ib.key() || !sameValue(*ia, *ib)) return false;
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (a.is_number_float()) {  // bit for bit: -0.0 is not 0.0
    double x = a.get<double>(), y = b.get<double>();
    return std::memcmp(&x, &y, sizeof x) == 0;
  }
  return a == b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (int depth : {16, 64}) {
    relance::ParsedJson ours = relance::readJsonDom(text, depth);
    relance::ParsedJson theirs = relance::parseJson(text, depth);
    if (ours.ok != theirs.ok) __builtin_trap();
    if (ours.ok && !sameValue(ours.value, theirs.value)) __builtin_trap();
  }
  return 0;
}
