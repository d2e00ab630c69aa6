// The one error class the package throws for bad input.
import type { PathError } from './types.js';

/** An input the engine refused; `errors` lists every fault with its JSON Pointer. */
export class RelanceError extends Error {
  readonly errors: PathError[];

  constructor(what: string, errors: PathError[]) {
    const shown = errors.slice(0, 5).map((e) => `${e.path || '(root)'}: ${e.message}`).join('; ');
    const more = errors.length > 5 ? ` (and ${errors.length - 5} more)` : '';
    super(`${what}: ${shown}${more}`);
    this.name = 'RelanceError';
    this.errors = errors;
  }
}

/** Parses an errors array answered by the engine ("" means none). */
export function parseErrors(text: string): PathError[] {
  if (!text) return [];
  const v = JSON.parse(text);
  return Array.isArray(v) ? (v as PathError[]) : [{ path: '', message: String(v) }];
}
