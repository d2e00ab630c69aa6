#include "core/condition_form.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "core/condition_js.h"
#include "core/condition_tree.h"
#include "core/error.h"

namespace relance {
namespace {

using namespace condition_tree;  // NOLINT: this file writes and reads the tree

// How each operator keeps its operand in the form.
enum class Operand { kText, kValue, kFlag, kSet, kTest, kCond, kTests, kRegex };

struct OpName {
  const char* name;
  OpKind kind;
  Operand operand;
};

// Names are those of the condition language: a node's JSON Pointer ends
// with its operator's name, so the reader needs them anyway.
const OpName kOps[] = {
    {"$veq", OpKind::kVeq, Operand::kText},         {"$vne", OpKind::kVne, Operand::kText},
    {"$vgt", OpKind::kVgt, Operand::kText},         {"$vgte", OpKind::kVgte, Operand::kText},
    {"$vlt", OpKind::kVlt, Operand::kText},         {"$vlte", OpKind::kVlte, Operand::kText},
    {"$eq", OpKind::kEq, Operand::kValue},          {"$ne", OpKind::kNe, Operand::kValue},
    {"$lt", OpKind::kLt, Operand::kValue},          {"$lte", OpKind::kLte, Operand::kValue},
    {"$gt", OpKind::kGt, Operand::kValue},          {"$gte", OpKind::kGte, Operand::kValue},
    {"$exists", OpKind::kExists, Operand::kFlag},   {"$in", OpKind::kIn, Operand::kSet},
    {"$nin", OpKind::kNin, Operand::kSet},          {"$ini", OpKind::kIni, Operand::kSet},
    {"$nini", OpKind::kNini, Operand::kSet},        {"$inGroup", OpKind::kInGroup, Operand::kText},
    {"$notInGroup", OpKind::kNotInGroup, Operand::kText}, {"$not", OpKind::kNot, Operand::kTest},
    {"$size", OpKind::kSize, Operand::kTest},       {"$elemMatch", OpKind::kElemMatchValue, Operand::kTest},
    {"$elemMatch", OpKind::kElemMatchCond, Operand::kCond}, {"$all", OpKind::kAll, Operand::kTests},
    {"$alli", OpKind::kAlli, Operand::kTests},      {"$regex", OpKind::kRegex, Operand::kRegex},
    {"$regexi", OpKind::kRegex, Operand::kRegex},   {"$type", OpKind::kType, Operand::kText},
};

std::string joinPath(const std::vector<PathSeg>& path) {
  std::string out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (i > 0) out += '.';
    out += path[i].key;
  }
  return out;
}

const char* clauseKey(ClauseKind kind) {
  switch (kind) {
    case ClauseKind::kAnd: return "and";
    case ClauseKind::kOr: return "or";
    case ClauseKind::kNor: return "nor";
    default: return "not";
  }
}

}  // namespace

// ------------------------------------------------------------------ write

namespace {

class TreeWriter {
 public:
  TreeWriter(std::vector<std::string>& paths, Json& regexes) : paths_(paths), regexes_(regexes) {}

  Json cond(const CondNode& node) {
    Json out = Json::array();
    for (const Clause& c : node.clauses) out.push_back(clause(c));
    return out;
  }

 private:
  Json clause(const Clause& c) {
    switch (c.kind) {
      case ClauseKind::kField: return object({{"path", pathIndex(joinPath(c.path))}, {"test", test(*c.test)}});
      case ClauseKind::kNot: return object({{"not", cond(c.subs[0])}});
      case ClauseKind::kSavedGroup: {
        Json out = object({{"group", c.group_id}});
        if (c.has_attribute_key) out["key"] = c.attribute_key;
        return out;
      }
      default: {
        Json subs = Json::array();
        for (const CondNode& s : c.subs) subs.push_back(cond(s));
        return object({{clauseKey(c.kind), std::move(subs)}});
      }
    }
  }

  Json test(const ValueTest& t) {
    switch (t.kind) {
      case ValueTest::kString: return object({{t.insensitive ? "istring" : "string", t.text}});
      case ValueTest::kNumber: return object({{"number", t.number}});
      case ValueTest::kBool: return object({{"bool", t.boolean}});
      case ValueTest::kNull: return object({{"null", true}});
      case ValueTest::kDeep: return object({{"json", t.literal}});
      case ValueTest::kOps: break;
    }
    Json ops = Json::array();
    for (const Op& op : t.ops) ops.push_back(this->op(op));
    return object({{"ops", std::move(ops)}});
  }

