// Anti-flicker: slots a rule may change (`[data-relance-slot]`) stay hidden
// until the engine has decided, so a visitor never sees the original text
// swapped for the personalised one. Only the slots are hidden, never the page,
// and `visibility` keeps their space, so nothing moves. A timeout (300 ms)
// shows the originals if Relance is slow or blocked.
//
// The snippet should inline ANTI_FLICKER_SNIPPET_JS (anti_flicker_snippet.ts;
// the build does) (or the tag calls
// installAntiFlicker() as early as it can); the runtime calls revealSlots()
// with `actions.reveal`, and endAntiFlicker() once the first page view's
// actions are carried out (the slots no rule changed then show at once).

/** The class on <html> while slots are hidden. */
export const ANTI_FLICKER_CLASS = 'relance-af';
/** Set on a slot element once it is decided. */
export const REVEALED_ATTR = 'data-relance-revealed';
/** After this long the originals show, decided or not. */
export const ANTI_FLICKER_TIMEOUT_MS = 300;
/**
 * A site whose decisions take longer (slow networks, a heavy page) may set
 * `window.relanceAntiFlickerMs = 800` before the snippet; capped at 5 s so a
 * mistake never blanks the slots for long.
 */
export const ANTI_FLICKER_OVERRIDE = 'relanceAntiFlickerMs';
/** The longest budget a site may set. */
export const MAX_TIMEOUT_MS = 5000;
/** The CSS rule that hides undecided slots while <html> has ANTI_FLICKER_CLASS. */
export const ANTI_FLICKER_CSS =
  `html.${ANTI_FLICKER_CLASS} [data-relance-slot]:not([${REVEALED_ATTR}]){visibility:hidden!important}`;
/**
 * Hides the undecided slots of `doc` for at most `timeoutMs` (default: the
 * page's window.relanceAntiFlickerMs, else 300 ms). Does nothing if already
 * installed (by the snippet or an earlier call) or already ended.
 */
export function installAntiFlicker(doc: Document = document, timeoutMs?: number): void {
  if (timeoutMs === undefined) {
    const override = Number((doc.defaultView as unknown as Record<string, unknown> | null)?.[ANTI_FLICKER_OVERRIDE]);
    timeoutMs = override > 0 ? Math.min(override, MAX_TIMEOUT_MS) : ANTI_FLICKER_TIMEOUT_MS;
  }
  const html = doc.documentElement;
  if (html.getAttribute('data-relance-af')) return;
  html.setAttribute('data-relance-af', 'on');
  const style = doc.createElement('style');
  style.setAttribute('data-relance-af', '');
  style.textContent = ANTI_FLICKER_CSS;
  (doc.head || html).appendChild(style);
  html.classList.add(ANTI_FLICKER_CLASS);
  setTimeout(() => endAntiFlicker(doc), timeoutMs);
}

/** Shows the slots named in `slots` (the engine's `actions.reveal`). */
export function revealSlots(slots: string[] | undefined | null, doc: Document = document): void {
  if (!Array.isArray(slots)) return;
  for (const name of slots) {
    if (typeof name !== 'string') continue;
    for (const el of Array.from(doc.querySelectorAll('[data-relance-slot]'))) {
      if (el.getAttribute('data-relance-slot') === name) el.setAttribute(REVEALED_ATTR, '');
    }
  }
}

/** Shows every slot: the decisions of this page view are carried out (or the timeout passed). */
export function endAntiFlicker(doc: Document = document): void {
  const html = doc.documentElement;
  html.classList.remove(ANTI_FLICKER_CLASS);
  if (html.getAttribute('data-relance-af')) html.setAttribute('data-relance-af', 'done');
}
