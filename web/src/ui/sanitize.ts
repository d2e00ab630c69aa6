// Defence in depth for `set_html`: the engine already sanitised the fragment
// in C++ (src/core/html_sanitizer), but the page must stay safe even if a
// configuration reached the browser another way. The fragment is parsed in an
// inert <template> (no script runs, no image loads) and rebuilt element by
// element from an allowlist; everything else is dropped, text kept.

const ALLOWED_TAGS = new Set([
  'a', 'abbr', 'b', 'blockquote', 'br', 'cite', 'code', 'del', 'div', 'em', 'figcaption', 'figure',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'img', 'ins', 'li', 'mark', 'ol', 'p', 'pre', 'q', 's',
  'small', 'span', 'strong', 'sub', 'sup', 'u', 'ul',
]);  // the same list as src/core/html_sanitizer.cc

// Elements whose content is not text for people: dropped with their content.
const DROPPED_WITH_CONTENT = new Set([
  'script', 'style', 'template', 'iframe', 'object', 'embed', 'noscript', 'svg', 'math', 'frame',
  'frameset', 'textarea', 'select', 'title', 'head', 'link', 'meta', 'base',
]);

// Per tag, as in src/core/html_sanitizer.cc; aria-* is allowed everywhere.
const GLOBAL_ATTRS = new Set(['class', 'title', 'lang', 'dir']);
const TAG_ATTRS: Record<string, Set<string>> = {
  a: new Set(['href', 'target']),
  img: new Set(['src', 'alt', 'width', 'height']),
};
// Raster images inline are harmless; SVG (scriptable) is not.
const SAFE_DATA_IMAGE = /^data:image\/(png|gif|jpeg|webp);/i;

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
  const tag = from.localName;
  for (const attr of Array.from(from.attributes)) {
    const name = attr.name.toLowerCase();
    const allowed = GLOBAL_ATTRS.has(name) || /^aria-[a-z]+$/.test(name) || (TAG_ATTRS[tag] && TAG_ATTRS[tag].has(name));
    if (!allowed) continue;
    if (name === 'href' && !isSafeUrl(attr.value)) continue;
    if (name === 'src' && !(isSafeUrl(attr.value) && !/^\s*(mailto|tel):/i.test(attr.value))
      && !SAFE_DATA_IMAGE.test(attr.value.trim())) continue;
    if (name === 'target' && attr.value !== '_blank') continue;
    if ((name === 'width' || name === 'height') && !/^[0-9]{1,5}$/.test(attr.value)) continue;
    to.setAttribute(name, attr.value);
  }
  if (to.getAttribute('target') === '_blank') to.setAttribute('rel', 'noopener noreferrer');
}
