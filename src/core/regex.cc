#include "core/regex.h"

#include <algorithm>
#include <cstdint>

namespace relance {

// ------------------------------------------------------------- case mapping

char16_t regexCanonicalize(char16_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') ? char16_t(c - 32) : c;
  if (c == 0xB5) return 0x39C;
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return char16_t(c - 0x20);
  if (c == 0xFF) return 0x178;
  if (c >= 0x100 && c <= 0x17F) {
    if ((c <= 0x12F || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) && (c & 1)) return char16_t(c - 1);
    if (((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) && !(c & 1)) return char16_t(c - 1);
    return c;  // includes dotless i and long s, whose upper case is ASCII
  }
  if (c >= 0x3AC && c <= 0x3CE) {
    if (c == 0x3AC) return 0x386;
    if (c <= 0x3AF) return char16_t(c - 0x25);
    if (c == 0x3B0) return c;
    if (c == 0x3C2) return 0x3A3;
    if (c <= 0x3CB) return char16_t(c - 0x20);
    if (c == 0x3CC) return 0x38C;
    return char16_t(c - 0x3F);
  }
  if (c >= 0x430 && c <= 0x44F) return char16_t(c - 0x20);
  if (c >= 0x450 && c <= 0x45F) return char16_t(c - 0x50);
  return c;
}

char16_t simpleToLower(char16_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? char16_t(c + 32) : c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return char16_t(c + 0x20);
  if (c == 0x178) return 0xFF;
  if (c >= 0x100 && c <= 0x17F) {
    if ((c <= 0x12F || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) && !(c & 1)) return char16_t(c + 1);
    if (((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) && (c & 1)) return char16_t(c + 1);
    return c;
  }
  if (c == 0x386) return 0x3AC;
  if (c >= 0x388 && c <= 0x38A) return char16_t(c + 0x25);
  if (c == 0x38C) return 0x3CC;
  if (c >= 0x38E && c <= 0x38F) return char16_t(c + 0x3F);
  if ((c >= 0x391 && c <= 0x3A1) || (c >= 0x3A3 && c <= 0x3AB)) return char16_t(c + 0x20);
  if (c >= 0x410 && c <= 0x42F) return char16_t(c + 0x20);
  if (c >= 0x400 && c <= 0x40F) return char16_t(c + 0x50);
  return c;
}

void utf8ToUtf16(std::string_view in, std::u16string& out) {
  std::size_t i = 0, n = in.size();
  while (i < n) {
    unsigned char b = static_cast<unsigned char>(in[i]);
    if (b < 0x80) { out.push_back(b); ++i; continue; }
    int len = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 0;
    if (b >= 0xF5) len = 0;
    uint32_t cp = len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    bool ok = len > 0 && i + len <= n;
    for (int k = 1; ok && k < len; ++k) {
      unsigned char t = static_cast<unsigned char>(in[i + k]);
      if ((t & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (t & 0x3F);
    }
    if (ok && ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))))
      ok = false;
    if (!ok) { out.push_back(0xFFFD); ++i; continue; }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(char16_t(0xD800 + (cp >> 10)));
      out.push_back(char16_t(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(char16_t(cp));
    }
    i += len;
  }
}

bool Regex::CharClass::contains(char16_t c) const {
  // Ranges are few: a linear scan beats a binary search here.
  for (const auto& r : ranges) {
    if (c < r.first) return false;
    if (c <= r.second) return true;
  }
  return false;
}

namespace {

using Ranges = std::vector<std::pair<char16_t, char16_t>>;

void normalize(Ranges& r) {
  std::sort(r.begin(), r.end());
  Ranges out;
  for (const auto& x : r) {
    if (!out.empty() && uint32_t(x.first) <= uint32_t(out.back().second) + 1) {
      out.back().second = std::max(out.back().second, x.second);
    } else {
      out.push_back(x);
    }
  }
  r.swap(out);
}

Ranges complement(const Ranges& in) {
  Ranges r = in;
  normalize(r);
  Ranges out;
  uint32_t next = 0;
  for (const auto& x : r) {
    if (x.first > next) out.push_back({char16_t(next), char16_t(x.first - 1)});
    next = uint32_t(x.second) + 1;
  }
  if (next <= 0xFFFF) out.push_back({char16_t(next), char16_t(0xFFFF)});
  return out;
}

Ranges digitRanges() { return {{'0', '9'}}; }
Ranges wordRanges() { return {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}}; }
Ranges spaceRanges() {
  return {{0x09, 0x0D}, {0x20, 0x20}, {0xA0, 0xA0}, {0x1680, 0x1680}, {0x2000, 0x200A},
          {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}, {0xFEFF, 0xFEFF}};
}

bool isWordUnit(char16_t c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool isLineTerminator(char16_t c) { return c == 0x0A || c == 0x0D || c == 0x2028 || c == 0x2029; }

// The parsed pattern.
struct Node {
  enum Kind { kEmpty, kChar, kClass, kAny, kBol, kEol, kWordB, kNotWordB, kConcat, kAlt, kRepeat };
  Kind kind = kEmpty;
  char16_t ch = 0;
  int cls = 0;
  int min = 0, max = 0;  // kRepeat; max -1 = unbounded
  std::vector<std::unique_ptr<Node>> kids;
};

constexpr std::size_t kMaxProgram = 20000;
constexpr int kMaxRepeat = 1000;

}  // namespace

// Recursive-descent parser (ECMAScript Pattern grammar, non-unicode mode,
// the Annex B leniencies that matter: lone ] { } are literals) and code
// generator for the NFA program.
class RegexCompiler {
 public:
  RegexCompiler(std::u16string p, bool ic, Regex* out) : p_(std::move(p)), ic_(ic), out_(out) {}

  bool run(std::string* error) {
    auto root = disjunction();
    if (error_.empty() && pos_ < p_.size()) fail("unmatched ')'");
    if (!error_.empty()) { *error = error_; return false; }
    std::size_t size = sizeOf(*root) + 1;
    if (size > kMaxProgram) { *error = "pattern too large once repetitions are expanded"; return false; }
    emit(*root);
    out_->program_.push_back({Regex::Inst::kMatch, 0, 0, 0});
    out_->anchored_ = startsWithBol(*root);
    return true;
  }

 private:
  using NodeP = std::unique_ptr<Node>;

  void fail(const std::string& m) { if (error_.empty()) error_ = m; }
  bool more() const { return pos_ < p_.size() && error_.empty(); }
  char16_t peek(std::size_t ahead = 0) const { return pos_ + ahead < p_.size() ? p_[pos_ + ahead] : 0; }
  bool has(std::size_t ahead) const { return pos_ + ahead < p_.size(); }

  NodeP make(Node::Kind k) { auto n = std::make_unique<Node>(); n->kind = k; return n; }
  NodeP charNode(char16_t c) { auto n = make(Node::kChar); n->ch = c; return n; }
  NodeP classNode(Ranges r, bool negate) {
    normalize(r);
    Regex::CharClass cc;
    cc.ranges = std::move(r);
    cc.negate = negate;
    out_->classes_.push_back(std::move(cc));
    auto n = make(Node::kClass);
    n->cls = int(out_->classes_.size() - 1);
    return n;
  }

  NodeP disjunction() {
    auto first = alternative();
    if (!(more() && peek() == '|')) return first;
    auto alt = make(Node::kAlt);
    alt->kids.push_back(std::move(first));
    while (more() && peek() == '|') {
      ++pos_;
      alt->kids.push_back(alternative());
    }
    return alt;
  }

  NodeP alternative() {
    auto seq = make(Node::kConcat);
    while (more() && peek() != '|' && peek() != ')') {
      auto t = term();
      if (!error_.empty()) break;
      seq->kids.push_back(std::move(t));
    }
    return seq;
  }

  // Reads {n}, {n,} or {n,m} at pos_ without consuming; returns false when
  // the text is not a braced quantifier (then '{' is a literal, Annex B).
  bool bracedQuantifier(std::size_t* len, int* min, int* max) const {
    std::size_t i = pos_;
    if (i >= p_.size() || p_[i] != '{') return false;
    ++i;
    auto number = [&](long long* v) {
      std::size_t start = i;
      *v = 0;
      while (i < p_.size() && p_[i] >= '0' && p_[i] <= '9') {
        *v = std::min<long long>(*v * 10 + (p_[i] - '0'), 1LL << 40);
        ++i;
      }
      return i > start;
    };
    long long a = 0, b = -1;
    if (!number(&a)) return false;
    if (i < p_.size() && p_[i] == ',') {
      ++i;
      if (!number(&b)) b = -1; else if (b < 0) b = 0;
      if (i < p_.size() && p_[i] == '}') {
        *len = i + 1 - pos_;
        *min = int(std::min<long long>(a, kMaxRepeat + 1));
        *max = b < 0 ? -1 : int(std::min<long long>(b, kMaxRepeat + 1));
        if (b >= 0 && b < a) *max = -2;  // out of order
        return true;
      }
      return false;
    }
    if (i < p_.size() && p_[i] == '}') {
      *len = i + 1 - pos_;
      *min = *max = int(std::min<long long>(a, kMaxRepeat + 1));
      return true;
    }
    return false;
  }

  bool atQuantifier() const {
    char16_t c = peek();
    if (c == '*' || c == '+' || c == '?') return true;
    std::size_t len; int a, b;
    return bracedQuantifier(&len, &a, &b);
  }

  NodeP term() {
    char16_t c = peek();
    NodeP atom;
    bool assertion = false;
    switch (c) {
      case '^': ++pos_; atom = make(Node::kBol); assertion = true; break;
      case '$': ++pos_; atom = make(Node::kEol); assertion = true; break;
      case '.': ++pos_; atom = make(Node::kAny); break;
      case '(': atom = group(); break;
      case '[': atom = charClass(); break;
      case '*': case '+': case '?': fail("nothing to repeat"); return nullptr;
      case '\\':
        if (peek(1) == 'b' || peek(1) == 'B') {
          atom = make(peek(1) == 'b' ? Node::kWordB : Node::kNotWordB);
          pos_ += 2;
          assertion = true;
        } else {
          atom = atomEscape();
        }
        break;
      case '{':
        if (atQuantifier()) { fail("nothing to repeat"); return nullptr; }
        ++pos_; atom = charNode(c); break;
      default: ++pos_; atom = charNode(c); break;
    }
    if (!error_.empty()) return nullptr;
    if (!more() || !atQuantifier()) return atom;
    if (assertion) { fail("nothing to repeat"); return nullptr; }
    int min = 0, max = -1;
    if (peek() == '*') { ++pos_; }
    else if (peek() == '+') { ++pos_; min = 1; }
    else if (peek() == '?') { ++pos_; max = 1; }
    else {
      std::size_t len = 0;  // set by bracedQuantifier (atQuantifier found one)
      bracedQuantifier(&len, &min, &max);
      pos_ += len;
      if (max == -2) { fail("numbers out of order in {} quantifier"); return nullptr; }
      if (min > kMaxRepeat || max > kMaxRepeat) { fail("repetition count above 1000 is not supported"); return nullptr; }
    }
    if (more() && peek() == '?') ++pos_;  // lazy: same answer for test()
    if (more() && atQuantifier()) { fail("nothing to repeat"); return nullptr; }
    auto rep = make(Node::kRepeat);
    rep->min = min;
    rep->max = max;
    rep->kids.push_back(std::move(atom));
    return rep;
  }

  NodeP group() {
    ++pos_;  // (
    if (peek() == '?') {
      char16_t k = peek(1);
      if (k == ':') {
        pos_ += 2;
      } else if (k == '=' || k == '!') {
        fail("lookahead (?= (?! is not supported"); return nullptr;
      } else if (k == '<' && (peek(2) == '=' || peek(2) == '!')) {
        fail("lookbehind (?<= (?<! is not supported"); return nullptr;
      } else if (k == '<') {
        fail("named groups (?<name>...) are not supported"); return nullptr;
      } else {
        fail("inline flags and other (? groups are not supported"); return nullptr;
      }
    }
    auto inner = disjunction();
    if (!error_.empty()) return nullptr;
    if (!has(0) || peek() != ')') { fail("unterminated group"); return nullptr; }
    ++pos_;
    return inner;
  }

  int hexDigit(char16_t c) const {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // After a backslash (pos_ at the backslash): a single code unit escape,
  // or a class escape (\d \D \w \W \s \S) returned through `ranges`.
  // Returns false on error. `in_class` changes \b (backspace) and \-.
  bool escape(bool in_class, char16_t* unit, Ranges* ranges, bool* is_class) {
    *is_class = false;
    if (!has(1)) { fail("\\ at end of pattern"); return false; }
    char16_t c = p_[pos_ + 1];
    pos_ += 2;
    switch (c) {
      case 'd': *ranges = digitRanges(); *is_class = true; return true;
      case 'D': *ranges = complement(digitRanges()); *is_class = true; return true;
      case 'w': *ranges = wordRanges(); *is_class = true; return true;
      case 'W': *ranges = complement(wordRanges()); *is_class = true; return true;
      case 's': *ranges = spaceRanges(); *is_class = true; return true;
      case 'S': *ranges = complement(spaceRanges()); *is_class = true; return true;
      case 't': *unit = 0x09; return true;
      case 'n': *unit = 0x0A; return true;
      case 'v': *unit = 0x0B; return true;
      case 'f': *unit = 0x0C; return true;
      case 'r': *unit = 0x0D; return true;
      case 'b':
        if (in_class) { *unit = 0x08; return true; }
        break;
      case 'B':
        if (in_class) { *unit = 'B'; return true; }
        break;
      case '0':
        if (has(0) && peek() >= '0' && peek() <= '9') { fail("octal escapes are not supported"); return false; }
        *unit = 0; return true;
      case 'c': {
        char16_t l = peek();
        if ((l >= 'a' && l <= 'z') || (l >= 'A' && l <= 'Z')) { ++pos_; *unit = char16_t(l % 32); return true; }
        fail("\\c must be followed by a letter"); return false;
      }
      case 'x': {
        int h1 = hexDigit(peek()), h2 = hexDigit(peek(1));
        if (!has(1) || h1 < 0 || h2 < 0) { fail("\\x must be followed by two hex digits"); return false; }
        pos_ += 2; *unit = char16_t(h1 * 16 + h2); return true;
      }
      case 'u': {
        if (!has(3)) { fail("\\u must be followed by four hex digits"); return false; }
        int v = 0;
        for (int k = 0; k < 4; ++k) {
          int h = hexDigit(peek(k));
          if (h < 0) { fail("\\u must be followed by four hex digits (\\u{...} needs the u flag)"); return false; }
          v = v * 16 + h;
        }
        pos_ += 4; *unit = char16_t(v); return true;
      }
      case 'k': fail("named backreferences \\k are not supported"); return false;
      case 'p': case 'P': fail("unicode property escapes \\p{...} are not supported"); return false;
      default: break;
    }
    if (c >= '1' && c <= '9') { fail("backreferences and octal escapes \\1-\\9 are not supported"); return false; }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      fail(std::string("unknown escape \\") + char(c)); return false;
    }
    *unit = c;  // identity escape: \. \/ \\ \- \$ ...
    return true;
  }

  NodeP atomEscape() {
    char16_t unit = 0; Ranges r; bool is_class = false;
    if (!escape(false, &unit, &r, &is_class)) return nullptr;
    if (is_class) return classNode(std::move(r), false);
    return charNode(unit);
  }

  NodeP charClass() {
    ++pos_;  // [
    bool negate = false;
    if (peek() == '^' && has(0)) { negate = true; ++pos_; }
    Ranges r;
    // One class atom: a unit (returns true, is_class false) or a class escape.
    auto classAtom = [&](char16_t* unit, Ranges* cr, bool* is_class) {
      *is_class = false;
      if (peek() == '\\') return escape(true, unit, cr, is_class);
      *unit = peek(); ++pos_;
      return true;
    };
    while (true) {
      if (!has(0)) { fail("unterminated character class"); return nullptr; }
      if (peek() == ']') { ++pos_; break; }
      char16_t a = 0; Ranges ar; bool a_cls = false;
      if (!classAtom(&a, &ar, &a_cls)) return nullptr;
      if (has(1) && peek() == '-' && peek(1) != ']') {
        ++pos_;  // -
        char16_t b = 0; Ranges br; bool b_cls = false;
        if (!classAtom(&b, &br, &b_cls)) return nullptr;
        if (a_cls || b_cls) {
          // Annex B: a range with a class escape is the three atoms.
          if (a_cls) r.insert(r.end(), ar.begin(), ar.end()); else r.push_back({a, a});
          r.push_back({'-', '-'});
          if (b_cls) r.insert(r.end(), br.begin(), br.end()); else r.push_back({b, b});
        } else {
          if (a > b) { fail("range out of order in character class"); return nullptr; }
          r.push_back({a, b});
        }
        continue;
      }
      if (a_cls) r.insert(r.end(), ar.begin(), ar.end()); else r.push_back({a, a});
    }
    return classNode(std::move(r), negate);
  }

  // True when every match must start at position 0 (a leading ^ on every
  // alternative): the search then tries position 0 only.
  static bool startsWithBol(const Node& n) {
    if (n.kind == Node::kBol) return true;
    if (n.kind == Node::kConcat) return !n.kids.empty() && startsWithBol(*n.kids[0]);
    if (n.kind == Node::kAlt) {
      for (const auto& k : n.kids)
        if (!startsWithBol(*k)) return false;
      return !n.kids.empty();
    }
    return false;
  }

  std::size_t sizeOf(const Node& n) const {
    switch (n.kind) {
      case Node::kEmpty: return 0;
      case Node::kConcat: {
        std::size_t s = 0;
        for (const auto& k : n.kids) s = std::min(s + sizeOf(*k), kMaxProgram + 1);
        return s;
      }
      case Node::kAlt: {
        std::size_t s = 0;
        for (const auto& k : n.kids) s = std::min(s + sizeOf(*k) + 2, kMaxProgram + 1);
        return s;
      }
      case Node::kRepeat: {
        std::size_t body = sizeOf(*n.kids[0]) + 2;
        std::size_t copies = n.max < 0 ? std::size_t(n.min) + 1 : std::size_t(n.max);
        return std::min(body * std::max<std::size_t>(copies, 1), kMaxProgram + 1);
      }
      default: return 1;
    }
  }

  int here() const { return int(out_->program_.size()); }
  int push(Regex::Inst::Op op, char16_t ch = 0, int x = 0, int y = 0) {
    out_->program_.push_back({op, ch, x, y});
    return here() - 1;
  }

  void emit(const Node& n) {
    using I = Regex::Inst;
    switch (n.kind) {
      case Node::kEmpty: return;
      case Node::kChar: push(I::kChar, ic_ ? regexCanonicalize(n.ch) : n.ch); return;
      case Node::kClass: push(I::kClass, 0, n.cls); return;
      case Node::kAny: push(I::kAny); return;
      case Node::kBol: push(I::kBol); return;
      case Node::kEol: push(I::kEol); return;
      case Node::kWordB: push(I::kWordB); return;
      case Node::kNotWordB: push(I::kNotWordB); return;
      case Node::kConcat:
        for (const auto& k : n.kids) emit(*k);
        return;
      case Node::kAlt: {
        std::vector<int> jumps;
        for (std::size_t i = 0; i < n.kids.size(); ++i) {
          if (i + 1 < n.kids.size()) {
            int split = push(I::kSplit);
            out_->program_[split].x = here();
            emit(*n.kids[i]);
            jumps.push_back(push(I::kJmp));
            out_->program_[split].y = here();
          } else {
            emit(*n.kids[i]);
          }
        }
        for (int j : jumps) out_->program_[j].x = here();
        return;
      }
      case Node::kRepeat: {
        const Node& body = *n.kids[0];
        for (int i = 0; i < n.min; ++i) emit(body);
        if (n.max < 0) {
          int split = push(I::kSplit);
          out_->program_[split].x = here();
          emit(body);
          push(I::kJmp, 0, split);
          out_->program_[split].y = here();
        } else {
          std::vector<int> splits;
          for (int i = n.min; i < n.max; ++i) {
            int split = push(I::kSplit);
            out_->program_[split].x = here();
            splits.push_back(split);
            emit(body);
          }
          for (int s : splits) out_->program_[s].y = here();
        }
        return;
      }
    }
  }

  std::u16string p_;
  bool ic_;
  Regex* out_;
  std::size_t pos_ = 0;
  std::string error_;
};

std::shared_ptr<const Regex> Regex::compile(std::string_view pattern, bool ignore_case, std::string* error) {
  std::u16string p;
  utf8ToUtf16(pattern, p);
  std::shared_ptr<Regex> re(new Regex());
  re->ignore_case_ = ignore_case;
  RegexCompiler compiler(std::move(p), ignore_case, re.get());
  std::string message;
  if (!compiler.run(&message)) {
    if (error) *error = message;
    return nullptr;
  }
  return re;
}

std::shared_ptr<const Regex> Regex::fromProgram(std::vector<Inst> program, std::vector<CharClass> classes,
                                               bool ignore_case, bool anchored) {
  const std::size_t size = program.size();
  if (size == 0 || size > kMaxProgram || program.back().op != Inst::kMatch) return nullptr;
  for (const Inst& in : program) {
    bool jumps = in.op == Inst::kSplit || in.op == Inst::kJmp;
    if (in.op > Inst::kMatch) return nullptr;
    if (jumps && (in.x < 0 || std::size_t(in.x) >= size)) return nullptr;
    if (in.op == Inst::kSplit && (in.y < 0 || std::size_t(in.y) >= size)) return nullptr;
    if (in.op == Inst::kClass && (in.x < 0 || std::size_t(in.x) >= classes.size())) return nullptr;
  }
  for (const CharClass& c : classes) {
    for (std::size_t i = 0; i < c.ranges.size(); ++i) {
      if (c.ranges[i].first > c.ranges[i].second) return nullptr;
      if (i > 0 && uint32_t(c.ranges[i].first) <= uint32_t(c.ranges[i - 1].second) + 1) return nullptr;
    }
  }
  std::shared_ptr<Regex> re(new Regex());
  re->program_ = std::move(program);
  re->classes_ = std::move(classes);
  re->ignore_case_ = ignore_case;
  re->anchored_ = anchored;
  return re;
}

namespace {

// Per-thread scratch for the NFA simulation, reused across calls.
struct Scratch {
  std::vector<int> cur, next, stack;
  std::vector<uint32_t> mark;
  uint32_t gen = 0;
  std::u16string subject;
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

}  // namespace

bool Regex::test(std::string_view subject) const {
  Scratch& s = scratch();
  s.subject.clear();
  utf8ToUtf16(subject, s.subject);
  return test16(s.subject.data(), s.subject.size());  // test16 never touches s.subject
}

bool Regex::test16(const char16_t* in, std::size_t n) const {
  Scratch& s = scratch();
  const std::size_t size = program_.size();
  if (s.mark.size() < size) s.mark.resize(size, 0);
  s.cur.clear();
  s.next.clear();
  if (s.gen > 0xFFFFFF00u) { std::fill(s.mark.begin(), s.mark.end(), 0); s.gen = 0; }
  const Inst* prog = program_.data();

  auto word = [&](std::size_t i) { return i < n && isWordUnit(in[i]); };
  auto wordBoundary = [&](std::size_t pos) { return (pos > 0 && word(pos - 1)) != word(pos); };

  // Adds pc and everything reachable without consuming input at `pos`.
  auto add = [&](std::vector<int>& list, int start, std::size_t pos) {
    s.stack.clear();
    s.stack.push_back(start);
    while (!s.stack.empty()) {
      int pc = s.stack.back();
      s.stack.pop_back();
      if (s.mark[pc] == s.gen) continue;
      s.mark[pc] = s.gen;
      const Inst& in_ = prog[pc];
      switch (in_.op) {
        case Inst::kJmp: s.stack.push_back(in_.x); break;
        case Inst::kSplit: s.stack.push_back(in_.y); s.stack.push_back(in_.x); break;
        case Inst::kBol: if (pos == 0) s.stack.push_back(pc + 1); break;
        case Inst::kEol: if (pos == n) s.stack.push_back(pc + 1); break;
        case Inst::kWordB: if (wordBoundary(pos)) s.stack.push_back(pc + 1); break;
        case Inst::kNotWordB: if (!wordBoundary(pos)) s.stack.push_back(pc + 1); break;
        case Inst::kMatch: return true;
        default: list.push_back(pc); break;
      }
    }
    return false;
  };

  ++s.gen;
  for (std::size_t i = 0;; ++i) {
    if ((i == 0 || !anchored_) && add(s.cur, 0, i)) return true;
    if (i == n || (anchored_ && s.cur.empty())) return false;
    const char16_t c = in[i];
    const char16_t canon = ignore_case_ ? regexCanonicalize(c) : c;
    ++s.gen;
    s.next.clear();
    for (int pc : s.cur) {
      const Inst& ins = prog[pc];
      bool ok = false;
      switch (ins.op) {
        case Inst::kChar: ok = canon == ins.ch; break;
        case Inst::kAny: ok = !isLineTerminator(c); break;
        case Inst::kClass: {
          // ES CharacterSetMatcher: found when some member has the same
          // canonical form as c; the members that do are c, its canonical
          // form, that form's lower case and two Greek extras.
          const CharClass& cc = classes_[ins.x];
          bool found = cc.contains(c);
          if (!found && ignore_case_) {
            char16_t lower = simpleToLower(canon);
            found = cc.contains(canon) || (regexCanonicalize(lower) == canon && cc.contains(lower));
            if (!found && canon == 0x3A3) found = cc.contains(0x3C2) || cc.contains(0x3C3);
            if (!found && canon == 0x39C) found = cc.contains(0xB5) || cc.contains(0x3BC);
          }
          ok = found != cc.negate;
          break;
        }
        default: break;
      }
      if (ok && add(s.next, pc + 1, i + 1)) return true;
    }
    s.cur.swap(s.next);
  }
}

}  // namespace relance
