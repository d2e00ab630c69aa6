#include "core/context_paths.h"

#include <algorithm>
#include <cstdlib>

#include "core/json_reader.h"
#include "core/utf8.h"

namespace relance {
namespace {

long long arrayIndexOf(const std::string& k) {
  if (k.empty() || k.size() > 10 || (k.size() > 1 && k[0] == '0')) return -1;
  long long v = 0;
  for (char c : k) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v < 4294967295LL ? v : -1;
}

const Json& nullJson() {
  static const Json kNull;
  return kNull;
}

// getPath from path[from] on.
const Json* resolveFrom(const std::vector<PathSeg>& path, std::size_t from, const Json& obj, Json& synth) {
  const Json* cur = &obj;
  for (std::size_t i = from; i < path.size(); ++i) {
    const PathSeg& seg = path[i];
    if (cur->is_object()) {
      auto it = cur->find(seg.key);
      if (it == cur->end()) return &nullJson();
      cur = &*it;
    } else if (cur->is_array()) {
      if (seg.index >= 0 && static_cast<std::size_t>(seg.index) < cur->size()) {
        cur = &(*cur)[static_cast<std::size_t>(seg.index)];
      } else if (seg.key == "length") {
        synth = static_cast<double>(cur->size());
        cur = &synth;
      } else {
        return &nullJson();  // includes Array.prototype methods: documented
      }
    } else {
      return &nullJson();
    }
  }
  return cur;
}

// The depth parseJson allows by default (nested objects and arrays).
constexpr int kMaxDepth = 64;

// Numbers longer than this are left to nlohmann (its overflow rules).
constexpr std::ptrdiff_t kMaxNumberLength = 300;

using json_reader::decodeString;
using json_reader::isDigit;

// Sets `v` to a string, reusing its buffer when it already holds one.
void setString(Json& v, const char* b, const char* e) {
  if (v.is_string()) v.get_ref<std::string&>().assign(b, e);
  else v = std::string(b, e);
}

}  // namespace

std::vector<PathSeg> splitPath(const std::string& path) {
  std::vector<PathSeg> out(1);
  for (char c : path) {
    if (c == '.') out.emplace_back();
    else out.back().key.push_back(c);
  }
  for (auto& s : out) s.index = arrayIndexOf(s.key);
  return out;
}

const Json* resolvePath(const std::vector<PathSeg>& path, const Json& obj, Json& synth) {
  return resolveFrom(path, 0, obj, synth);
}

// ----------------------------------------------------------------- PathTable

PathTable::PathTable() : nodes_(1) {}

int PathTable::intern(const std::vector<PathSeg>& path) {
  int node = 0;
  for (const PathSeg& seg : path) {
    int next = -1;
    for (int c : nodes_[node].children)
      if (nodes_[c].key == seg.key) { next = c; break; }
    if (next < 0) {
      next = static_cast<int>(nodes_.size());
      nodes_.push_back(Node{seg.key, {}, -1});
      nodes_[node].children.push_back(next);
    }
    node = next;
  }
  if (nodes_[node].slot < 0) {
    nodes_[node].slot = static_cast<int>(paths_.size());
    paths_.push_back(path);
  }
  return nodes_[node].slot;
}

// ------------------------------------------------------------------ Scanner

// One strict pass over a JSON text (RFC 8259, as nlohmann's lexer reads it):
// every byte is checked; values under the table's paths are marked for
// capture (their text range), the rest is skipped. Any doubt is a failure.
class ContextExtractor::Scanner {
 public:
  Scanner(ContextExtractor& x, std::string_view text)
      : x_(x), nodes_(x.table_.nodes()), begin_(text.data()), p_(text.data()), end_(text.data() + text.size()) {}

  bool run() {
    space();
    if (p_ == end_ || *p_ != '{') return false;  // arrays, scalars, a BOM: left to nlohmann
    if (!object(0)) return false;
    space();
    return p_ == end_;
  }

 private:
  void space() { p_ = json_reader::skipSpace(p_, end_); }

  // At '"'. Leaves p_ after the closing quote; *escaped tells whether the
  // raw content differs from the decoded one.
  bool string(bool* escaped) {
    const char* after = json_reader::readString(p_, end_, *escaped);
    if (!after) return false;
    p_ = after;
    return true;
  }

  // Exponents are left to nlohmann (its overflow rules), and so are numbers
  // longer than kMaxNumberLength.
  bool number() {
    json_reader::NumberShape shape;
    const char* after = json_reader::readNumber(p_, end_, shape);
    if (!after || shape.exponent_digits > 0 || after - p_ > kMaxNumberLength) return false;
    p_ = after;
    return true;
  }

