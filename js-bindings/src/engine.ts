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

// The JSON text of a signal, with each lone UTF-16 surrogate made U+FFFD (as
// TextEncoder and fetch() do). A page's own code that cuts a string in the
// middle of an emoji leaves one (a title, a property); JSON.stringify writes it
// as a \udXXX escape, which a JSON parser must refuse, so the engine refused the
// whole signal ("not valid JSON") and its event (every page view of such a
// page) was lost. The scan takes escaped backslashes (\\) as a whole, so a
// literal "\ud800" in the text is left alone. No lookbehind: the tag must parse
// in browsers without it.
function signalText(signal: unknown): string {
  return (JSON.stringify(signal) ?? '').replace(/\\\\|\\ud[89a-f][0-9a-f]{2}/g, (m) => (m.length === 2 ? m : '\\ufffd'));
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
      const text = typeof signal === 'string' ? signal : signalText(signal);
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
