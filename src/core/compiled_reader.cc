#include "core/compiled_reader.h"

#include "core/error.h"

namespace relance {

const Json* CompiledReader::find(const Json& object, const char* key, const std::string& path, bool optional) {
  if (object.is_object()) {
    auto it = object.find(key);
    if (it != object.end()) return &*it;
    if (optional) return nullptr;
  }
  fail(pointerAppend(path, key));
  return nullptr;
}

std::string CompiledReader::string(const Json& object, const char* key, const std::string& path, bool optional) {
  const Json* v = find(object, key, path, optional);
  if (v == nullptr) return "";
  if (v->is_string()) return v->get<std::string>();
  fail(pointerAppend(path, key));
  return "";
}

double CompiledReader::number(const Json& object, const char* key, const std::string& path, double min, double max,
                              bool optional) {
  const Json* v = find(object, key, path, optional);
  if (v == nullptr) return min;
  if (v->is_number() && v->get<double>() >= min && v->get<double>() <= max) return v->get<double>();
  fail(pointerAppend(path, key));
  return min;
}

bool CompiledReader::boolean(const Json& object, const char* key, const std::string& path) {
  const Json* v = find(object, key, path, false);
  if (v == nullptr) return false;
  if (v->is_boolean()) return v->get<bool>();
  fail(pointerAppend(path, key));
  return false;
}

const Json& CompiledReader::array(const Json& object, const char* key, const std::string& path, bool optional) {
  static const Json kEmpty = Json::array();
  const Json* v = find(object, key, path, optional);
  if (v == nullptr) return kEmpty;
  if (v->is_array()) return *v;
  fail(pointerAppend(path, key));
  return kEmpty;
}

const Json& CompiledReader::objectMember(const Json& object, const char* key, const std::string& path,
                                         bool optional) {
  static const Json kEmpty = Json::object();
  const Json* v = find(object, key, path, optional);
  if (v == nullptr) return kEmpty;
  if (v->is_object()) return *v;
  fail(pointerAppend(path, key));
  return kEmpty;
}

bool CompiledReader::isObject(const Json& value, const std::string& path) {
  if (value.is_object()) return true;
  fail(path);
  return false;
}

std::shared_ptr<const CompiledCondition> CompiledReader::condition(const Json& object, const std::string& path) {
  const Json* v = find(object, "condition", path, true);
  if (v == nullptr) return nullptr;
  // Its place is also its base path, so debug output ("why") names it as
  // the collector's compiler did.
  std::string at = pointerAppend(path, "condition");
  std::shared_ptr<const CompiledCondition> condition = conditions_ ? conditions_->read(*v, at) : nullptr;
  if (condition == nullptr) fail(at);
  return condition;
}

}  // namespace relance
