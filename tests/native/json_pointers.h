// Test helper: every place of a JSON document, for tests that alter each one.
#ifndef RELANCE_TESTS_NATIVE_JSON_POINTERS_H_
#define RELANCE_TESTS_NATIVE_JSON_POINTERS_H_

#include <vector>

#include "core/json.h"

namespace relance {

// The JSON Pointer of `doc` itself, then of every member and element below
// it, depth first in document order.
inline std::vector<Json::json_pointer> everyPointer(const Json& doc) {
  std::vector<Json::json_pointer> pointers;
  std::vector<std::pair<const Json*, Json::json_pointer>> stack = {{&doc, Json::json_pointer()}};
  while (!stack.empty()) {
    auto [value, at] = stack.back();
    stack.pop_back();
    pointers.push_back(at);
    std::vector<std::pair<const Json*, Json::json_pointer>> children;
    if (value->is_object())
      for (auto it = value->begin(); it != value->end(); ++it) children.emplace_back(&it.value(), at / it.key());
    if (value->is_array())
      for (std::size_t i = 0; i < value->size(); ++i) children.emplace_back(&(*value)[i], at / i);
    stack.insert(stack.end(), children.rbegin(), children.rend());
  }
  return pointers;
}

}  // namespace relance

#endif  // RELANCE_TESTS_NATIVE_JSON_POINTERS_H_
