// The debug printer for `?relance_debug=1`: one collapsed console group per
// happening, one line per rule or offer saying whether it matched and why not.
// It prints what the engine explained and nothing else (no personal data).

export interface DebugEntry {
  kind?: string;
  id?: string;
  matched?: boolean;
  why?: string;
  [key: string]: unknown;
}

/** Prints `entries` (the engine's `actions.debug`) under the title `what` (e.g. the signal type). */
export function printDebug(what: string, entries: DebugEntry[] | null | undefined, out: Console = console): void {
  if (!Array.isArray(entries) || entries.length === 0) return;
  out.groupCollapsed(`relance debug: ${what}`);
  for (const e of entries) {
    const mark = e.matched ? '\u2713' : '\u2717';
    out.log(`${mark} ${e.kind || '?'} ${e.id || ''}${e.matched ? '' : ` - ${e.why || 'no reason given'}`}`);
  }
  out.groupEnd();
}
