// The compiled condition form: a condition as the collector compiled it,
// written into the compiled configuration (GET /v1/config, see
// docs/design/compiled-config.md) so that the browser's tag rebuilds the
// evaluator's tree without the condition compiler, its messages or the
// regex compiler (about 17 KB of wasm code).
//
// The form of one condition is an array of clauses; the paths and regular
// expressions of every condition of a configuration are numbered once, in a
// shared table:
//
//   "conditions": {"paths": ["page.path", "cart.total"],
//                  "regexes": [{"ignore_case": false, "anchored": true,
//                               "program": [[0, 47], [9]], "classes": []}]}
//   "condition": [{"path": 0, "test": {"ops": [{"op": "$regex", "regex": 0}]}},
//                 {"or": [[...], [...]]}]
//
// docs/design/compiled-config.md lists every clause, test and operator. The
// reader trusts nothing: it checks every kind, index and operand the
// evaluator relies on (and Regex::fromProgram every jump target), so a
// damaged form is refused, never evaluated out of bounds.
#ifndef RELANCE_CORE_CONDITION_FORM_H_
#define RELANCE_CORE_CONDITION_FORM_H_

#include <memory>
#include <string>
#include <vector>

#include "core/condition.h"
#include "core/context_paths.h"
#include "core/json.h"
#include "core/regex.h"

namespace relance {

// Writes compiled conditions in the form (the collector's side). One writer
// per configuration: its tables number the paths and regexes of every
// condition it wrote.
class ConditionFormWriter {
 public:
  // The form of `condition`; its paths and regexes join the tables.
  Json write(const CompiledCondition& condition);
  // {"paths": [...], "regexes": [...]} for everything written so far.
  Json tables() const;

 private:
  int pathIndex(const std::string& path);
  int regexIndex(const Regex& regex);

  std::vector<std::string> paths_;
  Json regexes_ = Json::array();
};

// Reads conditions back from the form (what the tag's engine links).
class ConditionFormReader {
 public:
  // Reads the tables (`tables` is the configuration's "conditions", found
  // at `path`). False when damaged, with *fault the JSON Pointer of the
  // first damaged entry.
  bool readTables(const Json& tables, const std::string& path, std::string* fault);

  // The condition whose form is `form`, found at `path` in the configuration;
  // `path` is also the base of its JSON Pointers (explainFailure), as the
  // collector's compiler was given it. Null when the form is damaged or
  // refers to an entry the tables do not have; always null unless
  // readTables succeeded.
  std::shared_ptr<const CompiledCondition> read(const Json& form, const std::string& path) const;

 private:
  bool ready_ = false;
  std::vector<std::string> paths_;                // as written ("page.path")
  std::vector<std::vector<PathSeg>> split_paths_;
  std::vector<std::shared_ptr<const Regex>> regexes_;
};

}  // namespace relance

#endif  // RELANCE_CORE_CONDITION_FORM_H_
