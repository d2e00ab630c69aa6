// Storage that never throws into the host page.
//
// localStorage may be missing (SSR, workers), disabled (private modes, a
// throwing getter), full (QuotaExceededError) or hold garbage written by
// someone else. Every call here catches, and when the real storage cannot be
// used at all, an in-memory map takes over so the page keeps working (events
// then live as long as the page).

export interface KeyValueStore {
  // The value stored under `key`, or null if absent or unreadable.
  get(key: string): string | null;
  // Stores `value`; false when the storage refused (full, disabled).
  set(key: string, value: string): boolean;
  remove(key: string): void;
  // Every key starting with `prefix` (order unspecified).
  keys(prefix: string): string[];
  // True when writes go to durable storage, false for the in-memory fallback.
  readonly durable: boolean;
}

// Minimal shape of the Web Storage API that we use.
export interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  key(index: number): string | null;
  readonly length: number;
}

export function memoryStore(): KeyValueStore {
  const map = new Map<string, string>();
  return {
    durable: false,
    get: (k) => (map.has(k) ? (map.get(k) as string) : null),
    set: (k, v) => { map.set(k, v); return true; },
    remove: (k) => { map.delete(k); },
    keys: (p) => [...map.keys()].filter((k) => k.startsWith(p)),
  };
}

// Wraps the storage returned by `open` (called once; it may throw, as reading
// window.localStorage does when storage is disabled). Falls back to memory
// when the storage is absent, or when its first write fails for a reason
// other than a full quota (a storage that reads but refuses writes).
//
// Nothing is written to find that out: the first real write is the probe.
// A probe key written and removed at start-up was still a write before the
// visitor's consent on a site that requires it.
export function safeStore(open: () => WebStorageLike | null | undefined): KeyValueStore {
  let s: WebStorageLike | null | undefined;
  try {
    s = open();
  } catch {
    s = null;
  }
  if (!s) return memoryStore();
  const store = s;
  let written = false;                     // a write has been tried: the storage is judged
  let memory: KeyValueStore | null = null; // set when that first write showed the storage unusable
  return {
    get durable() { return !memory; },
    get(k) {
      if (memory) return memory.get(k);
      try { return store.getItem(k); } catch { return null; }
    },
    set(k, v) {
      if (memory) return memory.set(k, v);
      try {
        store.setItem(k, v);
        written = true;
        return true;
      } catch (e) {
        if (written || isQuotaError(e)) return false;
        written = true;
        memory = memoryStore();
        return memory.set(k, v);
      }
    },
    remove(k) {
      if (memory) { memory.remove(k); return; }
      try { store.removeItem(k); } catch { /* nothing to do */ }
    },
    keys(p) {
      if (memory) return memory.keys(p);
      const out: string[] = [];
      try {
        for (let i = 0; i < store.length; i++) {
          const k = store.key(i);
          if (k !== null && k.startsWith(p)) out.push(k);
        }
      } catch { /* unreadable: no keys */ }
      return out;
    },
  };
}

export function isQuotaError(e: unknown): boolean {
  const err = e as { name?: string; code?: number } | null;
  return !!err && (err.name === 'QuotaExceededError' || err.name === 'NS_ERROR_DOM_QUOTA_REACHED' || err.code === 22);
}

// Parses JSON stored by us; null on anything corrupt (never throws).
export function parseStored<T>(text: string | null): T | null {
  if (text === null) return null;
  try { return JSON.parse(text) as T; } catch { return null; }
}
