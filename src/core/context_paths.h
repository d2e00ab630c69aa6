// The dot paths a set of conditions reads from its context, and their values
// pulled straight out of the context's JSON text.
//
// A condition set reads a handful of paths ("page.path", "visitor.score") from
// a context of a few hundred bytes. Building a whole nlohmann DOM for each
// context costs more than evaluating the conditions, so a ConditionSet
// (condition_set.h) interns its paths in a PathTable once, and a
// ContextExtractor makes one pass over each context text that validates it and
// keeps only the values at those paths (a value is kept whole: arrays for
// $size/$elemMatch/$all, objects for deep equality). Subtrees nobody reads are
// checked and skipped, never decoded.
//
// The extractor answers like the DOM would or not at all: on anything it is
// not sure to read exactly as nlohmann's strict parser does (malformed text,
// a byte-order mark, exponents, nesting deeper than parseJson allows, a root
// that is not an object) it says so, and the caller parses the text with
// parseJson, which gives the DOM or nlohmann's own error message.
#ifndef RELANCE_CORE_CONTEXT_PATHS_H_
#define RELANCE_CORE_CONTEXT_PATHS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"

namespace relance {

// One part of a dot path, split at compile time.
struct PathSeg {
  std::string key;
  long long index = -1;  // the key as an array index ("0", "12"), or -1
};

// "a.b.0" -> {a, b, 0}; "" is one empty key (GrowthBook splits on ".").
std::vector<PathSeg> splitPath(const std::string& path);

// GrowthBook's getPath: the value at `path` under `obj`, or JSON null when a
// part is missing. An array's "length" is synthesized into `synth`.
const Json* resolvePath(const std::vector<PathSeg>& path, const Json& obj, Json& synth);

// The distinct dot paths of a condition set, each with a slot number.
class PathTable {
 public:
  PathTable();
  // The slot of `path`, added when new. Slots are numbered 0, 1, 2...
  int intern(const std::vector<PathSeg>& path);
  std::size_t size() const { return paths_.size(); }
  const std::vector<PathSeg>& path(int slot) const { return paths_[slot]; }

  // The paths as a tree (node 0 is the context root), for the extractor.
  struct Node {
    std::string key;
    std::vector<int> children;
    int slot = -1;  // a path ends here
  };
  const std::vector<Node>& nodes() const { return nodes_; }

 private:
  std::vector<std::vector<PathSeg>> paths_;
  std::vector<Node> nodes_;
};

// Reads the values of a PathTable's paths out of context texts. Keeps its
// buffers between calls: once warmed up, a context of scalars costs no
// allocation. Not thread-safe (one per set).
class ContextExtractor {
 public:
  explicit ContextExtractor(const PathTable& table);

  // One pass over `text`. True when the text is a JSON object that nlohmann's
  // strict parser (parseJson with its default depth) accepts and the values
  // were extracted; false when the caller must fall back to parseJson (the
  // text is malformed, or uses something this reader leaves to nlohmann).
  bool extract(std::string_view text);

  // After a successful extract: the value at each slot's path (JSON null when
  // missing), valid until the next extract.
  const Json* const* values() const { return slots_.data(); }

  // Fills the same values from a parsed DOM (the fallback path).
  void fromDom(const Json& context);

 private:
  class Scanner;
  struct NodeState {
    bool present = false;  // the key was seen (under a present parent)
    bool captured = false; // the value is in `value` (whole)
    Json value;
    std::size_t begin = 0, end = 0;  // the value's text while scanning
  };
  void reset(int node);  // forgets a node and everything under it
  bool materialize(std::string_view text, int node);
  bool build(Json& v, const char*& p);
  void resolveSlots();

  const PathTable& table_;
  std::vector<NodeState> state_;
  std::vector<std::vector<int>> chains_;  // per slot, the nodes along its path
  std::vector<const Json*> slots_;
  std::vector<Json> synth_;  // per slot, for "length"
  std::string scratch_;
  std::string keys_;                // a decoded key while building
  std::vector<const Json*> seen_;   // object entries met while building
};

}  // namespace relance

#endif  // RELANCE_CORE_CONTEXT_PATHS_H_
