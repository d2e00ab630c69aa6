// Defence in depth for `set_html`: the engine already sanitised the fragment
// in C++ (src/core/html_sanitizer), but the page must stay safe even if a
// configuration reached the browser another way. The fragment is parsed in an
// inert <template> (no script runs, no image loads) and rebuilt element by
// element from an allowlist; everything else is dropped, text kept.

const ALLOWED_TAGS = new Set([
  'a', 'abbr', 'b', 'blockquote', 'br', 'code', 'del', 'div', 'em', 'h1', 'h2', 'h3', 'h4', 'h5',
  'h6', 'hr', 'i', 'img', 'ins', 'li', 'mark', 'ol', 'p', 'pre', 's', 'small', 'span', 'strong',
  'sub', 'sup', 'u', 'ul',
]);

// Elements whose content is not text for people: dropped with their content.
const DROPPED_WITH_CONTENT = new Set([
  'script', 'style', 'template', 'iframe', 'object', 'embed', 'noscript', 'svg', 'math', 'frame',
  'frameset', 'textarea', 'select', 'title', 'head', 'link', 'meta', 'base',
]);

const ALLOWED_ATTRS = new Set(['href', 'src', 'alt', 'title', 'class', 'width', 'height', 'target', 'rel']);
const URL_ATTRS = new Set(['href', 'src']);

/**
 * True when `url` is safe in href/src: http(s), mailto, tel, or a relative
 * URL. Refuses javascript:, data:, vbscript: and any other scheme, including
 * ones hidden by whitespace, control characters or entities (already decoded
 * by the parser).
 */
export function isSafeUrl(url: string): boolean {
  // Browsers ignore ASCII whitespace and control characters inside a scheme.
  const compact = url.replace(/[\u0000-\u0020\u007f-\u009f]/g, '').toLowerCase();
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(compact);
  if (!scheme) return true;  // relative: path, ?query, #fragment, //host
  return scheme[1] === 'http' || scheme[1] === 'https' || scheme[1] === 'mailto' || scheme[1] === 'tel';
}

/**
 * Parses `html` and returns a fragment of `doc` that contains only allowed
 * tags and attributes. Links opened in a new tab get rel="noopener noreferrer".
 */
export function sanitizeHtml(html: string, doc: Document = document): DocumentFragment {
  const template = doc.createElement('template');
  template.innerHTML = html;  // inert: a template's content is never rendered or run
  const out = doc.createDocumentFragment();
  copyChildren(template.content, out, doc);
  return out;
}

function copyChildren(from: Node, to: Node, doc: Document): void {
  for (let child = from.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === 3) {
      to.appendChild(doc.createTextNode(child.nodeValue || ''));
    } else if (child.nodeType === 1) {
      const el = child as Element;
      const tag = el.localName;
      if (DROPPED_WITH_CONTENT.has(tag)) continue;
      if (!ALLOWED_TAGS.has(tag) || el.namespaceURI !== 'http://www.w3.org/1999/xhtml') {
        copyChildren(el, to, doc);  // unwrap: keep the text, lose the element
        continue;
      }
      const clean = doc.createElement(tag);
      copyAttributes(el, clean);
      copyChildren(el, clean, doc);
      to.appendChild(clean);
    }
    // comments, processing instructions: dropped
  }
}

function copyAttributes(from: Element, to: Element): void {
  for (const attr of Array.from(from.attributes)) {
    const name = attr.name.toLowerCase();
    if (!ALLOWED_ATTRS.has(name)) continue;
    if (URL_ATTRS.has(name) && !isSafeUrl(attr.value)) continue;
    if (name === 'target' && attr.value !== '_blank') continue;
    to.setAttribute(name, attr.value);
  }
  if (to.getAttribute('target') === '_blank') to.setAttribute('rel', 'noopener noreferrer');
}
