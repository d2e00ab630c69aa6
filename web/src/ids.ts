// Event and tab identifiers: UUID version 7 strings (RFC 9562): the first 48
// bits are the creation time in milliseconds, the other 74 free bits random.
//
// One signal gets one id, made once and kept with the event until the
// collector acknowledged it, so a retried or re-sent event keeps its id and
// the collector's dedup by id makes delivery exactly-once in effect.
//
// Why time-ordered rather than crypto.randomUUID's version 4: the collector
// keeps every id in a B-tree index to deduplicate. Random ids land on a random
// leaf of that index each, so once the index outgrows memory every event costs
// a page write (and a checkpoint's copy of it); ids made at about the same time
// land on the same few leaves at the index's end. 74 random bits keep them as
// unguessable and collision-free as version 4's 122 for this use. What the time
// tells, the event's own `ts` already says.

interface CryptoLike {
  getRandomValues?: (a: Uint8Array) => Uint8Array;
}

export function uuid(
  c: CryptoLike | undefined = (globalThis as { crypto?: CryptoLike }).crypto,
  now: number = Date.now(),
): string {
  const b = new Uint8Array(16);
  if (c && typeof c.getRandomValues === 'function') {
    c.getRandomValues(b);
  } else {
    // Last resort (very old engines): not cryptographic, but still unique enough
    // for an event id together with the time.
    for (let i = 0; i < 16; i++) b[i] = (Math.random() * 256) | 0;
  }
  // 48-bit big-endian milliseconds (exact as a double until the year 10889).
  let t = Math.max(0, Math.floor(now));
  for (let i = 5; i >= 0; i--) {
    b[i] = t % 256;
    t = Math.floor(t / 256);
  }
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
