// A small HTML tokenizer that keeps only the allowlist (see the header).
// It follows the parts of the HTML5 tokenizer that matter for safety: tag
// names end at whitespace, '/' or '>'; attribute values may be quoted or not;
// comments, doctypes and processing instructions are dropped; raw-text
// elements (script, style, ...) end only at their own end tag.
#include "core/html_sanitizer.h"
#include "core/utf8.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace relance {
namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowerCopy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool inList(const std::string& name, const char* const* list) {
  for (const char* const* p = list; *p; ++p)
    if (name == *p) return true;
  return false;
}

const char* const kAllowedTags[] = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "del", "div", "em", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "mark", "ol", "p", "pre",
    "q", "s", "small", "span", "strong", "sub", "sup", "u", "ul", nullptr};
const char* const kVoidTags[] = {"br", "hr", "img", nullptr};
// Dropped with everything inside them.
const char* const kDropWithContent[] = {
    "script", "style", "iframe", "object", "embed", "svg", "math", "template", "textarea", "title",
    "noscript", "noembed", "noframes", "xmp", "plaintext", "select", "frameset", "frame", "applet",
    "audio", "video", "canvas", "head", nullptr};
const char* const kGlobalAttributes[] = {"class", "title", "lang", "dir", nullptr};

// A character reference's code point, or U+FFFD for one HTML refuses (NUL,
// surrogates, beyond U+10FFFF).
void appendReferenced(std::string& out, std::uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  appendUtf8(cp, out);
}

// Decodes character references the way a browser would before using a value:
// numeric ones (with or without ';') and the named ones that matter here.
// Unknown named references stay as written (they are escaped on output).
std::string decodeEntities(std::string_view s) {
  static const struct { const char* name; const char* text; } kNamed[] = {
      {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", "\xC2\xA0"},
      {"colon", ":"}, {"Tab", "\t"}, {"NewLine", "\n"}, {"sol", "/"}, {"lpar", "("}, {"rpar", ")"},
      {"period", "."}, {"comma", ","}, {"semi", ";"}, {"equals", "="}, {"num", "#"}, {"excl", "!"}};
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '&') {
      out.push_back(s[i++]);
      continue;
    }
    std::size_t j = i + 1;
    if (j < s.size() && s[j] == '#') {
      ++j;
      bool hex = j < s.size() && (s[j] == 'x' || s[j] == 'X');
      if (hex) ++j;
      std::uint32_t cp = 0;
      std::size_t digits = 0;
      while (j < s.size()) {
        char c = s[j];
        int d = -1;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
        if (d < 0) break;
        if (cp < 0x110000) cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
        ++digits;
        ++j;
      }
      if (digits == 0) {
        out.push_back(s[i++]);
        continue;
      }
      if (j < s.size() && s[j] == ';') ++j;
      appendReferenced(out, cp);
      i = j;
      continue;
    }
    bool matched = false;
    for (const auto& e : kNamed) {
      std::size_t n = std::strlen(e.name);
      if (s.substr(j, n) == e.name) {
        out += e.text;
        i = j + n;
        if (i < s.size() && s[i] == ';') ++i;
        matched = true;
        break;
      }
    }
    if (!matched) out.push_back(s[i++]);
  }
  return out;
}

// Text as it was written, with a valid character reference kept and any
// other '&', '<' or '>' escaped.
void appendText(std::string& out, std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '&') {
      std::size_t j = i + 1;
      if (j < text.size() && text[j] == '#') {
        ++j;
        if (j < text.size() && (text[j] == 'x' || text[j] == 'X')) ++j;
      }
      std::size_t start = j;
      while (j < text.size() && (isAlpha(text[j]) || (text[j] >= '0' && text[j] <= '9'))) ++j;
      bool reference = j > start && j < text.size() && text[j] == ';' && j - start <= 32;
      out += reference ? "&" : "&amp;";
    } else {
      out.push_back(c);
    }
  }
}

struct Attribute {
  std::string name;
  std::string value;  // decoded
};

