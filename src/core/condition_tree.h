// The compiled condition: the tree that compileCondition (core/condition.h)
// builds from a condition's JSON, that the compiled form's reader
// (core/condition_form.h) builds from the collector's output, and that the
// evaluator walks. Both builders fill the same fields, so one evaluator
// answers for both. Internal to the condition files: everyone else holds a
// CompiledCondition through condition.h and never looks inside.
//
// Every node keeps its JSON Pointer into the condition as written
// ("/offers/0/condition/page.path/$regex"): explainFailure answers it.
#ifndef RELANCE_CORE_CONDITION_TREE_H_
#define RELANCE_CORE_CONDITION_TREE_H_

#include <memory>
#include <string>
#include <vector>

#include "core/context_paths.h"
#include "core/json.h"
#include "core/regex.h"

namespace relance {
namespace condition_tree {

// Primitive operands of $in and friends, ready for lookup. Sorted vectors,
// searched by halves: sets are small, and a hash set's code (rehashing,
// prime tables) cost the tag's wasm about 3 KB.
struct InSet {
  std::vector<std::string> strings;  // sorted, distinct; lower-cased when case-insensitive
  std::vector<double> numbers;       // sorted
  bool has_true = false, has_false = false, has_null = false;
};

enum class OpKind {
  kVeq, kVne, kVgt, kVgte, kVlt, kVlte, kEq, kNe, kLt, kLte, kGt, kGte, kExists,
  kIn, kNin, kIni, kNini, kInGroup, kNotInGroup, kNot, kSize, kElemMatchValue,
  kElemMatchCond, kAll, kAlli, kRegex, kType
};

struct CondNode;
struct ValueTest;

struct Op {
  OpKind kind;
  std::string pointer;
  Json operand;                          // $eq/$ne/$lt.. operand
  double number = 0;                     // $lt..: the operand when it is a number
  std::string text;                      // padded version, group name, type name
  bool flag = false;                     // $exists
  InSet set;                             // $in $nin $ini $nini
  std::shared_ptr<const Regex> regex;    // $regex $regexi
  int regex_id = -1;                     // its number in the set's tables, or -1
  std::unique_ptr<ValueTest> value;      // $not $size $elemMatch (operators)
  std::unique_ptr<CondNode> cond;        // $elemMatch (condition)
  std::vector<ValueTest> all;            // $all $alli
};

// evalConditionValue: a plain value (loose equality), a literal (JSON
// equality) or operators.
struct ValueTest {
  enum Kind { kString, kNumber, kBool, kNull, kDeep, kOps } kind = kNull;
  std::string pointer;
  std::string text;       // kString (lower-cased when insensitive)
  bool insensitive = false;
  double number = 0;
  bool boolean = false;
  Json literal;           // kDeep
  std::vector<Op> ops;
};

enum class ClauseKind { kOr, kNor, kAnd, kNot, kSavedGroup, kField };

struct Clause {
  ClauseKind kind;
  std::string pointer;
  std::vector<CondNode> subs;         // $or $nor $and; $not has one
  std::vector<PathSeg> path;          // kField
  int slot = -1;                      // kField read from the root: its path's slot in the set
  int test_id = -1;                   // and its field test's number there
  std::unique_ptr<ValueTest> test;    // kField
  std::string group_id;               // $savedGroup
  std::string attribute_key;
  bool has_attribute_key = false;
};

// evalCondition: every clause must hold.
struct CondNode {
  std::string pointer;
  std::vector<Clause> clauses;
};


}  // namespace condition_tree

class CompiledCondition {
 public:
  condition_tree::CondNode root;
  bool reads_whole_context = false;  // a $savedGroup clause somewhere
};

}  // namespace relance

#endif  // RELANCE_CORE_CONDITION_TREE_H_
