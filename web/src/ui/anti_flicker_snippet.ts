// The anti-flicker of anti_flicker.ts as a self-contained script that the build
// inlines in the snippet, so slots are hidden from the page's first paint.
// Its own module so that bundles that do not need it (the tag) leave it out.

import {
  ANTI_FLICKER_CLASS, ANTI_FLICKER_CSS, ANTI_FLICKER_OVERRIDE, ANTI_FLICKER_TIMEOUT_MS, MAX_TIMEOUT_MS,
} from './anti_flicker';

/**
 * A self-contained script for the snippet: the same as installAntiFlicker().
 * It marks <html data-relance-af="on"> so the tag does not install it twice.
 */
export const ANTI_FLICKER_SNIPPET_JS =
  `(function(d,w){var h=d.documentElement;if(h.getAttribute('data-relance-af'))return;` +
  `var ms=+w.${ANTI_FLICKER_OVERRIDE};ms=ms>0?Math.min(ms,${MAX_TIMEOUT_MS}):${ANTI_FLICKER_TIMEOUT_MS};` +
  `h.setAttribute('data-relance-af','on');var s=d.createElement('style');s.setAttribute('data-relance-af','');` +
  `s.textContent=${JSON.stringify(ANTI_FLICKER_CSS)};(d.head||h).appendChild(s);h.classList.add('${ANTI_FLICKER_CLASS}');` +
  `setTimeout(function(){h.classList.remove('${ANTI_FLICKER_CLASS}');h.setAttribute('data-relance-af','done')},ms)` +
  `})(document,window);`;

