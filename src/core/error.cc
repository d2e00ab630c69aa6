#include "core/error.h"

namespace relance {

std::string pointerAppend(const std::string& pointer, const std::string& token) {
  std::string out = pointer;
  out.push_back('/');
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string pointerAppend(const std::string& pointer, std::size_t index) {
  return pointer + "/" + decimalText(index);
}

Json toJson(const PathErrors& errors) {
  Json out = Json::array();
  for (const auto& e : errors) out.push_back(object({{"path", e.path}, {"message", e.message}}));
  return out;
}

}  // namespace relance