struct Tag {
  std::string name;
  bool end = false;
  std::vector<Attribute> attributes;
};

// Parses the tag starting at html[pos] == '<' (followed by a letter or '/' and
// a letter). Returns the position after the tag (html.size() if unterminated).
std::size_t parseTag(std::string_view html, std::size_t pos, Tag& tag) {
  std::size_t i = pos + 1;
  if (html[i] == '/') {
    tag.end = true;
    ++i;
  }
  std::size_t start = i;
  while (i < html.size() && !isSpace(html[i]) && html[i] != '/' && html[i] != '>') ++i;
  tag.name = lowerCopy(html.substr(start, i - start));
  while (i < html.size()) {
    while (i < html.size() && (isSpace(html[i]) || html[i] == '/')) ++i;
    if (i >= html.size()) break;
    if (html[i] == '>') return i + 1;
    std::size_t name_start = i;
    ++i;  // an attribute name may start with '='
    while (i < html.size() && !isSpace(html[i]) && html[i] != '/' && html[i] != '>' && html[i] != '=') ++i;
    Attribute attribute;
    attribute.name = lowerCopy(html.substr(name_start, i - name_start));
    while (i < html.size() && isSpace(html[i])) ++i;
    if (i < html.size() && html[i] == '=') {
      ++i;
      while (i < html.size() && isSpace(html[i])) ++i;
      if (i < html.size() && (html[i] == '"' || html[i] == '\'')) {
        char quote = html[i++];
        std::size_t value_start = i;
        while (i < html.size() && html[i] != quote) ++i;
        attribute.value = decodeEntities(html.substr(value_start, i - value_start));
        if (i < html.size()) ++i;
      } else {
        std::size_t value_start = i;
        while (i < html.size() && !isSpace(html[i]) && html[i] != '>') ++i;
        attribute.value = decodeEntities(html.substr(value_start, i - value_start));
      }
    }
    if (!tag.end) tag.attributes.push_back(std::move(attribute));
  }
  return html.size();
}

// Position after the end tag `</name` ... `>` at or after `from`, or the end.
std::size_t skipToEndTag(std::string_view html, std::size_t from, const std::string& name) {
  std::size_t i = from;
  while (i < html.size()) {
    std::size_t lt = html.find("</", i);
    if (lt == std::string_view::npos) return html.size();
    std::size_t n = lt + 2;
    if (lowerCopy(html.substr(n, name.size())) == name &&
        (n + name.size() >= html.size() || isSpace(html[n + name.size()]) || html[n + name.size()] == '>' ||
         html[n + name.size()] == '/')) {
      std::size_t gt = html.find('>', n);
      return gt == std::string_view::npos ? html.size() : gt + 1;
    }
    i = lt + 2;
  }
  return html.size();
}

bool allowedAttribute(const std::string& tag, const Attribute& a) {
  if (inList(a.name, kGlobalAttributes)) return true;
  if (a.name.rfind("aria-", 0) == 0 && a.name.size() > 5) {
    // Only plain names: a browser reads '<', quotes or '`' as part of a name.
    return a.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz-", 5) == std::string::npos;
  }
  if (tag == "a") return a.name == "href" || a.name == "target";
  if (tag == "img") return a.name == "src" || a.name == "alt" || a.name == "width" || a.name == "height";
  return false;
}

void appendStartTag(std::string& out, const Tag& tag) {
  out += '<';
  out += tag.name;
  bool blank_target = false;
  std::vector<std::string> seen;
  for (const auto& a : tag.attributes) {
    if (!allowedAttribute(tag.name, a)) continue;
    if (std::find(seen.begin(), seen.end(), a.name) != seen.end()) continue;  // the first wins, as in browsers
    if (a.name == "href" && !isSafeUrl(a.value, UrlUse::kLink)) continue;
    if (a.name == "src" && !isSafeUrl(a.value, UrlUse::kImage)) continue;
    if (a.name == "target") {
      if (a.value != "_blank") continue;
      blank_target = true;
    }
    if ((a.name == "width" || a.name == "height") &&
        (a.value.empty() || a.value.size() > 5 ||
         a.value.find_first_not_of("0123456789") != std::string::npos))
      continue;
    seen.push_back(a.name);
    out += ' ';
    out += a.name;
    out += "=\"";
    out += escapeHtml(a.value);
    out += '"';
  }
  if (blank_target) out += " rel=\"noopener noreferrer\"";
  out += '>';
}

}  // namespace

