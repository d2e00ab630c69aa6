// Test helper: equality of JSON values that also compares types, for the
// tests and the fuzz target that hold core/json_dom_reader.h to nlohmann's
// parser (nlohmann's == says 1 == 1.0, and 0.0 == -0.0).
#ifndef RELANCE_TESTS_NATIVE_JSON_SAME_VALUE_H_
#define RELANCE_TESTS_NATIVE_JSON_SAME_VALUE_H_

#include <cstddef>
#include <cstring>

#include "core/json.h"

namespace relance {

// Equal values of equal types all the way down; numbers of type float bit
// for bit.
inline bool sameValue(const Json& a, const Json& b) {
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
  if (a.is_number_float()) {
    double x = a.get<double>(), y = b.get<double>();
    return std::memcmp(&x, &y, sizeof x) == 0;
  }
  return a == b;
}

}  // namespace relance

#endif  // RELANCE_TESTS_NATIVE_JSON_SAME_VALUE_H_
