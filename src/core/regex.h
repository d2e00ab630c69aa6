// Regular expressions for conditions ($regex, $regexi): a subset of
// ECMAScript syntax that answers exactly like JavaScript's RegExp.test in
// non-unicode mode, so the browser (WebAssembly) and the collector (native)
// agree. std::regex is not used: libstdc++ and libc++ differ and it is large
// in WebAssembly. See docs/conditions.md for the supported syntax.
//
// Matching runs a Thompson NFA over UTF-16 code units (as JavaScript does):
// time is linear in subject length times pattern size, there is no
// backtracking, so no catastrophic patterns and no step budget. Without
// backreferences and lookaround, whether a match exists does not depend on
// greedy/lazy order, so the answer equals the backtracking one.
#ifndef RELANCE_CORE_REGEX_H_
#define RELANCE_CORE_REGEX_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace relance {

class Regex {
 public:
  // One NFA instruction (public only so the implementation file can build it).
  struct Inst {
    enum Op : uint8_t { kChar, kClass, kAny, kSplit, kJmp, kBol, kEol, kWordB, kNotWordB, kMatch };
    Op op;
    char16_t ch;  // kChar: the code unit (canonicalised when ignoring case)
    int x;        // kSplit/kJmp target; kClass: class index
    int y;        // kSplit second target
  };
  // A set of code units as sorted, disjoint, inclusive ranges, maybe negated
  // ([^...]; the negation applies after case-insensitive lookup).
  struct CharClass {
    std::vector<std::pair<char16_t, char16_t>> ranges;
    bool negate = false;
    bool contains(char16_t c) const;
  };

  // Compiles `pattern` (UTF-8, JavaScript RegExp source without slashes).
  // `ignore_case` is the "i" flag. Returns null and sets `error` to a
  // message naming the fault when the pattern is invalid in JavaScript or
  // outside the supported subset (lookaround, backreferences, named groups,
  // unicode property escapes, inline flags, octal escapes, huge repeats).
  static std::shared_ptr<const Regex> compile(std::string_view pattern, bool ignore_case,
                                              std::string* error);

  // RegExp.prototype.test: is there a match anywhere in `subject` (UTF-8)?
  // Thread-safe; reuses per-thread scratch memory, so it does not allocate
  // once warmed up.
  bool test(std::string_view subject) const;
  // Same over UTF-16 code units.
  bool test16(const char16_t* subject, std::size_t length) const;

  bool ignoreCase() const { return ignore_case_; }
  std::size_t programSize() const { return program_.size(); }

  // The compiled program, which the collector writes into the compiled
  // configuration (core/condition_form.h) so that browsers need no compiler.
  const std::vector<Inst>& program() const { return program_; }
  const std::vector<CharClass>& classes() const { return classes_; }
  bool anchored() const { return anchored_; }

  // A regex from a program that compile() made elsewhere and that travelled
  // (the compiled configuration). Null unless test() can run it without
  // reading out of bounds: at most as long as compile() allows, ending with
  // kMatch (so every pc + 1 it steps to exists), every jump target and class
  // index in range, every class's ranges ordered and disjoint. Loops in a
  // damaged program cannot hang test(): each step visits a pc at most once.
  static std::shared_ptr<const Regex> fromProgram(std::vector<Inst> program, std::vector<CharClass> classes,
                                                  bool ignore_case, bool anchored);

 private:
  Regex() = default;
  friend class RegexCompiler;

  std::vector<Inst> program_;
  std::vector<CharClass> classes_;
  bool ignore_case_ = false;
  bool anchored_ = false;  // every alternative starts with ^
};

// JavaScript's case canonicalisation for the "i" flag in non-unicode mode
// (toUpperCase of a single code unit, kept when the result is one unit and
// not ASCII from non-ASCII). Covered: ASCII, Latin-1, Latin Extended-A,
// basic Greek and Cyrillic; other code units are their own canonical form.
char16_t regexCanonicalize(char16_t c);

// Simple lowercase mapping over the same ranges (String.prototype.toLowerCase
// for them; other code units are unchanged).
char16_t simpleToLower(char16_t c);

// UTF-8 to UTF-16 code units (invalid bytes become U+FFFD), appended to `out`.
void utf8ToUtf16(std::string_view in, std::u16string& out);

}  // namespace relance

#endif  // RELANCE_CORE_REGEX_H_
