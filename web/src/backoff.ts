// When to retry a failed send.
//
// Exponential backoff with jitter: attempt n waits a random time in
// [d/2, d] where d = min(base * 2^n, cap), so that many tabs or visitors
// failing together do not retry together. A server's Retry-After (seconds or
// an HTTP date) is honoured as a minimum, bounded by `maxRetryAfterMs`.

export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
  maxRetryAfterMs?: number;
}

export function retryDelayMs(
  attempt: number,
  retryAfter: string | null,
  random: () => number,
  nowMs: number,
  opts: BackoffOptions = {},
): number {
  const base = opts.baseMs ?? 1000;
  const cap = opts.capMs ?? 60000;
  const d = Math.min(cap, base * Math.pow(2, Math.max(0, attempt)));
  let delay = d / 2 + random() * (d / 2);
  const server = parseRetryAfter(retryAfter, nowMs);
  if (server !== null) delay = Math.max(delay, Math.min(server, opts.maxRetryAfterMs ?? 600000));
  return Math.round(delay);
}

// Retry-After as milliseconds from now; null when absent or unreadable.
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null || value === undefined) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return null;
  return Math.max(0, t - nowMs);
}