  bool literal(std::string_view word) {
    const char* after = json_reader::readLiteral(p_, end_, word);
    if (!after) return false;
    p_ = after;
    return true;
  }

  // Any value, checked and skipped.
  bool value() {
    if (p_ >= end_) return false;
    switch (*p_) {
      case '{': return object(-1);
      case '[': return array();
      case '"': { bool escaped = false; return string(&escaped); }
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return (*p_ == '-' || isDigit(*p_)) && number();
    }
  }

  bool array() {
    if (++depth_ > kMaxDepth) return false;
    ++p_;
    space();
    if (p_ < end_ && *p_ == ']') { ++p_; --depth_; return true; }
    for (;;) {
      space();
      if (!value()) return false;
      space();
      if (p_ >= end_) return false;
      if (*p_ == ',') { ++p_; continue; }
      if (*p_ == ']') { ++p_; --depth_; return true; }
      return false;
    }
  }

  // At '{'. `node` is the table node this object is the value of, or -1
  // when nobody reads inside it.
  bool object(int node) {
    if (++depth_ > kMaxDepth) return false;
    ++p_;
    space();
    if (p_ < end_ && *p_ == '}') { ++p_; --depth_; return true; }
    for (;;) {
      space();
      if (p_ >= end_ || *p_ != '"') return false;
      const char* key = p_ + 1;
      bool escaped = false;
      if (!string(&escaped)) return false;
      int child = node < 0 ? -1 : findChild(node, key, p_ - 1, escaped);
      space();
      if (p_ >= end_ || *p_ != ':') return false;
      ++p_;
      space();
      if (p_ >= end_) return false;
      if (child < 0) {
        if (!value()) return false;
      } else {
        x_.reset(child);  // a repeated key: the last one wins, as in nlohmann
        NodeState& st = x_.state_[child];
        st.present = true;
        const PathTable::Node& n = nodes_[child];
        if (n.slot < 0 && *p_ == '{' && !n.children.empty()) {
          if (!object(child)) return false;
        } else {
          st.begin = static_cast<std::size_t>(p_ - begin_);
          if (!value()) return false;
          st.end = static_cast<std::size_t>(p_ - begin_);
          st.captured = true;
        }
      }
      space();
      if (p_ >= end_) return false;
      if (*p_ == ',') { ++p_; continue; }
      if (*p_ == '}') { ++p_; --depth_; return true; }
      return false;
    }
  }

  int findChild(int node, const char* b, const char* e, bool escaped) {
    std::string_view key(b, static_cast<std::size_t>(e - b));
    if (escaped) {
      decodeString(b, e, x_.scratch_);
      key = x_.scratch_;
    }
    for (int c : nodes_[node].children)
      if (nodes_[c].key == key) return c;
    return -1;
  }

