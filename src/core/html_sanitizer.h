// Sanitizes a fragment of HTML from a site configuration (personalization
// `set_html`) so that what reaches the DOM can only format text and link.
//
// An allowlist, not a denylist: only known formatting tags and a few
// attributes survive; script, style, iframe, object, embed, svg, math,
// template, textarea and friends are dropped with everything inside them;
// other unknown tags are dropped but their text is kept. Event handlers
// (on*), style attributes and URLs other than http(s), mailto, tel,
// relative ones and data:image/{png,gif,jpeg,webp} for img src are removed.
// The output is re-serialised from the parsed tokens (lower-case names,
// double-quoted and escaped attribute values, balanced tags), never copied
// from the input, so the browser reads it exactly as we did.
#ifndef RELANCE_CORE_HTML_SANITIZER_H_
#define RELANCE_CORE_HTML_SANITIZER_H_

#include <string>
#include <string_view>

namespace relance {

// Returns the safe re-serialised form of `html`. Never throws.
std::string sanitizeHtml(std::string_view html);

// What a URL attribute may hold.
enum class UrlUse { kLink, kImage };

// True when `url` (after decoding entities and removing whitespace and control
// characters, as browsers do) is relative or uses an allowed scheme:
// http, https, and for links mailto and tel, for images data:image/png|gif|jpeg|webp.
bool isSafeUrl(std::string_view url, UrlUse use);

// Escapes & < > " ' for text or a double-quoted attribute value.
std::string escapeHtml(std::string_view text);

}  // namespace relance

#endif  // RELANCE_CORE_HTML_SANITIZER_H_
