// The decision engine wrapper over the Embind functions that
// src/wasm/engine_bindings.cc binds (docs/design/engine-contract.md): the
// wasm holds the engine, JavaScript holds its integer handle. Free functions
// rather than an Embind class keep Embind's class machinery out of the glue
// (the browser tag's wasm binds nothing else).
import { RelanceError, parseErrors } from './errors.js';
import { Owned, type NativeHandle } from './handles.js';
import type { Engine, EngineActions, EngineSignal } from './types.js';

/** The Embind module functions this wrapper uses. */
export interface EngineModule {
  engineCreate(configJson: string): number;
  engineErrors(h: number): string;
  engineConfig?(h: number): string;
  engineRestore(h: number, stateText: string, nowMs: number): string;
  engineObserve(h: number, signalJson: string, nowMs: number): string;
  engineState(h: number): string;
  engineDelete(h: number): void;
}

function asObject(answer: string): any {
  return answer === '' ? {} : JSON.parse(answer);
}

export function createEngine(m: EngineModule, config: unknown): Engine {
  if (typeof m.engineCreate !== 'function') {
    throw new Error('relance: this build has no decision engine (src/wasm/engine_bindings.cc is missing)');
  }
  const h = m.engineCreate(typeof config === 'string' ? config : JSON.stringify(config));
  // The handle as Owned expects it: delete() frees the engine in the wasm.
  const native: NativeHandle = { delete: () => m.engineDelete(h) };
  const errors = parseErrors(m.engineErrors(h));
  if (errors.length) {
    native.delete();
    throw new RelanceError('invalid configuration', errors);
  }
  // Every call goes through owned.get() so that a disposed engine throws.
  const live = (): number => {
    owned.get(); // throws once disposed
    return h;
  };
  const engine: Engine = {
    restore(stateText: string, nowMs: number): EngineActions {
      return asObject(m.engineRestore(live(), stateText ?? '', nowMs));
    },
    observe(signal: EngineSignal, nowMs: number): EngineActions {
      const text = typeof signal === 'string' ? signal : JSON.stringify(signal);
      return asObject(m.engineObserve(live(), text, nowMs));
    },
    state(): Record<string, unknown> {
      return asObject(m.engineState(live()));
    },
    config(): Record<string, unknown> {
      // The browser tag's engine-only wasm leaves engineConfig out.
      if (typeof m.engineConfig !== 'function') throw new Error('relance: config() is not in this build');
      return asObject(m.engineConfig(live()));
    },
    dispose(): void {
      owned.dispose();
    },
  };
  const owned = new Owned(engine, native);
  return engine;
}