  ContextExtractor& x_;
  const std::vector<PathTable::Node>& nodes_;
  const char* begin_;
  const char* p_;
  const char* end_;
  int depth_ = 0;
};

// --------------------------------------------------------- ContextExtractor

ContextExtractor::ContextExtractor(const PathTable& table)
    : table_(table), state_(table.nodes().size()), chains_(table.size()), slots_(table.size()), synth_(table.size()) {
  const auto& nodes = table.nodes();
  for (std::size_t s = 0; s < chains_.size(); ++s) {
    int node = 0;
    for (const PathSeg& seg : table.path(static_cast<int>(s))) {
      for (int c : nodes[node].children)
        if (nodes[c].key == seg.key) { node = c; break; }
      chains_[s].push_back(node);
    }
  }
}

void ContextExtractor::reset(int node) {
  NodeState& st = state_[node];
  st.present = false;
  st.captured = false;
  for (int c : table_.nodes()[node].children) reset(c);
}

bool ContextExtractor::extract(std::string_view text) {
  for (NodeState& st : state_) st.present = st.captured = false;
  state_[0].present = true;
  Scanner scanner(*this, text);
  if (!scanner.run()) return false;
  for (std::size_t i = 1; i < state_.size(); ++i)
    if (state_[i].captured && !materialize(text, static_cast<int>(i))) return false;
  resolveSlots();
  return true;
}

bool ContextExtractor::materialize(std::string_view text, int node) {
  NodeState& st = state_[node];
  const char* p = text.data() + st.begin;
  return build(st.value, p);
}

// Builds the value at p (text the scanner has validated) into `v`, as
// nlohmann's parser would, and leaves p after it. Reuses what `v` already
// holds (string buffers, array slots, object entries with the same keys):
// contexts of one site share their shape, so once warmed up this does not
// allocate.
bool ContextExtractor::build(Json& v, const char*& p) {
  auto skipSpace = [&] {
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') ++p;
  };
  switch (*p) {
    case '"': {
      const char* b = ++p;
      bool escaped = false;
      while (*p != '"') {
        if (*p == '\\') { escaped = true; ++p; }
        ++p;
      }
      const char* e = p++;
      if (!escaped) {
        setString(v, b, e);
      } else {
        decodeString(b, e, scratch_);
        setString(v, scratch_.data(), scratch_.data() + scratch_.size());
      }
      return true;
    }
    case 't': p += 4; v = true; return true;
    case 'f': p += 5; v = false; return true;
    case 'n': p += 4; v = nullptr; return true;
    case '[': {
      if (!v.is_array()) v = Json::array();
      auto& items = v.get_ref<Json::array_t&>();
      std::size_t n = 0;
      ++p;
      skipSpace();
      while (*p != ']') {
        if (n == items.size()) items.emplace_back();
        if (!build(items[n++], p)) return false;
        skipSpace();
        if (*p == ',') { ++p; skipSpace(); }
      }
      ++p;
      items.resize(n);
      return true;
    }
    case '{': {
      if (!v.is_object()) v = Json::object();
      auto& members = v.get_ref<Json::object_t&>();
      const std::size_t base = seen_.size();  // this object's entries in seen_
      ++p;
      skipSpace();
      while (*p != '}') {
        const char* b = ++p;
        bool escaped = false;
        while (*p != '"') {
          if (*p == '\\') { escaped = true; ++p; }
          ++p;
        }
        std::string_view key(b, static_cast<std::size_t>(p - b));
        if (escaped) {
          decodeString(b, p, keys_);
          key = keys_;
        }
        ++p;
        skipSpace();
        ++p;  // ':'
        skipSpace();
        auto it = members.find(key);
        if (it == members.end()) it = members.emplace(std::string(key), Json()).first;
        seen_.push_back(&it->second);
        if (!build(it->second, p)) return false;  // a repeated key: the last one wins
        skipSpace();
        if (*p == ',') { ++p; skipSpace(); }
      }
      ++p;
      // Entries left from the previous context go (rare: a shape change).
      std::sort(seen_.begin() + static_cast<std::ptrdiff_t>(base), seen_.end());
      auto last = std::unique(seen_.begin() + static_cast<std::ptrdiff_t>(base), seen_.end());
      if (static_cast<std::size_t>(last - seen_.begin()) - base != members.size()) {
        for (auto it = members.begin(); it != members.end();) {
          if (std::binary_search(seen_.begin() + static_cast<std::ptrdiff_t>(base), last, &it->second)) ++it;
          else it = members.erase(it);
        }
      }
      seen_.resize(base);
      return true;
    }
    default: break;
  }
  // A number. nlohmann reads an integer token with strtoull (strtoll when
  // negative) and a token with a fraction with strtod; up to 18 digits an
  // integer fits both ways, longer ones go through nlohmann itself.
  const char* b = p;
  if (*p == '-') ++p;
  const char* digits = p;
  while (isDigit(*p)) ++p;
  bool fraction = *p == '.';
  if (fraction) {
    ++p;
    while (isDigit(*p)) ++p;
  }
  const char* e = p;
  bool negative = *b == '-';
  if (!fraction && e - digits <= 18) {
    long long n = 0;
    for (const char* q = digits; q < e; ++q) n = n * 10 + (*q - '0');
    if (negative) v = static_cast<Json::number_integer_t>(-n);
    else v = static_cast<Json::number_unsigned_t>(n);
    return true;
  }
  if (fraction) {
    scratch_.assign(b, e);
    v = std::strtod(scratch_.c_str(), nullptr);
    return true;
  }
  ParsedJson parsed = parseJson(std::string_view(b, static_cast<std::size_t>(e - b)));
  if (!parsed.ok) return false;
  v = std::move(parsed.value);
  return true;
}

void ContextExtractor::resolveSlots() {
  for (std::size_t s = 0; s < slots_.size(); ++s) {
    const std::vector<PathSeg>& path = table_.path(static_cast<int>(s));
    const Json* found = &nullJson();
    for (std::size_t i = 0; i < path.size(); ++i) {
      const NodeState& st = state_[chains_[s][i]];
      if (!st.present) break;
      if (st.captured) {
        found = resolveFrom(path, i + 1, st.value, synth_[s]);
        break;
      }
    }
    slots_[s] = found;
  }
}

void ContextExtractor::fromDom(const Json& context) {
  for (std::size_t s = 0; s < slots_.size(); ++s)
    slots_[s] = resolvePath(table_.path(static_cast<int>(s)), context, synth_[s]);
}

}  // namespace relance
