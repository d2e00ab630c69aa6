// Handles that own WebAssembly memory: freed by dispose(), or by a
// FinalizationRegistry when the caller forgets (garbage collection is late
// and not guaranteed, so dispose() stays the rule).

/** What Embind gives for a bound C++ object. */
export interface NativeHandle {
  delete(): void;
}

interface Slot {
  native: NativeHandle | null;
}

const registry: { register(o: object, s: Slot, t: object): void; unregister(t: object): void } | null =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<Slot>((slot) => {
        if (slot.native) {
          slot.native.delete();
          slot.native = null;
          finalizedCount++;
        }
      })
    : null;

let finalizedCount = 0;

/** How many handles the finalizer has freed so far (for tests and leak hunting). */
export function finalized(): number {
  return finalizedCount;
}

/** Owns one native handle on behalf of `owner` (the object given to the caller). */
export class Owned<T extends NativeHandle> {
  private readonly slot: Slot;

  constructor(owner: object, native: T) {
    this.slot = { native };
    registry?.register(owner, this.slot, this.slot);
  }

  /** The live handle; throws once disposed. */
  get(): T {
    if (!this.slot.native) throw new Error('relance: this handle was disposed');
    return this.slot.native as T;
  }

  dispose(): void {
    if (!this.slot.native) return;
    registry?.unregister(this.slot);
    this.slot.native.delete();
    this.slot.native = null;
  }
}
