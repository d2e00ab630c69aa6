// Sends the queue to the collector: batches, retries, page-hide flush.
//
// - Batches of at most `batchSize` events and ~60 KB of UTF-8 (the keepalive
//   budget: browsers refuse a keepalive body over 64 KiB, in bytes),
//   sent when the queue reaches `batchSize` or `flushMs` after the first
//   pending event, with fetch(keepalive, credentials 'include'), or 'omit'
//   in anonymous mode (no analytics consent: the collector's rl_id cookie is
//   neither sent nor set).
// - Network errors, 429 and 5xx: retried with backoff + jitter, honouring
//   Retry-After; after a network error, the `online` event sends at once. The events stay in the persisted queue meanwhile, so a
//   reload or a closed tab resumes where this one stopped.
// - 200 {accepted, duplicates, rejected}: everything sent leaves the queue;
//   rejected events are reported on the console with the collector's reasons.
// - Another 4xx for a whole batch: the batch is split until the bad event is
//   alone, then that event is dropped with a console error.
// - Page hide: what is pending goes with navigator.sendBeacon (text/plain JSON,
//   no preflight); in anonymous mode, with fetch(keepalive, credentials
//   'omit') as text/plain instead, since a beacon always carries cookies. The events stay queued until a fetch is acknowledged; a
//   re-send is deduplicated by the collector. Not while the collector's own
//   wait runs (a 429 or 5xx answer, Retry-After): the queue keeps the events
//   for the next page, unless it lives in memory only (no durable storage),
//   where the beacon is their only chance.
// - Tabs share the queue; a lease lets one tab send at a time.

import { retryDelayMs } from './backoff';
import { SendLease } from './lease';
import { EventQueue, QueuedEvent } from './queue';

export interface FetchResponseLike {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}
export type FetchLike = (url: string, init: Record<string, unknown>) => Promise<FetchResponseLike>;

export interface TransportDeps {
  queue: EventQueue;
  lease: SendLease;
  endpoint: string;
  fetch: FetchLike;
  beacon?: (url: string, body: string) => boolean;
  now: () => number;
  random: () => number;
  setTimeout: (f: () => void, ms: number) => unknown;
  clearTimeout: (h: unknown) => void;
  log: (level: 'warn' | 'error', message: string) => void;
  batchSize?: number;
  flushMs?: number;
  // Called before a batch is taken, so the runtime can add an overflow report.
  beforeBatch?: () => void;
  // True when the queue outlives the page (durable storage); default true.
  durable?: () => boolean;
}

const MAX_BATCH_BYTES = 60000;

// The UTF-8 size of `s`, or a little more (a surrogate pair counts 6 bytes, not
// 4). The batch budget is in bytes: counting UTF-16 units (`s.length`) let a
// batch of non-Latin text reach three times the budget, a body the browser's
// keepalive fetch refuses every time, so the queue never moved again.
function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
  }
  return n;
}

export class Transport {
  private _inFlight = false;
  private _timer: unknown = null;
  private _timerAt = 0;
  private _attempt = 0;
  private _retryAt = 0;
  // The last attempt got no answer at all (a network error), so `online` ends its wait.
  private _noAnswer = false;
  private _stopped = false;
  private readonly _batchSize: number;
  private readonly _flushMs: number;
  // Bad batches being split: the next sends take at most this many events.
  private _splitLimit = 0;
  private _anonymous = false;

  constructor(private readonly d: TransportDeps) {
    this._batchSize = Math.max(1, Math.min(500, d.batchSize ?? 20));
    this._flushMs = Math.max(0, d.flushMs ?? 1000);
  }

  // Events were queued: send now if a batch is full, else soon.
  notify(): void {
    if (this.d.queue.size() >= this._batchSize) this._schedule(0);
    else this._schedule(this._flushMs);
  }

  // Anonymous mode (no analytics consent): requests carry no cookie and the
  // browser keeps none from their answers.
  // Entering it with nothing left to send releases the send lease, so that
  // nothing of the transport's own stays in storage.
  setAnonymous(on: boolean): void {
    if (on && !this._anonymous && !this._inFlight && this.d.queue.size() === 0) this.d.lease.release();
    this._anonymous = on;
  }

