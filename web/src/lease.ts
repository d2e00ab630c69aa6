// A send lease shared by the tabs of one site, held in localStorage.
//
// Only the tab holding the lease sends the (shared) queue, so two tabs do not
// post the same events at the same time. The lease expires on its own
// (`ttlMs`) so a closed or frozen tab never blocks the others for long. This is
// not a perfect mutex (localStorage has no compare-and-swap): in a rare race
// two tabs may both send, which is harmless because events keep their ids and
// the collector deduplicates by id.

import { KeyValueStore, parseStored } from './storage';

const LEASE_KEY = 'rl:lease';

interface LeaseRecord { tab: string; exp: number }

export class SendLease {
  constructor(
    private readonly _store: KeyValueStore,
    private readonly _tab: string,
    private readonly _now: () => number,
    private readonly _ttlMs = 10000,
  ) {}

  // Takes or renews the lease; true when this tab holds it now.
  acquire(): boolean {
    const t = this._now();
    const cur = parseStored<LeaseRecord>(this._store.get(LEASE_KEY));
    if (cur && typeof cur.tab === 'string' && cur.tab !== this._tab && typeof cur.exp === 'number'
        && cur.exp > t && cur.exp - t <= this._ttlMs) {
      return false;
    }
    if (!this._store.set(LEASE_KEY, JSON.stringify({ tab: this._tab, exp: t + this._ttlMs }))) {
      return true; // storage unusable: each tab is on its own anyway
    }
    const check = parseStored<LeaseRecord>(this._store.get(LEASE_KEY));
    return !check || check.tab === this._tab;
  }

  // Milliseconds until another tab's lease runs out (0 when free).
  waitMs(): number {
    const cur = parseStored<LeaseRecord>(this._store.get(LEASE_KEY));
    if (!cur || cur.tab === this._tab || typeof cur.exp !== 'number') return 0;
    return Math.max(0, Math.min(this._ttlMs, cur.exp - this._now()));
  }

  release(): void {
    const cur = parseStored<LeaseRecord>(this._store.get(LEASE_KEY));
    if (cur && cur.tab === this._tab) this._store.remove(LEASE_KEY);
  }
}
