// Reads the compiled configuration (core/config_loader.h): the form the
// collector emits after it has validated the site configuration in full. The
// browser's tag reads it without the validator, but never trusts it blindly:
// a truncated or tampered response must give a clear error, never a crash or
// a value out of range. So every read checks the type and range it needs and,
// on the first fault, remembers where (a JSON Pointer) and answers a harmless
// default; the caller then refuses the whole configuration. Messages are not
// worded per fault: the collector's validator (check-config) does that.
#ifndef RELANCE_CORE_COMPILED_READER_H_
#define RELANCE_CORE_COMPILED_READER_H_

#include <memory>
#include <string>

#include "core/condition.h"
#include "core/condition_form.h"
#include "core/json.h"

namespace relance {

class CompiledReader {
 public:
  // True while no read has failed.
  bool ok() const { return !failed_; }
  // The JSON Pointer of the first fault ("" for the whole document).
  const std::string& faultPath() const { return fault_; }

  // Records a fault at `path` (only the first one is kept).
  void fail(const std::string& path) {
    if (!failed_) fault_ = path;
    failed_ = true;
  }

  // object[key] when it is present and of the wanted kind; otherwise a fault
  // at path/key and a default ("", 0, false, an empty array or object).
  // `optional` reads answer the default without a fault when the key is absent.
  std::string string(const Json& object, const char* key, const std::string& path, bool optional = false);
  double number(const Json& object, const char* key, const std::string& path, double min, double max,
                bool optional = false);
  bool boolean(const Json& object, const char* key, const std::string& path);
  const Json& array(const Json& object, const char* key, const std::string& path, bool optional = false);
  const Json& objectMember(const Json& object, const char* key, const std::string& path, bool optional = false);

  // `value` itself must be an object (an element of an array): else a fault at `path`.
  bool isObject(const Json& value, const std::string& path);

  // The tables conditions are read with (the configuration's "conditions");
  // it must outlive the reads. Before it is set, every condition is a fault.
  void useConditions(const ConditionFormReader* conditions) { conditions_ = conditions; }

  // object["condition"] when present, read from its compiled form
  // (core/condition_form.h); null when absent. A damaged one is a fault at
  // path/condition.
  std::shared_ptr<const CompiledCondition> condition(const Json& object, const std::string& path);

 private:
  const Json* find(const Json& object, const char* key, const std::string& path, bool optional);

  const ConditionFormReader* conditions_ = nullptr;

  std::string fault_;
  bool failed_ = false;
};

}  // namespace relance

#endif  // RELANCE_CORE_COMPILED_READER_H_