  Json op(const Op& op) {
    const OpName* entry = nullptr;
    for (const OpName& e : kOps) {
      if (e.kind != op.kind) continue;
      if (op.kind == OpKind::kRegex && (std::string(e.name) == "$regexi") != op.regex->ignoreCase()) continue;
      entry = &e;
      break;
    }
    Json out = object({{"op", entry->name}});
    switch (entry->operand) {
      case Operand::kText: out["value"] = op.text; break;
      case Operand::kValue: out["value"] = op.operand; break;
      case Operand::kFlag: out["value"] = op.flag; break;
      case Operand::kSet: {
        // Strings, then numbers, each in ascending order (the evaluator
        // searches by halves), then the literals present.
        Json values = Json::array();
        for (const auto& s : op.set.strings) values.push_back(s);
        for (double n : op.set.numbers) values.push_back(n);
        if (op.set.has_true) values.push_back(true);
        if (op.set.has_false) values.push_back(false);
        if (op.set.has_null) values.push_back(nullptr);
        out["values"] = std::move(values);
        break;
      }
      case Operand::kTest: out["test"] = test(*op.value); break;
      case Operand::kCond: out["cond"] = cond(*op.cond); break;
      case Operand::kTests: {
        Json tests = Json::array();
        for (const ValueTest& t : op.all) tests.push_back(test(t));
        out["tests"] = std::move(tests);
        break;
      }
      case Operand::kRegex: out["regex"] = regexIndex(*op.regex); break;
    }
    return out;
  }

  int pathIndex(const std::string& path) {
    auto it = std::find(paths_.begin(), paths_.end(), path);
    if (it != paths_.end()) return static_cast<int>(it - paths_.begin());
    paths_.push_back(path);
    return static_cast<int>(paths_.size() - 1);
  }

  int regexIndex(const Regex& regex) {
    Json program = Json::array();
    for (const Regex::Inst& in : regex.program()) {
      Json inst = Json::array();
      inst.push_back(static_cast<int>(in.op));
      if (in.op == Regex::Inst::kChar) inst.push_back(static_cast<int>(in.ch));
      if (in.op == Regex::Inst::kClass || in.op == Regex::Inst::kJmp || in.op == Regex::Inst::kSplit)
        inst.push_back(in.x);
      if (in.op == Regex::Inst::kSplit) inst.push_back(in.y);
      program.push_back(std::move(inst));
    }
    Json classes = Json::array();
    for (const Regex::CharClass& c : regex.classes()) {
      Json ranges = Json::array();
      for (const auto& r : c.ranges) {
        ranges.push_back(static_cast<int>(r.first));
        ranges.push_back(static_cast<int>(r.second));
      }
      classes.push_back(object({{"negate", c.negate}, {"ranges", std::move(ranges)}}));
    }
    Json form = object({{"ignore_case", regex.ignoreCase()},
                        {"anchored", regex.anchored()},
                        {"program", std::move(program)},
                        {"classes", std::move(classes)}});
    for (std::size_t i = 0; i < regexes_.size(); ++i)
      if (regexes_[i] == form) return static_cast<int>(i);
    regexes_.push_back(std::move(form));
    return static_cast<int>(regexes_.size() - 1);
  }

  std::vector<std::string>& paths_;
  Json& regexes_;
};

}  // namespace

Json ConditionFormWriter::write(const CompiledCondition& condition) {
  return TreeWriter(paths_, regexes_).cond(condition.root);
}

Json ConditionFormWriter::tables() const {
  Json paths = Json::array();
  for (const auto& p : paths_) paths.push_back(p);
  return object({{"paths", std::move(paths)}, {"regexes", regexes_}});
}

// ------------------------------------------------------------------- read

