// The outgoing event queue, persisted in localStorage.
//
// One key per event (`rl:q:<id>`), so adding or removing an event is a single
// write that never races with another tab's read-modify-write of a shared
// list. The queue is bounded (`limit` events); when full, the oldest
// analytics event is dropped first (events in PRIORITY_TYPES go last), and
// the number dropped is kept under `rl:lost` so the next batch reports it.
// A storage that refuses a write (quota) makes room by dropping its oldest
// analytics events (never a priority one); if it still refuses, the event is
// kept in memory for the life of the page. A corrupt
// entry is removed and ignored. Nothing here throws.

import { KeyValueStore, parseStored } from './storage';

export const QUEUE_PREFIX = 'rl:q:';
const LOST_KEY = 'rl:lost';

// Events that matter for business (orders, contacts): dropped last.
export const PRIORITY_TYPES: ReadonlySet<string> = new Set([
  'purchase', 'identify', 'optin', 'offer_converted', 'checkout_started', 'cart_abandoned',
]);

export interface QueuedEvent {
  id: string;
  type: string;
  [k: string]: unknown;
}

interface Entry {
  e: QueuedEvent;
  t: number; // enqueue time (ms), for age order
  n: number; // sequence within the writing tab, ties broken by it
}

export class EventQueue {
  private readonly _memory = new Map<string, Entry>();
  private _seq = 0;
  private _slack = 0;

  constructor(
    private readonly _store: KeyValueStore,
    private readonly _limit: number,
    private readonly _now: () => number,
  ) {}

  // Adds events (already validated by the engine). Returns how many older
  // events had to be dropped to make room.
  add(events: QueuedEvent[]): number {
    let dropped = 0;
    for (const e of events) {
      if (!e || typeof e.id !== 'string') continue;
      while (this.size() >= this._limit + this._slack) {
        if (!this._dropOldest(false)) break;
        dropped++;
      }
      const entry: Entry = { e, t: this._now(), n: this._seq++ };
      const text = JSON.stringify(entry);
      let stored = this._store.set(QUEUE_PREFIX + e.id, text);
      // Storage full: free room by dropping stored (not in-memory) events.
      while (!stored && this._dropOldest(true)) {
        dropped++;
        stored = this._store.set(QUEUE_PREFIX + e.id, text);
      }
      if (!stored) this._memory.set(e.id, entry);
    }
    if (dropped) this._addLost(dropped);
    return dropped;
  }

  // Runs `f` with room for one more event than the limit: the overflow
  // report must not itself push out another event.
  withSlack<T>(f: () => T): T {
    this._slack++;
    try { return f(); } finally { this._slack--; }
  }

  // Every queued event, oldest first.
  list(): QueuedEvent[] {
    return this._entries().map((x) => x.e);
  }

  size(): number {
    return this._store.keys(QUEUE_PREFIX).length + this._memory.size;
  }

  has(id: string): boolean {
    return this._memory.has(id) || this._store.get(QUEUE_PREFIX + id) !== null;
  }

  remove(ids: Iterable<string>): void {
    for (const id of ids) {
      this._memory.delete(id);
      this._store.remove(QUEUE_PREFIX + id);
    }
  }

  // Removes every queued event and the count of lost ones (consent withdrawn
  // with the "drop" policy): nothing of them stays in storage or memory.
  clear(): void {
    this._memory.clear();
    for (const k of this._store.keys(QUEUE_PREFIX)) this._store.remove(k);
    this._store.remove(LOST_KEY);
  }

  // Events dropped for lack of room and not yet reported.
  lost(): number {
    const n = Number(this._store.get(LOST_KEY));
    return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
  }

  // Marks `n` lost events as reported.
  clearLost(n: number): void {
    const left = this.lost() - n;
    if (left > 0) this._store.set(LOST_KEY, String(left));
    else this._store.remove(LOST_KEY);
  }

  private _addLost(n: number): void {
    this._store.set(LOST_KEY, String(this.lost() + n));
  }

  private _entries(): Entry[] {
    const out: Entry[] = [];
    for (const k of this._store.keys(QUEUE_PREFIX)) {
      const entry = parseStored<Entry>(this._store.get(k));
      if (!entry || typeof entry !== 'object' || !entry.e || typeof entry.e.id !== 'string'
          || QUEUE_PREFIX + entry.e.id !== k) {
        this._store.remove(k); // corrupt: unusable, and must not block the queue
        continue;
      }
      out.push(entry);
    }
    for (const entry of this._memory.values()) out.push(entry);
    return out.sort((a, b) => a.t - b.t || a.n - b.n);
  }

  // Drops the oldest analytics event (or, over the limit, the oldest of all if
  // only priority events are left). False when there is nothing to drop.
  // Room in a full storage (`storedOnly`) is made from analytics events only:
  // the queue is under its limit then, and an order must not go so that a page
  // view can be stored (that one is kept in memory instead).
  private _dropOldest(storedOnly: boolean): boolean {
    const all = this._entries().filter((x) => !storedOnly || !this._memory.has(x.e.id));
    const victim = all.find((x) => !PRIORITY_TYPES.has(x.e.type)) || (storedOnly ? undefined : all[0]);
    if (!victim) return false;
    this.remove([victim.e.id]);
    return true;
  }
}