  // Sends one batch now (if allowed); resolves when that attempt is over.
  async flush(): Promise<void> {
    if (this._inFlight || this._stopped || this.d.queue.size() === 0) return; // nothing to do: touch nothing
    const t = this.d.now();
    if (t < this._retryAt) { this._schedule(this._retryAt - t); return; }
    if (!this.d.lease.acquire()) { this._schedule(this.d.lease.waitMs() + 50); return; }
    if (this.d.beforeBatch) this.d.beforeBatch();
    const batch = this._takeBatch(this._splitLimit || this._batchSize);
    if (!batch.length) return;
    this._inFlight = true;
    let again = false;
    try {
      const res = await this.d.fetch(this.d.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events: batch }),
        keepalive: true,
        credentials: this._anonymous ? 'omit' : 'include',
      });
      again = await this._handle(res, batch);
    } catch {
      this._noAnswer = true;
      this._retryLater(null);
    } finally {
      this._inFlight = false;
    }
    if (again && this.d.queue.size() > 0) this._schedule(0);
    // Without analytics consent, nothing of the transport's own stays in
    // storage once the queue is delivered (the lease is taken again if more
    // events come).
    else if (this._anonymous && this.d.queue.size() === 0) this.d.lease.release();
  }

  // The browser is back online (the window's `online` event): a wait that was
  // only for a network error ends now, so the queue goes at once rather than
  // up to a minute later; a server's Retry-After still holds.
  online(): void {
    if (this._noAnswer) this._retryAt = 0;
    void this.flush();
  }

  // Page is going away: hand what is pending to sendBeacon.
  flushOnHide(): void {
    if (!this.d.beacon && !this._anonymous) return;
    // The collector answered "wait" (429, 5xx): sending now would only add to
    // its load and be refused; the persisted queue goes from the next page,
    // after the wait. A wait after a network error is the browser's own
    // guess, so the beacon still tries.
    const serverWait = !this._noAnswer && this.d.now() < this._retryAt;
    if (serverWait && (!this.d.durable || this.d.durable())) return;
    const batch = this._takeBatch(500);
    if (!batch.length) return;
    const body = JSON.stringify({ events: batch });
    try {
      if (this._anonymous) {
        void this.d.fetch(this.d.endpoint, {
          method: 'POST', headers: { 'content-type': 'text/plain' }, body, keepalive: true, credentials: 'omit',
        }).catch(() => { /* the queue keeps them for the next page */ });
      } else if (this.d.beacon) {
        this.d.beacon(this.d.endpoint, body);
      }
    } catch { /* the queue keeps them for the next page */ }
  }

  stop(): void {
    this._stopped = true;
    if (this._timer !== null) this.d.clearTimeout(this._timer);
    this._timer = null;
  }

  // True while a retry is scheduled after a failure.
  get backingOff(): boolean { return this._attempt > 0; }

  private _takeBatch(max: number): QueuedEvent[] {
    const out: QueuedEvent[] = [];
    let bytes = 12;
    for (const e of this.d.queue.list()) {
      if (out.length >= max) break;
      const size = utf8Bytes(JSON.stringify(e)) + 1;
      if (out.length && bytes + size > MAX_BATCH_BYTES) break;
      out.push(e);
      bytes += size;
    }
    return out;
  }

  // Returns true when the next batch may go at once.
  private async _handle(res: FetchResponseLike, batch: QueuedEvent[]): Promise<boolean> {
    this._noAnswer = false;
    const s = res.status;
    if (s >= 200 && s < 300) {
      let body: { rejected?: { index?: number; id?: string; errors?: { path?: string; message?: string }[] }[] } = {};
      try { body = JSON.parse(await res.text()); } catch { /* an empty 2xx is an acknowledgement too */ }
      for (const r of (body && Array.isArray(body.rejected) ? body.rejected : [])) {
        const ev = typeof r.index === 'number' ? batch[r.index] : batch.find((x) => x.id === r.id);
        const why = (r.errors || []).map((x) => `${x.path || ''}: ${x.message || ''}`).join('; ');
        this.d.log('error', `relance: the collector rejected event ${ev ? ev.type + ' ' + ev.id : r.id}: ${why}`);
      }
      this.d.queue.remove(batch.map((x) => x.id));
      this._attempt = 0;
      this._retryAt = 0;
      if (this.d.queue.size() === 0) this._splitLimit = 0;
      return true;
    }
    // 401/403/404 mean a deployment problem (origin not allowed, wrong
    // endpoint), not a bad event: keep the events and retry slowly.
    if (s === 429 || s >= 500 || s === 0 || s === 408 || s === 401 || s === 403 || s === 404) {
      this._retryLater(res.headers.get('retry-after'));
      return false;
    }
    // A 4xx for the whole batch: find the bad event by splitting.
    if (batch.length > 1) {
      this._splitLimit = Math.max(1, Math.floor(batch.length / 2));
      return true;
    }
    let why = '';
    try { why = (await res.text()).slice(0, 300); } catch { /* no body */ }
    this.d.log('error', `relance: the collector refused event ${batch[0].type} ${batch[0].id} (HTTP ${s}): ${why}`);
    this.d.queue.remove([batch[0].id]);
    this._splitLimit = 0;
    return true;
  }

  private _retryLater(retryAfter: string | null): void {
    const delay = retryDelayMs(this._attempt, retryAfter, this.d.random, this.d.now());
    this._attempt++;
    this._retryAt = this.d.now() + delay;
    this._schedule(delay);
  }

  private _schedule(ms: number): void {
    if (this._stopped) return;
    const at = this.d.now() + ms;
    if (this._timer !== null) {
      if (this._timerAt <= at) return; // an earlier flush is already planned
      this.d.clearTimeout(this._timer);
    }
    this._timerAt = at;
    this._timer = this.d.setTimeout(() => {
      this._timer = null;
      void this.flush();
    }, ms);
  }
}