namespace {

// An integer in [min, max] (JSON integers only: a program has no fractions).
bool readInt(const Json& v, long long min, long long max, long long* out) {
  if (v.is_number_unsigned()) {
    auto u = v.get<unsigned long long>();
    if (u > static_cast<unsigned long long>(max)) return false;
    *out = static_cast<long long>(u);
    return *out >= min;
  }
  if (!v.is_number_integer()) return false;
  *out = v.get<long long>();
  return *out >= min && *out <= max;
}

const Json* memberOf(const Json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::shared_ptr<const Regex> readRegex(const Json& form) {
  if (!form.is_object()) return nullptr;
  const Json* ignore_case = memberOf(form, "ignore_case");
  const Json* anchored = memberOf(form, "anchored");
  const Json* program = memberOf(form, "program");
  const Json* classes = memberOf(form, "classes");
  if (!ignore_case || !ignore_case->is_boolean() || !anchored || !anchored->is_boolean() || !program ||
      !program->is_array() || !classes || !classes->is_array())
    return nullptr;
  constexpr long long kIntMax = std::numeric_limits<int>::max();
  std::vector<Regex::Inst> insts;
  insts.reserve(program->size());
  for (const Json& in : *program) {
    long long op = 0, a = 0, b = 0;
    if (!in.is_array() || in.empty() || !readInt(in[0], 0, Regex::Inst::kMatch, &op)) return nullptr;
    // How many operands each instruction has: kChar, kClass and kJmp one,
    // kSplit two, the others none.
    std::size_t operands = op == Regex::Inst::kSplit ? 2
                           : op == Regex::Inst::kChar || op == Regex::Inst::kClass || op == Regex::Inst::kJmp ? 1
                                                                                                            : 0;
    if (in.size() != operands + 1) return nullptr;
    long long a_max = op == Regex::Inst::kChar ? 0xFFFF : kIntMax;
    if (operands >= 1 && !readInt(in[1], 0, a_max, &a)) return nullptr;
    if (operands == 2 && !readInt(in[2], 0, kIntMax, &b)) return nullptr;
    Regex::Inst inst{static_cast<Regex::Inst::Op>(op), 0, 0, 0};
    if (op == Regex::Inst::kChar) inst.ch = static_cast<char16_t>(a);
    else inst.x = static_cast<int>(a);
    inst.y = static_cast<int>(b);
    insts.push_back(inst);
  }
  std::vector<Regex::CharClass> sets;
  for (const Json& c : *classes) {
    const Json* negate = c.is_object() ? memberOf(c, "negate") : nullptr;
    const Json* ranges = c.is_object() ? memberOf(c, "ranges") : nullptr;
    if (!negate || !negate->is_boolean() || !ranges || !ranges->is_array() || ranges->size() % 2 != 0) return nullptr;
    Regex::CharClass set;
    set.negate = negate->get<bool>();
    for (std::size_t i = 0; i < ranges->size(); i += 2) {
      long long lo = 0, hi = 0;
      if (!readInt((*ranges)[i], 0, 0xFFFF, &lo) || !readInt((*ranges)[i + 1], 0, 0xFFFF, &hi)) return nullptr;
      set.ranges.push_back({static_cast<char16_t>(lo), static_cast<char16_t>(hi)});
    }
    sets.push_back(std::move(set));
  }
  // The program's own checks (jump targets, class indexes, the final match).
  return Regex::fromProgram(std::move(insts), std::move(sets), ignore_case->get<bool>(), anchored->get<bool>());
}

// Rebuilds the tree; every method answers false at the first fault.
class TreeReader {
 public:
  TreeReader(const std::vector<std::string>& paths, const std::vector<std::vector<PathSeg>>& split_paths,
             const std::vector<std::shared_ptr<const Regex>>& regexes)
      : paths_(paths), split_paths_(split_paths), regexes_(regexes) {}

  bool readsWholeContext() const { return reads_whole_context_; }

  bool cond(const Json& form, const std::string& at, CondNode* out) {
    out->pointer = at;
    if (!form.is_array()) return false;
    out->clauses.resize(form.size());
    for (std::size_t i = 0; i < form.size(); ++i)
      if (!clause(form[i], at, &out->clauses[i])) return false;
    return true;
  }

 private:
  // Each clause is an object with one of these keys.
  bool clause(const Json& form, const std::string& at, Clause* out) {
    if (!form.is_object()) return false;
    if (const Json* index = memberOf(form, "path")) {
      long long i = 0;
      const Json* t = memberOf(form, "test");
      if (!readInt(*index, 0, static_cast<long long>(paths_.size()) - 1, &i) || !t) return false;
      out->kind = ClauseKind::kField;
      out->pointer = pointerAppend(at, paths_[static_cast<std::size_t>(i)]);
      out->path = split_paths_[static_cast<std::size_t>(i)];
      out->test = std::make_unique<ValueTest>();
      return test(*t, out->pointer, out->test.get());
    }
    if (const Json* group = memberOf(form, "group")) {
      out->kind = ClauseKind::kSavedGroup;
      out->pointer = pointerAppend(at, "$savedGroup");
      reads_whole_context_ = true;
      if (!group->is_string()) return false;
      out->group_id = group->get<std::string>();
      if (const Json* key = memberOf(form, "key")) {
        if (!key->is_string()) return false;
        out->attribute_key = key->get<std::string>();
        out->has_attribute_key = true;
      }
      return true;
    }
    if (const Json* sub = memberOf(form, "not")) {
      out->kind = ClauseKind::kNot;
      out->pointer = pointerAppend(at, "$not");
      out->subs.resize(1);
      return cond(*sub, out->pointer, &out->subs[0]);
    }
    static const struct { const char* key; const char* name; ClauseKind kind; } kLists[] = {
        {"and", "$and", ClauseKind::kAnd}, {"or", "$or", ClauseKind::kOr}, {"nor", "$nor", ClauseKind::kNor}};
    for (const auto& l : kLists) {
      const Json* subs = memberOf(form, l.key);
      if (!subs) continue;
      out->kind = l.kind;
      out->pointer = pointerAppend(at, l.name);
      if (!subs->is_array()) return false;
      out->subs.resize(subs->size());
      for (std::size_t i = 0; i < subs->size(); ++i)
        if (!cond((*subs)[i], pointerAppend(out->pointer, i), &out->subs[i])) return false;
      return true;
    }
    return false;
  }

  bool test(const Json& form, const std::string& at, ValueTest* out) {
    out->pointer = at;
    if (!form.is_object() || form.size() != 1) return false;
    const std::string& kind = form.begin().key();
    const Json& v = form.begin().value();
    if (kind == "string" || kind == "istring") {
      out->kind = ValueTest::kString;
      out->insensitive = kind == "istring";
      if (!v.is_string()) return false;
      out->text = v.get<std::string>();
    } else if (kind == "number") {
      out->kind = ValueTest::kNumber;
      if (!v.is_number()) return false;
      out->number = js::toNumber(v);
    } else if (kind == "bool") {
      out->kind = ValueTest::kBool;
      if (!v.is_boolean()) return false;
      out->boolean = v.get<bool>();
    } else if (kind == "null") {
      out->kind = ValueTest::kNull;
    } else if (kind == "json") {
      out->kind = ValueTest::kDeep;
      out->literal = v;
    } else if (kind == "ops") {
      out->kind = ValueTest::kOps;
      if (!v.is_array() || v.empty()) return false;
      out->ops.resize(v.size());
      for (std::size_t i = 0; i < v.size(); ++i)
        if (!op(v[i], at, &out->ops[i])) return false;
    } else {
      return false;
    }
    return true;
  }

  bool op(const Json& form, const std::string& at, Op* out) {
    const Json* name = form.is_object() ? memberOf(form, "op") : nullptr;
    if (!name || !name->is_string()) return false;
    const std::string& n = name->get_ref<const std::string&>();
    const OpName* entry = nullptr;
    for (const OpName& e : kOps) {
      // $elemMatch has two forms: a test of each element, or a condition on it.
      if (n != e.name || (e.operand == Operand::kCond) != (memberOf(form, "cond") != nullptr)) continue;
      entry = &e;
      break;
    }
    if (!entry) return false;
    out->kind = entry->kind;
    out->pointer = pointerAppend(at, n);
    const char* key = entry->operand == Operand::kSet     ? "values"
                      : entry->operand == Operand::kTest  ? "test"
                      : entry->operand == Operand::kCond  ? "cond"
                      : entry->operand == Operand::kTests ? "tests"
                      : entry->operand == Operand::kRegex ? "regex"
                                                          : "value";
    const Json* v = memberOf(form, key);
    if (!v) return false;
    switch (entry->operand) {
      case Operand::kText:
        if (!v->is_string()) return false;
        out->text = v->get<std::string>();
        return true;
      case Operand::kValue:
        // $lt and friends compare numbers fast and anything else as
        // JavaScript would; $eq and $ne take any primitive.
        if (v->is_array() || v->is_object()) return false;
        out->operand = *v;
        if (v->is_number()) out->number = js::toNumber(*v);
        return true;
      case Operand::kFlag:
        if (!v->is_boolean()) return false;
        out->flag = v->get<bool>();
        return true;
      case Operand::kSet: return set(*v, &out->set);
      case Operand::kTest:
        out->value = std::make_unique<ValueTest>();
        return test(*v, out->pointer, out->value.get());
      case Operand::kCond:
        out->cond = std::make_unique<CondNode>();
        return cond(*v, out->pointer, out->cond.get());
      case Operand::kTests:
        if (!v->is_array()) return false;
        out->all.resize(v->size());
        for (std::size_t i = 0; i < v->size(); ++i)
          if (!test((*v)[i], pointerAppend(out->pointer, i), &out->all[i])) return false;
        return true;
      case Operand::kRegex: {
        long long i = 0;
        if (!readInt(*v, 0, static_cast<long long>(regexes_.size()) - 1, &i)) return false;
        out->regex = regexes_[static_cast<std::size_t>(i)];
        return out->regex->ignoreCase() == (n == "$regexi");
      }
    }
    return false;
  }

  static bool set(const Json& values, InSet* out) {
    if (!values.is_array()) return false;
    for (const Json& e : values) {
      if (e.is_string()) {
        // Strings come sorted and distinct too (the evaluator searches by halves).
        if (!out->strings.empty() && !(out->strings.back() < e.get_ref<const std::string&>())) return false;
        out->strings.push_back(e.get<std::string>());
      } else if (e.is_number()) {
        double n = js::toNumber(e);
        if (!out->numbers.empty() && n < out->numbers.back()) return false;  // must come sorted
        out->numbers.push_back(n);
      } else if (e.is_boolean()) {
        (e.get<bool>() ? out->has_true : out->has_false) = true;
      } else if (e.is_null()) {
        out->has_null = true;
      } else {
        return false;
      }
    }
    return true;
  }

  const std::vector<std::string>& paths_;
  const std::vector<std::vector<PathSeg>>& split_paths_;
  const std::vector<std::shared_ptr<const Regex>>& regexes_;
  bool reads_whole_context_ = false;
};

}  // namespace

bool ConditionFormReader::readTables(const Json& tables, const std::string& path, std::string* fault) {
  ready_ = false;
  paths_.clear();
  split_paths_.clear();
  regexes_.clear();
  const Json* paths = tables.is_object() ? memberOf(tables, "paths") : nullptr;
  const Json* regexes = tables.is_object() ? memberOf(tables, "regexes") : nullptr;
  if (!paths || !paths->is_array()) {
    *fault = pointerAppend(path, "paths");
    return false;
  }
  if (!regexes || !regexes->is_array()) {
    *fault = pointerAppend(path, "regexes");
    return false;
  }
  for (std::size_t i = 0; i < paths->size(); ++i) {
    if (!(*paths)[i].is_string()) {
      *fault = pointerAppend(pointerAppend(path, "paths"), i);
      return false;
    }
    paths_.push_back((*paths)[i].get<std::string>());
    split_paths_.push_back(splitPath(paths_.back()));
  }
  for (std::size_t i = 0; i < regexes->size(); ++i) {
    std::shared_ptr<const Regex> regex = readRegex((*regexes)[i]);
    if (!regex) {
      *fault = pointerAppend(pointerAppend(path, "regexes"), i);
      return false;
    }
    regexes_.push_back(std::move(regex));
  }
  ready_ = true;
  return true;
}

std::shared_ptr<const CompiledCondition> ConditionFormReader::read(const Json& form, const std::string& path) const {
  if (!ready_) return nullptr;  // damaged tables: no condition can be trusted
  auto condition = std::make_shared<CompiledCondition>();
  TreeReader reader(paths_, split_paths_, regexes_);
  if (!reader.cond(form, path, &condition->root)) return nullptr;
  condition->reads_whole_context = reader.readsWholeContext();
  return condition;
}

}  // namespace relance