std::string escapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

bool isSafeUrl(std::string_view url, UrlUse use) {
  // Browsers ignore ASCII whitespace and control characters inside a scheme.
  std::string cleaned;
  for (char c : decodeEntities(url)) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) continue;
    cleaned.push_back(c);
  }
  std::size_t colon = cleaned.find(':');
  std::size_t delimiter = cleaned.find_first_of("/?#");
  if (colon == std::string::npos || (delimiter != std::string::npos && delimiter < colon)) {
    return true;  // relative: no scheme
  }
  std::string scheme = lowerCopy(std::string_view(cleaned).substr(0, colon));
  if (scheme == "http" || scheme == "https") return true;
  if (use == UrlUse::kLink) return scheme == "mailto" || scheme == "tel";
  if (scheme != "data") return false;
  std::string rest = lowerCopy(std::string_view(cleaned).substr(colon + 1));
  for (const char* type : {"image/png;", "image/gif;", "image/jpeg;", "image/webp;"}) {
    if (rest.rfind(type, 0) == 0) return rest.find(";base64,") == std::strlen(type) - 1;
  }
  return false;
}

std::string sanitizeHtml(std::string_view html) {
  std::string out;
  std::vector<std::string> open;  // allowed elements left open, innermost last
  std::size_t i = 0;
  std::size_t text_start = 0;
  auto flushText = [&](std::size_t end) {
    if (end > text_start) appendText(out, html.substr(text_start, end - text_start));
  };
  while (i < html.size()) {
    if (html[i] != '<') {
      ++i;
      continue;
    }
    char c1 = i + 1 < html.size() ? html[i + 1] : '\0';
    char c2 = i + 2 < html.size() ? html[i + 2] : '\0';
    if (c1 == '!' || c1 == '?' || (c1 == '/' && !isAlpha(c2) && c2 != '\0' && c2 != '>')) {
      // Comment, doctype, CDATA, processing instruction or bogus comment: dropped.
      flushText(i);
      std::size_t end;
      if (html.substr(i, 4) == "<!--") {
        std::size_t close = html.find("-->", i + 4);
        end = close == std::string_view::npos ? html.size() : close + 3;
      } else {
        std::size_t close = html.find('>', i);
        end = close == std::string_view::npos ? html.size() : close + 1;
      }
      i = text_start = end;
      continue;
    }
    if (!isAlpha(c1) && !(c1 == '/' && isAlpha(c2))) {
      ++i;  // a lone '<' is text (escaped by appendText)
      continue;
    }
    flushText(i);
    Tag tag;
    std::size_t after = parseTag(html, i, tag);
    i = text_start = after;
    if (!tag.end && inList(tag.name, kDropWithContent)) {
      i = text_start = skipToEndTag(html, after, tag.name);
      continue;
    }
    if (!inList(tag.name, kAllowedTags)) continue;  // unknown tag dropped, its text kept
    bool is_void = inList(tag.name, kVoidTags);
    if (!tag.end) {
      appendStartTag(out, tag);
      if (!is_void) open.push_back(tag.name);
      continue;
    }
    if (is_void) continue;
    // An end tag closes its element and any left open inside it; a stray one is dropped.
    auto it = std::find(open.rbegin(), open.rend(), tag.name);
    if (it == open.rend()) continue;
    std::size_t keep = static_cast<std::size_t>(open.rend() - it) - 1;
    while (open.size() > keep) {
      out += "</" + open.back() + ">";
      open.pop_back();
    }
  }
  flushText(html.size());
  while (!open.empty()) {
    out += "</" + open.back() + ">";
    open.pop_back();
  }
  return out;
}

}  // namespace relance
