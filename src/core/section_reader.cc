#include "core/section_reader.h"

#include <algorithm>

#include <cmath>

namespace relance {

void checkKnownKeys(const Json& object, std::initializer_list<const char*> allowed, const std::string& path,
                    PathErrors& errors) {
  if (!object.is_object()) return;
  for (auto it = object.begin(); it != object.end(); ++it) {
    bool known = false;
    for (const char* key : allowed) known = known || it.key() == key;
    if (!known) errors.push_back({pointerAppend(path, it.key()), "unknown field"});
  }
}

void readString(const Json& object, const char* key, const std::string& path, PathErrors& errors,
                std::string& out, bool required) {
  const Json* value = member(object, key);
  if (value == nullptr) {
    if (required) errors.push_back({pointerAppend(path, key), "is required (a string)"});
    return;
  }
  if (!value->is_string()) {
    errors.push_back({pointerAppend(path, key), "must be a string"});
    return;
  }
  out = value->get<std::string>();
}

void readNumber(const Json& object, const char* key, const std::string& path, PathErrors& errors, double& out,
                double min, double max, bool required) {
  const Json* value = member(object, key);
  if (value == nullptr) {
    if (required) errors.push_back({pointerAppend(path, key), "is required (a number)"});
    return;
  }
  if (!value->is_number() || !(value->get<double>() >= min && value->get<double>() <= max)) {
    std::string range = "must be a number from " + Json(min).dump() + " to " + Json(max).dump();
    errors.push_back({pointerAppend(path, key), range});
    return;
  }
  out = value->get<double>();
}

void readBool(const Json& object, const char* key, const std::string& path, PathErrors& errors, bool& out) {
  const Json* value = member(object, key);
  if (value == nullptr) return;
  if (!value->is_boolean()) {
    errors.push_back({pointerAppend(path, key), "must be true or false"});
    return;
  }
  out = value->get<bool>();
}

std::shared_ptr<const CompiledCondition> readCondition(const Json& object, const std::string& path,
                                                       PathErrors& errors) {
  const Json* value = member(object, "condition");
  if (value == nullptr) return nullptr;
  std::string at = pointerAppend(path, "condition");
  if (!value->is_object()) {
    errors.push_back({at, "must be a condition object"});
    return nullptr;
  }
  CompileConditionResult result = compileCondition(*value, at);
  errors.insert(errors.end(), result.errors.begin(), result.errors.end());
  return result.errors.empty() ? result.condition : nullptr;
}

bool isValidId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

void readUniqueId(const Json& object, const std::string& path, PathErrors& errors,
                  std::vector<std::string>& seen, std::string& id) {
  readString(object, "id", path, errors, id, true);
  const Json* raw = member(object, "id");
  if (raw == nullptr || !raw->is_string()) return;
  if (!isValidId(id)) {
    errors.push_back({pointerAppend(path, "id"), "must be 1 to 64 of A-Z a-z 0-9 _ . -"});
  } else if (std::find(seen.begin(), seen.end(), id) != seen.end()) {
    errors.push_back({pointerAppend(path, "id"), "duplicate id \"" + id + "\""});
  }
  seen.push_back(id);
}

const Json* member(const Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string stringMember(const Json& object, const char* key, const char* fallback) {
  const Json* value = member(object, key);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string(fallback);
}

std::string stringMember(const Json& object, const char* key, const std::string& fallback) {
  const Json* value = member(object, key);
  return value != nullptr && value->is_string() ? value->get<std::string>() : fallback;
}

double numberMember(const Json& object, const char* key, double fallback) {
  const Json* value = member(object, key);
  if (value == nullptr || !value->is_number()) return fallback;
  double d = value->get<double>();
  return std::isfinite(d) ? d : fallback;
}

std::int64_t integerMember(const Json& object, const char* key, std::int64_t fallback) {
  const Json* value = member(object, key);
  if (value == nullptr || !value->is_number()) return fallback;
  if (value->is_number_integer()) return value->get<std::int64_t>();
  double d = value->get<double>();
  if (!std::isfinite(d) || std::fabs(d) > 9.0e15) return fallback;
  return static_cast<std::int64_t>(d);
}

bool boolMember(const Json& object, const char* key, bool fallback) {
  const Json* value = member(object, key);
  return value != nullptr && value->is_boolean() ? value->get<bool>() : fallback;
}

const Json& signalProps(const DecisionStep& step) {
  static const Json* const kEmpty = new Json(Json::object());  // immutable, never freed
  const Json* props = member(step.signal, "props");
  return props != nullptr && props->is_object() ? *props : *kEmpty;
}

std::string signalType(const DecisionStep& step) { return stringMember(step.signal, "type"); }

Json& stateObject(Json& state, const char* key) {
  if (!state.is_object()) state = Json::object();
  Json& value = state[key];
  if (!value.is_object()) value = Json::object();
  return value;
}

bool conditionHolds(const CompiledCondition* condition, const DecisionStep& step, std::string* why) {
  if (condition == nullptr) return true;
  if (evaluate(*condition, step.context)) return true;
  if (why != nullptr) {
    std::string path = explainFailure(*condition, step.context);
    *why = "condition failed at " + (path.empty() ? std::string("/") : path);
  }
  return false;
}

void addDebug(DecisionStep& step, const char* kind, const std::string& id, bool matched, const std::string& why) {
  if (!step.debug) return;
  Json& list = step.actions["debug"];
  if (!list.is_array()) list = Json::array();
  list.push_back(object({{"kind", kind}, {"id", id}, {"matched", matched}, {"why", why}}));
}

}  // namespace relance
